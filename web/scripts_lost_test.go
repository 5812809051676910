package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
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
	clock := apptest.NewClock(time.Now())
	app := apptest.Start(t, apptest.Options{Redis: outageClient(t, srv.Addr), EventClock: clock})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "scripts", nil)
	id := sesCreate(t, org, g, sesForm("Scripts again"))
	// A busy day: more listed sessions running than the home page shows,
	// so it finds them with a script (once a view has seen it busy).
	for i := range 8 {
		start := time.Now().UTC().Add(time.Duration(i+1) * time.Minute)
		if _, err := app.Events.Create(context.Background(), events.Actor{UserID: org.User.ID, Organizer: true}, g.ID, events.Input{
			Title: fmt.Sprintf("Running %d", i), Format: "talk", TimeZone: "UTC", OnlineURL: "https://meet.example/r", Listed: true,
			Start: start.Format("2006-01-02T15:04"), End: start.Add(3 * time.Hour).Format("2006-01-02T15:04")}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(time.Now().Add(time.Hour))
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
		{org, "/dashboard"}, {fan, "/s/" + id}, {org, "/g/" + g.Slug + "/moderation"}, {fan, "/"}, {fan, "/"},
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
