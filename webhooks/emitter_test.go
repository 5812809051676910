package webhooks

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// The events store's changes reach a group's endpoint as webhook events:
// scheduled, seats freed (only when nobody was waiting for the seat),
// moved, cancelled, and a new proposal; a group without endpoints costs
// the change one read and queues nothing.
func TestSessionChangesBecomeWebhookEvents(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	clk := testenv.NewClock(time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC))
	hooks := NewStore(rdb, prefix, Guard{AllowLocal: true})
	hooks.Retry = Retry{Backoff: 5 * time.Millisecond, Poll: 5 * time.Millisecond}
	gs := groups.NewStore(rdb, prefix)
	es := events.NewStore(rdb, prefix)
	es.Now, hooks.Now = clk.Now, clk.Now
	es.Changed = (&Emitter{Hooks: hooks, Events: es, Groups: gs, BaseURL: "https://fg.example"}).Changed
	owner := ids.New()
	g, err := gs.Create(ctx, owner, groups.Input{Name: "Go Berlin", Slug: "go-berlin", Description: "Go.", Topics: []string{"go"},
		Paths: []string{"architecture"}, City: "Berlin", Online: true})
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := gs.Create(ctx, owner, groups.Input{Name: "Quiet", Slug: "quiet", Description: "No hooks.", Topics: []string{"go"},
		Paths: []string{"architecture"}, City: "Berlin", Online: true})
	if err != nil {
		t.Fatal(err)
	}
	rcv := newReceiver(t)
	if _, err := hooks.Add(ctx, g.ID, owner, Input{Kind: "json", URL: rcv.srv.URL, Events: allEvents}); err != nil {
		t.Fatal(err)
	}
	runWorkers(t, hooks)
	next := func(want EventType) Event {
		t.Helper()
		got := rcv.next(t)
		var ev Event
		if err := json.Unmarshal(got.body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type != want {
			t.Fatalf("got %s, want %s: %s", ev.Type, want, got.body)
		}
		return ev
	}

	org := events.Actor{UserID: owner, Organizer: true}
	in := events.Input{Title: "Profiling Go", Description: "pprof", Format: "workshop", Start: "2026-01-17T18:30",
		End: "2026-01-17T20:30", TimeZone: "Europe/Berlin", Venue: "c-base", Capacity: "1", Listed: true}
	if _, err := es.Create(ctx, org, quiet.ID, in); err != nil {
		t.Fatal(err)
	}
	ev, err := es.Create(ctx, org, g.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	got := next(SessionScheduled)
	if got.Session == nil || got.Session.ID != ev.ID || got.Session.SeatsLeft != 1 || got.Group.URL != "https://fg.example/g/go-berlin" {
		t.Fatalf("scheduled: %+v %+v", got, got.Session)
	}

	a, b, c := ids.New(), ids.New(), ids.New()
	for _, u := range []string{a, b} {
		if _, err := es.RSVP(ctx, ev.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := es.RSVP(ctx, ev.ID, c, false); err != nil { // never had a seat: frees nothing
		t.Fatal(err)
	}
	if _, err := es.RSVP(ctx, ev.ID, a, false); err != nil { // b takes the seat: frees nothing
		t.Fatal(err)
	}
	res, err := es.RSVP(ctx, ev.ID, b, false)
	if err != nil || !res.Freed {
		t.Fatalf("the last seat holder drops out: %+v %v", res, err)
	}
	if got := next(SeatsFreed); got.Session.SeatsLeft != 1 || got.Session.Capacity != 1 {
		t.Fatalf("seats freed: %+v", got.Session)
	}

	in.Start, in.End = "2026-01-17T19:00", "2026-01-17T21:00"
	if _, err := es.Update(ctx, org, ev.ID, in); err != nil {
		t.Fatal(err)
	}
	if got := next(SessionChanged); !got.Session.Start.Equal(time.Date(2026, 1, 17, 18, 0, 0, 0, time.UTC)) {
		t.Fatalf("moved: %v", got.Session.Start)
	}
	if _, err := es.Cancel(ctx, org, ev.ID); err != nil {
		t.Fatal(err)
	}
	if got := next(SessionCancelled); got.Session.Status != "cancelled" {
		t.Fatalf("cancelled: %+v", got.Session)
	}
	p, err := es.Propose(ctx, g.ID, a, events.ProposalInput{Title: "Fuzzing", Kind: "learn"})
	if err != nil {
		t.Fatal(err)
	}
	if got := next(ProposalCreated); got.Proposal == nil || got.Proposal.ID != p.ID || got.Proposal.URL != "https://fg.example/g/go-berlin/proposals" {
		t.Fatalf("proposal: %+v", got.Proposal)
	}
	waitFor(t, func() bool { n, _ := hooks.Pending(ctx); return n == 0 })
	select {
	case extra := <-rcv.got:
		t.Fatalf("an extra delivery: %s", extra.body)
	default:
	}
}
