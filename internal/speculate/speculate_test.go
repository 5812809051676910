package speculate_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/speculate"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// page is a page that reads in two round trips: first a list of IDs,
// then, for each ID it found, a record and a few things about it.
type page struct {
	rdb    redis.UniversalClient
	prefix string
	mem    *speculate.Memory
}

// shown is what a view of page shows.
type shown struct {
	names   []string
	counts  []int64
	members []bool
	scores  []redis.Z
	fields  map[string]string
	missing error // the reply for a field no record has
}

// view reads the page for viewer, in as many round trips as it takes,
// and returns what it shows and how many round trips it made. Its second
// round trip is a pipeline, and then a read of one command.
func (pg page) view(t *testing.T, viewer string) (shown, int) {
	t.Helper()
	ctx, counter := roundtrips.With(context.Background())
	later := pg.mem.View("page", viewer)
	ctx = speculate.With(ctx, later)
	first := pg.rdb.Pipeline()
	list := first.ZRange(ctx, pg.prefix+"list:"+viewer, 0, -1)
	if _, err := first.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		t.Error(err) // not Fatal: views run on other goroutines too
	}
	second := pg.rdb.Pipeline()
	var names []*redis.StringCmd
	var counts []*redis.IntCmd
	var members []*redis.BoolCmd
	for _, id := range list.Val() {
		names = append(names, second.HGet(ctx, pg.prefix+"rec:"+id, "name"))
		counts = append(counts, second.ZCard(ctx, pg.prefix+"going:"+id))
		members = append(members, second.SIsMember(ctx, pg.prefix+"going-set:"+id, viewer))
	}
	scores := second.ZRangeWithScores(ctx, pg.prefix+"list:"+viewer, 0, -1)
	missing := second.HGet(ctx, pg.prefix+"rec:"+viewer, "nothing")
	if _, err := second.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		t.Error(err)
	}
	fields := pg.rdb.HGetAll(ctx, pg.prefix+"rec:"+viewer)
	if err := fields.Err(); err != nil {
		t.Error(err)
	}
	later.Remember()
	var out shown
	for i := range names {
		out.names = append(out.names, names[i].Val())
		out.counts = append(out.counts, counts[i].Val())
		out.members = append(out.members, members[i].Val())
	}
	out.scores, out.fields, out.missing = scores.Val(), fields.Val(), missing.Err()
	return out, counter.Count()
}

// client is a test client with the Hook, which a round trip counter
// follows.
func client(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	rdb.AddHook(speculate.Hook{})
	rdb.AddHook(roundtrips.Hook{})
	return rdb, prefix
}

func newPage(t *testing.T) page {
	t.Helper()
	rdb, prefix := client(t)
	return page{rdb: rdb, prefix: prefix, mem: speculate.NewMemory(100, 10000)}
}

// seed gives viewer a list of n records, each with people going.
func (pg page) seed(t *testing.T, viewer string, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("%s-%d", viewer, i)
		pg.rdb.ZAdd(ctx, pg.prefix+"list:"+viewer, redis.Z{Score: float64(i), Member: id})
		pg.rdb.HSet(ctx, pg.prefix+"rec:"+id, "name", "record "+id)
		for j := range i + 1 {
			pg.rdb.ZAdd(ctx, pg.prefix+"going:"+id, redis.Z{Score: float64(j), Member: fmt.Sprint(j)})
		}
		if i%2 == 0 {
			pg.rdb.SAdd(ctx, pg.prefix+"going-set:"+id, viewer)
		}
	}
	pg.rdb.HSet(ctx, pg.prefix+"rec:"+viewer, "name", viewer, "tz", "Europe/Berlin")
}

func (s shown) equal(o shown) bool {
	return slices.Equal(s.names, o.names) && slices.Equal(s.counts, o.counts) && slices.Equal(s.members, o.members) &&
		slices.Equal(s.scores, o.scores) && fmt.Sprint(s.fields) == fmt.Sprint(o.fields) && errors.Is(s.missing, o.missing)
}

func TestARepeatViewReadsInOneRoundTripAndSeesChanges(t *testing.T) {
	pg := newPage(t)
	pg.seed(t, "ana", 4)
	plain := page{rdb: pg.rdb, prefix: pg.prefix} // no memory: always three round trips

	want, _ := plain.view(t, "ana")
	if len(want.names) != 4 || want.counts[3] != 4 || !want.members[0] || want.members[1] || want.fields["tz"] != "Europe/Berlin" || !errors.Is(want.missing, redis.Nil) {
		t.Fatalf("the page without guesses read %+v", want)
	}
	got, trips := pg.view(t, "ana")
	if trips != 3 || !got.equal(want) {
		t.Fatalf("first view: %d round trips, %+v; want 3 and %+v", trips, got, want)
	}
	got, trips = pg.view(t, "ana")
	if trips != 1 || !got.equal(want) {
		t.Fatalf("repeat view: %d round trips, %+v; want 1 and %+v", trips, got, want)
	}

	// What the guesses read changes: the next view shows it, still in one.
	ctx := context.Background()
	pg.rdb.HSet(ctx, pg.prefix+"rec:ana-2", "name", "renamed")
	pg.rdb.ZAdd(ctx, pg.prefix+"going:ana-0", redis.Z{Score: 9, Member: "late"})
	pg.rdb.SRem(ctx, pg.prefix+"going-set:ana-0", "ana")
	want, _ = plain.view(t, "ana")
	if want.names[2] != "renamed" || want.counts[0] != 2 || want.members[0] {
		t.Fatalf("the page without guesses read %+v after the change", want)
	}
	got, trips = pg.view(t, "ana")
	if trips != 1 || !got.equal(want) {
		t.Fatalf("view after a change: %d round trips, %+v; want 1 and %+v", trips, got, want)
	}

	// The list names a record more: that one is read in a second round
	// trip (the rest was guessed), once; then the view is one round trip
	// again.
	pg.seed(t, "ana", 5)
	want, _ = plain.view(t, "ana")
	got, trips = pg.view(t, "ana")
	if trips != 2 || !got.equal(want) || len(got.names) != 5 {
		t.Fatalf("view of a longer list: %d round trips, %+v; want 2 and %+v", trips, got, want)
	}
	if got, trips = pg.view(t, "ana"); trips != 1 || !got.equal(want) {
		t.Fatalf("next view: %d round trips, %+v; want 1 and %+v", trips, got, want)
	}
}

func TestGuessesAreEachViewersOwn(t *testing.T) {
	pg := newPage(t)
	pg.seed(t, "ana", 2)
	pg.seed(t, "bo", 3)
	pg.view(t, "ana")
	pg.view(t, "ana")
	want, _ := page{rdb: pg.rdb, prefix: pg.prefix}.view(t, "bo")
	got, trips := pg.view(t, "bo")
	if trips != 3 || !got.equal(want) {
		t.Fatalf("bo's first view after ana's: %d round trips, %+v; want 3 and %+v", trips, got, want)
	}
}

func TestWritesAndScriptsAreNeverGuessed(t *testing.T) {
	rdb, prefix := client(t)
	mem := speculate.NewMemory(10, 1000)
	script := redis.NewScript(`return redis.call('INCR', KEYS[1])`)
	// view reads x, then increments n in a pipeline with a script and a
	// read of n; then reads n and m alone.
	view := func() (n, m int64, got, again string, trips int) {
		ctx, counter := roundtrips.With(context.Background())
		later := mem.View("v", "")
		ctx = speculate.With(ctx, later)
		first := rdb.Pipeline()
		first.Get(ctx, prefix+"x")
		if _, err := first.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		second := rdb.Pipeline()
		incr := second.Incr(ctx, prefix+"n")
		eval := script.Eval(ctx, second, []string{prefix + "m"})
		get := second.Get(ctx, prefix+"n")
		if _, err := second.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		again = rdb.Get(ctx, prefix+"n").Val()
		later.Remember()
		m, _ = eval.Int64()
		return incr.Val(), m, get.Val(), again, counter.Count()
	}
	for i := int64(1); i <= 3; i++ {
		n, m, got, again, trips := view()
		if n != i || m != i || trips != 3 {
			t.Fatalf("view %d: INCR gave %d, the script %d, in %d round trips; want %d, %d and 3", i, n, m, trips, i, i)
		}
		if got != fmt.Sprint(i) || again != fmt.Sprint(i) {
			t.Fatalf("view %d: GET after the INCR gave %q and %q, want %d (a guess would have read it before)", i, got, again, i)
		}
	}
}

// A write sent alone stops the guesses too, and what follows it is not
// remembered.
func TestAWriteAloneStopsGuessing(t *testing.T) {
	rdb, prefix := client(t)
	mem := speculate.NewMemory(10, 1000)
	view := func(write bool) (string, int) {
		ctx, counter := roundtrips.With(context.Background())
		later := mem.View("v", "")
		ctx = speculate.With(ctx, later)
		if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error { p.Get(ctx, prefix+"a"); return nil }); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		if write {
			rdb.Set(ctx, prefix+"b", "written", 0)
		}
		got := rdb.Get(ctx, prefix+"b").Val()
		later.Remember()
		return got, counter.Count()
	}
	view(false)
	if got, trips := view(false); trips != 1 || got != "" {
		t.Fatalf("a repeat view read %q in %d round trips, want nothing in 1", got, trips)
	}
	if got, trips := view(true); got != "written" || trips != 3 {
		t.Fatalf("a view that wrote read %q in %d round trips, want what it wrote in 3", got, trips)
	}
}

// A read guessed with the same arguments twice gives each its own reply,
// and a guess that failed leaves its read to be sent.
func TestDuplicatesAndFailedGuesses(t *testing.T) {
	rdb, prefix := client(t)
	ctx := context.Background()
	rdb.RPush(ctx, prefix+"l", "a", "b")
	rdb.ZAdd(ctx, prefix+"z", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"})
	mem := speculate.NewMemory(10, 1000)
	view := func() ([]string, []string, int, error) {
		ctx, counter := roundtrips.With(context.Background())
		later := mem.View("v", "")
		ctx = speculate.With(ctx, later)
		first := rdb.Pipeline()
		first.Ping(ctx)
		if _, err := first.Exec(ctx); err != nil {
			t.Fatal(err) // a failed guess fails no page
		}
		second := rdb.Pipeline()
		one := second.ZRange(ctx, prefix+"z", 0, -1)
		two := second.ZRange(ctx, prefix+"z", 0, -1)
		list := second.LRange(ctx, prefix+"l", 0, -1)
		_, err := second.Exec(ctx)
		later.Remember()
		one.Val()[0] = "changed by the page"
		return two.Val(), list.Val(), counter.Count(), err
	}
	view()
	two, list, trips, err := view()
	if err != nil || trips != 1 || !slices.Equal(two, []string{"a", "b"}) || !slices.Equal(list, []string{"a", "b"}) {
		t.Fatalf("repeat view: %v, %v, %v in %d round trips; want [a b] twice, no error, 1", two, list, err, trips)
	}

	// The list becomes a string: the guess fails, the read is sent and
	// fails on its own.
	rdb.Del(ctx, prefix+"l")
	rdb.Set(ctx, prefix+"l", "s", 0)
	_, _, trips, err = view()
	if err == nil || !redis.HasErrorPrefix(err, "WRONGTYPE") || trips != 2 {
		t.Fatalf("view of a list that became a string: %v in %d round trips; want WRONGTYPE in 2", err, trips)
	}
}

// A page read the same way by every viewer keys its view by what it shows.
func TestRekeyShareGuessesBetweenViewers(t *testing.T) {
	pg := newPage(t)
	pg.seed(t, "ana", 2)
	view := func(viewer string) int {
		ctx, counter := roundtrips.With(context.Background())
		later := pg.mem.View("page", viewer)
		later.Rekey("list:ana")
		ctx = speculate.With(ctx, later)
		list := pg.rdb.ZRange(ctx, pg.prefix+"list:ana", 0, -1).Val()
		later.Rekey("too late")
		p := pg.rdb.Pipeline()
		for _, id := range list {
			p.HGet(ctx, pg.prefix+"rec:"+id, "name")
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		later.Remember()
		return counter.Count()
	}
	view("ana")
	// The first round trip is one command: it carries no guesses.
	if n := view("bo"); n != 2 {
		t.Fatalf("bo's view: %d round trips, want 2", n)
	}
	ctx := context.Background()
	first := func(viewer string) int {
		cctx, counter := roundtrips.With(ctx)
		later := pg.mem.View("page", viewer)
		later.Rekey("list:ana")
		cctx = speculate.With(cctx, later)
		p := pg.rdb.Pipeline()
		list := p.ZRange(cctx, pg.prefix+"list:ana", 0, -1)
		if _, err := p.Exec(cctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range list.Val() {
			if got := pg.rdb.HGet(cctx, pg.prefix+"rec:"+id, "name").Val(); got != "record "+id {
				t.Fatalf("%s read %q for %s", viewer, got, id)
			}
		}
		later.Remember()
		return counter.Count()
	}
	first("ana")
	if n := first("cy"); n != 1 {
		t.Fatalf("cy's view, keyed as ana's was: %d round trips, want 1", n)
	}
	// A Rekey after the first round trip changed nothing: nothing was
	// remembered under the key it named.
	tooLate := pg.mem.View("too late", "")
	cctx := speculate.With(ctx, tooLate)
	cctx, counter := roundtrips.With(cctx)
	p := pg.rdb.Pipeline()
	p.ZRange(cctx, pg.prefix+"list:ana", 0, -1)
	if _, err := p.Exec(cctx); err != nil {
		t.Fatal(err)
	}
	if err := pg.rdb.HGet(cctx, pg.prefix+"rec:ana-0", "name").Err(); err != nil || counter.Count() != 2 {
		t.Fatalf("a view of the key named too late: %v, %d round trips; want no guess, 2", err, counter.Count())
	}
}

func TestNilMemoryGuessesNothing(t *testing.T) {
	pg := newPage(t)
	pg.seed(t, "ana", 2)
	pg.mem = nil
	for range 2 {
		if _, trips := pg.view(t, "ana"); trips != 3 {
			t.Fatalf("a view without memory made %d round trips, want 3", trips)
		}
	}
}

func TestViewersAtOnce(t *testing.T) {
	pg := newPage(t)
	viewers := []string{"a", "b", "c", "d"}
	for _, v := range viewers {
		pg.seed(t, v, 3)
	}
	want := map[string]shown{}
	for _, v := range viewers {
		want[v], _ = page{rdb: pg.rdb, prefix: pg.prefix}.view(t, v)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := viewers[i%len(viewers)]
			for range 5 {
				if got, _ := pg.view(t, v); !got.equal(want[v]) {
					errs <- fmt.Sprintf("%s saw %+v, want %+v", v, got, want[v])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// cmdCount is a go-redis hook that counts the commands sent in pipelines.
type cmdCount struct{ n atomic.Int64 }

func (h *cmdCount) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *cmdCount) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *cmdCount) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// A view that reads less than the last one is remembered too: the view
// after it guesses only what it read.
func TestAShorterViewIsRemembered(t *testing.T) {
	pg := newPage(t)
	count := &cmdCount{}
	pg.rdb.AddHook(count)
	pg.seed(t, "ana", 4)
	pg.view(t, "ana")
	pg.view(t, "ana")
	sent := func() (int64, int) {
		before := count.n.Load()
		_, trips := pg.view(t, "ana")
		return count.n.Load() - before, trips
	}
	full, trips := sent()
	if trips != 1 {
		t.Fatalf("repeat view: %d round trips, want 1", trips)
	}
	ctx := context.Background()
	pg.rdb.ZRem(ctx, pg.prefix+"list:ana", "ana-2", "ana-3")
	if n, trips := sent(); n != full || trips != 1 {
		t.Fatalf("the first view of the shorter list sent %d commands in %d round trips, want the %d guessed before in 1", n, trips, full)
	}
	if n, trips := sent(); n != full-6 || trips != 1 {
		t.Fatalf("the next view sent %d commands in %d round trips, want %d (three reads fewer for each of two records) in 1", n, trips, full-6)
	}
}

// While Redis cannot be reached, a view's first round trip fails, and so
// does every later read it guessed: no guess answers for a round trip
// that never happened.
func TestGuessesFailWithTheirRoundTrip(t *testing.T) {
	pg := newPage(t)
	pg.seed(t, "ana", 2)
	pg.view(t, "ana") // what the next view guesses
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	down := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port), MaxRetries: -1})
	t.Cleanup(func() { _ = down.Close() })
	down.AddHook(speculate.Hook{})
	ctx := speculate.With(context.Background(), pg.mem.View("page", "ana"))
	p := down.Pipeline()
	p.ZRange(ctx, pg.prefix+"list:ana", 0, -1)
	if _, err := p.Exec(ctx); err == nil {
		t.Fatal("the first round trip to a Redis that is not there succeeded")
	}
	if err := down.HGetAll(ctx, pg.prefix+"rec:ana").Err(); err == nil {
		t.Fatal("a guessed read of a round trip that failed succeeded")
	}
	p = down.Pipeline()
	name := p.HGet(ctx, pg.prefix+"rec:ana-0", "name")
	if _, err := p.Exec(ctx); err == nil || name.Err() == nil {
		t.Fatalf("a guessed pipeline of a round trip that failed: %v, %v", err, name.Err())
	}
}

// failing is a go-redis hook that fails every pipeline without sending
// it and without marking its commands, as a pool that cannot hand out a
// connection may.
type failing struct{ on *atomic.Bool }

func (h failing) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h failing) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h failing) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.on.Load() {
			return errors.New("no connection")
		}
		return next(ctx, cmds)
	}
}

// A first round trip that failed without a word on its commands answers
// no later read, and a later pipeline that failed so reports the failure,
// not a guessed nil.
func TestAnUnsentRoundTripAnswersNothing(t *testing.T) {
	pg := newPage(t)
	var on atomic.Bool
	pg.rdb.AddHook(failing{on: &on})
	pg.seed(t, "ana", 2)
	pg.view(t, "ana")
	// view runs a first pipeline, then one of reads guessed (a nil reply)
	// and, with more, one that was not; fail says which fail.
	view := func(failFirst, failLater, more bool) (first, later error) {
		ctx := speculate.With(context.Background(), pg.mem.View("page", "ana"))
		on.Store(failFirst)
		p := pg.rdb.Pipeline()
		p.ZRange(ctx, pg.prefix+"list:ana", 0, -1)
		_, first = p.Exec(ctx)
		on.Store(failLater)
		p = pg.rdb.Pipeline()
		p.HGet(ctx, pg.prefix+"rec:ana", "nothing")
		if more {
			p.HGet(ctx, pg.prefix+"rec:ana-0", "not read before")
		}
		_, later = p.Exec(ctx)
		on.Store(false)
		return first, later
	}
	if first, later := view(true, true, false); first == nil || later == nil || errors.Is(later, redis.Nil) {
		t.Fatalf("with no connection: first %v, later %v; want both to fail, not with a nil reply", first, later)
	}
	if first, later := view(false, true, true); first != nil || later == nil || errors.Is(later, redis.Nil) {
		t.Fatalf("connections lost after the first round trip: first %v, later %v; want the later one to fail, not with a nil reply", first, later)
	}
	if first, later := view(false, false, false); first != nil || !errors.Is(later, redis.Nil) {
		t.Fatalf("connections back: first %v, later %v; want the guessed nil reply", first, later)
	}
}

// A transaction as a view's first round trip carries no guesses (they
// would land after its EXEC).
func TestATransactionTakesNoGuesses(t *testing.T) {
	pg := newPage(t)
	pg.seed(t, "ana", 2)
	pg.view(t, "ana")
	ctx, counter := roundtrips.With(context.Background())
	ctx = speculate.With(ctx, pg.mem.View("page", "ana"))
	cmds, err := pg.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRange(ctx, pg.prefix+"list:ana", 0, -1)
		p.HGet(ctx, pg.prefix+"rec:ana-0", "name")
		return nil
	})
	if err != nil || len(cmds) != 2 || cmds[1].(*redis.StringCmd).Val() != "record ana-0" {
		t.Fatalf("the transaction: %v, %v", cmds, err)
	}
	if got := pg.rdb.HGet(ctx, pg.prefix+"rec:ana-1", "name"); got.Val() != "record ana-1" || counter.Count() != 2 {
		t.Fatalf("a read after the transaction: %q in %d round trips, want it sent (2)", got.Val(), counter.Count())
	}
}
