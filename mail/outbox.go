package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/redis/go-redis/v9"
)

// ErrNotFound is returned for an unknown message, batch or mailbox entry.
var ErrNotFound = errors.New("mail: not found")

// Options tunes an Outbox.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// KeepFor is how long idempotency keys, sent markers, delivery states
	// and batch counts are kept (default 30 days). An idempotency key can
	// be reused after that.
	KeepFor time.Duration
	// DeadMax is how many dead letters are kept for an operator to list
	// and requeue (default 10,000); the oldest beyond it are dropped.
	DeadMax int
}

// Outbox is the queue of mails to send, on a Redis Stream read by Workers.
type Outbox struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
	keep   time.Duration
	dead   int
}

// NewOutbox returns the outbox whose keys start with prefix.
func NewOutbox(rdb redis.UniversalClient, prefix string, opt Options) *Outbox {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.KeepFor <= 0 {
		opt.KeepFor = 30 * 24 * time.Hour
	}
	if opt.DeadMax <= 0 {
		opt.DeadMax = 10000
	}
	return &Outbox{rdb: rdb, prefix: prefix, now: opt.Now, keep: opt.KeepFor, dead: opt.DeadMax}
}

// Receipt says what Enqueue did with a message.
type Receipt struct {
	// ID identifies the message for Status; for a duplicate it is the ID of
	// the message first queued under the same idempotency key.
	ID string
	// Duplicate is true when the idempotency key is held by a message that
	// was sent or is still on its way, so nothing new was queued. A key
	// whose message was dead-lettered is free again.
	Duplicate bool
}

// envelope is what travels on the stream and through the retry set.
type envelope struct {
	ID       string  `json:"id"`
	Tries    int     `json:"tries"`
	Enqueued int64   `json:"enqueued"`
	Msg      Message `json:"msg"`
}

// dedupKey is the key that guards against double sends of e.
func (e envelope) dedupKey() string {
	if e.Msg.IdempotencyKey != "" {
		return e.Msg.IdempotencyKey
	}
	return "id:" + e.ID
}

// Enqueue queues m for the workers, once per idempotency key: a second
// call with the same key (a double click, a retried request) queues nothing
// and returns the first message's ID, unless that message was
// dead-lettered: then m is queued in its place. Bad input returns valid.Errors and
// queues nothing. It never sends.
func (o *Outbox) Enqueue(ctx context.Context, m Message) (Receipt, error) {
	rs, err := o.EnqueueAll(ctx, []Message{m})
	if err != nil {
		var ve valid.Errors
		if errors.As(err, &ve) {
			return Receipt{}, stripIndex(ve)
		}
		return Receipt{}, err
	}
	return rs[0], nil
}

// EnqueueAll queues many messages in one round trip (an announcement to a
// whole group). Every message is validated first: if any is bad, nothing is
// queued and the valid.Errors fields are prefixed with the message's index
// ("3.to").
func (o *Outbox) EnqueueAll(ctx context.Context, ms []Message) ([]Receipt, error) {
	errs := valid.Errors{}
	envs := make([]envelope, len(ms))
	now := o.now().UTC()
	for i, m := range ms {
		clean, err := m.validate()
		var ve valid.Errors
		if errors.As(err, &ve) {
			for f, msg := range ve {
				errs.Add(strconv.Itoa(i)+"."+f, msg)
			}
		}
		envs[i] = envelope{ID: ids.New(), Enqueued: now.UnixMilli(), Msg: clean}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	cmds, err := o.runEnqueue(ctx, envs, now, false)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		// The script cache was empty; running again is safe because the
		// script itself is idempotent.
		cmds, err = o.runEnqueue(ctx, envs, now, true)
	}
	if err != nil {
		return nil, fmt.Errorf("mail: enqueue: %w", err)
	}
	out := make([]Receipt, len(envs))
	for i, c := range cmds {
		res, err := c.Slice()
		if err != nil || len(res) != 2 {
			return nil, fmt.Errorf("mail: enqueue: unexpected reply %v: %w", res, err)
		}
		id, _ := res[1].(string)
		out[i] = Receipt{ID: id, Duplicate: res[0] == int64(0)}
	}
	return out, nil
}

// runEnqueue pipelines the enqueue script once per envelope, by SHA
// unless full is set.
func (o *Outbox) runEnqueue(ctx context.Context, envs []envelope, now time.Time, full bool) ([]*redis.Cmd, error) {
	pipe := o.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(envs))
	for i, e := range envs {
		payload, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		keys := []string{o.idemKey(e.dedupKey()), o.streamKey(), o.stateKey(e.ID)}
		if e.Msg.BatchID != "" {
			keys = append(keys, o.batchKey(e.Msg.BatchID))
		}
		args := []any{e.ID, payload, now.UnixMilli(), int(o.keep.Seconds()), string(e.Msg.Kind), e.Msg.To, e.Msg.BatchID}
		if full {
			cmds[i] = enqueueScript.Eval(ctx, pipe, keys, args...)
		} else {
			cmds[i] = enqueueScript.EvalSha(ctx, pipe, keys, args...)
		}
	}
	_, err := pipe.Exec(ctx)
	return cmds, err
}

// stripIndex turns "0.to" back into "to" for a single message.
func stripIndex(ve valid.Errors) valid.Errors {
	out := valid.Errors{}
	for f, msg := range ve {
		out.Add(f[len("0."):], msg)
	}
	return out
}

// Taken reports, in one round trip, which of the idempotency keys are held
// by a message that was sent or is still on its way, so that a caller can
// leave those people out before preparing their mail (an RSVP link, say).
// The answer can be stale by the time the caller enqueues; Enqueue still
// refuses a taken key, so a stale answer costs only the preparation.
func (o *Outbox) Taken(ctx context.Context, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = o.idemKey(k)
	}
	vals, err := o.rdb.MGet(ctx, full...).Result()
	if err != nil {
		return nil, fmt.Errorf("mail: taken keys: %w", err)
	}
	for i, v := range vals {
		s, ok := v.(string)
		out[keys[i]] = ok && !strings.HasPrefix(s, deadMarkerPrefix)
	}
	return out, nil
}

// deadMarkerPrefix starts the value deadScript leaves in a released
// idempotency marker.
const deadMarkerPrefix = "dead:"
