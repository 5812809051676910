package web_test

import (
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// Discovery reads Redis in two round trips, whoever searches: the
// session, the index search and the topic cloud in one, the groups found
// in the other. It still shows what it found.
func TestDiscoveryReadsInTwoRoundTrips(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	sesGroup(t, app, org, "search-me", nil)
	member := sesSignIn(t, app, "Mia Member", "")
	for _, v := range []struct {
		name   string
		client *apptest.Client
	}{{"signed in", member.Client}, {"anonymous", app.NewClient(t)}} {
		for _, path := range []string{"/groups", "/groups?q=search+me&topic=go&city=Berlin&online=on&sort=members"} {
			if n := pageTrips(t, app, v.client, "/groups", path); n > 2 {
				t.Errorf("%s as %s: %d round trips, want at most 2", path, v.name, n)
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
}
