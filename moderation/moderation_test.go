package moderation

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/internal/valid"
)

func newStore(t *testing.T) *Store {
	rdb, prefix := testenv.Redis(t)
	return NewStore(rdb, prefix)
}

// A code keeps its version while its text stays the same, even when many
// organizers save at once; a new text is one new version however many
// save it; an acceptance counts for the version in force only.
func TestCodeVersionsAndAcceptances(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g, u := ids.New(), ids.New()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := s.SetCode(ctx, g, "org", "Be kind."); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	c, accepted, err := s.CodeOf(ctx, g, u)
	if err != nil || c.Version != 1 || accepted != 0 || c.Text != "Be kind." {
		t.Fatalf("after 20 saves of one text: %+v %d %v", c, accepted, err)
	}
	if err := s.Accept(ctx, g, u, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCode(ctx, g, "org", "Be kind and on time."); err != nil {
		t.Fatal(err)
	}
	if err := s.Accept(ctx, g, u, 1); !errors.Is(err, ErrCodeChanged) {
		t.Fatalf("accepting the old version: %v", err)
	}
	if v, _ := s.AcceptedVersion(ctx, g, u); v != 1 {
		t.Fatalf("accepted version %d", v)
	}
	if _, err := s.SetCode(ctx, g, "org", strings.Repeat("x", MaxCode+1)); !errors.As(err, new(valid.Errors)) {
		t.Fatalf("an oversize code: %v", err)
	}
	if c, err := s.SetCode(ctx, g, "org", "  "); err != nil || c.Version != 0 {
		t.Fatalf("removing the code: %+v %v", c, err)
	}
	if c, accepted, _ := s.CodeOf(ctx, g, u); c.Version != 0 || accepted != 0 {
		t.Fatalf("after removal: %+v %d", c, accepted)
	}
}

func TestBlocksWorkBothWaysAndUndo(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a, b, c := ids.New(), ids.New(), ids.New()
	if err := s.Block(ctx, a, a); err == nil {
		t.Fatal("blocked oneself")
	}
	if err := s.Block(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		if on, err := s.EitherBlocked(ctx, pair[0], pair[1]); err != nil || !on {
			t.Fatalf("%v: %v %v", pair, on, err)
		}
	}
	if on, _ := s.EitherBlocked(ctx, a, c); on {
		t.Fatal("a blocks c")
	}
	p := s.rdb.Pipeline()
	get := s.QueueBlocks(ctx, p, b)
	_, _ = p.Exec(ctx)
	blocked, by, err := get()
	if err != nil || len(blocked) != 0 || !by[a] {
		t.Fatalf("b's blocks: %v %v %v", blocked, by, err)
	}
	if err := s.Unblock(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.EitherBlocked(ctx, b, a); on {
		t.Fatal("still blocked after the unblock")
	}
}

// Actions land on their report and in the scope's log, resolve and reopen
// change its state, concurrent actions all land, and a report of another
// scope is not found.
func TestReportsRecordEveryAction(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.File(ctx, Report{Scope: "g1", Reason: "nonsense"}); !errors.As(err, new(valid.Errors)) {
		t.Fatalf("an unknown reason: %v", err)
	}
	r, err := s.File(ctx, Report{Scope: "g1", Kind: TargetPerson, TargetID: "u2", Subject: "u2", Reporter: "u1", Reason: "spam", Details: " buy my course "})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := s.Record(ctx, "g1", r.ID, Action{Kind: "warn", By: "o1", Note: "stop"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := s.Record(ctx, "g1", r.ID, Action{Kind: "resolve", By: "o1"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "g1", r.ID)
	if err != nil || !got.Resolved || len(got.Actions) != 11 || got.Details != "buy my course" {
		t.Fatalf("report %+v: %v", got, err)
	}
	if err := s.Record(ctx, "g1", r.ID, Action{Kind: "reopen", By: "o1"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "g1", r.ID); got.Resolved {
		t.Fatal("still resolved after reopening")
	}
	if n, _ := s.rdb.LLen(ctx, s.logKey("g1")).Result(); n != 12 {
		t.Fatalf("%d log entries", n)
	}
	if err := s.Record(ctx, "g2", r.ID, Action{Kind: "resolve", By: "o2"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("acting from another scope: %v", err)
	}
	list, err := s.Reports(ctx, "g1", 10)
	if err != nil || len(list) != 1 || list[0].ID != r.ID {
		t.Fatalf("list %v %v", list, err)
	}
}
