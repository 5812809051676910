package groups

import (
	"context"
	"reflect"
	"testing"

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
		search, read := s.QueueSearch(counted, p, q), s.QueueTopics(counted, p, 10)
		_, _ = p.Exec(counted) // each read reports its own errors
		gids, total, err := search()
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Visible(counted, gids)
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
