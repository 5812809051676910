package mail

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/nearcache"
)

// State is where a message is on its way to the recipient.
type State string

// Delivery states.
const (
	StateQueued   State = "queued"   // waiting for a worker
	StateSent     State = "sent"     // accepted by the SMTP server
	StateRetrying State = "retrying" // failed temporarily, will be tried again
	StateFailed   State = "failed"   // rejected or out of tries: in the dead-letter list
)

// Status is one message's delivery state.
type Status struct {
	ID      string
	Kind    Kind
	To      string
	State   State
	Tries   int    // delivery attempts so far
	Error   string // the last failure, if any
	Updated time.Time
}

// Status returns the delivery state of the message with the given ID.
func (o *Outbox) Status(ctx context.Context, id string) (Status, error) {
	h, err := o.rdb.HGetAll(ctx, o.stateKey(id)).Result()
	if err != nil {
		return Status{}, fmt.Errorf("mail: status %s: %w", id, err)
	}
	if len(h) == 0 {
		return Status{}, fmt.Errorf("mail: status %s: %w", id, ErrNotFound)
	}
	tries, _ := strconv.Atoi(h["tries"])
	updated, _ := strconv.ParseInt(h["updated"], 10, 64)
	return Status{
		ID: id, Kind: Kind(h["kind"]), To: h["to"], State: State(h["state"]),
		Tries: tries, Error: h["error"], Updated: time.UnixMilli(updated).UTC(),
	}, nil
}

// BatchStatus counts the messages of one announcement by delivery state.
type BatchStatus struct {
	Total    int
	Queued   int
	Sent     int
	Retrying int
	Failed   int
}

// Done reports whether every message of the batch reached a final state.
func (b BatchStatus) Done() bool { return b.Sent+b.Failed == b.Total }

// BatchStatus returns the delivery counts of the messages enqueued with
// the given BatchID, for the organizer's view of an announcement.
func (o *Outbox) BatchStatus(ctx context.Context, batchID string) (BatchStatus, error) {
	p := o.rdb.Pipeline()
	read := o.QueueBatchStatus(ctx, p, batchID)
	_, _ = p.Exec(ctx) // read reports its own command's error
	return read()
}

// QueueBatchStatus queues on p the read of BatchStatus, so a page can read
// it with its other data in one round trip; the returned function decodes
// it once p has been executed.
func (o *Outbox) QueueBatchStatus(ctx context.Context, p redis.Pipeliner, batchID string) func() (BatchStatus, error) {
	cmd := nearcache.HGetAll(ctx, p, o.batchKey(batchID))
	return func() (BatchStatus, error) {
		h, err := cmd.Result()
		if err != nil {
			return BatchStatus{}, fmt.Errorf("mail: batch %s: %w", batchID, err)
		}
		if len(h) == 0 {
			return BatchStatus{}, fmt.Errorf("mail: batch %s: %w", batchID, ErrNotFound)
		}
		n := func(k string) int { v, _ := strconv.Atoi(h[k]); return v }
		return BatchStatus{
			Total: n("total"), Queued: n(string(StateQueued)), Sent: n(string(StateSent)),
			Retrying: n(string(StateRetrying)), Failed: n(string(StateFailed)),
		}, nil
	}
}

// Backlog returns how many messages wait for a worker and how many wait
// for a retry, for metrics and health pages.
func (o *Outbox) Backlog(ctx context.Context) (queued, retrying int64, err error) {
	pipe := o.rdb.Pipeline()
	q := pipe.XLen(ctx, o.streamKey())
	r := pipe.ZCard(ctx, o.retryKey())
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, 0, fmt.Errorf("mail: backlog: %w", err)
	}
	return q.Val(), r.Val(), nil
}
