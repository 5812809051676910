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

// AllowAll counts a request only when every check allows it: one that a
// check refuses uses up none of the others' allowance.
func TestAllowAllCountsOnlyRequestsEveryCheckAllows(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	l := New(rdb, prefix)
	ctx := context.Background()
	strict := Check{Name: "link", Subject: "token-2", Limit: Limit{Max: 2, Per: time.Hour}}
	loose := Check{Name: "links-ip", Subject: "198.51.100.5", Limit: Limit{Max: 3, Per: time.Hour}}
	for i := range 5 {
		wait, refused, err := l.AllowAll(ctx, strict, loose)
		switch {
		case err != nil:
			t.Fatal(err)
		case i < 2 && (wait != 0 || refused != -1):
			t.Fatalf("request %d: wait %v, refused by %d", i+1, wait, refused)
		case i >= 2 && (wait == 0 || refused != 0):
			t.Fatalf("request %d over the strict limit: wait %v, refused by %d, want the strict check", i+1, wait, refused)
		}
	}
	// The loose limit counted the two requests that passed, not the three
	// the strict one refused: one more fits, then it refuses.
	other := Check{Name: "link", Subject: "token-3", Limit: strict.Limit}
	if wait, refused, err := l.AllowAll(ctx, other, loose); err != nil || refused != -1 {
		t.Fatalf("a third request on the loose limit: wait %v, refused by %d, %v", wait, refused, err)
	}
	if _, refused, err := l.AllowAll(ctx, other, loose); err != nil || refused != 1 {
		t.Fatalf("a fourth request on the loose limit: refused by %d (%v), want the loose check", refused, err)
	}
	// The strict check of that refused request was given back too.
	if wait, err := l.Allow(ctx, other.Name, other.Subject, other.Limit); err != nil || wait != 0 {
		t.Fatalf("the other link after a refusal by the loose limit: wait %v, %v", wait, err)
	}
}
