package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// BenchmarkSessionPage renders GET /s/:id through the real app (HTTP
// client, middleware, session, Redis reads, template) for a signed-in
// member who is going, on a 50-seat session with 40 people going.
func BenchmarkSessionPage(b *testing.B) {
	app := apptest.Start(b, apptest.Options{})
	ctx := context.Background()
	c := app.NewClient(b)
	c.DevSignIn("Bench Viewer", "viewer@bench.example")
	viewer, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: "bench-viewer", Name: "Bench Viewer",
		Emails: []auth.Email{{Address: "viewer@bench.example", Verified: true}}})
	if err != nil {
		b.Fatal(err)
	}
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
	path := "/s/" + ev.ID
	first := c.Get(path)
	if first.StatusCode != http.StatusOK {
		b.Fatalf("session page: %d", first.StatusCode)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Get(path); r.StatusCode != http.StatusOK {
			b.Fatalf("session page: %d", r.StatusCode)
		}
	}
	b.ReportMetric(float64(len(first.Body)), "page-bytes")
}

// BenchmarkHomePage renders GET / through the real app for a signed-in
// member: six listed sessions of six public groups, one of them answered.
func BenchmarkHomePage(b *testing.B) {
	app := apptest.Start(b, apptest.Options{})
	ctx := context.Background()
	c := app.NewClient(b)
	c.DevSignIn("Bench Viewer", "viewer@bench.example")
	viewer, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: "bench-viewer", Name: "Bench Viewer",
		Emails: []auth.Email{{Address: "viewer@bench.example", Verified: true}}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 6 {
		g, err := app.Groups.Create(ctx, viewer.ID, groups.Input{Name: fmt.Sprintf("Bench group %d", i), Slug: fmt.Sprintf("bench-%d", i),
			Description: "We *meet*.", Topics: []string{"go", "kubernetes"}, Paths: []string{"architecture"}, City: "Berlin", Online: true})
		if err != nil {
			b.Fatal(err)
		}
		f := sesForm(fmt.Sprintf("Session %d", i))
		in := events.Input{Title: f.Get("title"), Description: "Measure **first**.", Format: f.Get("format"),
			Start: f.Get("start"), End: f.Get("end"), TimeZone: "Europe/Berlin", Venue: f.Get("venue"),
			OnlineURL: f.Get("online_url"), Capacity: "30", Listed: true}
		ev, err := app.Events.Create(ctx, events.Actor{UserID: viewer.ID, Organizer: true}, g.ID, in)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			if _, err := app.Events.RSVP(ctx, ev.ID, viewer.ID, true); err != nil {
				b.Fatal(err)
			}
		}
	}
	first := c.Get("/")
	if first.StatusCode != http.StatusOK {
		b.Fatalf("home page: %d", first.StatusCode)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Get("/"); r.StatusCode != http.StatusOK {
			b.Fatalf("home page: %d", r.StatusCode)
		}
	}
	b.ReportMetric(float64(len(first.Body)), "page-bytes")
}
