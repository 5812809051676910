package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// The dashboard shows what matters: the sessions I host with their
// numbers and the requests waiting for me, the sessions I go to or wait
// for, what is coming up in my groups that I have not answered (answered
// in place), my groups with their next session, and first steps for
// someone new.
func TestDashboardShowsWhatMatters(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "weekly", nil)
	full := sesForm("Pairing night")
	full.Set("capacity", "1")
	pairing := sesCreate(t, org, g, full)
	talk := sesCreate(t, org, g, sesForm("Lightning talks"))
	mia, ned := sesSignIn(t, app, "Mia Member", ""), sesSignIn(t, app, "Ned Member", "")
	sesJoin(t, app, g, mia)
	sesJoin(t, app, g, ned)
	sesRSVP(t, mia, pairing, "yes")
	sesRSVP(t, ned, pairing, "yes") // waitlisted
	if err := app.Groups.SetNextSession(context.Background(), g.ID, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	body := org.Get("/dashboard").Body
	sesContains(t, "organizer's dashboard", body, "Hosting", "Pairing night", "Lightning talks", "1 going · 1 on the waitlist",
		"0 going", "You&#39;re hosting", "Next session:")
	sesLacks(t, "organizer's dashboard", body, "You have no sessions coming up", "Welcome! Here is how to start")

	body = ned.Get("/dashboard").Body
	sesContains(t, "Ned's dashboard", body, "Going and waiting", "#1 on the waitlist", "Coming up in your groups", "Lightning talks",
		`name="back" value="/dashboard"`)
	sesLacks(t, "Ned's dashboard", body, ">Hosting<")
	r := ned.PostForm("/dashboard", "/s/"+talk+"/rsvp", url.Values{"going": {"yes"}, "back": {"/dashboard"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("answering in place: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	body = ned.Follow(r).Body
	if strings.Contains(body, "Coming up in your groups") {
		t.Error("the answered session is still offered")
	}
	sesContains(t, "Ned after answering", body, "Lightning talks", "Going")
	if r := ned.PostForm("/dashboard", "/s/"+talk+"/rsvp", url.Values{"going": {"no"}, "back": {"https://evil.example/"}}); r.Header.Get("Location") != "/s/"+talk {
		t.Errorf("a foreign back: %s", r.Header.Get("Location"))
	}

	newcomer := sesSignIn(t, app, "Nina Newcomer", "")
	sesContains(t, "a newcomer's dashboard", newcomer.Get("/dashboard").Body, "Welcome! Here is how to start", "Find a focus group",
		"Browse mentors")
}
