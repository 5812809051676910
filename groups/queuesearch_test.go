package groups

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// A page runs the index search with its other first reads (here the
// topics) and finds what Search finds: two round trips in all, also on a
// server that has not loaded the search script yet (after a restart).
func TestQueueSearchRunsWithThePagesOtherReads(t *testing.T) {
	own := testenv.StartOwnRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: own.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	rdb.AddHook(roundtrips.Hook{})
	s := NewStore(rdb, "t:")
	ctx := context.Background()
	owner := ids.New()
	for _, slug := range []string{"go-one", "go-two", "go-three"} {
		mustCreate(t, s, owner, goodInput(slug))
	}
	in := goodInput("rusty")
	in.Topics, in.Name = []string{"rust"}, "Rust Hamburg"
	mustCreate(t, s, owner, in)
	q := Query{Words: "berlin", Topic: "go", Sort: SortMembers, PerPage: 2, Page: 2}
	want, wantTotal, err := s.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	wantTopics, err := s.Topics(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, loaded := range []bool{true, false} {
		if !loaded {
			if err := rdb.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
		}
		counted, trips := roundtrips.With(ctx)
		p := rdb.Pipeline()
		fresh := NewStore(rdb, "t:") // remembers no answer yet: it runs the script
		search, read := fresh.QueueSearch(counted, p, q), s.QueueTopics(counted, p, 10)
		_, _ = p.Exec(counted) // each read reports its own errors
		gids, total, err := search()
		if err != nil {
			t.Fatal(err)
		}
		got, err := fresh.Visible(counted, gids)
		if err != nil {
			t.Fatal(err)
		}
		topics, err := read()
		if err != nil {
			t.Fatal(err)
		}
		if total != wantTotal || len(got) != len(want) || got[0].ID != want[0].ID || !reflect.DeepEqual(topics, wantTopics) {
			t.Fatalf("script loaded %v: %d groups of %d and topics %v; want %d of %d and %v", loaded, len(got), total, topics,
				len(want), wantTotal, wantTopics)
		}
		if n := trips.Count(); loaded && n != 2 {
			t.Errorf("a search with the topics took %d round trips, want 2", n)
		}
	}
	if wantTotal != 3 || len(want) != 1 {
		t.Fatalf("the second page of two: %d groups of %d, want 1 of 3", len(want), wantTotal)
	}
}

// A query asked again reads the index's version alone and answers as
// before while the index has not changed; a change to the index, a new
// member count under the members order, a minute, or the start of the
// next session under the soonest order each make it search again.
func TestSearchAnswersAgainUntilTheIndexChanges(t *testing.T) {
	t.Parallel()
	s, rdb, _ := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { now = now.Add(time.Millisecond); return now } // creation orders are strict
	owner := newUser()
	one := mustCreate(t, s, owner, goodInput("one"))
	two := mustCreate(t, s, owner, goodInput("two"))
	ids := func(q Query) []string {
		t.Helper()
		gs, total, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(gs))
		for i, g := range gs {
			out[i] = g.Slug
		}
		if total != len(gs) {
			t.Fatalf("%d groups of %d", len(gs), total)
		}
		return out
	}
	// hide takes one out of the index behind the versions' back, as an
	// instance running code from before them would: only a search run
	// again misses it.
	hide := func(g *Group) {
		t.Helper()
		for _, sort := range []Sort{SortNewest, SortMembers, SortSoonest} {
			if err := rdb.ZRem(ctx, s.idxSortKey(sort), g.ID).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	newest := Query{Words: "berlin"}
	if got := ids(newest); !slices.Equal(got, []string{"two", "one"}) {
		t.Fatalf("newest first: %v", got)
	}
	hide(two)
	if got := ids(newest); !slices.Equal(got, []string{"two", "one"}) {
		t.Fatalf("asked again with the index unchanged: %v, want the answer remembered", got)
	}
	three := mustCreate(t, s, owner, goodInput("three")) // moves the version
	if got := ids(newest); !slices.Equal(got, []string{"three", "one"}) {
		t.Fatalf("after a group was created: %v, want the index searched again", got)
	}

	// A member count moves the members order's version only.
	members := Query{Sort: SortMembers}
	mustJoin(t, s, three.ID, newUser())
	recount(t, s)
	if got := ids(members); !slices.Equal(got, []string{"three", "one"}) {
		t.Fatalf("by members: %v", got)
	}
	mustJoin(t, s, one.ID, newUser())
	mustJoin(t, s, one.ID, newUser())
	recount(t, s)
	if got := ids(members); !slices.Equal(got, []string{"one", "three"}) {
		t.Fatalf("by members after a join: %v, want one first", got)
	}
	hide(three)
	mustJoin(t, s, one.ID, newUser())
	if got := ids(newest); !slices.Equal(got, []string{"three", "one"}) {
		t.Fatalf("newest after joins: %v, want the answer remembered", got)
	}
	now = now.Add(searchFresh)
	if got := ids(newest); !slices.Equal(got, []string{"one"}) {
		t.Fatalf("a minute later: %v, want the index searched again", got)
	}

	// The soonest order holds until the next session starts.
	next := now.Add(10 * time.Second)
	if err := s.SetNextSession(ctx, one.ID, next); err != nil {
		t.Fatal(err)
	}
	soonest := Query{Sort: SortSoonest}
	if got := ids(soonest); !slices.Equal(got, []string{"one"}) {
		t.Fatalf("soonest: %v", got)
	}
	hide(one)
	if got := ids(soonest); !slices.Equal(got, []string{"one"}) {
		t.Fatalf("soonest before the session starts: %v, want the answer remembered", got)
	}
	now = next
	if got := ids(soonest); len(got) != 0 {
		t.Fatalf("soonest once the session started: %v, want the index searched again", got)
	}
}
