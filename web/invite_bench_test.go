package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// BenchmarkInvite500Addresses posts 500 new addresses to a group's
// invitation form through the real app: 500 guests made and invited, the
// mail left to the outbox.
func BenchmarkInvite500Addresses(b *testing.B) {
	app := apptest.Start(b, apptest.Options{})
	org := app.NewClient(b)
	org.DevSignIn("Bench Organizer", "bench-org@example.com")
	u, err := app.Users.FindByEmail(context.Background(), "bench-org@example.com")
	if err != nil {
		b.Fatal(err)
	}
	g, err := app.Groups.Create(context.Background(), u.ID, groups.Input{Name: "Bench invites", Slug: "bench-invites",
		Topics: []string{"go"}, Paths: []string{"architecture"}, City: "Berlin", JoinPolicy: groups.Invite})
	if err != nil {
		b.Fatal(err)
	}
	token := org.CSRF("/g/" + g.Slug + "/members")
	round := 0
	b.ReportAllocs()
	for b.Loop() {
		var list strings.Builder
		for i := range 500 {
			fmt.Fprintf(&list, "p%d-%d@bench.example\n", round, i)
		}
		round++
		r := org.Post("/g/"+g.Slug+"/invite", url.Values{"_csrf": {token}, "emails": {list.String()}})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Sent <span class=\"muted\">(500)</span>") {
			b.Fatalf("invite: %d", r.StatusCode)
		}
	}
}

// BenchmarkGuestWith50RSVPsSignsIn is a guest's first sign-in with a
// verified address while they hold 50 RSVPs: the guest record becomes the
// account, so nothing moves.
func BenchmarkGuestWith50RSVPsSignsIn(b *testing.B) {
	app := apptest.Start(b, apptest.Options{})
	ctx := context.Background()
	owner, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: "owner", Name: "Owner",
		Emails: []auth.Email{{Address: "owner@bench.example", Verified: true}}})
	if err != nil {
		b.Fatal(err)
	}
	g, err := app.Groups.Create(ctx, owner.ID, groups.Input{Name: "Bench guests", Slug: "bench-guests",
		Topics: []string{"go"}, Paths: []string{"architecture"}, City: "Berlin", Online: true})
	if err != nil {
		b.Fatal(err)
	}
	var sessions []string
	for i := range 50 {
		sessions = append(sessions, benchSession(b, app, owner.ID, g.ID, i))
	}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		addr := fmt.Sprintf("guest%d@bench.example", n)
		guest, _, err := app.Users.Guest(ctx, addr, "")
		if err != nil {
			b.Fatal(err)
		}
		if err := app.Groups.Join(ctx, g.ID, guest.ID, nil); err != nil {
			b.Fatal(err)
		}
		for _, id := range sessions {
			if _, err := app.Events.RSVP(ctx, id, guest.ID, true); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		u, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "github", Subject: fmt.Sprint(n), Name: "Guest",
			Emails: []auth.Email{{Address: addr, Verified: true}}})
		if err != nil || u.ID != guest.ID || u.Guest {
			b.Fatalf("sign-in: %+v, %v", u, err)
		}
		n++
	}
}

// benchSession schedules the i-th of many sessions in group gid.
func benchSession(b *testing.B, app *apptest.App, ownerID, gid string, i int) string {
	b.Helper()
	f := sesForm(fmt.Sprintf("Bench session %d", i))
	ev, err := app.Events.Create(context.Background(), events.Actor{UserID: ownerID, Organizer: true}, gid, events.Input{
		Title: f.Get("title"), Format: f.Get("format"), Start: f.Get("start"), End: f.Get("end"), TimeZone: "Europe/Berlin",
		Venue: f.Get("venue"), Capacity: "100"})
	if err != nil {
		b.Fatal(err)
	}
	return ev.ID
}
