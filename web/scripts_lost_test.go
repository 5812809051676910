package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// Redis forgets its loaded scripts when it restarts or a replica takes
// over. Every page and form that sends a script by its SHA then gets
// NOSCRIPT and must load it, not answer 500: each request here follows a
// SCRIPT FLUSH. (Its own Redis: a flush on the shared one would reach
// every other test.)
func TestPagesWorkAfterRedisForgetsItsScripts(t *testing.T) {
	t.Parallel()
	srv := testenv.StartOwnRedis(t)
	app := apptest.Start(t, apptest.Options{Redis: outageClient(t, srv.Addr)})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "scripts", nil)
	id := sesCreate(t, org, g, sesForm("Scripts again"))
	fan := sesSignIn(t, app, "Fay Fan", "fay@example.com")
	flush := func() {
		t.Helper()
		if err := app.Redis.ScriptFlush(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, page := range []struct {
		who  sesPerson
		path string
	}{
		{org, "/profile/export"}, {org, "/groups?q=scripts&online=on"}, {org, "/g/" + g.Slug + "/members"},
		{org, "/dashboard"}, {fan, "/s/" + id}, {org, "/g/" + g.Slug + "/moderation"}, {fan, "/"},
	} {
		flush()
		if r := page.who.Get(page.path); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s after a script flush: %d\n%s", page.path, r.StatusCode, r.Body)
		}
	}
	flush()
	token := fan.CSRF("/s/" + id)
	flush()
	if r := fan.Post("/s/"+id+"/rsvp", url.Values{"_csrf": {token}, "going": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("an RSVP after a script flush: %d\n%s", r.StatusCode, r.Body)
	}
	if st := sesStatus(t, app, id, fan.User.ID); st.Status != "going" {
		t.Fatalf("after the RSVP: %q, want going", st.Status)
	}
}
