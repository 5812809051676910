package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// A signed-out visitor RSVPs from the public session page: a mail with
// their own links, and a seat only once they press Going there.
func TestGuestRSVPFromThePublicPage(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "open-doors", nil)
	id := sesCreate(t, org, g, sesForm("Open doors"))
	anon := app.NewClient(t)
	sesContains(t, "the public page", anon.Get("/s/"+id).Body, "No account? RSVP by email", `action="/s/`+id+`/guest-rsvp"`)

	r := anon.Post("/s/"+id+"/guest-rsvp", url.Values{"name": {"Vera Visitor"}, "email": {"Vera@Example.com"}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("guest RSVP: %d\n%s", r.StatusCode, r.Body)
	}
	sesContains(t, "the answer", r.Body, "Check your inbox", "vera@example.com", "a seat if one is free, else a place on the waitlist")
	vera, err := app.Users.FindByEmail(context.Background(), "vera@example.com")
	if err != nil || !vera.Guest || vera.Name != "Vera Visitor" {
		t.Fatalf("the guest: %+v, %v", vera, err)
	}
	if st, _ := app.Events.StatusOf(context.Background(), id, vera.ID); st.Status != events.RSVPNone {
		t.Fatalf("asking for the link took a seat: %q", st.Status)
	}
	m := waitForMail(t, app, "vera@example.com", "Open doors")
	if done := anon.Post(goingLink.FindString(m.Text), url.Values{"answer": {"going"}}); !strings.Contains(done.Body, "You are going") {
		t.Fatalf("Going from the mail:\n%s", done.Body)
	}
	if st, _ := app.Events.StatusOf(context.Background(), id, vera.ID); st.Status != events.RSVPGoing {
		t.Fatalf("after Going the guest is %q", st.Status)
	}

	// An address with an account gets the same answer and the mail; the
	// visitor who typed it books nothing.
	mem := sesSignIn(t, app, "Max Member", "max@example.com")
	r = anon.Post("/s/"+id+"/guest-rsvp", url.Values{"name": {"Someone Else"}, "email": {"max@example.com"}})
	sesContains(t, "an address with an account", r.Body, "Check your inbox")
	waitForMail(t, app, "max@example.com", "Open doors")
	if u, _ := app.Users.Get(context.Background(), mem.User.ID); u.Name != "Max Member" {
		t.Fatalf("a visitor renamed an account: %q", u.Name)
	}

	for _, bad := range []url.Values{{"name": {"Vera"}, "email": {"not-an-address"}}, {"name": {""}, "email": {"ok@example.com"}},
		{"name": {"Ve\x00ra"}, "email": {"ok@example.com"}}, {"name": {strings.Repeat("v", 101)}, "email": {"ok@example.com"}}} {
		r := anon.Post("/s/"+id+"/guest-rsvp", bad)
		field := "email-error"
		if bad.Get("email") == "ok@example.com" {
			field = "name-error"
		}
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="`+field+`"`) ||
			!strings.Contains(r.Body, `action="/s/`+id+`/guest-rsvp"`) || !strings.Contains(r.Body, `value="`+bad.Get("email")+`"`) {
			t.Fatalf("guest RSVP with %q: %d, want 422 with the form as typed and %s\n%s", bad, r.StatusCode, field, r.Body)
		}
	}
	r = anon.Post("/s/"+id+"/guest-rsvp", url.Values{"name": {"Kenji"}, "email": {"kenji@example"}})
	sesContains(t, "an address without a domain", r.Body, `value="Kenji"`, `value="kenji@example"`, `autofocus aria-invalid="true" aria-describedby="email-error"`)
}

// Company-only groups and groups that switched guests off show no form
// and refuse the post; one address gets a few links an hour at most.
func TestGuestRSVPRefusalsAndLimits(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@acme.example")
	company := sesGroup(t, app, org, "acme-only", func(in *groups.Input) { in.Domains = []string{"acme.example"} })
	closed := sesGroup(t, app, org, "members-only", func(in *groups.Input) { in.NoGuests = true })
	open := sesGroup(t, app, org, "open-house", nil)
	anon := app.NewClient(t)
	for _, g := range []*groups.Group{company, closed} {
		id := sesCreate(t, org, g, sesForm("Session of "+g.Slug))
		sesLacks(t, g.Slug+" public page", anon.Get("/s/"+id).Body, "RSVP by email")
		r := anon.Post("/s/"+id+"/guest-rsvp", url.Values{"name": {"Vera"}, "email": {"vera@acme.example"}})
		if r.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: guest RSVP %d, want 403", g.Slug, r.StatusCode)
		}
	}
	sesContains(t, "company-only refusal", anon.Post("/s/"+sesCreate(t, org, company, sesForm("Another"))+"/guest-rsvp",
		url.Values{"name": {"V"}, "email": {"v@x.example"}}).Body, "verified address at acme.example")

	id := sesCreate(t, org, open, sesForm("Popular"))
	for i := range 6 {
		c := app.NewClient(t) // the per-IP limit is looser; this is the per-address one
		r := c.Post("/s/"+id+"/guest-rsvp", url.Values{"name": {fmt.Sprint("Flood ", i)}, "email": {"target@example.com"}})
		want := http.StatusOK
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if r.StatusCode != want {
			t.Fatalf("request %d for one address: %d, want %d", i+1, r.StatusCode, want)
		}
	}
}
