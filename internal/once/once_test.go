package once

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

func TestClaimDoneForget(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	g := New(rdb, prefix, time.Minute)

	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, _, err := g.Claim(ctx, "u1", "form")
			if err == nil && first {
				firsts.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := firsts.Load(); n != 1 {
		t.Fatalf("%d of 20 simultaneous posts claimed it, want 1", n)
	}
	if first, to, err := g.Claim(ctx, "u1", "form"); err != nil || first || to != "" {
		t.Fatalf("repeat while running: first %v to %q err %v", first, to, err)
	}
	if err := g.Done(ctx, "u1", "form", "/g/go"); err != nil {
		t.Fatal(err)
	}
	if first, to, err := g.Claim(ctx, "u1", "form"); err != nil || first || to != "/g/go" {
		t.Fatalf("repeat after done: first %v to %q err %v", first, to, err)
	}
	if first, _, err := g.Claim(ctx, "u2", "form"); err != nil || !first {
		t.Fatalf("another person's post: first %v err %v", first, err)
	}
	if err := g.Forget(ctx, "u2", "form"); err != nil {
		t.Fatal(err)
	}
	if first, _, err := g.Claim(ctx, "u2", "form"); err != nil || !first {
		t.Fatalf("after a failed post: first %v err %v", first, err)
	}
}

// A claim lasts only as long as a request may take, so a post whose
// request died holding it (Redis went away) can be sent again soon; a
// handled post is remembered for the whole window.
func TestAClaimLapsesSoonAHandledPostIsRemembered(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	g := New(rdb, prefix, 10*time.Second)
	if first, _, err := g.Claim(ctx, "u1", "d1"); err != nil || !first {
		t.Fatalf("claim: %v %v", first, err)
	}
	if ttl := rdb.TTL(ctx, g.key("u1", "d1")).Val(); ttl <= 0 || ttl > 10*time.Second {
		t.Fatalf("a claim lasts %v, want at most 10s", ttl)
	}
	if err := g.Done(ctx, "u1", "d1", "/done"); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, g.key("u1", "d1")).Val(); ttl < 59*time.Minute {
		t.Fatalf("a handled post is remembered for %v, want an hour", ttl)
	}
}
