package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// A form's one-time claim is read with the session, for the user the
// cookie names. A post refused for its CSRF token, or whose cookie names
// somebody else, leaves no claim behind: the same form sent properly right
// after is done, and nobody else's forms are blocked.
func TestAOneTimeClaimIsForgottenWhenThePostIsRefusedOrMisdirected(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "claims", nil)
	id := sesCreate(t, org, g, sesForm("Claims"))
	pat := sesSignIn(t, app, "Pat Poster", "pat@example.com")
	sesJoin(t, app, g, pat)

	form := rsvpForm("forged", "yes")
	if r := pat.Post("/s/"+id+"/rsvp", form); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a forged token: %d, want 403", r.StatusCode)
	}
	if st := sesStatus(t, app, id, pat.User.ID); st.Status != "" {
		t.Fatalf("a forged post recorded %q", st.Status)
	}
	form.Set("_csrf", pat.CSRF("/s/"+id))
	if r := pat.Post("/s/"+id+"/rsvp", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the same form with its token: %d, want 303 (the refused post's claim was kept)", r.StatusCode)
	}
	if st := sesStatus(t, app, id, pat.User.ID); st.Status != "going" {
		t.Fatalf("Pat is %q, want going", st.Status)
	}

	// Pat's cookie altered to name Olga: the session still says Pat, the
	// post is Pat's, and no claim is left under Olga's name.
	cookieName := auth.SessionCookie(false)
	sid, _, _ := strings.Cut(pat.Cookie(cookieName), ".")
	pat.SetCookie(cookieName, sid+"."+org.User.ID)
	form = rsvpForm(pat.CSRF("/s/"+id), "no")
	if r := pat.Post("/s/"+id+"/rsvp", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a post with an altered cookie: %d", r.StatusCode)
	}
	if st := sesStatus(t, app, id, pat.User.ID); st.Status != "not-going" {
		t.Fatalf("Pat is %q, want not-going", st.Status)
	}
	keys, err := app.Redis.Keys(context.Background(), app.Prefix+"once:{"+org.User.ID+"}:*").Result()
	if err != nil || len(keys) != 0 {
		t.Fatalf("claims left under Olga's name: %v (%v)", keys, err)
	}
}
