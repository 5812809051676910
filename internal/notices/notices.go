// Package notices makes "change the state, then send the mail" one durable
// step. A domain script that changes an entity also appends a notice to a
// small stream in that entity's own hash slot, in the same atomic step, so
// it works on Redis Cluster. Drain hands each notice to its handler and
// deletes it only once the handler succeeded (the mail is in the outbox);
// a failed handler leaves it for the next try.
//
// The stream cannot say "I hold notices" to a cross-slot index atomically,
// so writers Mark their entity in the Relay's index before the script
// runs. The Sweep of every instance drains the entities marked longer ago
// than the lease, which is what a crashed instance leaves behind, and
// forgets a mark once the entity's stream is empty and nobody marked it
// again meanwhile.
package notices

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Entry is one notice as its script recorded it.
type Entry struct {
	// ID is unique for the notice, whatever stream it sits in; it is what
	// mail idempotency keys are built from, so a notice relayed twice is
	// mailed once.
	ID     string
	Values map[string]string
}

// drainBatch is how many notices one read of a stream takes.
const drainBatch = 100

// ackScript deletes a relayed notice and, once its stream is empty, the
// stream itself. KEYS: stream. ARGV: stream entry ID.
var ackScript = redis.NewScript(`
redis.call('XDEL', KEYS[1], ARGV[1])
if redis.call('XLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return 1
`)

// Drain hands every notice in stream to handle, oldest first, and deletes
// each one that handle accepted. It stops at the first failure, so notices
// stay in order and the failed one is tried again by a later Drain.
//
// A non-empty run limits it to the notices recorded by the script run
// whose notice IDs start with run+".": the request that made a change
// relays its own notices, and leaves those of concurrent requests to them.
func Drain(ctx context.Context, rdb redis.UniversalClient, stream, run string, handle func(context.Context, Entry) error) error {
	start := "-"
	for {
		msgs, err := rdb.XRangeN(ctx, stream, start, "+", drainBatch).Result()
		if err != nil {
			return fmt.Errorf("notices: read %s: %w", stream, err)
		}
		for _, m := range msgs {
			e := Entry{ID: m.ID, Values: make(map[string]string, len(m.Values))}
			for k, v := range m.Values {
				e.Values[k], _ = v.(string)
			}
			if id := e.Values["id"]; id != "" {
				e.ID = id
			}
			if run != "" && !strings.HasPrefix(e.ID, run+".") {
				continue
			}
			if err := handle(ctx, e); err != nil {
				return fmt.Errorf("notices: relay %s %s: %w", stream, e.ID, err)
			}
			if err := ackScript.Run(ctx, rdb, []string{stream}, m.ID).Err(); err != nil {
				return fmt.Errorf("notices: forget %s %s: %w", stream, e.ID, err)
			}
		}
		if len(msgs) < drainBatch {
			return nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// DrainFunc drains one entity's notices (see Drain); each domain registers
// one with the Relay.
type DrainFunc func(ctx context.Context, entity string) error

// Relay keeps the index of entities that may hold notices and sweeps it.
type Relay struct {
	rdb    redis.UniversalClient
	prefix string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Lease is how long after a Mark the sweep may take the entity over:
	// longer than any request takes between its Mark and its script.
	Lease time.Duration
	// Logger receives the failures of the sweep.
	Logger *slog.Logger
	drains map[string]DrainFunc
}

// DefaultLease is the Relay's Lease unless set.
const DefaultLease = 2 * time.Minute

// New returns a Relay whose index key starts with prefix.
func New(rdb redis.UniversalClient, prefix string) *Relay {
	return &Relay{rdb: rdb, prefix: prefix, Now: time.Now, Lease: DefaultLease, Logger: slog.Default(),
		drains: map[string]DrainFunc{}}
}

// indexKey is the sorted set of "domain|entity" members scored by the time
// of their last Mark (unix ms).
func (r *Relay) indexKey() string { return r.prefix + "notices:{index}" }

// Register names the drain of one domain ("events", "mentors", ...).
// Register every domain before Sweep runs.
func (r *Relay) Register(domain string, drain DrainFunc) { r.drains[domain] = drain }

// Mark records that entity of domain is about to get notices. Call it
// before the script that records them; a nil Relay marks nothing.
func (r *Relay) Mark(ctx context.Context, domain, entity string) error {
	if r == nil {
		return nil
	}
	z := redis.Z{Score: float64(r.Now().UnixMilli()), Member: domain + "|" + entity}
	if err := r.rdb.ZAdd(ctx, r.indexKey(), z).Err(); err != nil {
		return fmt.Errorf("notices: mark %s %s: %w", domain, entity, err)
	}
	return nil
}

// forgetScript removes a mark unless it was renewed since it was read.
// KEYS: index. ARGV: member, score as read.
var forgetScript = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) return 1 end
return 0
`)

// Sweep drains every entity marked longer ago than the lease and forgets
// the marks it drained. An entity whose drain fails keeps its mark, moved
// to now, so it is tried again one lease later. It returns how many
// entities it drained.
func (r *Relay) Sweep(ctx context.Context) (int, error) {
	before := r.Now().Add(-r.Lease).UnixMilli()
	marks, err := r.rdb.ZRangeByScoreWithScores(ctx, r.indexKey(), &redis.ZRangeBy{
		Min: "-inf", Max: fmt.Sprint(before), Count: 500,
	}).Result()
	if err != nil {
		return 0, fmt.Errorf("notices: sweep: %w", err)
	}
	var errs []error
	drained := 0
	for _, m := range marks {
		member, _ := m.Member.(string)
		domain, entity, _ := strings.Cut(member, "|")
		drain, ok := r.drains[domain]
		if !ok {
			errs = append(errs, fmt.Errorf("notices: sweep: no drain for %q", member))
			continue
		}
		if err := drain(ctx, entity); err != nil {
			errs = append(errs, err)
			retry := redis.Z{Score: float64(r.Now().UnixMilli()), Member: member}
			if err := r.rdb.ZAddXX(ctx, r.indexKey(), retry).Err(); err != nil {
				errs = append(errs, fmt.Errorf("notices: sweep: postpone %s: %w", member, err))
			}
			continue
		}
		drained++
		if err := forgetScript.Run(ctx, r.rdb, []string{r.indexKey()}, member, m.Score).Err(); err != nil {
			errs = append(errs, fmt.Errorf("notices: sweep: forget %s (kept, drained again later): %w", member, err))
		}
	}
	return drained, errors.Join(errs...)
}

// Pending returns how many entities are marked, for metrics.
func (r *Relay) Pending(ctx context.Context) (int64, error) {
	n, err := r.rdb.ZCard(ctx, r.indexKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("notices: pending: %w", err)
	}
	return n, nil
}

// Run sweeps every interval until ctx ends, logging what fails.
func (r *Relay) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.Logger.Error("notices: sweep", "drained", n, "err", err)
		} else if n > 0 {
			r.Logger.Info("notices: sweep", "drained", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ErrNoHandler is what a Source's handler returns while nobody takes its
// notices yet (no Notify hook): the notices wait, and nothing is logged.
var ErrNoHandler = errors.New("notices: nobody takes these notices yet")

// Source is one domain's side of the notices: where an entity's notices
// are and how one is handed over. A domain store keeps one.
type Source struct {
	rdb    redis.UniversalClient
	domain string
	stream func(entity string) string
	handle func(ctx context.Context, entity string, e Entry) error
	relay  *Relay
}

// NewSource returns the Source of domain, whose entities keep their
// notices in stream(entity) and hand each to handle.
func NewSource(rdb redis.UniversalClient, domain string, stream func(entity string) string,
	handle func(ctx context.Context, entity string, e Entry) error) *Source {
	return &Source{rdb: rdb, domain: domain, stream: stream, handle: handle}
}

// Register lets r's sweep drain this source, and its writers mark there.
func (s *Source) Register(r *Relay) {
	s.relay = r
	r.Register(s.domain, s.Drain)
}

// Mark records in the relay's index that entity is about to get notices;
// call it before the script that records them. Unregistered, it marks
// nothing.
func (s *Source) Mark(ctx context.Context, entity string) error {
	return s.relay.Mark(ctx, s.domain, entity)
}

// Drain hands every notice of entity over (see Drain).
func (s *Source) Drain(ctx context.Context, entity string) error {
	return s.drain(ctx, entity, "")
}

// Relay hands over the notices one script run recorded for entity, right
// after the change. A failure is only logged: the notices stay, and the
// relay's sweep hands them over later.
func (s *Source) Relay(ctx context.Context, entity, run string, logger *slog.Logger) {
	if err := s.drain(ctx, entity, run); err != nil && !errors.Is(err, ErrNoHandler) {
		logger.Error("notices left for the sweep", "domain", s.domain, "entity", entity, "err", err)
	}
}

func (s *Source) drain(ctx context.Context, entity, run string) error {
	return Drain(ctx, s.rdb, s.stream(entity), run, func(ctx context.Context, e Entry) error {
		return s.handle(ctx, entity, e)
	})
}
