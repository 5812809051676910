package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// A GET page reads the visitor's session with its own first reads, for
// the user the cookie names. A cookie that names someone else (changed by
// hand) gets the page of the session's real user, never the other's.
func TestACookieNamingSomeoneElseShowsOnlyTheRealViewer(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "claims", nil)
	ann := sesSignIn(t, app, "Ann Going", "ann@example.com")
	bob := sesSignIn(t, app, "Bob Browsing", "bob@example.com")
	sesJoin(t, app, g, ann)
	id := sesCreate(t, org, g, sesForm("Claims checked"))
	sesRSVP(t, ann, id, "yes")

	name := auth.SessionCookie(false)
	sid, uid, ok := strings.Cut(bob.Cookie(name), ".")
	if !ok || uid != bob.User.ID {
		t.Fatalf("Bob's cookie %q does not name him", bob.Cookie(name))
	}
	bob.SetCookie(name, sid+"."+ann.User.ID)
	for _, path := range []string{"/s/" + id, "/g/" + g.Slug, "/"} {
		r := bob.Get(path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.StatusCode)
		}
		sesContains(t, path+" with Ann's ID in Bob's cookie", r.Body, `<span class="user-name">Bob Browsing</span>`)
		sesLacks(t, path+" with Ann's ID in Bob's cookie", r.Body, `<span class="user-name">Ann Going</span>`, "You&#39;re going")
	}
	sesContains(t, "Bob's session page", bob.Get("/s/"+id).Body, "also makes you a member of Group claims")
	sesContains(t, "Ann's own dashboard", ann.Get("/dashboard").Body, "Hello, Ann Going", "Claims checked")
	dash := bob.Get("/dashboard")
	sesContains(t, "Bob's dashboard with Ann's ID in his cookie", dash.Body, "Hello, Bob Browsing")
	sesLacks(t, "Bob's dashboard with Ann's ID in his cookie", dash.Body, "Ann Going", "Claims checked")

	// A cookie naming a user with no session behind it is a signed-out visitor.
	anon := app.NewClient(t)
	anon.SetCookie(name, strings.Repeat("a", 52)+"."+ann.User.ID)
	r := anon.Get("/s/" + id)
	sesContains(t, "a made-up session naming Ann", r.Body, "Sign in to RSVP")
	sesLacks(t, "a made-up session naming Ann", r.Body, "Ann Going</span>", "You&#39;re going")
	for _, path := range []string{"/dashboard", "/g/" + g.Slug + "/members"} {
		if r := anon.Get(path); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
			t.Fatalf("%s for a made-up session naming Ann: %d %s, want a redirect to sign in", path, r.StatusCode, r.Header.Get("Location"))
		}
	}
	if r := bob.Get("/g/" + g.Slug + "/members"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("the members page for Bob (not a member) with Ann's ID in his cookie: %d, want 403", r.StatusCode)
	}
	sesContains(t, "the members page for Ann", ann.Get("/g/"+g.Slug+"/members").Body, "Ann Going")
}
