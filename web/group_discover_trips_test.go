package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// Discovery reads Redis in one round trip once this instance has served
// the same query, whoever searches: the session, the index's version
// (the answer is remembered with it), the topic cloud and the groups it
// found last time. It still shows what it finds: once the index changed,
// the search runs again in a second round trip, and a group found anew
// is read in a third.
func TestDiscoveryReadsInOneRoundTripOnceItKnowsTheQuery(t *testing.T) {
	app := apptest.Start(t, apptest.Options{NoNearCache: true})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	sesGroup(t, app, org, "search-me", nil)
	member := sesSignIn(t, app, "Mia Member", "")
	for _, v := range []struct {
		name   string
		client *apptest.Client
	}{{"signed in", member.Client}, {"anonymous", app.NewClient(t)}} {
		for _, path := range []string{"/groups", "/groups?q=search+me&topic=go&city=Berlin&online=on&sort=members"} {
			if n := pageTrips(t, app, v.client, "/groups", path); n != 1 {
				t.Errorf("%s as %s, a view after the first: %d round trips, want 1", path, v.name, n)
			}
			body := v.client.Get(path).Body
			sesContains(t, path+" as "+v.name, body, "Group search-me", `href="/groups?topic=go"`)
			// The remembered page is shared by everyone; only people
			// signed in are offered to host a group.
			if hosts := strings.Contains(body, `<a href="/groups/new">Host a group</a>`); hosts != (v.name == "signed in") {
				t.Errorf("%s as %s: host link shown %v", path, v.name, hosts)
			}
		}
	}

	// A group found anew is searched and read in two more round trips and
	// shown; one made private is left out at once.
	path := "/groups?q=search"
	if n := pageTrips(t, app, member.Client, "/groups", path); n != 1 {
		t.Fatalf("%s, a view after the first: %d round trips, want 1", path, n)
	}
	second := sesGroup(t, app, org, "search-too", nil)
	before, _ := app.RoundTrips(t, http.MethodGet, "/groups")
	body := member.Get(path).Body
	after, _ := app.RoundTrips(t, http.MethodGet, "/groups")
	if n := int(after - before); n != 3 {
		t.Errorf("the first view after a group was created: %d round trips, want 3", n)
	}
	if n := pageTrips(t, app, member.Client, "/groups", path); n != 1 {
		t.Errorf("%s, the view after that: %d round trips, want 1", path, n)
	}
	sesContains(t, "discovery after a group was created", body, "Group search-me", "Group search-too")
	in := second.Input()
	in.Visibility = groups.Private
	if _, err := app.Groups.Update(context.Background(), second.ID, org.User.ID, in); err != nil {
		t.Fatal(err)
	}
	body = member.Get(path).Body
	sesContains(t, "discovery after a group was made private", body, "Group search-me")
	sesLacks(t, "discovery after a group was made private", body, "Group search-too")
}
