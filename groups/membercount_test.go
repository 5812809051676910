package groups

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// indexedMembers is the member count the discovery index sorts group id
// by, and whether it lists the group at all.
func indexedMembers(t *testing.T, s *Store, id string) (int, bool) {
	t.Helper()
	score, err := s.rdb.ZScore(context.Background(), s.idxSortKey(SortMembers), id).Result()
	if err != nil {
		return 0, false
	}
	return int(score), true
}

// A join that changes only the member count takes it into the index in
// the same round trip as the member's own lists: two round trips in all,
// no reindex of the group's terms.
func TestAJoinOnlyMovesTheMemberCount(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	rdb.AddHook(roundtrips.Hook{})
	s := NewStore(rdb, prefix)
	g := mustCreate(t, s, ids.New(), goodInput("count-only"))
	mustJoin(t, s, g.ID, ids.New()) // loads the scripts
	ctx, counted := roundtrips.With(context.Background())
	if err := s.Join(ctx, g.ID, ids.New(), nil); err != nil {
		t.Fatal(err)
	}
	if n := counted.Count(); n != 2 {
		t.Errorf("a join took %d round trips, want 2", n)
	}
	if n, listed := indexedMembers(t, s, g.ID); !listed || n != 3 {
		t.Errorf("the index sorts the group by %d members (listed %v), want 3", n, listed)
	}
}

// Joining through an invite link also moves only the member count: the
// link script returns the count the join left, so no reindex follows.
func TestALinkJoinOnlyMovesTheMemberCount(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	rdb.AddHook(roundtrips.Hook{})
	s := NewStore(rdb, prefix)
	owner := ids.New()
	g := mustCreate(t, s, owner, goodInput("link-count"))
	l, err := s.CreateLink(context.Background(), g.ID, owner, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinByLink(context.Background(), l.Token(), ids.New(), nil); err != nil { // loads the scripts
		t.Fatal(err)
	}
	ctx, counted := roundtrips.With(context.Background())
	if _, err := s.JoinByLink(ctx, l.Token(), ids.New(), nil); err != nil {
		t.Fatal(err)
	}
	if n := counted.Count(); n != 2 {
		t.Errorf("a join by link took %d round trips, want 2", n)
	}
	if n, listed := indexedMembers(t, s, g.ID); !listed || n != 3 {
		t.Errorf("the index sorts the group by %d members (listed %v), want 3", n, listed)
	}
}

// The index's member counts stay exact when joins race each other and
// edits, visibility changes and leaves come in between: a join whose
// count arrives out of order, or after another change, reindexes.
func TestMemberCountsStayExactUnderConcurrentJoins(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := ids.New()
	g := mustCreate(t, s, owner, goodInput("crowded"))
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 60 {
		wg.Go(func() {
			uid := ids.New()
			if err := s.Join(ctx, g.ID, uid, nil); err != nil {
				errs <- err
				return
			}
			if i%10 == 0 {
				errs <- s.Leave(ctx, g.ID, uid)
			}
		})
	}
	wg.Go(func() {
		in := g.Input()
		in.Description = "Now with more words about profiling."
		_, err := s.Update(ctx, g.ID, owner, in)
		errs <- err
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Get(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MemberCount != 1+60-6 {
		t.Fatalf("%d members, want %d", got.MemberCount, 1+60-6)
	}
	if n, listed := indexedMembers(t, s, g.ID); !listed || n != got.MemberCount {
		t.Fatalf("the index sorts the group by %d members (listed %v), want %d", n, listed, got.MemberCount)
	}
	if gs, _, err := s.Search(ctx, Query{Words: "profiling"}); err != nil || len(gs) != 1 {
		t.Fatalf("the edit's words are not indexed: %v, %v", gs, err)
	}

	// A private group stays out of the index whoever joins it.
	in := got.Input()
	in.Visibility = Private
	if _, err := s.Update(ctx, g.ID, owner, in); err != nil {
		t.Fatal(err)
	}
	guest := ids.New()
	if err := s.Invite(ctx, g.ID, owner, guest); err != nil {
		t.Fatal(err)
	}
	if err := s.AcceptInvite(ctx, g.ID, guest, nil); err != nil {
		t.Fatal(err)
	}
	if _, listed := indexedMembers(t, s, g.ID); listed {
		t.Fatal("a private group is in the members sort")
	}
}

// A join whose count reaches the index before an edit's reindex does (the
// editing instance is slow, or died) reindexes the group itself, so the
// edit is not lost behind the join's newer revision.
func TestAJoinAfterAnUnindexedEditReindexes(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := ids.New()
	g := mustCreate(t, s, owner, goodInput("slow-edit"))
	in := g.Input()
	in.Description = "Now about profiling."
	args := append([]any{"update", owner, g.Slug, s.nowMS()}, in.fields()...)
	if err := updateScript.Run(ctx, s.rdb, s.groupKeys(g.ID), args...).Err(); err != nil {
		t.Fatal(err)
	}
	mustJoin(t, s, g.ID, ids.New())
	if gs, _, err := s.Search(ctx, Query{Words: "profiling"}); err != nil || len(gs) != 1 {
		t.Fatalf("the edit is not in the index after the join: %d groups, %v", len(gs), err)
	}
	if n, listed := indexedMembers(t, s, g.ID); !listed || n != 2 {
		t.Fatalf("the index sorts the group by %d members (listed %v), want 2", n, listed)
	}
}

// Two joins whose counts reach the index in the opposite order take no
// reindex: the later join's count wins, the earlier one changes nothing.
func TestJoinCountsOutOfOrderNeedNoReindex(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	rdb.AddHook(roundtrips.Hook{})
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	g := mustCreate(t, s, ids.New(), goodInput("out-of-order"))
	mustJoin(t, s, g.ID, ids.New()) // loads the scripts
	joined := func(uid string) memberCount {
		res, err := joinScript.Run(ctx, s.rdb, s.groupKeys(g.ID), "join", uid, s.nowMS(), "").Int64Slice()
		if err != nil {
			t.Fatal(err)
		}
		return memberCount{rev: res[0], crev: res[1], members: res[2]}
	}
	a, b := ids.New(), ids.New()
	first, second := joined(a), joined(b)
	for _, j := range []struct {
		uid   string
		count memberCount
	}{{b, second}, {a, first}} {
		counted, trips := roundtrips.With(ctx)
		if err := s.runFollowUp(counted, s.afterJoin(counted, g.ID, j.uid, j.count)); err != nil {
			t.Fatal(err)
		}
		if n := trips.Count(); n != 1 {
			t.Errorf("the follow-up of a join took %d round trips, want 1", n)
		}
	}
	if n, listed := indexedMembers(t, s, g.ID); !listed || n != 4 {
		t.Fatalf("the index sorts the group by %d members (listed %v), want 4", n, listed)
	}
}
