package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// The phone layout's server-rendered parts: the Menu disclosure for
// signed-in people, Discover's filters open only when one is on (and
// opened on wide screens by script), and the RSVP bar only where there is
// something to answer.
func TestPhoneLayoutParts(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Hal Host", "hal@host.example")
	where := createGroup(t, host, groupForm("Phone Testers", "topics", "mobile"))
	r := host.PostForm(where+"/sessions/new", where+"/sessions", sessionForm("Thumbs first", "2"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
	}
	session := r.Header.Get("Location")
	member := app.NewClient(t)
	member.DevSignIn("Mo Member", "mo@x.example")
	member.PostForm(where, where+"/join", nil)
	guest := app.NewClient(t)

	has := func(what, body, want string) {
		t.Helper()
		if !strings.Contains(body, want) {
			t.Errorf("%s: missing %s", what, want)
		}
	}
	lacks := func(what, body, unwanted string) {
		t.Helper()
		if strings.Contains(body, unwanted) {
			t.Errorf("%s: shows %s", what, unwanted)
		}
	}

	page := member.Get("/groups").Body
	has("signed in", page, `<details class="nav-narrow">`)
	has("signed in", page, `<header class="site has-menu">`)
	has("Discover", page, `<details class="filter-box" data-open-wide>`)
	has("filtered Discover", member.Get("/groups?topic=mobile").Body, `<details class="filter-box" data-open-wide open>`)
	has("Discover searched", member.Get("/groups?q=phone").Body, `data-open-wide open>`)
	lacks("signed out", guest.Get("/groups").Body, `nav-narrow`)

	for _, c := range []struct {
		name   string
		client *apptest.Client
		want   string
	}{
		{"member", member, `data-rsvp-jump>RSVP</a>`},
		{"signed out", guest, `Sign in to RSVP</a>`},
	} {
		body := c.client.Get(session).Body
		has(c.name+" on the session page", body, `<div class="rsvp-bar" data-rsvp-bar>`)
		has(c.name+" on the session page", body, c.want)
	}
	lacks("the host on the session page", host.Get(session).Body, `data-rsvp-bar`)
	if r := host.PostForm(session, session+"/rsvp", url.Values{"going": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the host answers going: %d", r.StatusCode)
	}
	has("the host who is going", host.Get(session).Body, `<div class="rsvp-bar" data-rsvp-bar>`)
	host.Follow(host.PostForm(session, session+"/cancel", nil))
	lacks("a cancelled session", member.Get(session).Body, `data-rsvp-bar`)
}
