package nearcache

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/replies"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/speculate"
)

// scope is one request's standing with the cache.
type scope struct {
	synced atomic.Bool // a PING sent after the request began was answered
	off    atomic.Bool // the request sent a command that may write, or its PING was not answered in time
	cache  *Cache      // whose scope it is (nil: none's)

	// For the reads of typed.go: the pipeline last looked at for
	// commands that may write, how many of its commands were looked at,
	// its first (a pipeline run and filled anew starts afresh) and
	// whether one of them may write.
	mu      sync.Mutex
	queued  redis.Pipeliner
	checked int
	first   redis.Cmder
	wrote   bool

	// What the request read, for ReadsOf: the entry of each key it read
	// (from memory, or read and kept), unless lost says one of its reads
	// cannot be named so (see lose).
	deps []dep
	lost bool
}

// dep is a key a request read, and the birth of its entry then; or,
// for a further key of a reply of several (kept under the first), the
// invalidations heard before the reply was read (heard set), checked as
// replies of several keys are (see othersKept).
type dep struct {
	key   string
	born  uint64
	heard bool
}

// note records a read of key answered by (or kept in) its entry born
// then, with a reply read after seq invalidations that read others too.
func (sc *scope) note(key string, born uint64, others []string, seq uint64) {
	sc.mu.Lock()
	if !sc.lost {
		sc.deps = append(sc.deps, dep{key: key, born: born})
		for _, k := range others {
			sc.deps = append(sc.deps, dep{key: k, born: seq, heard: true})
		}
	}
	sc.mu.Unlock()
}

// lose records a read whose reply no entry holds: of a key no family
// tracks, a script's, one after a write, one read while the cache did
// not serve, or one not kept.
func (sc *scope) lose() {
	sc.mu.Lock()
	sc.lost, sc.deps = true, nil
	sc.mu.Unlock()
}

// queuedWrite reports whether p holds a command that may write, so a read
// queued after it is for Redis to answer after it. Only the commands
// queued since the last look at p are looked at.
func (sc *scope) queuedWrite(p redis.Pipeliner) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	cmds := p.Cmds()
	if len(cmds) == 0 {
		return false
	}
	if sc.queued != p || len(cmds) < sc.checked || cmds[0] != sc.first {
		sc.queued, sc.checked, sc.first, sc.wrote = p, 0, cmds[0], false
	}
	for ; sc.checked < len(cmds) && !sc.wrote; sc.checked++ {
		sc.wrote = !speculate.ReadOnly(cmds[sc.checked].Name())
	}
	return sc.wrote
}

type scopeKey struct{}

// Scope returns a context whose reads (on a client with the Hook) may be
// answered from the cache: one request's, which reads what any client
// finished writing before it began. Reads outside a scope (workers,
// scripts' callers, tests' setup) always go to Redis. A nil Cache's
// scope answers nothing.
func (c *Cache) Scope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, &scope{cache: c})
}

func scopeOf(ctx context.Context) *scope {
	s, _ := ctx.Value(scopeKey{}).(*scope)
	return s
}

// Hook answers a scope's reads from the cache and keeps what Redis
// answers. Add it to the client after speculate's hook (whose guesses it
// answers too) and before the round-trip counter, so that a read the
// cache answers is no round trip. A nil Cache's Hook passes everything
// on.
func (c *Cache) Hook() redis.Hook { return hook{c} }

type hook struct{ c *Cache }

func (hook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		sc := scopeOf(ctx)
		if h.c == nil || sc == nil || roundtrips.Handshake(cmd) {
			return next(ctx, cmd)
		}
		return h.c.run(ctx, sc, []redis.Cmder{cmd}, func(ctx context.Context, cmds []redis.Cmder) error {
			// go-redis gives a lone command the error of its reply only
			// once every hook returned: give it now, or a nil or an
			// error reply would be kept as an empty value.
			err := next(ctx, cmds[0])
			cmds[0].SetErr(err)
			return err
		})
	}
}

func (h hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		sc := scopeOf(ctx)
		if h.c == nil || sc == nil || len(cmds) == 0 || roundtrips.Handshake(cmds[0]) {
			return next(ctx, cmds)
		}
		return h.c.run(ctx, sc, cmds, next)
	}
}

// asked is a command the cache may keep the reply of.
type asked struct {
	cmd      redis.Cmder
	key, sig string
	others   []string // further keys it reads
}

// run answers what it can of cmds, one batch of a scope, and sends the
// rest with send, in one round trip: a scope's first batch waits for its
// PING's answer before it looks anything up, so what it finds is fresh
// and nothing has to be read again after the batch was sent (which would
// cost a page a round trip more than without the cache).
func (c *Cache) run(ctx context.Context, sc *scope, cmds []redis.Cmder, send func(context.Context, []redis.Cmder) error) error {
	if sc.off.Load() {
		sc.lose()
		return send(ctx, cmds)
	}
	for _, cmd := range cmds {
		if !speculate.ReadOnly(cmd.Name()) {
			sc.off.Store(true) // what follows may read what this writes
			sc.lose()
			return send(ctx, cmds)
		}
	}
	if !c.active.Load() || sc.cache != c || !c.syncScope(ctx, sc) {
		sc.lose()
		return send(ctx, cmds)
	}
	// The epoch first: dropAll moves seq, then the epoch, so a request
	// that finds the new epoch finds the new seq too, and an entry it
	// makes is born after everything dropped (see entry).
	epoch := c.epoch.Load()
	seq := c.seq.Load()
	var misses []asked
	var rest []redis.Cmder // what Redis answers, made at the first such command
	send1 := func(cmd redis.Cmder) {
		if rest == nil {
			rest = make([]redis.Cmder, 0, len(cmds))
		}
		rest = append(rest, cmd)
	}
	served := 0
	var buf [128]byte
	for _, cmd := range cmds {
		key, others, sig, ok := c.keyOf(cmd, buf[:0])
		if !ok {
			sc.lose() // a read the cache cannot name
			send1(cmd)
			continue
		}
		if rep, born, ok := c.get(key, sig); ok {
			if c.othersKept(rep) && give(cmd, rep) {
				sc.note(key, born, rep.others, rep.seq)
				served++
				continue
			}
			c.drop(key, string(sig), rep)
		}
		misses = append(misses, asked{cmd: cmd, key: key, sig: string(sig), others: others})
		send1(cmd)
	}
	c.served.Add(uint64(served))
	c.fetched.Add(uint64(len(misses)))
	var err error
	if len(rest) > 0 {
		err = send(ctx, rest)
	}
	c.keep(sc, misses, seq, epoch)
	return result(cmds, err)
}

// syncScope reports whether the request of sc may be answered from
// memory, waiting the first time for its PING's answer, after which the
// cache has heard every change finished before the request began.
func (c *Cache) syncScope(ctx context.Context, sc *scope) bool {
	if sc.synced.Load() {
		return true
	}
	r := c.sync()
	if r == nil {
		return false // not tracking: Redis answers
	}
	if ok, late := waitWithin(ctx, r, c.syncWithin); !ok {
		if late {
			c.unsynced.Add(1)
		}
		// Not known to be fresh: Redis answers the rest of the
		// request, which waits no longer.
		sc.off.Store(true)
		return false
	}
	sc.synced.Store(true)
	return true
}

// result is what a batch returns: a failure to reach Redis first, else
// the first command's error, as go-redis does.
func result(cmds []redis.Cmder, err error) error {
	var re redis.Error
	if err != nil && !errors.As(err, &re) {
		return err
	}
	for _, cmd := range cmds {
		if e := cmd.Err(); e != nil {
			return e
		}
	}
	return err
}

// keyOf gives the Redis key of cmd (its first, when it reads several),
// the others, and its signature (its name and arguments, written into
// b), when the cache may keep its reply: every key it reads is tracked.
// Replies are kept by key, then signature, so the signature leaves out
// the key when it is the first argument.
func (c *Cache) keyOf(cmd redis.Cmder, b []byte) (string, []string, []byte, bool) {
	args := cmd.Args()
	name := cmd.Name() // lower-cased anew at each call
	keys, ok := keysOf(name, args)
	if !ok {
		return "", nil, nil, false
	}
	var others []string
	for i, a := range keys {
		k, ok := a.(string)
		if !ok || !c.tracked(k) {
			return "", nil, nil, false
		}
		if i > 0 {
			others = append(others, k)
		}
	}
	b = append(b, name...)
	rest := args[1:]
	if &keys[0] == &args[1] {
		rest = args[2:]
	}
	for _, a := range rest {
		switch v := a.(type) {
		case string:
			b = appendStr(b, v)
		case int:
			b = appendNum(b, int64(v))
		case int64:
			b = appendNum(b, v)
		case float64:
			b = strconv.AppendFloat(append(b, 0), v, 'g', -1, 64)
		default:
			return "", nil, nil, false
		}
	}
	return keys[0].(string), others, b, true
}

// appendStr and appendNum write an argument of a signature.
func appendStr(b []byte, s string) []byte {
	b = strconv.AppendInt(append(b, 0), int64(len(s)), 10)
	return append(append(b, ':'), s...)
}

func appendNum(b []byte, n int64) []byte { return strconv.AppendInt(append(b, 0), n, 10) }

// keysOf gives the arguments of a read named name that are its keys,
// when the cache may keep its reply: one whose reply only the content of
// those keys decides.
func keysOf(name string, args []any) ([]any, bool) {
	if len(args) < 2 {
		return nil, false
	}
	switch {
	case oneKey[name]:
		return args[1:2], true
	case name == "exists" || name == "mget" || name == "sinter" || name == "sunion" || name == "sdiff":
		return args[1:], true
	case name == "zinter" || name == "zunion" || name == "zdiff":
		n, ok := args[1].(int)
		if !ok || n < 1 || len(args) < 2+n {
			return nil, false
		}
		return args[2 : 2+n], true
	}
	return nil, false
}

// oneKey are the reads of one key, the second argument, that the cache
// keeps.
var oneKey = map[string]bool{}

func init() {
	for _, name := range []string{"get", "strlen", "hget", "hmget", "hgetall", "hlen", "hexists",
		"zcard", "zscore", "zmscore", "zrank", "zrevrank", "zrange", "zrevrange", "zrangebyscore",
		"zrevrangebyscore", "zcount", "sismember", "smismember", "smembers", "scard", "lrange", "llen"} {
		oneKey[name] = true
	}
}

// get returns the reply kept for key and sig, and its entry's birth.
func (c *Cache) get(key string, sig []byte) (reply, uint64, bool) {
	s, _ := c.locate(key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.keys[key]
	if e == nil {
		return reply{}, 0, false
	}
	r, ok := e.replies[string(sig)]
	return r, e.born, ok
}

// othersKept reports whether no other key a reply of several keys read
// changed since it was read (a change to its first key drops it).
func (c *Cache) othersKept(r reply) bool {
	for _, k := range r.others {
		if !c.heardBy(k, r.seq) {
			return false
		}
	}
	return true
}

// drop forgets the reply r kept for key and sig, unless another took its
// place since.
func (c *Cache) drop(key, sig string, r reply) {
	s, _ := c.locate(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.keys[key]; e != nil {
		if now, ok := e.replies[sig]; ok && now.seq == r.seq && slices.Equal(now.others, r.others) {
			s.bytes -= weigh(key, now) + len(sig)
			delete(e.replies, sig)
		}
	}
}

// heardBy reports whether key's last invalidation was heard by seq.
func (c *Cache) heardBy(key string, seq uint64) bool {
	s, slot := c.locate(key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.heard[slot] <= seq
}

// keep stores the replies of misses that Redis gave and that no
// invalidation heard since seq (read before they were sent) may have
// made old.
func (c *Cache) keep(sc *scope, misses []asked, seq, epoch uint64) {
	const limit = maxBytes / shards
	for _, a := range misses {
		r, ok := take(a.cmd)
		if !ok || (r.nil && !c.keepsNil(a.key)) || slices.ContainsFunc(a.others, func(k string) bool { return !c.heardBy(k, seq) }) {
			sc.lose()
			continue
		}
		var born uint64
		kept := false
		r.others, r.seq = a.others, seq
		s, slot := c.locate(a.key)
		size := weigh(a.key, r) + len(a.sig)
		s.mu.Lock()
		if s.heard[slot] <= seq && c.epoch.Load() == epoch && c.active.Load() {
			if s.bytes+size > limit {
				clear(s.keys) // start afresh: memory stays bounded
				s.bytes = 0
			}
			e := s.keys[a.key]
			if e == nil {
				e = &entry{born: seq, replies: map[string]reply{}}
				s.keys[a.key] = e
			}
			if old, had := e.replies[a.sig]; had {
				s.bytes -= weigh(a.key, old) + len(a.sig)
			}
			s.bytes += size
			e.replies[a.sig] = r
			born, kept = e.born, true
		}
		s.mu.Unlock()
		if kept {
			sc.note(a.key, born, a.others, seq)
		} else {
			sc.lose()
		}
	}
}

// take is what the cache keeps of cmd's reply: a copy, so the caller
// may change what it got.
func take(cmd redis.Cmder) (reply, bool) {
	k, ok := replies.Of(cmd)
	if !ok {
		return reply{}, false
	}
	switch err := cmd.Err(); {
	case errors.Is(err, redis.Nil):
		return reply{kind: k, nil: true}, true
	case err != nil:
		return reply{}, false
	}
	return reply{kind: k, val: replies.Take(cmd, k)}, true
}

// give answers cmd with r (a copy of its slices and maps), when r is of
// cmd's kind.
func give(cmd redis.Cmder, r reply) bool {
	if !r.nil {
		return replies.Give(cmd, r.kind, r.val)
	}
	if !replies.Is(cmd, r.kind) {
		return false
	}
	cmd.SetErr(redis.Nil)
	return true
}

// weigh is about the memory a reply of key takes.
func weigh(key string, r reply) int {
	n := 64 + len(key)
	switch v := r.val.(type) {
	case string:
		n += len(v)
	case []string:
		for _, s := range v {
			n += 16 + len(s)
		}
	case []any:
		for _, e := range v {
			s, _ := e.(string)
			n += 16 + len(s)
		}
	case []redis.Z:
		for _, z := range v {
			s, _ := z.Member.(string)
			n += 24 + len(s)
		}
	case map[string]string:
		for k, s := range v {
			n += 32 + len(k) + len(s)
		}
	case []bool:
		n += len(v)
	case []float64:
		n += 8 * len(v)
	}
	return n
}

// Serves reports whether ctx's request reads from the cache: it has a
// scope of an active cache and has written nothing. Its reads of tracked
// keys then cost no round trip and follow every change, so a shortcut
// that serves older data to save reads (a list's names a minute old) only
// makes it older.
func Serves(ctx context.Context) bool {
	sc := scopeOf(ctx)
	return sc != nil && !sc.off.Load() && sc.cache != nil && sc.cache.active.Load()
}

// Reads names what a request read through the cache (see ReadsOf): the
// state of every key it read, so a later request can tell whether any of
// them changed since (Unchanged).
type Reads struct {
	deps []dep
}

// Len is how many keys r names.
func (r Reads) Len() int { return len(r.deps) }

// ReadsOf returns what ctx's request has read so far, when every read was
// of a key the cache keeps, answered from memory or kept there: false
// when one was not (a key no family tracks, a script, a read after a
// write or while the cache did not serve), or outside a scope.
func ReadsOf(ctx context.Context) (Reads, bool) {
	sc := scopeOf(ctx)
	if sc == nil || sc.cache == nil {
		return Reads{}, false
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.lost || len(sc.deps) == 0 {
		return Reads{}, false
	}
	deps := slices.Clone(sc.deps)
	slices.SortFunc(deps, func(a, b dep) int {
		return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.born, b.born), cmp.Compare(b2i(a.heard), b2i(b.heard)))
	})
	return Reads{deps: slices.Compact(deps)}, true
}

// Unchanged reports whether no key r names changed since it was read, as
// far as ctx's request (a later one) can know: it waits, as the request's
// first read would, until every change finished before the request began
// has been heard, then finds each key's entry still the one read. An
// entry dropped for room or by a lost connection counts as a change.
func Unchanged(ctx context.Context, r Reads) bool {
	sc := scopeOf(ctx)
	if sc == nil || sc.off.Load() || sc.cache == nil || len(r.deps) == 0 {
		return false
	}
	c := sc.cache
	if !c.active.Load() || !c.syncScope(ctx, sc) {
		return false
	}
	for _, d := range r.deps {
		if d.heard {
			if !c.heardBy(d.key, d.born) {
				return false
			}
			continue
		}
		s, _ := c.locate(d.key)
		s.mu.RLock()
		e := s.keys[d.key]
		same := e != nil && e.born == d.born
		s.mu.RUnlock()
		if !same {
			return false
		}
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
