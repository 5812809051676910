package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

func TestOrganizerSessionPagesRefuseEveryoneElse(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Margaret Hamilton", "")
	member := sesSignIn(t, app, "Don Eyles", "")
	g := sesGroup(t, app, org, "apollo", nil)
	sesJoin(t, app, g, member)
	id := sesCreate(t, org, g, sesForm("Guidance computer internals"))
	sesRSVP(t, member, id, "yes")

	uid := member.User.ID
	urls := []struct{ method, path string }{
		{"GET", "/g/apollo/sessions/new"},
		{"POST", "/g/apollo/sessions"},
		{"GET", "/s/" + id + "/edit"},
		{"POST", "/s/" + id + "/edit"},
		{"POST", "/s/" + id + "/cancel"},
		{"POST", "/s/" + id + "/capacity"},
		{"GET", "/s/" + id + "/attendees"},
		{"GET", "/s/" + id + "/attendees.csv"},
		{"POST", "/s/" + id + "/attendees/" + uid + "/remove"},
		{"POST", "/s/" + id + "/attendees/" + uid + "/approve"},
		{"POST", "/s/" + id + "/attendees/" + uid + "/checkin"},
	}
	anon := app.NewClient(t)
	for _, u := range urls {
		form := sesForm("Hijacked")
		form.Set("capacity", "1")
		var asMember, asAnon *apptest.Response
		if u.method == "GET" {
			asMember, asAnon = member.Get(u.path), anon.Get(u.path)
		} else {
			asMember = member.PostForm("/s/"+id, u.path, form)
			asAnon = anon.PostForm("/dev/signin", u.path, form)
		}
		if asMember.StatusCode != http.StatusForbidden || !strings.Contains(asMember.Body, "organizers") {
			t.Errorf("member %s %s: %d, want 403", u.method, u.path, asMember.StatusCode)
		}
		switch {
		case u.method == "GET" && (asAnon.StatusCode != http.StatusSeeOther || !strings.HasPrefix(asAnon.Header.Get("Location"), "/signin?next=")):
			t.Errorf("anonymous GET %s: %d %s, want a redirect to sign-in", u.path, asAnon.StatusCode, asAnon.Header.Get("Location"))
		case u.method == "POST" && asAnon.StatusCode != http.StatusUnauthorized:
			t.Errorf("anonymous POST %s: %d, want 401", u.path, asAnon.StatusCode)
		}
	}
	ev, err := app.Events.Get(t.Context(), id)
	if err != nil || ev.Title != "Guidance computer internals" || ev.Status != "scheduled" || ev.Capacity != 0 {
		t.Fatalf("refused requests changed the session: %+v %v", ev, err)
	}
	if st := sesStatus(t, app, id, uid); st.Status != "going" || st.CheckedIn {
		t.Fatalf("refused requests changed the member's RSVP: %+v", st)
	}
	if up, _ := app.Events.GroupUpcoming(t.Context(), g.ID, 10); len(up) != 1 {
		t.Fatalf("refused requests created sessions: %d", len(up))
	}
	// The member's session page offers no organizer tools.
	sesLacks(t, "member's session page", member.Get("/s/"+id).Body, "/attendees", "/edit", "Cancel this session")
}

func TestPrivateGroupSessionsAreNotFoundForOutsiders(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Whitfield Diffie", "")
	member := sesSignIn(t, app, "Martin Hellman", "")
	outsider := sesSignIn(t, app, "Eve Eavesdropper", "")
	g := sesGroup(t, app, org, "key-exchange", func(in *groups.Input) {
		in.Visibility, in.JoinPolicy = groups.Private, groups.Invite
	})
	if err := app.Groups.Invite(t.Context(), g.ID, org.User.ID, member.User.ID); err != nil {
		t.Fatal(err)
	}
	if err := app.Groups.AcceptInvite(t.Context(), g.ID, member.User.ID, member.User.VerifiedEmails()); err != nil {
		t.Fatal(err)
	}
	form := sesForm("Secret session")
	form.Set("listed", "on")
	id := sesCreate(t, org, g, form)
	if ev, _ := app.Events.Get(t.Context(), id); ev.Listed {
		t.Fatal("a private group's session is listed on the home page")
	}

	anon := app.NewClient(t)
	for _, path := range []string{"/s/" + id, "/s/" + id + "/calendar.ics", "/g/key-exchange/calendar.ics", "/g/key-exchange/proposals"} {
		for who, c := range map[string]*apptest.Client{"outsider": outsider.Client, "anonymous": anon} {
			if r := c.Get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "Secret session") {
				t.Errorf("%s GET %s: %d, want 404 without the title", who, path, r.StatusCode)
			}
		}
		if r := member.Get(path); r.StatusCode != http.StatusOK {
			t.Errorf("member GET %s: %d", path, r.StatusCode)
		}
	}
	if r := outsider.PostForm("/dev/signin", "/s/"+id+"/rsvp", url.Values{"going": {"yes"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("outsider RSVP: %d, want 404", r.StatusCode)
	}
	if st := sesStatus(t, app, id, outsider.User.ID); st.Status != "" {
		t.Fatalf("outsider RSVP stored: %+v", st)
	}
	if home := anon.Get("/"); strings.Contains(home.Body, "Secret session") {
		t.Fatal("the home page shows a private group's session")
	}
}
