package web_test

import (
	"net/http"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// A group page an instance has shown before reads the group, the
// viewer's standing and the sessions it listed last in one round trip; a
// session scheduled since is read in a second and shown at once, and an
// answer given since shows on the next view without one.
func TestGroupPageReadsInOneRoundTripOnceItKnowsTheSessions(t *testing.T) {
	app := apptest.Start(t, apptest.Options{NoNearCache: true})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "one-trip", nil)
	sesCreate(t, org, g, sesForm("Known session"))
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)
	page := "/g/" + g.Slug
	for _, v := range []struct {
		name   string
		client *apptest.Client
	}{{"member", member.Client}, {"organizer", org.Client}, {"anonymous", app.NewClient(t)}} {
		if n := pageTrips(t, app, v.client, "/g/:slug", page); n != 1 {
			t.Errorf("the %s's view after the first: %d round trips, want 1", v.name, n)
		}
	}

	newID := sesCreate(t, org, g, sesForm("New session"))
	before, _ := app.RoundTrips(t, http.MethodGet, "/g/:slug")
	body := member.Get(page).Body
	after, _ := app.RoundTrips(t, http.MethodGet, "/g/:slug")
	if n := int(after - before); n != 2 {
		t.Errorf("the first view after a session was scheduled: %d round trips, want 2", n)
	}
	sesContains(t, "the group page after a session was scheduled", body, "Known session", "New session")

	sesRSVP(t, member, newID, "yes")
	member.Get(page) // shows (and clears) the RSVP's notice
	before, _ = app.RoundTrips(t, http.MethodGet, "/g/:slug")
	body = member.Get(page).Body
	after, _ = app.RoundTrips(t, http.MethodGet, "/g/:slug")
	if n := int(after - before); n != 1 {
		t.Errorf("a view after answering: %d round trips, want 1", n)
	}
	sesContains(t, "the group page after answering", body, `<span class="badge ok">You&#39;re going</span>`)
}
