package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

var feedURL = regexp.MustCompile(`/calendar/[a-z2-7]+\.ics`)

func TestBannedMembersLoseSeatsFeedsAndReminders(t *testing.T) {
	t.Parallel()
	smtp := apptest.StartSMTP(t)
	app := apptest.Start(t, apptest.Options{SMTPURL: smtp.URL()})
	ctx := context.Background()
	owner := app.NewClient(t)
	owner.DevSignIn("Olive Owner", "olive@o.example")
	where := createGroup(t, owner, groupForm("Secret Circle", "visibility", "private", "join_policy", "invite"))
	invite := func(name, email string) *apptest.Client {
		c := app.NewClient(t)
		c.DevSignIn(name, email)
		owner.PostForm(where+"/members", where+"/invite", url.Values{"emails": {email}})
		c.PostForm("/dashboard", where+"/invitation/accept", nil)
		return c
	}
	ned := invite("Ned Nosy", "ned@n.example")
	wes := invite("Wes Waiting", "wes@w.example")

	r := owner.PostForm(where+"/sessions/new", where+"/sessions", sessionForm("Secret Talk", "1"))
	eventPath := r.Header.Get("Location")
	eventID := strings.TrimPrefix(eventPath, "/s/")
	ned.PostForm(eventPath, eventPath+"/rsvp", url.Values{"going": {"yes"}})
	wes.PostForm(eventPath, eventPath+"/rsvp", url.Values{"going": {"yes"}})
	page := ned.Follow(ned.PostForm("/calendar", "/profile/calendar/reset", nil))
	feed := feedURL.FindString(page.Body)
	if feed == "" {
		t.Fatalf("no feed address shown:\n%s", page.Body)
	}
	if body := app.NewClient(t).Get(feed).Body; !strings.Contains(body, "SUMMARY:Secret Talk") {
		t.Fatalf("feed before the ban:\n%s", body)
	}

	nedUser, _ := app.Users.FindByEmail(ctx, "ned@n.example")
	wesUser, _ := app.Users.FindByEmail(ctx, "wes@w.example")
	if r := owner.PostForm(where+"/members", where+"/members/"+nedUser.ID+"/ban", url.Values{"confirmed": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ban: %d", r.StatusCode)
	}
	if body := app.NewClient(t).Get(feed).Body; strings.Contains(body, "Secret Talk") || strings.Contains(body, "secret-room") {
		t.Fatalf("the banned member's feed still shows the private session:\n%s", body)
	}
	if st, _ := app.Events.StatusOf(ctx, eventID, nedUser.ID); st.Status == events.RSVPGoing {
		t.Fatal("the banned member kept the seat")
	}
	if st, _ := app.Events.StatusOf(ctx, eventID, wesUser.ID); st.Status != events.RSVPGoing {
		t.Fatalf("the waitlist was not promoted: %q", st.Status)
	}
	smtp.WaitFor(t, "wes@w.example", "seat")

	// Deleting the group cancels its sessions and tells the people going.
	owner.PostForm(where+"/edit", where+"/delete", url.Values{"confirm": {"secret-circle"}})
	smtp.WaitFor(t, "wes@w.example", "Cancelled:")
	if ev, _ := app.Events.Get(ctx, eventID); ev.Status != events.StatusCancelled {
		t.Fatalf("session of a deleted group: %q", ev.Status)
	}
}

func TestSessionPageSaysUpFrontWhoCanComeAndShowsWhoIsGoing(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Cora Company", "cora@acme.example")
	where := createGroup(t, host, groupForm("Acme Only", "domains", "acme.example"))
	r := host.PostForm(where+"/sessions/new", where+"/sessions", sessionForm("Internal talk", ""))
	eventPath := r.Header.Get("Location")
	host.PostForm(eventPath, eventPath+"/rsvp", url.Values{"going": {"yes"}})

	outsider := app.NewClient(t)
	outsider.DevSignIn("Oscar Outside", "oscar@other.example")
	page := outsider.Get(eventPath)
	if !strings.Contains(page.Body, "verified email at acme.example") || strings.Contains(page.Body, `value="yes"`) {
		t.Fatalf("an outsider is offered Going on a company-only session:\n%s", page.Body)
	}
	if strings.Contains(page.Body, `id="going-h"`) {
		t.Fatal("an outsider sees who is going")
	}
	colleague := app.NewClient(t)
	colleague.DevSignIn("Carl Colleague", "carl@acme.example")
	colleague.PostForm(where, where+"/join", nil)
	if page := colleague.Get(eventPath); !strings.Contains(page.Body, `id="going-h"`) || !strings.Contains(page.Body, "Cora Company") {
		t.Fatalf("a member does not see who is going:\n%s", page.Body)
	}
}
