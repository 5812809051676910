// Package nearcache keeps the replies of a page's reads in the instance's
// memory and drops each as soon as Redis says its key changed, so a page
// reads from Redis only what changed since it was last read, and what is
// the viewer's alone.
//
// Redis tells: a dedicated connection turns on client-side caching
// tracking in broadcast mode (CLIENT TRACKING ... BCAST) for the key
// families the app caches (or for the one prefix all of them start with,
// see Broadcast), redirected to itself and subscribed to
// __redis__:invalidate, so every change to a key of those families, by
// any client of that server, is named on it. Nothing is tracked per read,
// and Redis keeps no table of who read what.
//
// Reads are as fresh as without it: a request (Scope) waits once, with
// its first read, for that connection to answer a PING sent after the
// request began. Redis sends a key's invalidation before it answers the
// write that changed it, so once the PONG is in, every change that any
// client finished before the request began has been heard and its
// replies dropped. Requests that wait at the same time share one PING,
// sent with the first of them; the request looks up nothing before the
// answer, so what it finds is fresh and no batch of a page's reads is
// split into two round trips. (Pages guess none of their later reads
// while the cache tracks, so a view right after a change to what it read
// later takes a round trip for each of its batches that the change
// touched, three at most; see web's lazySession.) A request whose PING
// is not answered within syncWithin (100 ms: the connection stalls, or the listener is
// behind on a burst of invalidations) reads everything from Redis
// instead. A reply read from Redis is kept only when no invalidation
// of its key was heard between its sending and its arrival (it may be
// older than the change). While the connection is down, or before it is
// up, nothing is served or kept, and all that was kept is dropped when it
// comes back (changes made in between went unheard).
//
// Only plain single-key reads whose key is of a tracked family are kept
// (see cacheable); scripts, transactions and everything after a request's
// first command that may write go to Redis: a request may read what it
// wrote. Redis Cluster is not served yet: its tracking is per node.
//
// A key that expires is dropped when Redis deletes it (its expiry cycle,
// which names the key like any change), not at the moment its time runs
// out. A family whose keys must end on time carries the end in the value
// and its reader checks it (web's sessions, see auth); for the others a
// key shown a little past its end does no harm (closed mentoring
// requests, kept for months; an announcement's delivery counts).
package nearcache

import (
	"context"
	"errors"
	"hash/maphash"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/replies"
)

// channel is where Redis sends the invalidations of a RESP2 connection.
const channel = "__redis__:invalidate"

const (
	shards = 16
	slots  = 4096 // invalidation counters, shared by the keys hashing alike
)

// Cache is one instance's memory of its reads; safe for concurrent use.
// Hook, Run and Sync do nothing (Sync says so) on a nil Cache, so a
// client it does not serve (a cluster, or caching turned off) needs no
// other code path.
type Cache struct {
	// Logger hears of the tracking connection's losses (nil: quiet).
	Logger *slog.Logger
	// NoNil are key prefixes whose nil replies are not kept: keys anyone
	// may name at random (a cookie's session ID), whose misses would
	// otherwise fill the memory others' replies need. Set before use.
	NoNil []string
	// Broadcast, when set, are the prefixes Redis names the changes of,
	// in place of one per family kept: Redis walks every broadcast
	// prefix for each key written, so one prefix (the app's key prefix)
	// costs each write far less than one per family. Changes to keys of
	// no family kept are dropped as they arrive. When a family kept
	// starts with none of them, the families are broadcast instead; ""
	// is every key. Set before Run.
	Broadcast []string

	opts     redis.Options // the tracking connection's
	prefixes []string
	seed     maphash.Seed
	shard    [shards]shard

	served   atomic.Uint64 // replies given from memory
	fetched  atomic.Uint64 // replies it could keep, read from Redis
	losses   atomic.Uint64 // tracking connections lost
	unsynced atomic.Uint64 // requests that read from Redis as their PING was not answered in time
	ignored  atomic.Uint64 // changes heard to keys of no family kept (see Broadcast)

	// answerWithin and syncWithin are the constants of the same names
	// (tests shorten or lengthen them before Run).
	answerWithin, syncWithin time.Duration

	seq    atomic.Uint64 // invalidations heard
	epoch  atomic.Uint64 // moves when all is dropped
	active atomic.Bool   // tracking is on and heard from

	mu       sync.Mutex
	ps       *redis.PubSub
	inflight *round // the PING sent and not answered yet
	pending  *round // the PING to send when inflight is answered
	pings    uint64
	up       chan struct{} // closed when tracking is on, made anew when it goes
}

type shard struct {
	mu    sync.RWMutex
	keys  map[string]*entry      // Redis key → its replies
	heard [slots / shards]uint64 // seq when a key hashing here was last invalidated
	bytes int
}

// entry is what is kept of one Redis key: its replies by command and
// arguments, and the invalidations heard before the first of them was
// read. An entry made after the key changed (or after all was dropped) is
// born later than the one before it, so a birth names one state of the
// key (see Reads).
type entry struct {
	born    uint64
	replies map[string]reply
}

type reply struct {
	kind replies.Kind
	val  any
	nil  bool // the reply was nil (redis.Nil)
	// others are the further keys a reply of several keys read (it is
	// kept under the first), and seq the invalidations heard before it
	// was read: a change heard since to one of them makes it stale.
	others []string
	seq    uint64
}

// round is one PING of the barrier; done is closed when it is answered
// (err nil) or the connection failed (err set).
type round struct {
	n    uint64
	sent time.Time
	done chan struct{}
	err  error
}

const (
	// maxBytes bounds the replies kept, about: a shard past its part
	// starts afresh.
	maxBytes = 32 << 20
	// answerWithin is how long a PING may go unanswered before the
	// tracking connection is taken for dead.
	answerWithin = 2 * time.Second
	// syncWithin is how long a request waits for its PING's answer
	// before it reads from Redis instead: a tracking connection that
	// stalls, or a listener behind on a burst of invalidations, holds no
	// request up for longer.
	syncWithin = 100 * time.Millisecond
)

// New returns a Cache for rdb's server and the keys starting with one of
// prefixes (they must not be prefixes of each other, as Redis requires).
// It serves nothing until Run has turned tracking on. Add Hook to rdb.
func New(rdb *redis.Client, prefixes []string) *Cache {
	o := *rdb.Options()
	// One connection of its own, in RESP2 so invalidations come as pub/sub
	// messages, dialled plainly: the app's dialer may take a connection
	// for alive without reading it (redisconn), which pub/sub must not.
	o.Protocol, o.PoolSize, o.MinIdleConns, o.MaxIdleConns = 2, 1, 0, 1
	o.Dialer, o.OnConnect = nil, nil
	c := &Cache{opts: o, prefixes: prefixes, seed: maphash.MakeSeed(), up: make(chan struct{}),
		answerWithin: answerWithin, syncWithin: syncWithin}
	for i := range c.shard {
		c.shard[i].keys = map[string]*entry{}
	}
	return c
}

// Run keeps the tracking connection up until ctx ends, dialling again
// after a loss (10 ms, doubling, a second apart at most; a minute when
// Redis refuses tracking, say an ACL or a managed service that forbids
// CLIENT TRACKING), and drops everything kept when it stops. A loss after
// tracking worked is logged at warn, further failures at debug.
func (c *Cache) Run(ctx context.Context) {
	if c == nil {
		return
	}
	o := c.opts
	o.OnConnect = c.track
	client := redis.NewClient(&o)
	defer client.Close()
	wait, failed := 10*time.Millisecond, false
	for ctx.Err() == nil {
		ps := client.Subscribe(ctx, channel)
		stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
		c.mu.Lock()
		c.ps = ps
		c.mu.Unlock()
		err := c.listen(ctx, ps)
		tracked := c.lose(err)
		stop()
		_ = ps.Close()
		if ctx.Err() != nil {
			return
		}
		if tracked {
			wait, failed = 10*time.Millisecond, false
		}
		if c.Logger != nil {
			level := slog.LevelWarn
			if failed {
				level = slog.LevelDebug
			}
			c.Logger.Log(ctx, level, "nearcache: no tracking connection; pages read everything from Redis until it is back", "err", err)
		}
		failed = true
		limit := time.Second
		var refused redis.Error
		if errors.As(err, &refused) {
			limit = time.Minute
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, limit)
	}
}

// Start runs the cache (see Run) in a goroutine of its own; stop ends it
// and returns once it has stopped.
func (c *Cache) Start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// track turns on broadcast tracking of the prefixes, redirected to the
// connection itself, before it subscribes.
func (c *Cache) track(ctx context.Context, cn *redis.Conn) error {
	id, err := cn.ClientID(ctx).Result()
	if err != nil {
		return err
	}
	args := []any{"client", "tracking", "on", "redirect", id, "bcast"}
	if b := c.broadcast(); !slices.Contains(b, "") {
		for _, p := range b {
			args = append(args, "prefix", p)
		}
	}
	return cn.Do(ctx, args...).Err()
}

// broadcast returns the prefixes Redis is to name the changes of:
// Broadcast when every family kept starts with one of them, else the
// families.
func (c *Cache) broadcast() []string {
	if len(c.Broadcast) == 0 {
		return c.prefixes
	}
	for _, p := range c.prefixes {
		if !slices.ContainsFunc(c.Broadcast, func(b string) bool { return strings.HasPrefix(p, b) }) {
			return c.prefixes
		}
	}
	return c.Broadcast
}

// listen reads the tracking connection until it fails: the
// subscription's confirmation turns serving on, invalidations drop
// replies, PONGs answer the barrier. A quiet connection is pinged, and
// one that leaves a PING unanswered too long is given up.
func (c *Cache) listen(ctx context.Context, ps *redis.PubSub) error {
	wide := !slices.Equal(c.broadcast(), c.prefixes) // changes to keys not kept are named too
	for {
		msg, err := ps.ReceiveTimeout(ctx, c.answerWithin/2)
		if err != nil {
			if !isTimeout(err) {
				return err
			}
			if err := c.idle(); err != nil {
				return err
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" {
				continue
			}
			if c.active.Load() {
				// go-redis dialled again by itself (a PING that failed):
				// what changed in between went unheard, and PINGs sent on
				// the old connection will not be answered.
				return errors.New("nearcache: the tracking connection was replaced")
			}
			c.start()
		case *redis.Message:
			if m.Channel != channel {
				continue
			}
			if m.PayloadSlice == nil {
				return errors.New("nearcache: an invalidation without keys (the database was flushed)")
			}
			for _, key := range m.PayloadSlice {
				if wide && !c.tracked(key) {
					c.ignored.Add(1)
					continue
				}
				c.invalidate(key)
			}
		case *redis.Pong:
			n, err := strconv.ParseUint(m.Payload, 10, 64)
			if err == nil {
				c.answered(n)
			}
		}
	}
}

func isTimeout(err error) bool {
	var nerr interface{ Timeout() bool }
	return errors.As(err, &nerr) && nerr.Timeout()
}

// idle pings a quiet connection, and reports a PING left unanswered for
// longer than answerWithin.
func (c *Cache) idle() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight == nil {
		c.inflight = c.newRound()
		return c.ping(c.inflight)
	}
	if time.Since(c.inflight.sent) > c.answerWithin {
		return errors.New("nearcache: the tracking connection did not answer a PING")
	}
	return nil
}

// start turns serving on, once tracking is on and subscribed: what was
// kept before is dropped, as changes may have gone unheard.
func (c *Cache) start() {
	c.dropAll()
	c.mu.Lock()
	c.active.Store(true)
	close(c.up)
	c.mu.Unlock()
}

// lose turns serving off and fails the requests waiting on a PING; it
// reports whether it was serving.
func (c *Cache) lose(err error) bool {
	if err == nil {
		err = errors.New("nearcache: tracking stopped")
	}
	c.mu.Lock()
	tracked := c.active.Load()
	if tracked {
		c.losses.Add(1)
		c.active.Store(false)
		c.up = make(chan struct{})
	}
	for _, r := range []*round{c.inflight, c.pending} {
		if r != nil {
			r.err = err
			close(r.done)
		}
	}
	c.inflight, c.pending, c.ps = nil, nil, nil
	c.mu.Unlock()
	c.dropAll()
	return tracked
}

// Active reports whether the cache is tracking and serves and keeps
// replies now (false for a nil Cache).
func (c *Cache) Active() bool { return c != nil && c.active.Load() }

// Tracking returns a channel closed once tracking is on and replies are
// served and kept (until the connection is lost).
func (c *Cache) Tracking() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.up
}

// dropAll forgets every reply; replies read before are not kept. It
// counts as an invalidation heard, so an entry made afterwards is born
// later than any before (see entry); the count moves before the epoch,
// which run reads first.
func (c *Cache) dropAll() {
	c.seq.Add(1)
	c.epoch.Add(1)
	for i := range c.shard {
		s := &c.shard[i]
		s.mu.Lock()
		clear(s.keys)
		s.bytes = 0
		s.mu.Unlock()
	}
}

// locate gives the shard and counter slot of a Redis key.
func (c *Cache) locate(key string) (*shard, int) {
	h := maphash.String(c.seed, key)
	return &c.shard[h%shards], int(h/shards) % (slots / shards)
}

// invalidate drops key's replies and marks it heard of, so a reply of it
// already on its way is not kept.
func (c *Cache) invalidate(key string) {
	s, slot := c.locate(key)
	s.mu.Lock()
	// Counted under the lock: a request that reads the count after this
	// finds the reply gone, one that read it before finds it stale.
	n := c.seq.Add(1)
	s.heard[slot] = n
	if e, ok := s.keys[key]; ok {
		for sig, r := range e.replies {
			s.bytes -= weigh(key, r) + len(sig)
		}
		delete(s.keys, key)
	}
	s.mu.Unlock()
}

// sync starts (or joins) a PING sent after now; nil when not tracking.
func (c *Cache) sync() *round {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.active.Load() || c.ps == nil {
		return nil
	}
	if c.inflight == nil {
		c.inflight = c.newRound()
		if err := c.ping(c.inflight); err != nil {
			return nil
		}
		return c.inflight
	}
	if c.pending == nil {
		c.pending = c.newRound()
	}
	return c.pending
}

func (c *Cache) newRound() *round {
	c.pings++
	return &round{n: c.pings, done: make(chan struct{})}
}

// ping sends r's PING; mu is held.
func (c *Cache) ping(r *round) error {
	r.sent = time.Now()
	err := c.ps.Ping(context.Background(), strconv.FormatUint(r.n, 10))
	if err != nil {
		c.inflight = nil
		r.err = err
		close(r.done)
		// Give the connection up here rather than let go-redis dial a new
		// one behind listen's back (or behind this lock).
		_ = c.ps.Close()
	}
	return err
}

// answered closes the round whose PING was answered, and sends the next.
func (c *Cache) answered(n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.inflight
	if r == nil || r.n != n {
		return
	}
	close(r.done)
	c.inflight, c.pending = c.pending, nil
	if c.inflight != nil {
		_ = c.ping(c.inflight)
	}
}

// Sync returns once the cache has heard of every change that any client
// finished before the call (a request does so with its first read): a
// reply read after it is kept unless its key changes again. It waits as
// long as a PING may take before the connection is taken for dead.
func (c *Cache) Sync(ctx context.Context) error {
	if c == nil {
		return errors.New("nearcache: no cache")
	}
	r := c.sync()
	if r == nil {
		return errors.New("nearcache: not tracking")
	}
	if ok, _ := waitWithin(ctx, r, c.answerWithin); !ok {
		return errors.Join(errors.New("nearcache: the tracking connection did not answer"), r.err, ctx.Err())
	}
	return nil
}

// waitWithin waits at most d for r's answer: answered is false when it
// failed, ctx ended or d passed first (late).
func waitWithin(ctx context.Context, r *round, d time.Duration) (answered, late bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.done:
		return r.err == nil, false
	case <-ctx.Done():
		return false, false
	case <-t.C:
		return false, true
	}
}

// Prefixes returns the key families the cache keeps, with prefix (the
// app's key prefix) before each of families.
func Prefixes(prefix string, families []string) []string {
	out := make([]string, len(families))
	for i, f := range families {
		out[i] = prefix + f
	}
	return out
}

// keepsNil reports whether a nil reply of key may be kept.
func (c *Cache) keepsNil(key string) bool {
	for _, p := range c.NoNil {
		if strings.HasPrefix(key, p) {
			return false
		}
	}
	return true
}

// tracked reports whether key is of a family the cache keeps.
func (c *Cache) tracked(key string) bool {
	for _, p := range c.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}
