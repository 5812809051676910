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
		owner.PostForm(where+"/members", where+"/invite", url.Values{"email": {email}})
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
	if r := owner.PostForm(where+"/members", where+"/members/"+nedUser.ID+"/ban", nil); r.StatusCode != http.StatusSeeOther {
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
