package once

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

func TestClaimDoneForget(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	g := New(rdb, prefix)

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
