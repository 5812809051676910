package clustertest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/notices"
)

// TestNoticesRelayOnCluster records a promotion in the session's slot,
// fails its first relay, and lets the sweep (whose index lives in another
// slot) hand it over once.
func TestNoticesRelayOnCluster(t *testing.T) {
	t.Parallel()
	f := newEventsFixture(t)
	relay := notices.New(f.rdb, f.prefix)
	relay.Now = f.clk.Now
	f.s.RegisterNotices(relay)
	in := input(day(7))
	in.Capacity = "1"
	ev := f.create(in)
	ada, bo := ids.New(), ids.New()
	for _, u := range []string{ada, bo} {
		if _, err := f.s.RSVP(f.ctx, ev.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	f.s.Notify = func(context.Context, events.Notice) error { return errors.New("relay failed") }
	if _, err := f.s.RSVP(f.ctx, ev.ID, ada, false); err != nil {
		t.Fatal(err)
	}
	f.s.Notify = f.log.notify
	f.clk.Advance(notices.DefaultLease + time.Second)
	if n, err := relay.Sweep(f.ctx); n != 1 || err != nil {
		t.Fatalf("sweep drained %d (%v)", n, err)
	}
	if got := f.log.take(events.NoticePromoted); !slices.Equal(got, []string{bo}) {
		t.Fatalf("promoted notices %v, want Bo once", got)
	}
	if n, err := relay.Pending(f.ctx); n != 0 || err != nil {
		t.Fatalf("%d marks left (%v)", n, err)
	}
}
