package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DeadLetter is a message that was rejected or stayed undeliverable for
// the whole retry period.
type DeadLetter struct {
	ID      string
	Message Message
	Tries   int
	Error   string
	At      time.Time
}

type deadRecord struct {
	Envelope envelope `json:"envelope"`
	Error    string   `json:"error"`
	At       int64    `json:"at"`
}

// DeadLetters returns up to limit dead letters, newest first, for an
// operator to inspect.
func (o *Outbox) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	if limit <= 0 {
		return nil, nil
	}
	raw, err := o.rdb.LRange(ctx, o.deadKey(), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("mail: dead letters: %w", err)
	}
	out := make([]DeadLetter, 0, len(raw))
	for _, r := range raw {
		var d deadRecord
		if err := json.Unmarshal([]byte(r), &d); err != nil {
			out = append(out, DeadLetter{Error: "unreadable record: " + r})
			continue
		}
		out = append(out, DeadLetter{
			ID: d.Envelope.ID, Message: d.Envelope.Msg, Tries: d.Envelope.Tries,
			Error: d.Error, At: time.UnixMilli(d.At).UTC(),
		})
	}
	return out, nil
}

// DeadCount returns how many dead letters are kept, for metrics.
func (o *Outbox) DeadCount(ctx context.Context) (int64, error) {
	n, err := o.rdb.LLen(ctx, o.deadKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("mail: count dead letters: %w", err)
	}
	return n, nil
}

// Requeued says what a requeue did.
type Requeued struct {
	// Queued dead letters are back in the outbox with a fresh retry period.
	Queued int
	// Superseded dead letters were only removed: the same mail (same
	// idempotency key) was queued again since, for instance by announcing
	// the session again, and sending this one too would send it twice.
	Superseded int
}

// Requeue puts the dead letter with the given ID back in the outbox, with
// its tries reset; ErrNotFound when no dead letter has that ID.
func (o *Outbox) Requeue(ctx context.Context, id string) (Requeued, error) {
	r, err := o.requeue(ctx, func(e envelope) bool { return e.ID == id })
	if err == nil && r == (Requeued{}) {
		err = fmt.Errorf("mail: requeue %s: %w", id, ErrNotFound)
	}
	return r, err
}

// RequeueAll puts every dead letter back in the outbox (after an outage
// longer than the retry period, say). Records of unreadable outbox
// entries have no message to send and stay listed.
func (o *Outbox) RequeueAll(ctx context.Context) (Requeued, error) {
	return o.requeue(ctx, func(envelope) bool { return true })
}

// requeue runs requeueScript on each dead letter that match selects. Each
// record moves atomically, so two operators requeueing at once move each
// one once.
func (o *Outbox) requeue(ctx context.Context, match func(envelope) bool) (Requeued, error) {
	var out Requeued
	raw, err := o.rdb.LRange(ctx, o.deadKey(), 0, -1).Result()
	if err != nil {
		return out, fmt.Errorf("mail: requeue: %w", err)
	}
	for _, rec := range raw {
		var d deadRecord
		if json.Unmarshal([]byte(rec), &d) != nil || d.Envelope.Msg.Kind == "" || !match(d.Envelope) {
			continue
		}
		env := d.Envelope
		now := o.now().UTC()
		env.Tries, env.Enqueued = 0, now.UnixMilli()
		payload, err := json.Marshal(env)
		if err != nil {
			return out, fmt.Errorf("mail: requeue %s: %w", env.ID, err)
		}
		keys := []string{o.deadKey(), o.idemKey(env.dedupKey()), o.sentKey(env.dedupKey()), o.streamKey(), o.stateKey(env.ID)}
		if env.Msg.BatchID != "" {
			keys = append(keys, o.batchKey(env.Msg.BatchID))
		}
		res, err := requeueScript.Run(ctx, o.rdb, keys, rec, env.ID, payload, now.UnixMilli(),
			int(o.keep.Seconds()), string(env.Msg.Kind), env.Msg.To).Text()
		if err != nil {
			return out, fmt.Errorf("mail: requeue %s: %w", env.ID, err)
		}
		switch res {
		case "queued":
			out.Queued++
		case "superseded":
			out.Superseded++
		}
	}
	return out, nil
}
