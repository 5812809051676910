package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/redis/go-redis/v9"
)

// Reminders schedules mails for later (session reminders) in sorted sets
// scored by due time, one for reminders stored with their mail and one
// for planned ones (see Reminder). Due reminders are claimed atomically, so when several
// app instances run the claim loop each reminder reaches the outbox once.
type Reminders struct {
	rdb    redis.UniversalClient
	prefix string
	outbox *Outbox
	// Lease is how long a claimed reminder is hidden from other claimers
	// while it is being enqueued; if the claimer dies, it is claimed again
	// after that (and the outbox's idempotency key stops a double send).
	Lease time.Duration
	// Logger receives claim-loop failures (default slog.Default()).
	Logger *slog.Logger
	// Wanted, when set, is asked about due reminders scheduled with their
	// mail (by key) before they go out; one it says is not wanted any
	// more is dropped unsent (a session reminder of someone no longer
	// going). Nil wants them all.
	Wanted func(ctx context.Context, keys []string) ([]bool, error)
	// Compose writes the mails of due planned reminders (see Reminder),
	// one for each, as things stand when they fall due; a nil mail drops
	// its reminder unsent. When it fails a batch, each reminder is tried
	// alone; those it cannot write, and all while it is unset, are tried
	// again after the lease.
	Compose func(ctx context.Context, due []Planned) ([]*Message, error)
}

// Planned is a due reminder that was scheduled without its mail.
type Planned struct {
	Key string
	Due time.Time
}

// NewReminders returns the reminder scheduler that feeds outbox.
func NewReminders(rdb redis.UniversalClient, prefix string, outbox *Outbox) *Reminders {
	return &Reminders{rdb: rdb, prefix: prefix, outbox: outbox, Lease: time.Minute, Logger: slog.Default()}
}

// reminderItem is what is stored of a reminder: its mail, or none when
// it is planned (see Reminder).
type reminderItem struct {
	Due int64    `json:"due"`
	Msg *Message `json:"msg,omitempty"`
}

// Schedule sends m at due. key names the reminder, e.g.
// "event:<id>:user:<id>:24h"; scheduling the same key again replaces it.
// The message's IdempotencyKey is set to "reminder:<key>:<due unix>", so a
// reminder moved to another time is sent again, and one time only once.
// A zero m plans the reminder (see Reminder).
func (r *Reminders) Schedule(ctx context.Context, key string, due time.Time, m Message) error {
	item, err := prepareReminder(key, due, m)
	if err != nil {
		return err
	}
	err = scheduleReminderScript.Run(ctx, r.rdb, r.setOf(m).keys(), key, due.UnixMilli(), item).Err()
	if err != nil {
		return fmt.Errorf("mail: schedule reminder %s: %w", key, err)
	}
	return nil
}

// Reminder is one mail to send at Due, named by Key (see Schedule). A
// reminder whose Msg is the zero Message is planned: it stores its due
// time alone, and its mail is written when it falls due, by Compose, from
// what it is about as it stands then.
type Reminder struct {
	Key string
	Due time.Time
	Msg Message
}

// setOf is the set a reminder with mail m goes to.
func (r *Reminders) setOf(m Message) reminderSet {
	if m.isZero() {
		return r.planned()
	}
	return r.whole()
}

// Replace drops every scheduled reminder whose key starts with prefix and
// schedules rs instead, in one atomic step and one round trip: what a
// person's new answer to a session does to their reminders. Every key of
// rs must start with prefix, and rs must be all planned or all whole.
func (r *Reminders) Replace(ctx context.Context, prefix string, rs []Reminder) error {
	queue, err := r.QueueReplace(ctx, prefix, rs)
	if err != nil {
		return err
	}
	p := r.rdb.Pipeline()
	check := queue(p)
	_, _ = p.Exec(ctx) // check reports the error
	return check()
}

// QueueReplace checks rs as Replace does and returns the replacement, to
// be queued on a pipeline the caller runs (with a request's other last
// writes); the check it returns reports the error once the pipeline has
// run, loading the script first when Redis did not have it.
func (r *Reminders) QueueReplace(ctx context.Context, prefix string, rs []Reminder) (func(p redis.Pipeliner) func() error, error) {
	if prefix == "" {
		return nil, valid.Errors{"prefix": "must not be empty (it would cancel every reminder)"}
	}
	args := make([]any, 0, 1+3*len(rs))
	args = append(args, prefix)
	planned := len(rs) > 0 && rs[0].Msg.isZero()
	for _, rem := range rs {
		if !strings.HasPrefix(rem.Key, prefix) {
			return nil, valid.Errors{"key": "must start with " + prefix}
		}
		if rem.Msg.isZero() != planned {
			return nil, valid.Errors{"msg": "must be given for every reminder or for none"}
		}
		item, err := prepareReminder(rem.Key, rem.Due, rem.Msg)
		if err != nil {
			return nil, err
		}
		args = append(args, rem.Key, rem.Due.UnixMilli(), item)
	}
	keys := r.both(planned)
	return func(p redis.Pipeliner) func() error {
		cmd := replaceRemindersScript.EvalSha(ctx, p, keys, args...)
		return func() error {
			err := cmd.Err()
			if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
				err = replaceRemindersScript.Run(ctx, r.rdb, keys, args...).Err()
			}
			if err != nil {
				return fmt.Errorf("mail: replace reminders %s: %w", prefix, err)
			}
			return nil
		}
	}, nil
}

// QueueAdd checks rs as Replace does and returns their scheduling, to be
// queued on a pipeline the caller runs: each replaces the reminder of its
// key in its set, and the reminders of other keys stay. It takes three
// plain commands per set and no script: what an answer with no reminders
// before needs. Each reminder is indexed first and made due last, so a
// pipeline cut short leaves nothing a cancel cannot find (a cancel
// landing between the commands can leave a due entry without its item,
// which the dispatcher forgets). The check it returns reports the error
// once the pipeline has run.
func (r *Reminders) QueueAdd(ctx context.Context, rs []Reminder) (func(p redis.Pipeliner) func() error, error) {
	type adds struct {
		due, index []redis.Z
		items      []any
	}
	bySet := map[reminderSet]*adds{}
	var order []reminderSet
	for _, rem := range rs {
		item, err := prepareReminder(rem.Key, rem.Due, rem.Msg)
		if err != nil {
			return nil, err
		}
		set := r.setOf(rem.Msg)
		a := bySet[set]
		if a == nil {
			a = &adds{}
			bySet[set], order = a, append(order, set)
		}
		a.due = append(a.due, redis.Z{Score: float64(rem.Due.UnixMilli()), Member: rem.Key})
		a.index = append(a.index, redis.Z{Member: rem.Key})
		a.items = append(a.items, rem.Key, item)
	}
	return func(p redis.Pipeliner) func() error {
		var cmds []redis.Cmder
		for _, set := range order {
			a := bySet[set]
			cmds = append(cmds, p.ZAdd(ctx, set.index, a.index...), p.HSet(ctx, set.items, a.items...), p.ZAdd(ctx, set.due, a.due...))
		}
		return func() error {
			for _, c := range cmds {
				if err := c.Err(); err != nil {
					return fmt.Errorf("mail: add reminders %s: %w", rs[0].Key, err)
				}
			}
			return nil
		}
	}, nil
}

// prepareReminder checks a reminder and encodes it for storage; a zero m
// is a planned reminder's.
func prepareReminder(key string, due time.Time, m Message) ([]byte, error) {
	errs := valid.Errors{}
	if key == "" || !validToken(key, maxKeyLen-40) {
		errs.Add("key", "must be 1 to 160 printable characters without spaces")
	}
	if due.IsZero() {
		errs.Add("due", "is required")
	}
	it := reminderItem{Due: due.UnixMilli()}
	if !m.isZero() {
		m.IdempotencyKey = reminderIdempotencyKey(key, due)
		clean, err := m.validate()
		var ve valid.Errors
		if errors.As(err, &ve) {
			for f, msg := range ve {
				errs.Add(f, msg)
			}
		}
		it.Msg = &clean
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	item, err := json.Marshal(it)
	if err != nil {
		return nil, fmt.Errorf("mail: schedule reminder %s: %w", key, err)
	}
	return item, nil
}

// reminderIdempotencyKey sends a reminder once for one due time, and
// again when it is moved to another.
func reminderIdempotencyKey(key string, due time.Time) string {
	return "reminder:" + key + ":" + strconv.FormatInt(due.Unix(), 10)
}

// Cancel removes every scheduled reminder whose key starts with one of
// the prefixes (e.g. "event:<id>:" when a session is cancelled) and says
// how many went.
func (r *Reminders) Cancel(ctx context.Context, prefixes ...string) (int, error) {
	args := make([]any, 0, len(prefixes))
	for _, p := range prefixes {
		if p == "" {
			return 0, valid.Errors{"prefix": "must not be empty (it would cancel every reminder)"}
		}
		args = append(args, p)
	}
	if len(args) == 0 {
		return 0, nil
	}
	n, err := cancelRemindersScript.Run(ctx, r.rdb, r.both(true), args...).Int()
	if err != nil {
		return 0, fmt.Errorf("mail: cancel reminders: %w", err)
	}
	return n, nil
}

type claimedReminder struct {
	set  reminderSet
	key  string
	item string
}

// claim takes up to n due reminders of set for this caller alone, for
// the lease (a minute when Lease is not set).
func (r *Reminders) claim(ctx context.Context, set reminderSet, n int) ([]claimedReminder, error) {
	now, lease := r.outbox.now(), r.Lease
	if lease <= 0 {
		lease = time.Minute
	}
	res, err := claimRemindersScript.Run(ctx, r.rdb, []string{set.due, set.items},
		now.UnixMilli(), now.Add(lease).UnixMilli(), n).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("mail: claim reminders: %w", err)
	}
	out := make([]claimedReminder, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		out = append(out, claimedReminder{set: set, key: res[i], item: res[i+1]})
	}
	return out, nil
}

// Dispatch moves the reminders that are due into the outbox and says how
// many it moved. Run calls it periodically. Reminders stored whole go
// first: a failure to write the planned ones does not hold them up.
func (r *Reminders) Dispatch(ctx context.Context) (int, error) {
	total := 0
	for _, set := range []reminderSet{r.whole(), r.planned()} {
		if set == r.planned() && r.Compose == nil {
			r.reportUncomposed(ctx)
			break
		}
		for {
			claimed, err := r.claim(ctx, set, 100)
			if err != nil {
				return total, err
			}
			if len(claimed) == 0 {
				break
			}
			var msgs []Message
			if set == r.whole() {
				msgs, claimed, err = r.wholeMails(ctx, claimed)
			} else {
				msgs, claimed, err = r.composed(ctx, claimed)
			}
			if err != nil {
				return total, err
			}
			if len(msgs) > 0 {
				_, err = r.outbox.EnqueueAll(ctx, msgs)
			}
			var ve valid.Errors
			if errors.As(err, &ve) {
				// Valid when scheduled, invalid now (the templates changed):
				// enqueue the good ones and drop the others, loudly.
				claimed = r.enqueueOneByOne(ctx, msgs, claimed)
			} else if err != nil {
				return total, fmt.Errorf("mail: dispatch reminders: %w", err)
			}
			for _, c := range claimed {
				r.finish(ctx, c)
			}
			total += len(claimed)
		}
	}
	return total, nil
}

// wholeMails returns the mails of claimed reminders stored whole, and
// the reminders they are for, without those Wanted says are not wanted
// any more or that cannot be read (both forgotten). Should Wanted fail,
// the claims lapse and the reminders are tried again after the lease.
func (r *Reminders) wholeMails(ctx context.Context, claimed []claimedReminder) ([]Message, []claimedReminder, error) {
	if r.Wanted != nil {
		keys := make([]string, len(claimed))
		for i, c := range claimed {
			keys[i] = c.key
		}
		want, err := r.Wanted(ctx, keys)
		if err == nil && len(want) != len(keys) {
			err = fmt.Errorf("%d answers for %d reminders", len(want), len(keys))
		}
		if err != nil {
			return nil, nil, fmt.Errorf("mail: dispatch reminders: wanted: %w", err)
		}
		kept := claimed[:0]
		for i, c := range claimed {
			if !want[i] {
				r.finish(ctx, c)
				continue
			}
			kept = append(kept, c)
		}
		claimed = kept
	}
	msgs := make([]Message, 0, len(claimed))
	kept := claimed[:0]
	for _, c := range claimed {
		var it reminderItem
		if err := json.Unmarshal([]byte(c.item), &it); err != nil || it.Msg == nil {
			r.Logger.Error("mail: unreadable reminder dropped", "key", c.key, "err", err)
			r.finish(ctx, c)
			continue
		}
		msgs, kept = append(msgs, *it.Msg), append(kept, c)
	}
	return msgs, kept, nil
}

// composed has Compose write the mails of claimed planned reminders and
// returns them with the reminders they are for; those it drops, and
// those that cannot be read, are forgotten. When the batch fails, each
// is tried alone, so one that cannot be written holds up no other: it
// waits for the lease to end. (While Compose is unset, Dispatch claims
// no planned reminder.)
func (r *Reminders) composed(ctx context.Context, claimed []claimedReminder) ([]Message, []claimedReminder, error) {
	due := make([]Planned, 0, len(claimed))
	readable := claimed[:0]
	for _, c := range claimed {
		var it reminderItem
		if err := json.Unmarshal([]byte(c.item), &it); err != nil {
			r.Logger.Error("mail: unreadable reminder dropped", "key", c.key, "err", err)
			r.finish(ctx, c)
			continue
		}
		due, readable = append(due, Planned{Key: c.key, Due: time.UnixMilli(it.Due)}), append(readable, c)
	}
	if len(due) == 0 {
		return nil, nil, nil
	}
	written, err := r.compose(ctx, due)
	wait := make([]bool, len(due))
	if err != nil {
		written = make([]*Message, len(due))
		failed := 0
		for i := range due {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			one, err := r.compose(ctx, due[i:i+1])
			if err != nil {
				r.Logger.Error("mail: a planned reminder waits", "key", due[i].Key, "err", err)
				wait[i], failed = true, failed+1
				continue
			}
			written[i] = one[0]
		}
		if failed == len(due) {
			return nil, nil, fmt.Errorf("mail: dispatch reminders: compose: %w", err)
		}
	}
	msgs := make([]Message, 0, len(due))
	kept := make([]claimedReminder, 0, len(due))
	for i, p := range due {
		switch {
		case wait[i]:
		case written[i] == nil:
			r.finish(ctx, readable[i]) // not wanted any more
		default:
			m := *written[i]
			m.IdempotencyKey = reminderIdempotencyKey(p.Key, p.Due)
			msgs, kept = append(msgs, m), append(kept, readable[i])
		}
	}
	return msgs, kept, nil
}

// reportUncomposed says how many planned reminders are due with nothing
// to compose them, if any.
func (r *Reminders) reportUncomposed(ctx context.Context) {
	n, err := r.rdb.ZCount(ctx, r.planned().due, "-inf", strconv.FormatInt(r.outbox.now().UnixMilli(), 10)).Result()
	if err == nil && n > 0 {
		r.Logger.Error("mail: planned reminders wait: nothing composes them", "due", n)
	}
}

// compose is Compose, with an answer of the wrong length taken for an
// error.
func (r *Reminders) compose(ctx context.Context, due []Planned) ([]*Message, error) {
	written, err := r.Compose(ctx, due)
	if err == nil && len(written) != len(due) {
		err = fmt.Errorf("%d mails for %d reminders", len(written), len(due))
	}
	return written, err
}

// enqueueOneByOne enqueues msgs[i] for kept[i] one at a time, drops the
// invalid ones and returns the reminders that reached the outbox or were
// dropped, i.e. those to forget.
func (r *Reminders) enqueueOneByOne(ctx context.Context, msgs []Message, kept []claimedReminder) []claimedReminder {
	done := kept[:0:0]
	for i, m := range msgs {
		_, err := r.outbox.Enqueue(ctx, m)
		var ve valid.Errors
		switch {
		case errors.As(err, &ve):
			r.Logger.Error("mail: invalid reminder dropped", "key", kept[i].key, "err", err)
		case err != nil:
			r.Logger.Error("mail: dispatch reminder", "key", kept[i].key, "err", err)
			continue
		}
		done = append(done, kept[i])
	}
	return done
}

func (r *Reminders) finish(ctx context.Context, c claimedReminder) {
	err := finishReminderScript.Run(ctx, r.rdb, c.set.keys(), c.key, c.item).Err()
	if err != nil {
		r.Logger.Error("mail: forget dispatched reminder", "key", c.key, "err", err)
	}
}

// Run dispatches due reminders every poll until ctx is cancelled.
func (r *Reminders) Run(ctx context.Context, poll time.Duration) {
	if poll <= 0 {
		poll = time.Second
	}
	for {
		if _, err := r.Dispatch(ctx); err != nil && ctx.Err() == nil {
			r.Logger.Error("mail: reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}
