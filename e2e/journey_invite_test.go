package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/events"
)

func TestInviteeRSVPsFromTheMailIsWaitlistedThenPromoted(t *testing.T) {
	w := newWorld(t)
	host := w.memberOverHTTP(t, "Hedy Lamarr", "hedy@example.com")
	where := hostGroupOverHTTP(t, host, "Observability Circle", "observability, opentelemetry", "#be185d")
	bea := w.memberOverHTTP(t, "Bea Brown", "bea@example.com")
	cem := w.memberOverHTTP(t, "Cem Demir", "cem@example.com")
	joinOverHTTP(t, bea, where)
	joinOverHTTP(t, cem, where)
	session := scheduleOverHTTP(t, host, where, "Tracing a slow request end to end", "1", true)
	eventID := strings.TrimPrefix(session, "/s/")
	if r := bea.PostForm(session, session+"/rsvp", url.Values{"going": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("Bea's RSVP: %d\n%s", r.StatusCode, r.Body)
	}

	// Cem reads his invitation and follows Going, without signing in.
	invite := w.smtp.WaitFor(t, "cem@example.com", "Tracing a slow request")
	link := goingLink.FindString(invite.Text)
	if link == "" {
		t.Fatalf("the invitation has no Going link:\n%s", invite.Text)
	}
	cemBrowser := newPerson(t)
	cemBrowser.open(link)
	cemBrowser.see("Hi Cem Demir", "Tracing a slow request end to end", "This session is full", "Join the waitlist")
	if st := w.status(t, eventID, "cem@example.com"); st.Status != events.RSVPNone {
		t.Fatalf("opening the link changed Cem's RSVP to %q", st.Status)
	}
	cemBrowser.checkA11y("RSVP confirmation")
	cemBrowser.click(`form[action^="/rsvp/"] button[type=submit]`)
	cemBrowser.see("number 1 on the waitlist")
	cemBrowser.checkA11y("RSVP done")
	if st := w.status(t, eventID, "cem@example.com"); st.Status != events.RSVPWaitlisted || st.Position != 1 {
		t.Fatalf("Cem after confirming: %+v", st)
	}

	// Bea drops out on the session page; Cem gets her seat and a mail.
	beaBrowser := newPerson(t)
	w.devSignIn(beaBrowser, "Bea Brown", "bea@example.com")
	beaBrowser.open(w.app.URL + session)
	beaBrowser.see("You're going", "Full (")
	beaBrowser.click(`form[action="` + session + `/rsvp"] button[value=no]`)
	beaBrowser.see("Changed your mind?")
	promoted := w.smtp.WaitFor(t, "cem@example.com", "seat")
	if !strings.Contains(promoted.Text, "Tracing a slow request end to end") {
		t.Fatalf("the promotion mail does not name the session:\n%s", promoted.Text)
	}
	if st := w.status(t, eventID, "cem@example.com"); st.Status != events.RSVPGoing {
		t.Fatalf("Cem after Bea dropped out: %+v", st)
	}
	cemBrowser.open(link)
	cemBrowser.see("Cem Demir")
	if strings.Contains(cemBrowser.text(), "Join the waitlist") {
		t.Fatal("the link still offers Cem the waitlist after he got a seat")
	}
}

// status is where the person with email stands for the session.
func (w *world) status(t *testing.T, eventID, email string) events.Standing {
	t.Helper()
	st, err := w.app.Events.StatusOf(context.Background(), eventID, w.userID(t, email))
	if err != nil {
		t.Fatal(err)
	}
	return st
}
