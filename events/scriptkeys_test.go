package events

import (
	"context"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

// Every session script declares every key it touches: RSVPs with seats,
// waitlist and approval, removal, check-in, edits, cancelling, and the
// sweep's deletion of a past series.
func TestScriptsDeclareTheirKeys(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	testenv.CheckScriptKeys(t, f.s.rdb, f.s.prefix, func() {
		ev := f.create(t, func(in *Input) { in.Capacity = "1" })
		p := users(3)
		for _, u := range p {
			if _, err := f.s.RSVP(ctx, ev.ID, u, true); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.s.Remove(ctx, f.org, ev.ID, p[0]); err != nil {
			t.Fatal(err)
		}
		guest := users(1)[0]
		if _, err := f.s.RSVP(ctx, ev.ID, guest, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.MergeRSVPs(ctx, guest, users(1)[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SetCapacity(ctx, f.org, ev.ID, 5); err != nil {
			t.Fatal(err)
		}
		in := goodInput()
		in.Title = "Intro to eBPF, part two"
		if _, err := f.s.Update(ctx, f.org, ev.ID, in); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(ev.Start.Add(-10 * time.Minute))
		if err := f.s.CheckIn(ctx, f.org, ev.ID, p[1], true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Cancel(ctx, f.org, ev.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(testNow)
		f.s.busyListed.Store(true) // the home page's script on a busy day
		if _, err := f.s.ListedUpcoming(ctx, 6); err != nil {
			t.Fatal(err)
		}
		gated := f.create(t, func(in *Input) { in.ApprovalRequired = true })
		if _, err := f.s.RSVP(ctx, gated.ID, p[2], true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Approve(ctx, f.org, gated.ID, p[2]); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SendMessage(ctx, f.org, gated.ID, Message{Audience: AudienceGoing, Subject: "Room 4", Body: "We moved."}); err != nil {
			t.Fatal(err)
		}
		_, occ, err := f.s.CreateSeries(ctx, f.org, f.group, goodInput(), Recurrence{Frequency: "weekly", Count: "2"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Sweep(ctx, occ[1].End.Add(f.s.Retention+time.Hour)); err != nil {
			t.Fatal(err)
		}
	})
}
