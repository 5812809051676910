package web_test

import (
	"net/http"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// pageTrips requests path twice (the first warms the connection pool) and
// returns the Redis round trips the app recorded for the second request.
func pageTrips(t *testing.T, app *apptest.App, c *apptest.Client, route, path string) int {
	t.Helper()
	if r := c.Get(path); r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	before, n := app.RoundTrips(t, http.MethodGet, route)
	if r := c.Get(path); r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	after, m := app.RoundTrips(t, http.MethodGet, route)
	if m != n+1 {
		t.Fatalf("%s: %d requests recorded, want one more than %d", route, m, n)
	}
	return int(after - before)
}

// Every request's Redis round trips are recorded by route, for /metrics
// and for the tests that hold pages to their budget.
func TestRoundTripsAreRecordedByRoute(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "trips", nil)
	id := sesCreate(t, org, g, sesForm("Counting round trips"))
	anon := app.NewClient(t)
	if n := pageTrips(t, app, anon, "/s/:id", "/s/"+id); n < 1 {
		t.Fatalf("the session page made %d round trips: it reads the session from Redis", n)
	}
	if n := pageTrips(t, app, anon, "/healthz", "/healthz"); n != 0 {
		t.Fatalf("/healthz made %d round trips, want 0", n)
	}
	r := anon.Get("/metrics")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", r.StatusCode)
	}
	sesContains(t, "/metrics", r.Body, `http_request_redis_roundtrips_bucket{method="GET",route="/s/:id"`)
}

// Every page reads Redis in at most three round trips, whoever views it:
// the session and the user in one, then the page's reads in one pipeline,
// or two when a first read decides what to read next.
func TestPagesStayWithinThreeRoundTrips(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "budget", nil)
	id := sesCreate(t, org, g, sesForm("Pipelines in practice"))
	sesCreate(t, org, g, sesForm("Another session"))
	member := sesSignIn(t, app, "Mia Member", "mia@example.com")
	sesJoin(t, app, g, member)
	sesRSVP(t, member, id, "yes")
	for _, name := range []string{"Gus Going", "Gil Going"} {
		p := sesSignIn(t, app, name, "")
		sesJoin(t, app, g, p)
		sesRSVP(t, p, id, "yes")
	}
	viewers := []struct {
		name   string
		client *apptest.Client
	}{
		{"member going", member.Client},
		{"organizer", org.Client},
		{"anonymous", app.NewClient(t)},
	}
	pages := []struct{ route, path string }{
		{"/s/:id", "/s/" + id},
		{"/g/:slug", "/g/" + g.Slug},
	}
	for _, pg := range pages {
		for _, v := range viewers {
			t.Run(pg.route+" "+v.name, func(t *testing.T) {
				n := pageTrips(t, app, v.client, pg.route, pg.path)
				t.Logf("%s as %s: %d round trips", pg.path, v.name, n)
				if n > 3 {
					t.Errorf("%s as %s: %d Redis round trips, want at most 3", pg.path, v.name, n)
				}
			})
		}
	}
}
