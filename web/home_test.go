package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// The home page an instance has served before reads the indexes with the
// sessions and groups it showed then (and the viewer's standings) in one
// round trip; what the indexes name anew is read after and shown at once.
func TestHomeReadsInOneRoundTripOnceItKnowsWhatItShows(t *testing.T) {
	app := apptest.Start(t, apptest.Options{NoNearCache: true})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "home-first", nil)
	sesCreate(t, org, g, sesForm("Known session"))
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)
	anon := app.NewClient(t)
	for _, v := range []struct {
		name   string
		client *apptest.Client
	}{{"member", member.Client}, {"anonymous", anon}} {
		if n := pageTrips(t, app, v.client, "/", "/"); n != 1 {
			t.Errorf("the %s's view after the first: %d round trips, want 1", v.name, n)
		}
	}

	g2 := sesGroup(t, app, org, "home-second", nil)
	newID := sesCreate(t, org, g2, sesForm("New session"))
	before, _ := app.RoundTrips(t, http.MethodGet, "/")
	body := member.Get("/").Body
	after, _ := app.RoundTrips(t, http.MethodGet, "/")
	if n := int(after - before); n < 2 || n > 3 {
		t.Errorf("the first view after a session was scheduled: %d round trips, want 2 or 3", n)
	}
	sesContains(t, "the home page after a session was scheduled", body, "Known session", "New session", "Group home-second")
	if n := pageTrips(t, app, member.Client, "/", "/"); n != 1 {
		t.Errorf("the next view: %d round trips, want 1", n)
	}

	sesJoin(t, app, g2, member)
	sesRSVP(t, member, newID, "yes")
	member.Get("/") // shows (and clears) the RSVP's notice
	before, _ = app.RoundTrips(t, http.MethodGet, "/")
	body = member.Get("/").Body
	after, _ = app.RoundTrips(t, http.MethodGet, "/")
	if n := int(after - before); n != 1 {
		t.Errorf("a view after answering: %d round trips, want 1", n)
	}
	sesContains(t, "the home page after answering", body, `<span class="badge ok">You&#39;re going</span>`)
	sesLacks(t, "the anonymous home page", anon.Get("/").Body, "You&#39;re going")

	// Both groups renamed through another instance: the two are read
	// whole again together, in one more round trip, and shown renamed.
	elsewhere := groups.NewStore(app.Redis, app.Prefix)
	renameElsewhere := func(prefix string, gs ...*groups.Group) {
		t.Helper()
		for _, grp := range gs {
			in := grp.Input()
			in.Name = prefix + grp.Slug
			if _, err := elsewhere.Update(context.Background(), grp.ID, org.User.ID, in); err != nil {
				t.Fatal(err)
			}
		}
	}
	// view is the member's home page and the round trips it took.
	view := func() (string, int) {
		t.Helper()
		before, _ := app.RoundTrips(t, http.MethodGet, "/")
		body := member.Get("/").Body
		after, _ := app.RoundTrips(t, http.MethodGet, "/")
		return body, int(after - before)
	}
	renameElsewhere("Renamed ", g, g2)
	body, n := view()
	if n != 2 {
		t.Errorf("a view after two groups were renamed: %d round trips, want 2", n)
	}
	sesContains(t, "the home page after the renames", body, "Renamed home-first", "Renamed home-second")
	if n := pageTrips(t, app, member.Client, "/", "/"); n != 1 {
		t.Errorf("the next view: %d round trips, want 1", n)
	}

	// A group this instance read elsewhere, new to the home page, and a
	// group the home page knows, both renamed elsewhere since: the new
	// one is read in the second round trip, and the two changed ones
	// again together in a third.
	g3 := sesGroup(t, app, org, "home-third", nil)
	sesCreate(t, org, g3, sesForm("Third session"))
	org.Get("/g/" + g3.Slug)
	renameElsewhere("Again ", g, g3)
	if body, n = view(); n != 3 {
		t.Errorf("a view with a new group and two renamed elsewhere: %d round trips, want 3", n)
	}
	sesContains(t, "the home page after the third group", body, "Again home-first", "Again home-third", "Third session")
}
