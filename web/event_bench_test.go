package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// BenchmarkSessionPage renders GET /s/:id through the real app (HTTP
// client, middleware, session, Redis reads, template) for a signed-in
// member who is going, on a 50-seat session with 40 people going.
func BenchmarkSessionPage(b *testing.B) {
	app, c, viewer := benchViewer(b, apptest.Options{})
	ctx := context.Background()
	g, err := app.Groups.Create(ctx, viewer.ID, groups.Input{Name: "Bench group", Slug: "bench", Topics: []string{"go"},
		Paths: []string{"architecture"}, City: "Berlin", Online: true})
	if err != nil {
		b.Fatal(err)
	}
	f := sesForm("Benchmarking Go web apps")
	f.Set("capacity", "50")
	in := events.Input{Title: f.Get("title"), Description: "Measure **first**.\n\n- pprof\n- benchstat", Format: f.Get("format"),
		Start: f.Get("start"), End: f.Get("end"), TimeZone: "America/New_York", Venue: f.Get("venue"),
		OnlineURL: f.Get("online_url"), Capacity: "50", Listed: true}
	ev, err := app.Events.Create(ctx, events.Actor{UserID: viewer.ID, Organizer: true}, g.ID, in)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 40 {
		u, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: fmt.Sprintf("fan-%d", i), Name: fmt.Sprintf("Fan %d", i),
			Emails: []auth.Email{{Address: fmt.Sprintf("fan%d@bench.example", i), Verified: true}}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := app.Events.RSVP(ctx, ev.ID, u.ID, true); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := app.Events.RSVP(ctx, ev.ID, viewer.ID, true); err != nil {
		b.Fatal(err)
	}
	benchPage(b, c, "/s/"+ev.ID)
}

// BenchmarkHomePage renders GET / through the real app for a signed-in
// member: six listed sessions of six public groups, one of them answered.
func BenchmarkHomePage(b *testing.B) {
	app, c, viewer := benchViewer(b, apptest.Options{})
	ctx := context.Background()
	for i := range 6 {
		g := benchGroup(b, app, viewer.ID, i)
		ev, err := app.Events.Create(ctx, events.Actor{UserID: viewer.ID, Organizer: true}, g.ID, listedWorkshop(fmt.Sprintf("Session %d", i)))
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			if _, err := app.Events.RSVP(ctx, ev.ID, viewer.ID, true); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchPage(b, c, "/")
}

// BenchmarkHomePageWhileSessionsRun is BenchmarkHomePage on a busy day:
// besides six upcoming sessions, 40 listed sessions of other groups
// started in the last ten hours, the last ten of them still running.
func BenchmarkHomePageWhileSessionsRun(b *testing.B) {
	now := time.Now().UTC().Truncate(time.Minute)
	clock := apptest.NewClock(now.Add(-11 * time.Hour))
	app, c, viewer := benchViewer(b, apptest.Options{EventClock: clock})
	ctx := context.Background()
	for i := range 46 {
		g := benchGroup(b, app, viewer.ID, i)
		start := now.Add(time.Duration(i-40) * 15 * time.Minute) // 40 started, 6 to come
		if i >= 40 {
			start = now.AddDate(0, 0, i-39)
		}
		in := events.Input{Title: fmt.Sprintf("Session %d", i), Description: "Measure **first**.", Format: "workshop",
			Start: start.Format("2006-01-02T15:04"), End: start.Add(150 * time.Minute).Format("2006-01-02T15:04"), TimeZone: "UTC",
			Venue: "Betahaus, Berlin", OnlineURL: "https://meet.example/bench", Capacity: "30", Listed: true}
		if _, err := app.Events.Create(ctx, events.Actor{UserID: viewer.ID, Organizer: true}, g.ID, in); err != nil {
			b.Fatal(err)
		}
	}
	clock.Set(now)
	benchPage(b, c, "/")
}

// BenchmarkGroupPage renders GET /g/:slug through the real app for a
// member of an open public group of 40 people with one upcoming session,
// which the viewer goes to.
func BenchmarkGroupPage(b *testing.B) {
	app, c, viewer := benchViewer(b, apptest.Options{})
	ctx := context.Background()
	g := benchGroup(b, app, viewer.ID, 0)
	for i := range 39 {
		u, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: fmt.Sprintf("fan-%d", i), Name: fmt.Sprintf("Fan %d", i),
			Emails: []auth.Email{{Address: fmt.Sprintf("fan%d@bench.example", i), Verified: true}}})
		if err != nil {
			b.Fatal(err)
		}
		if err := app.Groups.Join(ctx, g.ID, u.ID, u.VerifiedEmails()); err != nil {
			b.Fatal(err)
		}
	}
	ev, err := app.Events.Create(ctx, events.Actor{UserID: viewer.ID, Organizer: true}, g.ID, listedWorkshop("Benchmarking Go"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := app.Events.RSVP(ctx, ev.ID, viewer.ID, true); err != nil {
		b.Fatal(err)
	}
	benchPage(b, c, "/g/"+g.Slug)
}

// BenchmarkDashboardBusyMember renders GET /dashboard for a member of ten
// groups that each meet weekly (a series of twelve sessions), going to
// one session in each.
func BenchmarkDashboardBusyMember(b *testing.B) {
	app, c, viewer := benchViewer(b, apptest.Options{})
	ctx := context.Background()
	organizer, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: "bench-organizer", Name: "Bench Organizer",
		Emails: []auth.Email{{Address: "organizer@bench.example", Verified: true}}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10 {
		g := benchGroup(b, app, organizer.ID, i)
		if err := app.Groups.Join(ctx, g.ID, viewer.ID, viewer.VerifiedEmails()); err != nil {
			b.Fatal(err)
		}
		_, occ, err := app.Events.CreateSeries(ctx, events.Actor{UserID: organizer.ID, Organizer: true}, g.ID, listedWorkshop(fmt.Sprintf("Weekly %d", i)),
			events.Recurrence{Frequency: "weekly", Count: "12"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := app.Events.RSVP(ctx, occ[i%len(occ)].ID, viewer.ID, true); err != nil {
			b.Fatal(err)
		}
	}
	benchPage(b, c, "/dashboard")
}

// benchGroup creates the i-th open public group of a benchmark, owned by
// ownerID.
func benchGroup(b *testing.B, app *apptest.App, ownerID string, i int) *groups.Group {
	g, err := app.Groups.Create(context.Background(), ownerID, groups.Input{Name: fmt.Sprintf("Bench group %d", i), Slug: fmt.Sprintf("bench-%d", i),
		Description: "We *meet*.", Topics: []string{"go", "kubernetes"}, Paths: []string{"architecture"}, City: "Berlin", Online: true})
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// listedWorkshop is a listed 30-seat workshop titled title, at sesForm's
// time.
func listedWorkshop(title string) events.Input {
	f := sesForm(title)
	return events.Input{Title: f.Get("title"), Description: "Measure **first**.", Format: f.Get("format"),
		Start: f.Get("start"), End: f.Get("end"), TimeZone: "Europe/Berlin", Venue: f.Get("venue"),
		OnlineURL: f.Get("online_url"), Capacity: "30", Listed: true}
}

// benchViewer starts the app with Bench Viewer signed in on a client.
func benchViewer(b *testing.B, opts apptest.Options) (*apptest.App, *apptest.Client, *auth.User) {
	app := apptest.Start(b, opts)
	c := app.NewClient(b)
	c.DevSignIn("Bench Viewer", "viewer@bench.example")
	viewer, _, err := app.Users.SignIn(context.Background(), auth.Profile{Provider: "dev", Subject: "bench-viewer", Name: "Bench Viewer",
		Emails: []auth.Email{{Address: "viewer@bench.example", Verified: true}}})
	if err != nil {
		b.Fatal(err)
	}
	return app, c, viewer
}

// benchPage measures GET path through c, reporting allocations and the
// page's size.
func benchPage(b *testing.B, c *apptest.Client, path string) {
	first := c.Get(path)
	if first.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d", path, first.StatusCode)
	}
	// kept: repeat views, which send the page kept from the last (see
	// web's builtViews); built: every view at an address of its own (a
	// query the page ignores), so each builds its view, its reads answered
	// from the near cache (warm) and its rendered body, unchanged, from
	// the fragments cache, as repeat views did before pages were kept.
	b.Run("kept", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r := c.Get(path); r.StatusCode != http.StatusOK {
				b.Fatalf("%s: %d", path, r.StatusCode)
			}
		}
		b.ReportMetric(float64(len(first.Body)), "page-bytes")
	})
	b.Run("built", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			if r := c.Get(fmt.Sprintf("%s?view=%d", path, n)); r.StatusCode != http.StatusOK {
				b.Fatalf("%s: %d", path, r.StatusCode)
			}
		}
	})
}
