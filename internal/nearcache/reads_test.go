package nearcache

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
)

// readAll is a request that reads the name and the count of f.key (both
// ways, plain and typed) and returns its context and what it read.
func (f *fixture) readAll(t *testing.T) (context.Context, Reads, bool) {
	t.Helper()
	ctx, _ := f.request()
	p := f.rdb.Pipeline()
	plain := p.HGet(ctx, f.key, "name")
	typed := HGet(ctx, p, f.key+":n", "count")
	_, _ = p.Exec(ctx)
	if err := plain.Err(); err != nil {
		t.Fatal(err)
	}
	if err := typed.Err(); err != nil {
		t.Fatal(err)
	}
	r, ok := ReadsOf(ctx)
	return ctx, r, ok
}

// A request can tell that nothing another read since changed, and that
// something did: a change to any key read, by anyone, a key dropped, a
// lost connection. The first read, from Redis, counts as much as a
// repeat from memory.
func TestReadsTellWhetherWhatAnotherRequestReadChanged(t *testing.T) {
	f := ownFixture(t)
	ctx := context.Background()
	count := f.key + ":n"
	if err := f.other.HSet(ctx, count, "count", "1").Err(); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	_, first, ok := f.readAll(t) // the count from Redis, kept
	if !ok {
		t.Fatal("a request that read only tracked keys has no reads to follow")
	}
	later, _ := f.request()
	if !Unchanged(later, first) {
		t.Fatal("nothing changed, yet the reads say something did")
	}
	_, again, ok := f.readAll(t) // both from memory now
	if !ok || !Unchanged(f.fresh(), again) || !Unchanged(f.fresh(), first) {
		t.Fatal("reads answered from memory do not follow the same state")
	}

	if err := f.other.HSet(ctx, count, "count", "2").Err(); err != nil {
		t.Fatal(err)
	}
	if Unchanged(f.fresh(), first) || Unchanged(f.fresh(), again) {
		t.Fatal("the count changed before the request began, and it was not told")
	}
	_, third, ok := f.readAll(t)
	if !ok || !Unchanged(f.fresh(), third) {
		t.Fatal("a read after the change does not follow the new state")
	}

	// A key dropped for room counts as a change until it is read again.
	s, _ := f.cache.locate(count)
	s.mu.Lock()
	clear(s.keys)
	s.mu.Unlock()
	if Unchanged(f.fresh(), third) {
		t.Fatal("a key dropped for room passed for unchanged")
	}
	_, fourth, _ := f.readAll(t)
	if !Unchanged(f.fresh(), fourth) {
		t.Fatal("read again, nothing changed, yet the reads say something did")
	}

	// All dropped (a lost connection, whose changes went unheard): what
	// is read again afterwards is another state, though no change was
	// heard in between.
	f.cache.dropAll()
	_, fifth, _ := f.readAll(t)
	if Unchanged(f.fresh(), fourth) || !Unchanged(f.fresh(), fifth) {
		t.Fatal("reads from before all was dropped passed for unchanged, or those after it did not")
	}
	f.cache.dropAll()
	_, _, _ = f.readAll(t)
	if Unchanged(f.fresh(), fifth) {
		t.Fatal("reads from before all was dropped passed for unchanged")
	}
}

// fresh is a new request's context.
func (f *fixture) fresh() context.Context {
	ctx, _ := f.request()
	return ctx
}

// A request whose reads the cache cannot follow has none to give: an
// untracked key, a script, a read after a write, a reply not kept.
func TestReadsThatCannotBeFollowedGiveNone(t *testing.T) {
	f := sharedFixture(t)
	f.keepName(t, "Go")
	cases := map[string]func(ctx context.Context){
		"an untracked key": func(ctx context.Context) { f.rdb.Get(ctx, "untracked:{1}") },
		"a script":         func(ctx context.Context) { f.rdb.Eval(ctx, "return 1", nil) },
		"a write":          func(ctx context.Context) { f.rdb.HSet(ctx, f.key, "other", "x") },
		"a reply not kept": func(ctx context.Context) { f.rdb.Get(ctx, f.key) }, // the wrong type: an error
	}
	for name, read := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, _ := f.request()
			f.hgetIn(t, ctx)
			if _, ok := ReadsOf(ctx); !ok {
				t.Fatal("a request of tracked reads alone gives none")
			}
			read(ctx)
			f.hgetIn(t, ctx)
			if r, ok := ReadsOf(ctx); ok {
				t.Fatalf("after %s, the request still gives reads (%d keys)", name, len(r.deps))
			}
		})
	}
	if _, ok := ReadsOf(context.Background()); ok {
		t.Fatal("no request, yet reads")
	}
}

// hgetIn reads the name of f.key in ctx's request.
func (f *fixture) hgetIn(t *testing.T, ctx context.Context) {
	t.Helper()
	p := f.rdb.Pipeline()
	r := HGet(ctx, p, f.key, "name")
	_, _ = p.Exec(ctx)
	if v, err := r.Result(); err != nil || v != "Go" {
		t.Fatalf("the name: %q, %v", v, err)
	}
}

// A reply of several keys is followed through each of them.
func TestReadsOfSeveralKeysFollowEach(t *testing.T) {
	f := sharedFixture(t)
	ctx := context.Background()
	second := f.key + ":second"
	if err := f.other.ZAdd(ctx, f.key, redis.Z{Score: 1, Member: "a"}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := f.other.ZAdd(ctx, second, redis.Z{Score: 1, Member: "a"}).Err(); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	read := func() Reads {
		ctx, _ := f.request()
		if err := f.rdb.ZInter(ctx, &redis.ZStore{Keys: []string{f.key, second}}).Err(); err != nil {
			t.Fatal(err)
		}
		r, ok := ReadsOf(ctx)
		if !ok {
			t.Fatal("a read of two tracked keys gives no reads")
		}
		return r
	}
	read()
	r := read() // from memory
	if !Unchanged(f.fresh(), r) {
		t.Fatal("nothing changed, yet the reads say something did")
	}
	if err := f.other.ZAdd(ctx, second, redis.Z{Score: 2, Member: "b"}).Err(); err != nil {
		t.Fatal(err)
	}
	if Unchanged(f.fresh(), r) {
		t.Fatal("the second key changed, and the reads did not tell")
	}
}
