package groups

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
)

// A group is due for a new "next session" once the recorded one started,
// and never when it records none or no longer exists.
func TestDueNextSessions(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := ids.New()
	a, b, c := mustCreate(t, s, owner, goodInput("due-a")), mustCreate(t, s, owner, goodInput("due-b")), mustCreate(t, s, owner, goodInput("due-c"))
	t0 := time.Date(2027, 3, 1, 18, 0, 0, 0, time.UTC)
	for _, set := range []struct {
		id string
		at time.Time
	}{{a.ID, t0}, {b.ID, t0.Add(time.Hour)}, {c.ID, t0}} {
		if err := s.SetNextSession(ctx, set.id, set.at); err != nil {
			t.Fatal(err)
		}
	}
	due := func(now time.Time) []string {
		t.Helper()
		got, err := s.DueNextSessions(ctx, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		return got
	}
	if got := due(t0.Add(-time.Second)); len(got) != 0 {
		t.Fatalf("before any session started: %v", got)
	}
	want := []string{a.ID, c.ID}
	slices.Sort(want)
	if got := due(t0); !slices.Equal(got, want) {
		t.Fatalf("at the first start: %v, want %v", got, want)
	}
	if err := s.SetNextSession(ctx, a.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, c.ID, owner); err != nil {
		t.Fatal(err)
	}
	if got := due(t0.Add(2 * time.Hour)); !slices.Equal(got, []string{b.ID}) {
		t.Fatalf("after clearing one and deleting one: %v, want only %s", got, b.ID)
	}
	if g, err := s.Get(ctx, b.ID); err != nil || !g.NextSessionAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("recorded next session %v (%v)", g.NextSessionAt, err)
	}
}
