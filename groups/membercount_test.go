package groups

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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

// recount runs one round of Recount, as RunRecount would.
func recount(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.Recount(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A join and its follow-ups (the member's list, the mark for the index)
// take one round trip; Recount then takes the member count into the
// index without reindexing the group's terms.
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
	if n := counted.Count(); n != 1 {
		t.Errorf("a join took %d round trips, want 1", n)
	}
	recount(t, s)
	if n, listed := indexedMembers(t, s, g.ID); !listed || n != 3 {
		t.Errorf("the index sorts the group by %d members (listed %v), want 3", n, listed)
	}
}

// Joining through an invite link also marks the group for Recount, which
// moves only the member count.
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
	recount(t, s)
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
	recount(t, s)
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
	recount(t, s)
	if gs, _, err := s.Search(ctx, Query{Words: "profiling"}); err != nil || len(gs) != 1 {
		t.Fatalf("the edit is not in the index after the join: %d groups, %v", len(gs), err)
	}
	if n, listed := indexedMembers(t, s, g.ID); !listed || n != 2 {
		t.Fatalf("the index sorts the group by %d members (listed %v), want 2", n, listed)
	}
}

// joinAfterReads is a hook that joins a new member to group (through
// other, a store on a client without it) right after the first pipeline
// reading the group's counts has run: a join landing while Recount works.
type joinAfterReads struct {
	t     *testing.T
	other *Store
	group string
	done  bool
}

func (joinAfterReads) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (joinAfterReads) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *joinAfterReads) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if !h.done && len(cmds) > 0 && cmds[0].Name() == "hmget" {
			h.done = true
			mustJoin(h.t, h.other, h.group, ids.New())
		}
		return err
	}
}

// A join that lands while Recount reads the groups' counts keeps its
// mark, however old the mark Recount read: the next round takes its
// count.
func TestARecountKeepsAMarkMadeMeanwhile(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	clock := testenv.NewClock(time.Now())
	s := NewStore(rdb, prefix)
	s.Now = clock.Now
	ctx := context.Background()
	g := mustCreate(t, s, ids.New(), goodInput("meanwhile"))
	mustJoin(t, s, g.ID, ids.New())
	clock.Advance(recountGrace + time.Second) // the join's mark may be forgotten
	hooked := redis.NewClient(rdb.(*redis.Client).Options())
	t.Cleanup(func() { _ = hooked.Close() })
	hooked.AddHook(&joinAfterReads{t: t, other: s, group: g.ID})
	r := NewStore(hooked, prefix)
	r.Now = clock.Now
	if n, err := r.Recount(ctx); err != nil || n != 1 {
		t.Fatalf("Recount took %d groups (%v), want 1", n, err)
	}
	if n, _ := indexedMembers(t, s, g.ID); n != 2 {
		t.Fatalf("the index sorts the group by %d members, want the 2 Recount read", n)
	}
	if err := s.rdb.ZScore(ctx, s.idxRecountKey(), g.ID).Err(); err != nil {
		t.Fatalf("the mark of the join made meanwhile was forgotten: %v", err)
	}
	recount(t, s)
	if n, _ := indexedMembers(t, s, g.ID); n != 3 {
		t.Fatalf("the index sorts the group by %d members after the next Recount, want 3", n)
	}
}

// A join refused (a ban) leaves nothing of its follow-ups behind: the
// group is not on the person's list.
func TestARefusedJoinLeavesNoListEntry(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner, uid := ids.New(), ids.New()
	g := mustCreate(t, s, owner, goodInput("refused"))
	mustJoin(t, s, g.ID, uid)
	if err := s.Ban(ctx, g.ID, owner, uid); err != nil {
		t.Fatal(err)
	}
	if err := s.Join(ctx, g.ID, uid, nil); !errors.Is(err, ErrBanned) {
		t.Fatalf("a banned person's join: %v, want ErrBanned", err)
	}
	if mine, err := s.UserGroups(ctx, uid); err != nil || len(mine) != 0 {
		t.Fatalf("the banned person's groups: %v (%v), want none", mine, err)
	}
}

// On Redis Cluster a join's mark and the join itself go to different
// nodes at once, so Recount may read the mark before the join lands: a
// mark is forgotten only once it is recountGrace old, and a round after
// the join takes the count it left.
func TestAMarkReadBeforeItsJoinLandsStays(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	clock := testenv.NewClock(time.Now())
	s.Now = clock.Now
	g := mustCreate(t, s, ids.New(), goodInput("cluster-order"))
	recount(t, s)
	if err := s.rdb.ZAdd(ctx, s.idxRecountKey(), redis.Z{Score: float64(s.nowMS()), Member: g.ID}).Err(); err != nil { // the mark lands first
		t.Fatal(err)
	}
	recount(t, s)
	if err := s.rdb.ZScore(ctx, s.idxRecountKey(), g.ID).Err(); err != nil {
		t.Fatalf("a mark younger than recountGrace was forgotten: %v", err)
	}
	if err := joinScript.Run(ctx, s.rdb, s.groupKeys(g.ID), "join", ids.New(), s.nowMS(), "").Err(); err != nil { // then the join
		t.Fatal(err)
	}
	clock.Advance(recountGrace + time.Second)
	recount(t, s)
	if n, _ := indexedMembers(t, s, g.ID); n != 2 {
		t.Fatalf("the index sorts the group by %d members, want 2", n)
	}
	if err := s.rdb.ZScore(ctx, s.idxRecountKey(), g.ID).Err(); err == nil {
		t.Fatal("the mark stays after a round that took it once it was old")
	}
}

// Taking back the list entry of a refused join keeps it for someone who
// is a member all the same (approved at that very moment): only a
// non-member loses it.
func TestUnlistKeepsAMembersEntry(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	g := mustCreate(t, s, ids.New(), goodInput("unlist"))
	member, outsider := ids.New(), ids.New()
	mustJoin(t, s, g.ID, member)
	if err := s.rdb.ZAdd(ctx, s.userGroupsKey(outsider), redis.Z{Score: 1, Member: g.ID}).Err(); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{member, outsider} {
		if err := s.unlist(ctx, g.ID, uid); err != nil {
			t.Fatal(err)
		}
	}
	if mine, err := s.UserGroups(ctx, member); err != nil || len(mine) != 1 {
		t.Fatalf("the member's groups after unlist: %v (%v), want the group", mine, err)
	}
	if theirs, err := s.UserGroups(ctx, outsider); err != nil || len(theirs) != 0 {
		t.Fatalf("the outsider's groups after unlist: %v (%v), want none", theirs, err)
	}
}

// A group joined once is counted by the round after the join and by the
// round that forgets its mark, not by every round between.
func TestARecountTakesNewAndOldMarksOnly(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	clock := testenv.NewClock(time.Now())
	s.Now = clock.Now
	g := mustCreate(t, s, ids.New(), goodInput("twice"))
	recount(t, s) // the first round looks at every mark
	mustJoin(t, s, g.ID, ids.New())
	for i, want := range []int{1, 0, 0, 1, 0} {
		if i == 3 {
			clock.Advance(recountGrace)
		} else {
			clock.Advance(recountSlack + time.Millisecond)
		}
		n, err := s.Recount(ctx)
		if err != nil || n != want {
			t.Fatalf("round %d took %d groups (%v), want %d", i+1, n, err, want)
		}
	}
	if n, _ := indexedMembers(t, s, g.ID); n != 2 {
		t.Fatalf("the index sorts the group by %d members, want 2", n)
	}
}
