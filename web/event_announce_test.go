package web_test

import (
	"html"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// TestAnnouncementTellsTheOrganizerWhatHappened follows an announcement
// through a mail server that keeps one member waiting (4xx) and turns
// another away (5xx): the flash counts what was queued, the session page
// shows each delivery state in words, and announcing again resends only
// the invitation that could not be delivered.
func TestAnnouncementTellsTheOrganizerWhatHappened(t *testing.T) {
	t.Parallel()
	srv := apptest.StartSMTP(t)
	var bobWaits, cydRefused atomic.Bool
	bobWaits.Store(true)
	cydRefused.Store(true)
	srv.Refuse(func(to string) error {
		switch {
		case to == "bob@x.example" && bobWaits.Load():
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		case to == "cyd@x.example" && cydRefused.Load():
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "mailbox full"}
		}
		return nil
	})
	app := apptest.Start(t, apptest.Options{SMTPURL: srv.URL()})
	host := app.NewClient(t)
	host.DevSignIn("Hal Host", "hal@host.example")
	where := createGroup(t, host, groupForm("Announce Testers"))
	for _, p := range []struct{ name, email string }{{"Ann", "ann@x.example"}, {"Bob", "bob@x.example"}, {"Cyd", "cyd@x.example"}} {
		c := app.NewClient(t)
		c.DevSignIn(p.name, p.email)
		c.PostForm(where, where+"/join", nil)
	}

	r := host.PostForm(where+"/sessions/new", where+"/sessions", sessionForm("Fuzzing", "", "announce", "on"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
	}
	eventPath := r.Header.Get("Location")
	if page := host.Follow(r); !strings.Contains(page.Body, "3 invitations are on their way.") {
		t.Fatalf("flash after creating and announcing:\n%s", page.Body)
	}
	waitForPage(t, host, eventPath, "Announcement: 1 of 3 sent, 1 waiting to retry, <strong>1 could not be delivered</strong>: announce again to resend them.")

	// Announcing again resends Cyd's invitation only (Bob's is still on
	// its way); the mail server still turns it away.
	announce := func(want string) {
		t.Helper()
		r := host.PostForm(eventPath, eventPath+"/announce", nil)
		if page := host.Follow(r); !strings.Contains(html.UnescapeString(page.Body), want) {
			t.Fatalf("flash after announcing, want %q:\n%s", want, page.Body)
		}
	}
	announce("1 invitation is on its way.")
	waitForPage(t, host, eventPath, "Announcement: 1 of 3 sent, 1 waiting to retry, <strong>1 could not be delivered</strong>")

	// The mail server accepts again: Bob's retry goes through by itself,
	// Cyd's invitation after one more announcement.
	bobWaits.Store(false)
	cydRefused.Store(false)
	announce("1 invitation is on its way.")
	waitForPage(t, host, eventPath, "Announcement: 3 of 3 sent.")
	announce("Nobody new to invite")
	for _, who := range []string{"ann@x.example", "bob@x.example", "cyd@x.example"} {
		n := 0
		for _, m := range srv.Mails() {
			if m.To[0] == who && m.CalendarMethod == "REQUEST" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s got %d invitations, want 1", who, n)
		}
	}
}

// waitForPage waits until path shows want.
func waitForPage(t *testing.T, c *apptest.Client, path, want string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p := c.Get(path)
		if strings.Contains(p.Body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q:\n%s", path, want, p.Body)
		}
	}
}
