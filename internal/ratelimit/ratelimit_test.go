package ratelimit

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

func TestAllowIsExactUnderConcurrency(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	a, b := New(rdb, prefix), New(rdb, prefix) // two app instances
	lim := Limit{Max: 40, Per: time.Hour}
	waits := make([]time.Duration, 200)
	errs := make([]error, 200)
	var wg sync.WaitGroup
	for i := range 200 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			waits[i], errs[i] = l.Allow(context.Background(), "test", "198.51.100.1", lim)
		}()
	}
	wg.Wait()
	passed := 0
	for i, w := range waits {
		switch {
		case errs[i] != nil:
			t.Fatalf("allow: %v", errs[i])
		case w == 0:
			passed++
		case w < time.Minute: // one request refills every 90 s
			t.Fatalf("limited request told to wait only %v", w)
		}
	}
	if passed != 40 {
		t.Fatalf("%d of 200 allowed, want 40", passed)
	}
	// Another subject and another limit have their own counts.
	for _, c := range []struct{ name, subject string }{{"test", "198.51.100.2"}, {"other", "198.51.100.1"}} {
		if wait, err := a.Allow(context.Background(), c.name, c.subject, lim); err != nil || wait != 0 {
			t.Fatalf("%s/%s: wait %v, %v", c.name, c.subject, wait, err)
		}
	}
}

func TestSubjectsAreNotStoredAsTheyAre(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	l := New(rdb, prefix)
	secret := "rsvp-token-secret-value"
	if _, err := l.Allow(context.Background(), "link", secret, Limit{Max: 1, Per: time.Minute}); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(context.Background(), "*"+prefix+"rl:{link:*}").Result()
	if err != nil || len(keys) != 1 || strings.Contains(keys[0], secret) {
		t.Fatalf("keys %v (%v): want one, without the subject", keys, err)
	}
	if ttl := rdb.TTL(context.Background(), keys[0]).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("count TTL %v, want it gone within the period", ttl)
	}
}

// Checks queued on one pipeline are answered from its one round trip,
// each by its own count; the wait is what is left of one emission interval
// (Per/Max), and requests refused while waiting are not counted, so the
// wait does not grow with retries.
func TestQueuedChecksShareAPipeline(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	l := New(rdb, prefix)
	ctx := context.Background()
	lim := Limit{Max: 3, Per: time.Hour} // one request refills every 20 minutes
	for round := range 10 {
		p := rdb.Pipeline()
		strict := l.Queue(ctx, p, "link", "token-1", lim)
		loose := l.Queue(ctx, p, "links-ip", "198.51.100.1", Limit{Max: 100, Per: time.Hour})
		_, _ = p.Exec(ctx) // each check reports its own command's error (a first NOSCRIPT too)
		wait, err := strict()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case round < 3 && wait != 0:
			t.Fatalf("request %d of 3 told to wait %v", round+1, wait)
		case round >= 3 && (wait <= 19*time.Minute || wait > 20*time.Minute):
			t.Fatalf("request %d told to wait %v, want just under 20 minutes", round+1, wait)
		}
		if wait, err := loose(); err != nil || wait != 0 {
			t.Fatalf("the looser limit in the same pipeline: wait %v, %v", wait, err)
		}
	}
}

// A refund gives back one counted request, and only one.
func TestRefundGivesBackOneRequest(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	l := New(rdb, prefix)
	ctx := context.Background()
	lim := Limit{Max: 2, Per: time.Hour}
	for range 2 {
		if wait, err := l.Allow(ctx, "refund", "198.51.100.5", lim); err != nil || wait != 0 {
			t.Fatalf("within the limit: wait %v, %v", wait, err)
		}
	}
	if wait, _ := l.Allow(ctx, "refund", "198.51.100.5", lim); wait == 0 {
		t.Fatal("a third request in an hour was let through")
	}
	if err := l.Refund(ctx, "refund", "198.51.100.5", lim); err != nil {
		t.Fatal(err)
	}
	if wait, err := l.Allow(ctx, "refund", "198.51.100.5", lim); err != nil || wait != 0 {
		t.Fatalf("after a refund: wait %v, %v", wait, err)
	}
	if wait, _ := l.Allow(ctx, "refund", "198.51.100.5", lim); wait == 0 {
		t.Fatal("one refund let two more requests through")
	}
	// Refunding what was never counted changes nothing.
	if err := l.Refund(ctx, "refund", "198.51.100.6", lim); err != nil {
		t.Fatal(err)
	}
	if keys := rdb.Keys(ctx, prefix+"rl:{refund:*").Val(); len(keys) != 1 {
		t.Fatalf("keys after refunding a stranger: %v", keys)
	}
}
