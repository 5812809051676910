package nearcache

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// fixture is a client with the cache's hook and the round-trip counter,
// as the server has them, a second client that stands for another
// instance (or a worker) writing, and the cache, tracking.
type fixture struct {
	rdb, other *redis.Client
	cache      *Cache
	key        string // a key of the cached family
	typed      bool   // hget reads through HGet of typed.go
}

func newFixture(t *testing.T, rdb *redis.Client, prefix string, setup func(*Cache), hooks ...redis.Hook) *fixture {
	t.Helper()
	c := New(rdb, []string{prefix + "k:"})
	if setup != nil {
		setup(c)
	}
	rdb.AddHook(c.Hook())
	rdb.AddHook(roundtrips.Hook{})
	for _, h := range hooks {
		rdb.AddHook(h)
	}
	t.Cleanup(c.Start())
	<-c.Tracking()
	other := redis.NewClient(&redis.Options{Addr: rdb.Options().Addr, DB: rdb.Options().DB})
	t.Cleanup(func() { _ = other.Close() })
	return &fixture{rdb: rdb, other: other, cache: c, key: prefix + "k:{1}"}
}

func sharedFixture(t *testing.T, hooks ...redis.Hook) *fixture {
	rdb, prefix := testenv.Redis(t)
	return newFixture(t, rdb.(*redis.Client), prefix, nil, hooks...)
}

// settle waits until the cache has heard every change finished before:
// a reply read while a change's invalidation is on its way is not kept,
// so a test that counts what is kept lets them arrive first.
func (f *fixture) settle(t *testing.T) {
	t.Helper()
	if err := f.cache.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// keepName has another client set the key's name, and reads it once
// the cache has heard of that, so the reply is kept.
func (f *fixture) keepName(t *testing.T, name string) {
	t.Helper()
	if err := f.other.HSet(context.Background(), f.key, "name", name).Err(); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	f.hget(t, f.key, "name")
}

// request is a new request's context and its round-trip counter.
func (f *fixture) request() (context.Context, *roundtrips.Counter) {
	ctx, n := roundtrips.With(context.Background())
	return f.cache.Scope(ctx), n
}

// queueHGet queues the read of field of key on p, through HGet of
// typed.go when f.typed.
func (f *fixture) queueHGet(ctx context.Context, p redis.Pipeliner, key, field string) interface{ Result() (string, error) } {
	if f.typed {
		return HGet(ctx, p, key, field)
	}
	return p.HGet(ctx, key, field)
}

// bothReads runs test with plain reads and with typed ones.
func bothReads(t *testing.T, test func(t *testing.T, typed bool)) {
	for _, typed := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "typed"}[typed], func(t *testing.T) { test(t, typed) })
	}
}

// hget reads field of key as a new request, through a pipeline as pages
// do, and returns the reply and the round trips it took.
func (f *fixture) hget(t *testing.T, key, field string) (string, int, error) {
	t.Helper()
	ctx, n := f.request()
	p := f.rdb.Pipeline()
	get := f.queueHGet(ctx, p, key, field)
	_, _ = p.Exec(ctx)
	v, err := get.Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Fatal(err)
	}
	return v, n.Count(), err
}

func TestAReadIsAnsweredFromMemoryUntilItsKeyChanges(t *testing.T) {
	bothReads(t, testAReadIsAnsweredFromMemoryUntilItsKeyChanges)
}

func testAReadIsAnsweredFromMemoryUntilItsKeyChanges(t *testing.T, typed bool) {
	f := sharedFixture(t)
	f.typed = typed
	ctx := context.Background()
	if err := f.other.HSet(ctx, f.key, "name", "Go").Err(); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if v, trips, _ := f.hget(t, f.key, "name"); v != "Go" || trips != 1 {
		t.Fatalf("first read: %q in %d round trips, want Go in 1", v, trips)
	}
	if v, trips, _ := f.hget(t, f.key, "name"); v != "Go" || trips != 0 {
		t.Fatalf("second read: %q in %d round trips, want Go from memory", v, trips)
	}
	// Another client's change, finished before the next request begins,
	// is what that request reads: no wait, no retry.
	if err := f.other.HSet(ctx, f.key, "name", "Rust").Err(); err != nil {
		t.Fatal(err)
	}
	if v, trips, _ := f.hget(t, f.key, "name"); v != "Rust" || trips != 1 {
		t.Fatalf("read after a change: %q in %d round trips, want Rust from Redis", v, trips)
	}
	f.hget(t, f.key, "name") // kept only if the change's invalidation came first
	if v, trips, _ := f.hget(t, f.key, "name"); v != "Rust" || trips != 0 {
		t.Fatalf("read after that: %q in %d round trips, want Rust from memory", v, trips)
	}
}

func TestNothingIsKeptOfWhatFoundNothingOnceItExists(t *testing.T) {
	f := sharedFixture(t)
	for range 2 {
		if _, _, err := f.hget(t, f.key, "name"); !errors.Is(err, redis.Nil) {
			t.Fatalf("a missing field: %v, want redis.Nil", err)
		}
	}
	if _, trips, _ := f.hget(t, f.key, "name"); trips != 0 {
		t.Fatalf("a missing field again: %d round trips, want its nil from memory", trips)
	}
	if err := f.other.HSet(context.Background(), f.key, "name", "Go").Err(); err != nil {
		t.Fatal(err)
	}
	if v, _, err := f.hget(t, f.key, "name"); v != "Go" || err != nil {
		t.Fatalf("once set: %q, %v", v, err)
	}
}

// TestALoneCommandsNilAndErrorsAreNotKeptAsValues: outside a pipeline,
// go-redis sets a command's error after the hooks ran; a missing key read
// alone must come back missing, and an error reply must not be kept.
func TestALoneCommandsNilAndErrorsAreNotKeptAsValues(t *testing.T) {
	f := sharedFixture(t)
	for i := range 3 {
		ctx, _ := f.request()
		if v, err := f.rdb.Get(ctx, f.key).Result(); !errors.Is(err, redis.Nil) {
			t.Fatalf("GET of a missing key, read %d: %q, %v; want redis.Nil", i, v, err)
		}
	}
	if err := f.other.RPush(context.Background(), f.key, "a").Err(); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	for i := range 3 {
		ctx, _ := f.request()
		if v, err := f.rdb.Get(ctx, f.key).Result(); err == nil || errors.Is(err, redis.Nil) {
			t.Fatalf("GET of a list, read %d: %q, %v; want WRONGTYPE", i, v, err)
		}
	}
}

func TestOnlyAScopesReadsOfTrackedKeysAreKept(t *testing.T) {
	f := sharedFixture(t)
	ctx := context.Background()
	untracked := f.key[:len(f.key)-len("k:{1}")] + "other:{1}"
	for _, k := range []string{f.key, untracked} {
		if err := f.other.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	f.settle(t)
	get := func(ctx context.Context, key string) {
		if v, err := f.rdb.Get(ctx, key).Result(); v != "v" || err != nil {
			t.Fatalf("GET %s: %q, %v", key, v, err)
		}
	}
	for range 2 {
		ctx, n := f.request()
		get(ctx, untracked)
		if n.Count() != 1 {
			t.Fatalf("a key of no tracked family: %d round trips, want 1 each time", n.Count())
		}
	}
	for range 2 {
		ctx, n := roundtrips.With(context.Background()) // a worker's read: no request
		get(ctx, f.key)
		if n.Count() != 1 {
			t.Fatalf("a read outside a request: %d round trips, want 1 each time", n.Count())
		}
	}
	ctx1, n := f.request()
	get(ctx1, f.key)
	get(ctx1, f.key)
	if n.Count() != 1 {
		t.Fatalf("a tracked key read twice in a request: %d round trips, want 1", n.Count())
	}
	// Once a request may have written, it reads from Redis: it may read
	// what it wrote, before its invalidation is heard.
	if err := f.rdb.Set(ctx1, f.key, "w", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v := f.rdb.Get(ctx1, f.key).Val(); v != "w" || n.Count() != 3 {
		t.Fatalf("after the request's write: %q in %d round trips, want w from Redis", v, n.Count())
	}
}

func TestRepliesAreCopiesTheCallerMayChange(t *testing.T) {
	f := sharedFixture(t)
	ctx := context.Background()
	if err := f.other.RPush(ctx, f.key, "a", "b").Err(); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	for i := range 3 {
		ctx, n := f.request()
		got, err := f.rdb.LRange(ctx, f.key, 0, -1).Result()
		if err != nil || len(got) != 2 || got[0] != "a" {
			t.Fatalf("read %d: %v, %v", i, got, err)
		}
		if i > 0 && n.Count() != 0 {
			t.Fatalf("read %d: %d round trips, want it from memory", i, n.Count())
		}
		got[0] = "changed by the page"
	}
}

// TestAReplyOlderThanAHeardChangeIsNotKept: a read whose reply comes back
// after Redis already said its key changed may hold the old value, and
// must not be kept.
func TestAReplyOlderThanAHeardChangeIsNotKept(t *testing.T) {
	var f *fixture
	var once sync.Once
	changeAfterRead := hookFunc(func(ctx context.Context, cmds []redis.Cmder, next redis.ProcessPipelineHook) error {
		err := next(ctx, cmds) // the reply (the old name) is read...
		if roundtrips.Handshake(cmds[0]) {
			return err // the connection's opening
		}
		once.Do(func() {
			// ...then the name changes, and the cache hears of it
			// before the reply reaches it.
			if err := f.other.HSet(context.Background(), f.key, "name", "new").Err(); err != nil {
				t.Error(err)
			}
			if err := f.cache.Sync(context.Background()); err != nil {
				t.Error(err)
			}
		})
		return err
	})
	f = sharedFixture(t, changeAfterRead)
	if err := f.other.HSet(context.Background(), f.key, "name", "old").Err(); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := f.hget(t, f.key, "name"); v != "old" {
		t.Fatalf("first read: %q", v)
	}
	if v, trips, _ := f.hget(t, f.key, "name"); v != "new" || trips != 1 {
		t.Fatalf("next read: %q in %d round trips, want new from Redis (the old reply was not kept)", v, trips)
	}
}

type hookFunc func(ctx context.Context, cmds []redis.Cmder, next redis.ProcessPipelineHook) error

func (hookFunc) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (hookFunc) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h hookFunc) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { return h(ctx, cmds, next) }
}

// TestEveryRequestReadsWhatWasWrittenBeforeItBegan: writers change a
// counter while many requests read it at once; each must read at least
// the value the last write finished before it began had set.
func TestEveryRequestReadsWhatWasWrittenBeforeItBegan(t *testing.T) {
	f := sharedFixture(t)
	ctx := context.Background()
	var written atomic.Int64
	if err := f.other.Set(ctx, f.key, 0, 0).Err(); err != nil {
		t.Fatal(err)
	}
	const writes, readers = 300, 16
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := int64(1); i <= writes; i++ {
			if err := f.other.Set(ctx, f.key, i, 0).Err(); err != nil {
				t.Error(err)
				return
			}
			written.Store(i)
		}
	})
	var served atomic.Int64
	for range readers {
		wg.Go(func() {
			for written.Load() < writes {
				before := written.Load()
				rctx, n := f.request()
				p := f.rdb.Pipeline()
				get := p.Get(rctx, f.key)
				_, _ = p.Exec(rctx)
				got, err := strconv.ParseInt(get.Val(), 10, 64)
				if err != nil || got < before {
					t.Errorf("a request that began after write %d read %q (%v)", before, get.Val(), err)
					return
				}
				if n.Count() == 0 {
					served.Add(1)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d reads answered from memory", served.Load())
}

// ownFixture is a fixture on a Redis of the test's own (one it may
// disturb), whose cache holds the name "old".
func ownFixture(t *testing.T) *fixture {
	own := testenv.StartOwnRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: own.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	f := newFixture(t, rdb, "fg:", nil)
	f.keepName(t, "old")
	if _, trips, _ := f.hget(t, f.key, "name"); trips != 0 {
		t.Fatalf("the name read again: %d round trips, want it from memory", trips)
	}
	return f
}

func TestALostTrackingConnectionServesNothingOld(t *testing.T) {
	bothReads(t, testALostTrackingConnectionServesNothingOld)
}

func testALostTrackingConnectionServesNothingOld(t *testing.T, typed bool) {
	f := ownFixture(t)
	f.typed = typed
	ctx := context.Background()
	// The tracking connection goes; a change made now is heard by nobody.
	if err := f.other.ClientKillByFilter(ctx, "TYPE", "pubsub").Err(); err != nil {
		t.Fatal(err)
	}
	if err := f.other.HSet(ctx, f.key, "name", "new").Err(); err != nil {
		t.Fatal(err)
	}
	// Whether the cache has noticed yet or not, or is tracking again,
	// nothing kept from before is served.
	if v, _, _ := f.hget(t, f.key, "name"); v != "new" {
		t.Fatalf("after the loss: %q, want new", v)
	}
	<-f.cache.Tracking()
	if v, _, _ := f.hget(t, f.key, "name"); v != "new" {
		t.Fatalf("tracking again: %q, want new", v)
	}
}

func TestAFlushedDatabaseServesNothingOld(t *testing.T) {
	bothReads(t, testAFlushedDatabaseServesNothingOld)
}

func testAFlushedDatabaseServesNothingOld(t *testing.T, typed bool) {
	f := ownFixture(t)
	f.typed = typed
	ctx := context.Background()
	if err := f.other.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hget(t, f.key, "name"); !errors.Is(err, redis.Nil) {
		t.Fatalf("after FLUSHDB: %v, want nothing found", err)
	}
}

// TestAReadOfSeveralKeysIsDroppedWhenAnyOfThemChanges: an intersection is
// kept under its first key and must not outlive a change to another.
func TestAReadOfSeveralKeysIsDroppedWhenAnyOfThemChanges(t *testing.T) {
	f := sharedFixture(t)
	ctx := context.Background()
	second := f.key + ":second"
	if err := f.other.ZAdd(ctx, f.key, redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := f.other.SAdd(ctx, second, "a").Err(); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	inter := func() ([]string, int) {
		ctx, n := f.request()
		got, err := f.rdb.ZInter(ctx, &redis.ZStore{Keys: []string{f.key, second}, Weights: []float64{1, 0}}).Result()
		if err != nil {
			t.Fatal(err)
		}
		return got, n.Count()
	}
	inter()
	if got, trips := inter(); len(got) != 1 || trips != 0 {
		t.Fatalf("the intersection again: %v in %d round trips, want [a] from memory", got, trips)
	}
	if err := f.other.SAdd(ctx, second, "b").Err(); err != nil {
		t.Fatal(err)
	}
	if got, trips := inter(); len(got) != 2 || trips != 1 {
		t.Fatalf("after the second key changed: %v in %d round trips, want [a b] from Redis", got, trips)
	}
	if got, trips := inter(); len(got) != 2 || trips != 0 {
		t.Fatalf("once more: %v in %d round trips, want [a b] from memory (what was read again is kept)", got, trips)
	}
}

// TestARedisThatRefusesTrackingIsReadAsWithout: where CLIENT TRACKING is
// not allowed (an ACL here, a managed service elsewhere), nothing is kept
// and every read goes to Redis.
func TestARedisThatRefusesTrackingIsReadAsWithout(t *testing.T) {
	own := testenv.StartOwnRedis(t)
	admin := redis.NewClient(&redis.Options{Addr: own.Addr})
	t.Cleanup(func() { _ = admin.Close() })
	ctx := context.Background()
	if err := admin.Do(ctx, "ACL", "SETUSER", "app", "on", ">secret", "~*", "&*", "+@all", "-client").Err(); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: own.Addr, Username: "app", Password: "secret"})
	c := New(rdb, []string{"fg:k:"})
	refused := make(chan string, 1)
	c.Logger = slog.New(slog.NewTextHandler(lineFunc(func(line string) {
		select {
		case refused <- line:
		default:
		}
	}), nil))
	rdb.AddHook(c.Hook())
	rdb.AddHook(roundtrips.Hook{})
	t.Cleanup(func() { _ = rdb.Close() })
	t.Cleanup(c.Start())
	if line := <-refused; !strings.Contains(line, "NOPERM") {
		t.Fatalf("the refusal logged: %s", line)
	}
	if err := admin.Set(ctx, "fg:k:{1}", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	f := &fixture{rdb: rdb, cache: c}
	for i := range 3 {
		rctx, n := f.request()
		if v, err := rdb.Get(rctx, "fg:k:{1}").Result(); v != "v" || err != nil || n.Count() != 1 {
			t.Fatalf("read %d: %q, %v in %d round trips; want v from Redis", i, v, err, n.Count())
		}
	}
	select {
	case <-c.Tracking():
		t.Fatal("tracking is on although Redis refuses CLIENT")
	default:
	}
}

// lineFunc is an io.Writer that hands each write (a log line) to f.
type lineFunc func(string)

func (f lineFunc) Write(p []byte) (int, error) {
	f(string(p))
	return len(p), nil
}

// gate holds back the reads of the connections it was given to while
// it is shut.
type gate struct {
	mu   sync.Mutex
	open chan struct{} // closed while the gate is open
}

func newGate() *gate {
	g := &gate{open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gate) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = make(chan struct{})
}

func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.open)
}

func (g *gate) opened() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open
}

// stallConn is a connection whose reads a gate can hold back, as a
// network path that stops delivering: what arrives while the gate is
// shut (even for a read begun before) is handed on once it opens.
type stallConn struct {
	net.Conn
	gate *gate
}

func (c *stallConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	<-c.gate.opened()
	return n, err
}

// A tracking connection that stops answering (a stalled network path, or
// a listener behind a burst of invalidations) holds a request up for
// syncWithin at most: the request reads from Redis, and sees the latest
// write, while the cache goes on tracking; once the connection answers
// again, reads are kept and served as before.
func TestAStalledTrackingConnectionHoldsNoRequestUp(t *testing.T) {
	bothReads(t, testAStalledTrackingConnectionHoldsNoRequestUp)
}

func testAStalledTrackingConnectionHoldsNoRequestUp(t *testing.T, typed bool) {
	g := newGate()
	rdb, prefix := testenv.Redis(t)
	f := newFixture(t, rdb.(*redis.Client), prefix, func(c *Cache) {
		c.answerWithin = time.Hour            // the stall is not taken for a loss here
		c.syncWithin = 500 * time.Millisecond // far below the request's deadline, far above a PONG's time
		c.opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
			cn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &stallConn{Conn: cn, gate: g}, nil
		}
	})
	f.typed = typed
	shut := false
	t.Cleanup(func() { // before the cache stops (cleanups run last first): a shut gate holds its reads
		if shut {
			g.release()
		}
	})
	ctx := context.Background()
	f.keepName(t, "old")
	g.shut()
	shut = true
	if err := f.other.HSet(ctx, f.key, "name", "new").Err(); err != nil {
		t.Fatal(err)
	}
	// The request's deadline is long past syncWithin: without the bound
	// it would wait for the PONG until the deadline and fail.
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rctx, n := roundtrips.With(rctx)
	rctx = f.cache.Scope(rctx)
	p := f.rdb.Pipeline()
	get := f.queueHGet(rctx, p, f.key, "name")
	f.queueHGet(rctx, p, f.key, "other") // a second read in the same request
	_, _ = p.Exec(rctx)
	if v, err := get.Result(); err != nil || v != "new" {
		t.Fatalf("while the tracking connection stalls: %q, %v; want new from Redis", v, err)
	}
	if n.Count() != 1 {
		t.Errorf("while the tracking connection stalls: %d round trips, want 1", n.Count())
	}
	if _, ok := ReadsOf(rctx); ok {
		t.Error("a request not known to be fresh gives reads to follow")
	}
	if !f.cache.Active() || f.cache.unsynced.Load() != 1 {
		t.Fatalf("the cache is active %v, with %d requests not synced; want active and 1", f.cache.Active(), f.cache.unsynced.Load())
	}
	g.release()
	shut = false
	f.settle(t)
	f.hget(t, f.key, "name")
	if v, trips, _ := f.hget(t, f.key, "name"); v != "new" || trips != 0 {
		t.Fatalf("once it answers again: %q in %d round trips, want new from memory", v, trips)
	}
}

// Redis is asked to name the changes under one broadcast prefix when it
// covers every family kept, and under the families when it does not.
func TestTrackingTakesTheBroadcastPrefixOnlyWhenItCoversTheFamilies(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	families := []string{prefix + "k:", prefix + "j:"}
	for _, tc := range []struct {
		broadcast []string
		want      []string
	}{
		{nil, families},
		{[]string{prefix}, []string{prefix}},
		{[]string{prefix + "k:"}, families}, // j: would go unheard
	} {
		c := New(rdb.(*redis.Client), families)
		c.Broadcast = tc.broadcast
		ctx := context.Background()
		client := redis.NewClient(&c.opts) // a connection of its own, as Run's
		cn := client.Conn()
		if err := c.track(ctx, cn); err != nil {
			t.Fatal(err)
		}
		info, err := cn.Do(ctx, "CLIENT", "TRACKINGINFO").Result()
		_ = client.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		switch m := info.(type) {
		case []any: // RESP2, as Run's connection: name, value, …
			for i := 0; i+1 < len(m); i += 2 {
				if m[i] == "prefixes" {
					for _, p := range m[i+1].([]any) {
						got = append(got, p.(string))
					}
				}
			}
		default:
			t.Fatalf("TRACKINGINFO: %T", info)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("broadcast %q: Redis tracks %q, want %q", tc.broadcast, got, want)
		}
	}
}

// Under one broadcast prefix, a change to a key of no family kept does
// not drop what is kept, and a change to a kept key still does.
func TestChangesOutsideTheFamiliesKeepWhatIsKept(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	f := newFixture(t, rdb.(*redis.Client), prefix, func(c *Cache) { c.Broadcast = []string{prefix} })
	ctx := context.Background()
	f.keepName(t, "Go")
	heard := f.cache.seq.Load()
	for i := range 20 {
		if err := f.other.Set(ctx, prefix+"other:{1}", i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	f.settle(t)
	if n := f.cache.seq.Load(); n != heard {
		t.Errorf("%d invalidations counted for keys of no family kept, want none", n-heard)
	}
	if n := f.cache.ignored.Load(); n < 20 {
		t.Errorf("%d changes to keys of no family kept heard and ignored, want the 20", n)
	}
	if v, trips, _ := f.hget(t, f.key, "name"); v != "Go" || trips != 0 {
		t.Fatalf("after changes outside the families: %q in %d round trips, want Go from memory", v, trips)
	}
	if err := f.other.HSet(ctx, f.key, "name", "Rust").Err(); err != nil {
		t.Fatal(err)
	}
	if v, trips, _ := f.hget(t, f.key, "name"); v != "Rust" || trips != 1 {
		t.Fatalf("after a change to the kept key: %q in %d round trips, want Rust from Redis", v, trips)
	}
}
