package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// With the near cache, a page seen before reads nothing from Redis, for
// a member (whose session and user are in memory too) as for a visitor,
// and every change, made through this instance or another, is on the
// next view. Lists of sessions are read by the minute (see
// events.SessionLists), so repeat views within a minute read none of
// them, and the clock moves only within one here.
func TestRepeatViewsReadNothingAndShowEveryChange(t *testing.T) {
	clock := apptest.NewClock(time.Now().Truncate(time.Minute))
	app := apptest.Start(t, apptest.Options{EventClock: clock})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "near", nil)
	id := sesCreate(t, org, g, sesForm("Near talk"))
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)
	anon := app.NewClient(t)
	pages := []struct{ route, path string }{{"/", "/"}, {"/g/:slug", "/g/" + g.Slug}, {"/s/:id", "/s/" + id}, {"/groups", "/groups"}}
	for _, p := range pages {
		member.Get(p.path) // the first shows (and clears) the notice of the join, a write
	}
	app.SettleNearCache(t)
	for _, p := range pages {
		if n := pageTrips(t, app, member.Client, p.route, p.path); n != 0 {
			t.Errorf("a member's repeat view of %s: %d round trips, want none", p.path, n)
		}
		if n := pageTrips(t, app, anon, p.route, p.path); n != 0 {
			t.Errorf("a visitor's repeat view of %s: %d round trips, want none", p.path, n)
		}
	}
	clock.Advance(59 * time.Second)
	for _, p := range pages {
		if _, n := viewTrips(t, app, anon, p.route, p.path); n != 0 {
			t.Errorf("a visitor's view of %s later in the minute: %d round trips, want none", p.path, n)
		}
	}

	// Renamed through another instance's store: every page shows it.
	elsewhere := groups.NewStore(app.Redis, app.Prefix)
	in := g.Input()
	in.Name = "Renamed elsewhere"
	if _, err := elsewhere.Update(context.Background(), g.ID, org.User.ID, in); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/g/" + g.Slug, "/s/" + id, "/groups"} {
		sesContains(t, "after the rename, "+path, anon.Get(path).Body, "Renamed elsewhere")
	}

	// An answer through this instance: the member's own standing and the
	// count everyone sees.
	sesRSVP(t, member, id, "yes")
	sesContains(t, "the member's session page after answering", member.Get("/s/"+id).Body, "You&#39;re going")
	sesContains(t, "the visitor's session page after the answer", anon.Get("/s/"+id).Body, "1 going")
	sesRSVP(t, member, id, "no")
	sesLacks(t, "the member's session page after taking it back", member.Get("/s/"+id).Body, "You&#39;re going")

	metrics := anon.Get("/metrics").Body
	sesContains(t, "/metrics", metrics, "nearcache_tracking 1", `nearcache_replies_total{from="memory"}`,
		`nearcache_replies_total{from="redis"}`, "nearcache_invalidations_total", "nearcache_bytes")
	sesLacks(t, "/metrics", metrics, `nearcache_replies_total{from="memory"} 0`+"\n", "nearcache_invalidations_total 0\n")
}

// A session an instance holds in memory ends as one read from Redis
// does: at sign-out (its cookie, replayed, is signed out at once) and
// when its time is up by the app's clock, though Redis has not dropped
// the key yet (it would be served from memory, and a touch would write
// it back for another month).
func TestASessionInMemoryEndsAtSignOutAndAtItsTime(t *testing.T) {
	clock := apptest.NewClock(time.Now())
	// The dashboard's lists are read by the minute: that clock stays in one.
	app := apptest.Start(t, apptest.Options{SessionClock: clock, EventClock: apptest.NewClock(time.Now().Truncate(time.Minute))})
	leaving := sesSignIn(t, app, "Lea Leaving", "")
	idle := sesSignIn(t, app, "Ida Idle", "")
	for _, p := range []sesPerson{leaving, idle} {
		p.Get("/dashboard") // shows and clears the sign-in notice
	}
	app.SettleNearCache(t)
	for _, p := range []sesPerson{leaving, idle} {
		if n := pageTrips(t, app, p.Client, "/dashboard", "/dashboard"); n != 0 {
			t.Fatalf("%s's repeat view: %d round trips, want none (the session in memory)", p.User.Name, n)
		}
	}

	replay := app.NewClient(t)
	replay.SetCookie("fg_session", leaving.Cookie("fg_session"))
	if r := replay.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("the copied cookie before sign-out: %d, want the dashboard", r.StatusCode)
	}
	if r := leaving.PostForm("/dashboard", "/signout", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", r.StatusCode)
	}
	if r := replay.Get("/dashboard"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the copied cookie after sign-out: %d, want a redirect to sign in", r.StatusCode)
	}

	// A view a minute before the end pushes it back a month (a write);
	// the next views find the session in memory, until its new end.
	clock.Advance(auth.SessionTTL - time.Minute)
	if r := idle.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("a minute before the session's end: %d, want the dashboard", r.StatusCode)
	}
	app.SettleNearCache(t)
	if n := pageTrips(t, app, idle.Client, "/dashboard", "/dashboard"); n != 0 {
		t.Fatalf("views after the session was pushed back: %d round trips, want none (the session in memory)", n)
	}
	clock.Advance(auth.SessionTTL + time.Minute)
	if _, n := viewTrips(t, app, idle.Client, "/dashboard", "/dashboard"); n != 0 {
		t.Errorf("a month after the last view: %d round trips, want none (the ended session found in memory)", n)
	}
	if r := idle.Get("/dashboard"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a month after the last view: %d, want a redirect to sign in", r.StatusCode)
	}
}

// While the near cache tracks, a page's later reads are answered from
// memory, so none is guessed with its first round trip (which would make
// each twice); without it, a repeat view guesses them and uses the
// guesses. With the cache, a view right after a change to what the page
// reads later shows it, in three round trips at most.
func TestPagesGuessLaterReadsOnlyWithoutTheNearCache(t *testing.T) {
	for _, near := range []bool{true, false} {
		app := apptest.Start(t, apptest.Options{NoNearCache: !near})
		org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
		g := sesGroup(t, app, org, "guesses", nil)
		id := sesCreate(t, org, g, sesForm("Guessed talk"))
		for range 3 {
			sesContains(t, "the dashboard", org.Get("/dashboard").Body, "Guessed talk")
		}
		guessed, used := app.Counter(t, "page_reads_guessed_total"), app.Counter(t, "page_reads_guessed_used_total")
		switch {
		case near && guessed != 0:
			t.Errorf("with the near cache, repeat dashboard views guessed %v reads, want none", guessed)
		case !near && (guessed == 0 || used == 0):
			t.Errorf("without the near cache, repeat dashboard views guessed %v reads and used %v, want some of each", guessed, used)
		}
		// Someone answers, through another instance's store.
		mia := sesSignIn(t, app, "Mia Member", "")
		sesJoin(t, app, g, mia)
		if _, err := app.Events.RSVP(context.Background(), id, mia.User.ID, true); err != nil {
			t.Fatal(err)
		}
		body, n := viewTrips(t, app, org.Client, "/dashboard", "/dashboard")
		sesContains(t, "the dashboard after an answer", body, "1 going")
		if n > 3 {
			t.Errorf("near cache %v: the dashboard after an answer took %d round trips, want 3 at most", near, n)
		}
	}
}

// A page view that read a session before it ended elsewhere does not
// write it back when it saves (here, pushing its expiry back a day
// later): the session stays ended and the response clears the cookie.
func TestAViewDoesNotWriteBackASessionThatEndedMeanwhile(t *testing.T) {
	rdb, _ := testenv.Redis(t)
	// Deletes the session key just before a pipeline writes it: a
	// sign-out elsewhere between the view's read of the session and its
	// save.
	hook := &armedHook{
		match: func(a []any) bool {
			return len(a) > 1 && a[0] == "set" && strings.Contains(fmt.Sprint(a[1]), "sess:")
		},
		before: func(a []any) error { return rdb.Del(context.Background(), fmt.Sprint(a[1])).Err() },
	}
	clock := apptest.NewClock(time.Now())
	app := apptest.Start(t, apptest.Options{RedisHooks: []redis.Hook{hook}, SessionClock: clock})
	p := sesSignIn(t, app, "Sam Stale", "")
	clock.Advance(25 * time.Hour)
	hook.armed.Store(true)
	r := p.Get("/dashboard") // pushes the session's expiry back
	if hook.armed.Load() {
		t.Fatal("the view wrote no session over: nothing was tested")
	}
	cleared := false
	for _, ck := range r.Cookies() {
		if ck.Name == "fg_session" && (ck.MaxAge < 0 || ck.Value == "") {
			cleared = true
		}
	}
	if !cleared {
		t.Errorf("the view's response kept the ended session's cookie: %v", r.Header.Values("Set-Cookie"))
	}
	if r := p.Get("/dashboard"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the next view: %d, want a redirect to sign in (the session written back?)", r.StatusCode)
	}
}
