package clustertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/speculate"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// Reads guessed with a page's first round trip go to the masters of their
// own slots and give each later read the reply it would have had: one
// round trip from the client's side, on a cluster too (the hook sees the
// cluster client's whole pipeline).
func TestSpeculatedReadsOnCluster(t *testing.T) {
	t.Parallel()
	rdb, pfx := testenv.Cluster(t)
	rdb.AddHook(speculate.Hook{})
	rdb.AddHook(roundtrips.Hook{})
	ctx := context.Background()
	var keys []string
	masters := map[string]bool{}
	for i := 0; len(masters) < 3 || len(keys) < 6; i++ {
		if i == 60 {
			t.Fatalf("60 keys on fewer than three masters")
		}
		k := fmt.Sprintf("%sspec:{%d}", pfx, i)
		node, err := rdb.(*redis.ClusterClient).MasterForKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		masters[node.Options().Addr] = true
		keys = append(keys, k)
		if err := rdb.HSet(ctx, k, "name", "record "+k).Err(); err != nil {
			t.Fatal(err)
		}
		if err := rdb.ZAdd(ctx, k+":going", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	mem := speculate.NewMemory(10, 1000)
	view := func() ([]string, [][]string, int, error) {
		ctx, counter := roundtrips.With(ctx)
		later := mem.View("page", "viewer")
		ctx = speculate.With(ctx, later)
		first := rdb.Pipeline()
		first.Ping(ctx)
		if _, err := first.Exec(ctx); err != nil {
			return nil, nil, 0, err
		}
		second := rdb.Pipeline()
		var names []*redis.StringCmd
		var going []*redis.StringSliceCmd
		for _, k := range keys {
			names = append(names, second.HGet(ctx, k, "name"))
			going = append(going, second.ZRange(ctx, k+":going", 0, -1))
		}
		missing := second.HGet(ctx, keys[0], "none")
		if _, err := second.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, nil, 0, err
		}
		later.Remember()
		if !errors.Is(missing.Err(), redis.Nil) {
			return nil, nil, 0, fmt.Errorf("a missing field read %v", missing.Err())
		}
		var ns []string
		var gs [][]string
		for i := range keys {
			ns = append(ns, names[i].Val())
			gs = append(gs, going[i].Val())
		}
		return ns, gs, counter.Count(), nil
	}
	for i, wantTrips := range []int{2, 1, 1} {
		names, going, trips, err := view()
		if err != nil {
			t.Fatalf("view %d: %v", i+1, err)
		}
		if trips != wantTrips {
			t.Errorf("view %d: %d round trips, want %d", i+1, trips, wantTrips)
		}
		for j, k := range keys {
			if names[j] != "record "+k || !slices.Equal(going[j], []string{"a", "b"}) {
				t.Fatalf("view %d read %q and %v for %s", i+1, names[j], going[j], k)
			}
		}
	}
}
