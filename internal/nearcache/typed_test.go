package nearcache

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

// typedReads reads, as one request's first batch (or, when write is set,
// after a read that syncs it with the cache and a write), the same things
// as the typed reads and as plain commands, and returns what each gave
// and how many commands the typed reads queued.
func (f *fixture) typedReads(t *testing.T, write bool) (typed, plain []any, queued int) {
	t.Helper()
	ctx, _ := f.request()
	k, z, s, l := f.key, f.key+":z", f.key+":s", f.key+":l"
	all, first := &redis.ZRangeBy{Min: "-inf", Max: "+inf"}, &redis.ZRangeBy{Min: "(1", Max: "+inf", Count: 1}
	if write {
		if err := f.rdb.Exists(ctx, k).Err(); err != nil { // syncs the request first
			t.Fatal(err)
		}
		if err := f.rdb.HSet(ctx, f.key+":w", "x", "1").Err(); err != nil {
			t.Fatal(err)
		}
	}
	p := f.rdb.Pipeline()
	reads := []interface{ Err() error }{
		HGet(ctx, p, k, "name"), HGet(ctx, p, k, "none"), ZCard(ctx, p, z),
		ZRank(ctx, p, z, "b"), ZRank(ctx, p, z, "none"), ZScore(ctx, p, z, "b"), ZScore(ctx, p, z, "none"),
		SIsMember(ctx, p, s, "a"), SIsMember(ctx, p, s, "none"), HMGet(ctx, p, k, "name", "none"),
		ZRangeByScore(ctx, p, z, all), ZRangeByScore(ctx, p, z, first),
		ZRevRangeByScore(ctx, p, z, all), ZRangeByScoreWithScores(ctx, p, z, first),
		Get(ctx, p, f.key+":str"), HGetAll(ctx, p, k), HExists(ctx, p, k, "name"), HExists(ctx, p, k, "none"), HLen(ctx, p, k),
		SMembers(ctx, p, s), ZRange(ctx, p, z, 0, -1), ZRevRange(ctx, p, z, 0, 0), LRange(ctx, p, l, 0, -1),
		ZRangeWithScores(ctx, p, z, 0, -1), ZRevRangeWithScores(ctx, p, z, 0, 0),
	}
	queued = p.Len()
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		t.Fatal(err)
	}
	for _, r := range reads {
		switch r := r.(type) {
		case Reply[string]:
			typed = append(typed, r.Val(), r.Err())
		case Reply[int64]:
			typed = append(typed, r.Val(), r.Err())
		case Reply[float64]:
			typed = append(typed, r.Val(), r.Err())
		case Reply[bool]:
			typed = append(typed, r.Val(), r.Err())
		case Reply[[]any]:
			typed = append(typed, fmt.Sprint(r.Val()), r.Err())
			r.Val()[0] = "changed by the caller" // not in what the cache keeps
		case Reply[[]string]:
			typed = append(typed, fmt.Sprint(r.Val()), r.Err())
			r.Val()[0] = "changed by the caller"
		case Reply[map[string]string]:
			typed = append(typed, fmt.Sprint(r.Val()), r.Err())
			r.Val()["name"] = "changed by the caller"
		case *redis.StringSliceCmd:
			typed = append(typed, fmt.Sprint(r.Val()), r.Err())
			r.Val()[0] = "changed by the caller"
		case *redis.ZSliceCmd:
			typed = append(typed, fmt.Sprint(r.Val()), r.Err())
			r.Val()[0].Member = "changed by the caller"
		}
	}
	bg := context.Background()
	var o redis.Cmdable = f.other // the commands the stores queue on pipelines
	for _, c := range []interface {
		Err() error
	}{o.HGet(bg, k, "name"), o.HGet(bg, k, "none"), o.ZCard(bg, z),
		o.ZRank(bg, z, "b"), o.ZRank(bg, z, "none"), o.ZScore(bg, z, "b"), o.ZScore(bg, z, "none"),
		o.SIsMember(bg, s, "a"), o.SIsMember(bg, s, "none"), o.HMGet(bg, k, "name", "none"),
		o.ZRangeByScore(bg, z, all), o.ZRangeByScore(bg, z, first),
		o.ZRevRangeByScore(bg, z, all), o.ZRangeByScoreWithScores(bg, z, first),
		o.Get(bg, f.key+":str"), o.HGetAll(bg, k), o.HExists(bg, k, "name"), o.HExists(bg, k, "none"), o.HLen(bg, k),
		o.SMembers(bg, s), o.ZRange(bg, z, 0, -1), o.ZRevRange(bg, z, 0, 0), o.LRange(bg, l, 0, -1),
		o.ZRangeWithScores(bg, z, 0, -1), o.ZRevRangeWithScores(bg, z, 0, 0)} {
		switch c := c.(type) {
		case *redis.StringCmd:
			plain = append(plain, c.Val(), c.Err())
		case *redis.IntCmd:
			plain = append(plain, c.Val(), c.Err())
		case *redis.FloatCmd:
			plain = append(plain, c.Val(), c.Err())
		case *redis.BoolCmd:
			plain = append(plain, c.Val(), c.Err())
		case *redis.SliceCmd, *redis.StringSliceCmd, *redis.ZSliceCmd, *redis.MapStringStringCmd:
			plain = append(plain, valOf(c), c.Err())
		}
	}
	return typed, plain, queued
}

// The typed reads give what the commands give, nil replies included:
// from Redis while the cache does not hold the replies, from memory
// (queueing nothing) once it does, and from Redis again after a change
// to their key or once the request wrote.
func TestTypedReadsSkipTheCommandOnlyWhenMemoryMayAnswer(t *testing.T) {
	f := sharedFixture(t)
	ctx := context.Background()
	set := func(name string) {
		t.Helper()
		if _, err := f.other.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, f.key, "name", name)
			p.ZAdd(ctx, f.key+":z", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2.5, Member: "b"})
			p.SAdd(ctx, f.key+":s", "a")
			p.Del(ctx, f.key+":l")
			p.RPush(ctx, f.key+":l", "x", "y")
			p.Set(ctx, f.key+":str", name, 0)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		f.settle(t)
	}
	check := func(when string, write bool, wantQueued int) {
		t.Helper()
		served := f.cache.served.Load()
		typed, plain, queued := f.typedReads(t, write)
		if got, want := fmt.Sprint(typed...), fmt.Sprint(plain...); got != want {
			t.Errorf("%s: the typed reads gave %s, the commands %s", when, got, want)
		}
		if queued != wantQueued {
			t.Errorf("%s: %d commands queued, want %d", when, queued, wantQueued)
		}
		if got := f.cache.served.Load() - served; wantQueued == 0 && got < 25 {
			t.Errorf("%s: %d replies counted as from memory, want the 25 reads among them", when, got)
		}
	}
	set("Go")
	check("first", false, 25)
	check("repeat", false, 0)
	check("in a request that wrote first", true, 25)
	set("Rust") // changes the hash, the string and the list (written anew); the sets hold what they held
	check("after a change to the hash, the string and the list", false, 9)
	check("repeat after the change", false, 0)
	check("repeat after a caller changed a reply", false, 0)

	// A read queued after a write on the same pipeline is answered by
	// Redis, after the write, without waiting for the request's PING.
	wctx, n := f.request()
	p := f.rdb.Pipeline()
	p.HSet(wctx, f.key, "name", "Zig")
	r := HGet(wctx, p, f.key, "name")
	if p.Len() != 2 {
		t.Errorf("a read after a queued write: %d commands queued, want 2", p.Len())
	}
	if _, err := p.Exec(wctx); err != nil || r.Val() != "Zig" || n.Count() != 1 {
		t.Errorf("a read after a queued write: %q (%v) in %d round trips, want Zig in 1", r.Val(), err, n.Count())
	}
	f.settle(t)

	// Outside a request's scope, or in one no cache answers, the typed
	// reads queue their commands.
	for name, c := range map[string]context.Context{"no scope": ctx, "a scope no cache answers": (*Cache)(nil).Scope(ctx)} {
		p := f.rdb.Pipeline()
		r := HGet(c, p, f.key, "name")
		if p.Len() != 1 {
			t.Errorf("%s: %d commands queued, want 1", name, p.Len())
		}
		if _, err := p.Exec(c); err != nil || r.Val() != "Zig" {
			t.Errorf("%s: %q (%v), want Zig", name, r.Val(), err)
		}
	}
}

// valOf is the value of a slice command, as the typed reads are recorded.
func valOf(c interface{ Err() error }) string {
	switch c := c.(type) {
	case *redis.SliceCmd:
		return fmt.Sprint(c.Val())
	case *redis.StringSliceCmd:
		return fmt.Sprint(c.Val())
	case *redis.ZSliceCmd:
		return fmt.Sprint(c.Val())
	case *redis.MapStringStringCmd:
		return fmt.Sprint(c.Val())
	}
	return ""
}

// A missing key is remembered as such (a nil reply), except in the
// families named in NoNil, whose keys anyone may make up.
func TestMissingKeysAreKeptOutsideTheNoNilFamilies(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	f := newFixture(t, rdb.(*redis.Client), prefix, func(c *Cache) { c.NoNil = []string{prefix + "k:{made-up"} })
	for _, tc := range []struct {
		key       string
		wantTrips int
	}{{prefix + "k:{missing}", 0}, {prefix + "k:{made-up-1}", 1}} {
		for view := range 2 {
			ctx, n := f.request()
			p := f.rdb.Pipeline()
			r := Get(ctx, p, tc.key)
			if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
				t.Fatal(err)
			}
			if !errors.Is(r.Err(), redis.Nil) {
				t.Fatalf("%s: %v, want a nil reply", tc.key, r.Err())
			}
			if view == 1 && n.Count() != tc.wantTrips {
				t.Errorf("%s read again: %d round trips, want %d", tc.key, n.Count(), tc.wantTrips)
			}
			// A miss not kept cannot be followed (see ReadsOf).
			if _, ok := ReadsOf(ctx); ok != (tc.wantTrips == 0) {
				t.Errorf("%s: the request gives reads %v, want %v", tc.key, ok, tc.wantTrips == 0)
			}
		}
	}
}

// A Reply says whether a read made it: from Redis or from memory it
// was, and a zero Reply (a read never queued) is an error, not an empty
// answer.
func TestRepliesTellWhetherAReadMadeThem(t *testing.T) {
	f := sharedFixture(t)
	f.keepName(t, "Go")
	var none Reply[string]
	if none.Read() || none.Err() == nil {
		t.Errorf("a zero Reply: read %v, error %v; want not read, and an error", none.Read(), none.Err())
	}
	for _, from := range []string{"memory", "redis"} {
		ctx, _ := f.request()
		if from == "redis" {
			ctx = context.Background() // outside a scope: Redis answers
		}
		p := f.rdb.Pipeline()
		r := HGet(ctx, p, f.key, "name")
		if queued := p.Len() == 1; queued != (from == "redis") {
			t.Fatalf("from %s: queued %v", from, queued)
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if !r.Read() || r.Val() != "Go" || r.Err() != nil {
			t.Errorf("from %s: read %v, %q, %v; want read, Go, no error", from, r.Read(), r.Val(), r.Err())
		}
	}
}
