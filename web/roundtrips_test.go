package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
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
		{"/", "/"},
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

// The home page lists upcoming sessions of public groups and the public
// groups with most members; a group that turned private leaves both, even
// though its session is still in the listed index. A session's group need
// not be among the groups listed.
func TestHomeListsOnlyWhatIsPublic(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Hana Host", "")
	fan := sesSignIn(t, app, "Fay Fan", "")
	for i := range 6 {
		crowd := sesGroup(t, app, org, fmt.Sprintf("crowd-%d", i), func(in *groups.Input) { in.Name = fmt.Sprintf("Crowd %d", i) })
		sesJoin(t, app, crowd, fan)
	}
	quiet := sesGroup(t, app, org, "quiet", func(in *groups.Input) { in.Name = "Quiet Gophers" })
	sesCreate(t, org, quiet, sesForm("Open session"))
	hidden := sesGroup(t, app, org, "home-hidden", func(in *groups.Input) { in.Name = "Soon Private" })
	sesJoin(t, app, hidden, fan)
	sesCreate(t, org, hidden, sesForm("Later hidden"))
	in := groups.Input{Name: "Soon Private", Slug: "home-hidden", Description: "We meet.", Topics: []string{"go"},
		Paths: []string{"architecture"}, City: "Berlin", Online: true, Visibility: groups.Private}
	if _, err := app.Groups.Update(context.Background(), hidden.ID, org.User.ID, in); err != nil {
		t.Fatal(err)
	}
	for who, c := range map[string]*apptest.Client{"anonymous": app.NewClient(t), "organizer": org.Client} {
		r := c.Get("/")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("home for %s: %d", who, r.StatusCode)
		}
		sesContains(t, "home for "+who, r.Body, "Open session", "Quiet Gophers", "Crowd 0", "Crowd 5")
		sesLacks(t, "home for "+who, r.Body, "Later hidden", "Soon Private")
	}
}
