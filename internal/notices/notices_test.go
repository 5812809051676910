package notices

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/redis/go-redis/v9"
)

// record appends a notice the way a domain script does.
func record(t *testing.T, rdb redis.UniversalClient, stream, id string) {
	t.Helper()
	if err := rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: stream, Values: []any{"id", id, "kind", "k"}}).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestDrainHandsNoticesOverInOrderAndForgetsOnlyWhatWasTaken(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	stream := prefix + "thing:{a}:notices"
	for _, id := range []string{"r1.1", "r1.2", "r2.1", "r3.1"} {
		record(t, rdb, stream, id)
	}
	var got []string
	failOn := "r2.1"
	handle := func(_ context.Context, e Entry) error {
		if e.ID == failOn {
			return errors.New("mail service down")
		}
		got = append(got, e.ID)
		return nil
	}
	if err := Drain(ctx, rdb, stream, "", handle); err == nil {
		t.Fatal("Drain hid the handler's failure")
	}
	if fmt.Sprint(got) != "[r1.1 r1.2]" {
		t.Fatalf("handled %v before the failure, want r1.1 r1.2", got)
	}
	if n := rdb.XLen(ctx, stream).Val(); n != 2 {
		t.Fatalf("%d notices left, want the failed one and the one after it", n)
	}
	// One run relays only its own notices.
	got, failOn = nil, ""
	if err := Drain(ctx, rdb, stream, "r3", handle); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[r3.1]" {
		t.Fatalf("run r3 handled %v", got)
	}
	got = nil
	if err := Drain(ctx, rdb, stream, "", handle); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[r2.1]" {
		t.Fatalf("handled %v, want r2.1", got)
	}
	if n := rdb.Exists(ctx, stream).Val(); n != 0 {
		t.Fatal("an empty notices stream is left behind")
	}
}

func TestDrainReadsPastOneBatch(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	stream := prefix + "thing:{b}:notices"
	for i := range drainBatch*2 + 5 {
		record(t, rdb, stream, fmt.Sprintf("r.%d", i))
	}
	n := 0
	if err := Drain(ctx, rdb, stream, "", func(context.Context, Entry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != drainBatch*2+5 {
		t.Fatalf("handled %d, want %d", n, drainBatch*2+5)
	}
}

func TestSweepTakesOverAfterTheLeaseAndRetriesFailures(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	clock := testenv.NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	r := New(rdb, prefix)
	r.Now = clock.Now
	var mu sync.Mutex
	drained := map[string]int{}
	failing := map[string]bool{"b": true}
	r.Register("things", func(_ context.Context, entity string) error {
		mu.Lock()
		defer mu.Unlock()
		if failing[entity] {
			return errors.New("redis read failed")
		}
		drained[entity]++
		return nil
	})
	for _, e := range []string{"a", "b"} {
		if err := r.Mark(ctx, "things", e); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := r.Sweep(ctx); n != 0 || err != nil {
		t.Fatalf("sweep within the lease drained %d (%v)", n, err)
	}
	clock.Advance(DefaultLease + time.Second)
	n, err := r.Sweep(ctx)
	if n != 1 || err == nil {
		t.Fatalf("sweep drained %d (err %v), want a and the failure of b", n, err)
	}
	if p, _ := r.Pending(ctx); p != 1 {
		t.Fatalf("%d marks pending, want b's", p)
	}
	// b's mark moved to now: it is tried again one lease later, not at once.
	if n, _ := r.Sweep(ctx); n != 0 {
		t.Fatalf("b retried within its new lease")
	}
	mu.Lock()
	failing["b"] = false
	mu.Unlock()
	clock.Advance(DefaultLease + time.Second)
	if n, err := r.Sweep(ctx); n != 1 || err != nil {
		t.Fatalf("retry drained %d (%v)", n, err)
	}
	if p, _ := r.Pending(ctx); p != 0 {
		t.Fatalf("%d marks left", p)
	}
	if drained["a"] != 1 || drained["b"] != 1 {
		t.Fatalf("drained %v, want each once", drained)
	}
}

func TestSweepKeepsAMarkRenewedWhileItDrained(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	clock := testenv.NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	r := New(rdb, prefix)
	r.Now = clock.Now
	r.Register("things", func(ctx context.Context, entity string) error {
		// A request marks the entity again while the sweep drains it: its
		// script may record a notice after this drain has read the stream.
		return r.Mark(ctx, "things", entity)
	})
	if err := r.Mark(ctx, "things", "a"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(DefaultLease + time.Second)
	if n, err := r.Sweep(ctx); n != 1 || err != nil {
		t.Fatalf("sweep drained %d (%v)", n, err)
	}
	if p, _ := r.Pending(ctx); p != 1 {
		t.Fatal("the sweep forgot a mark that was renewed while it drained")
	}
}

func TestSweepReportsAnUnknownDomain(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	clock := testenv.NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	r := New(rdb, prefix)
	r.Now = clock.Now
	if err := r.Mark(ctx, "nobody", "x"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(DefaultLease + time.Second)
	if _, err := r.Sweep(ctx); err == nil {
		t.Fatal("a mark without a registered drain was skipped silently")
	}
}

func TestNilRelayMarksNothing(t *testing.T) {
	var r *Relay
	if err := r.Mark(context.Background(), "things", "a"); err != nil {
		t.Fatal(err)
	}
}
