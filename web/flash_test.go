package web_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// A form's flash travels in its own cookie: posting it writes no session,
// the page after shows it once and clears the cookie without writing to
// Redis, and a flash the site did not sign is never shown.
func TestAFlashIsShownOnceFromItsCookie(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "flash", nil)
	id := sesCreate(t, org, g, sesForm("Flash"))
	pat := sesSignIn(t, app, "Pat Newcomer", "pat@example.com")
	pat.Get("/dashboard") // shows (and clears) the sign-in's flash
	sid, _, _ := strings.Cut(pat.Cookie(auth.SessionCookie(false)), ".")
	sessKey := app.Prefix + "sess:{" + sid + "}"
	stored := app.Redis.Get(ctx, sessKey).Val()

	r := pat.Post("/s/"+id+"/rsvp", rsvpForm(pat.CSRF("/s/"+id), "yes"))
	if r.StatusCode != http.StatusSeeOther || pat.Cookie(auth.FlashCookie(false)) == "" {
		t.Fatalf("RSVP: %d, flash cookie %q", r.StatusCode, pat.Cookie(auth.FlashCookie(false)))
	}
	page := pat.Follow(r)
	sesContains(t, "the page after the RSVP", page.Body, `role="status">You joined Group flash. You are going.`)
	if pat.Cookie(auth.FlashCookie(false)) != "" {
		t.Fatal("the page that showed the flash left its cookie")
	}
	if got := app.Redis.Get(ctx, sessKey).Val(); got != stored {
		t.Fatalf("the post or the page wrote the session: %q, was %q", got, stored)
	}
	sesLacks(t, "the next page", pat.Get("/s/"+id).Body, "You are going. See you there!")

	forged := base64.RawURLEncoding.EncodeToString([]byte("error\nYour account is locked")) + ".c2lnbmVk"
	pat.SetCookie(auth.FlashCookie(false), forged)
	sesLacks(t, "a page with a forged flash", pat.Get("/s/"+id).Body, "Your account is locked")
}
