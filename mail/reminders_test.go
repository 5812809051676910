package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/internal/valid"
)

func reminder(to string) Message {
	return Message{
		Kind: KindReminder, To: to,
		Data: map[string]any{
			"EventTitle": "Rust for Gophers", "GroupName": "Systems Club",
			"When": "Wed 2 Jan 2030, 19:00 (UTC)", "StartsIn": "in 1 hour",
			"EventURL": "https://fg.test/events/e2",
		},
		UnsubscribeURL: "https://fg.test/u/r",
	}
}

func TestReminderIsClaimedOnceByConcurrentInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, prefix := newOutbox(t)
	sched := NewReminders(rdb, prefix, ob)
	due := time.Now().Add(-time.Minute)
	const n = 200
	for i := range n {
		if err := sched.Schedule(ctx, fmt.Sprintf("event:e2:user:%d:1h", i), due, reminder(fmt.Sprintf("r%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	// Two app instances, each with its own scheduler, claiming hard at once.
	instances := []*Reminders{NewReminders(rdb, prefix, ob), NewReminders(rdb, prefix, ob)}
	var mu sync.Mutex
	claimedBy := map[string]int{}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			r := instances[g%2]
			for {
				cs, err := r.claim(ctx, r.whole(), 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(cs) == 0 {
					return
				}
				mu.Lock()
				for _, c := range cs {
					claimedBy[c.key]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimedBy) != n {
		t.Fatalf("%d reminders claimed, want %d", len(claimedBy), n)
	}
	for k, c := range claimedBy {
		if c != 1 {
			t.Errorf("%s claimed %d times", k, c)
		}
	}
}

func TestRemindersReachTheOutboxOnceWithTwoInstancesRunning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := testenv.Redis(t)
	clk := newTestClock(time.Now())
	ob := NewOutbox(rdb, prefix, Options{Now: clk.Now})
	s := startSink(t)
	cfg, _ := ParseSMTPURL(s.url())
	stopWorkers := run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	const n = 50
	due := clk.Now().Add(time.Hour)
	for i := range n {
		if err := NewReminders(rdb, prefix, ob).Schedule(ctx, fmt.Sprintf("event:e3:user:%d:24h", i), due, reminder(fmt.Sprintf("r%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	if sent, err := NewReminders(rdb, prefix, ob).Dispatch(ctx); err != nil || sent != 0 {
		t.Fatalf("Dispatch before the reminders are due = %d, %v; want 0", sent, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range 2 {
		r := NewReminders(rdb, prefix, ob)
		wg.Go(func() { r.Run(runCtx, 5*time.Millisecond) })
	}
	stopReminders := func() { cancel(); wg.Wait() }
	t.Cleanup(stopReminders)
	clk.Advance(time.Hour)
	s.waitFor(n, 5*time.Second)
	waitUntil(t, 2*time.Second, "an empty schedule", func() bool {
		left, _ := rdb.ZCard(ctx, NewReminders(rdb, prefix, ob).whole().due).Result()
		return left == 0
	})
	stopReminders()
	waitDrained(t, ob)
	stopWorkers() // every send in hand is finished: a double send would show now
	assertEachOnce(t, s, n)
}

func TestCancelAndRescheduleReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, prefix := newOutbox(t)
	r := NewReminders(rdb, prefix, ob)
	past := time.Now().Add(-time.Second)
	for _, k := range []string{"event:e1:user:a:24h", "event:e1:user:b:24h", "event:e10:user:a:24h", "event:e2:user:a:1h"} {
		if err := r.Schedule(ctx, k, past, reminder("a@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	n, err := r.Cancel(ctx, "event:e1:")
	if err != nil || n != 2 {
		t.Fatalf("Cancel(event:e1:) = %d, %v; want 2 (and not event:e10)", n, err)
	}
	// e2 is moved to the future: nothing of it is due now.
	if err := r.Schedule(ctx, "event:e2:user:a:1h", time.Now().Add(time.Hour), reminder("a@example.com")); err != nil {
		t.Fatal(err)
	}
	sent, err := r.Dispatch(ctx)
	if err != nil || sent != 1 {
		t.Fatalf("Dispatch = %d, %v; want only event:e10's reminder", sent, err)
	}
	if n, _ := rdb.XLen(ctx, ob.streamKey()).Result(); n != 1 {
		t.Fatalf("outbox holds %d, want 1", n)
	}
	// Moved back to now: due again, and a new mail (another due time).
	if err := r.Schedule(ctx, "event:e2:user:a:1h", past, reminder("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if sent, _ := r.Dispatch(ctx); sent != 1 {
		t.Fatalf("rescheduled reminder dispatched %d, want 1", sent)
	}
	if sent, _ := r.Dispatch(ctx); sent != 0 {
		t.Fatalf("second Dispatch sent %d, want 0", sent)
	}
}

func TestClaimedReminderOfADeadInstanceIsEnqueuedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := testenv.Redis(t)
	clk := newTestClock(time.Now())
	ob := NewOutbox(rdb, prefix, Options{Now: clk.Now})
	dead := NewReminders(rdb, prefix, ob)
	dead.Lease = time.Minute
	if err := dead.Schedule(ctx, "event:e4:user:a:1h", clk.Now().Add(-time.Second), reminder("a@example.com")); err != nil {
		t.Fatal(err)
	}
	cs, err := dead.claim(ctx, dead.whole(), 10)
	if err != nil || len(cs) != 1 {
		t.Fatalf("claim = %v, %v", cs, err)
	}
	// It enqueued the mail and then died before forgetting the reminder.
	var it reminderItem
	mustUnmarshal(t, cs[0].item, &it)
	if _, err := ob.Enqueue(ctx, *it.Msg); err != nil {
		t.Fatal(err)
	}
	other := NewReminders(rdb, prefix, ob)
	if n, _ := other.Dispatch(ctx); n != 0 {
		t.Fatalf("a leased reminder was dispatched again (%d) before the lease ran out", n)
	}
	clk.Advance(time.Minute - time.Millisecond)
	if n, _ := other.Dispatch(ctx); n != 0 {
		t.Fatalf("dispatched again (%d) a millisecond before the lease ran out", n)
	}
	clk.Advance(time.Millisecond)
	if n, _ := other.Dispatch(ctx); n != 1 {
		t.Fatalf("after the lease, Dispatch = %d, want 1", n)
	}
	if n, _ := rdb.XLen(ctx, ob.streamKey()).Result(); n != 1 {
		t.Fatalf("outbox holds %d mails, want 1 (the idempotency key stops the second)", n)
	}
}

func TestScheduleReminderRejectsBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, prefix := newOutbox(t)
	r := NewReminders(rdb, prefix, ob)
	bad := reminder("a@example.com")
	delete(bad.Data, "StartsIn")
	cases := []struct {
		name, key string
		due       time.Time
		m         Message
		field     string
	}{
		{"empty key", "", time.Now(), reminder("a@example.com"), "key"},
		{"key with space", "event e1", time.Now(), reminder("a@example.com"), "key"},
		{"no due time", "k", time.Time{}, reminder("a@example.com"), "due"},
		{"bad message", "k", time.Now(), bad, "data.StartsIn"},
	}
	for _, c := range cases {
		var ve valid.Errors
		if err := r.Schedule(ctx, c.key, c.due, c.m); !errors.As(err, &ve) || ve[c.field] == "" {
			t.Errorf("%s: err = %v, want field %q", c.name, err, c.field)
		}
	}
	var ve valid.Errors
	if _, err := r.Cancel(ctx, ""); !errors.As(err, &ve) {
		t.Errorf("Cancel(\"\") = %v, want a refusal", err)
	}
	if n, _ := rdb.ZCard(ctx, r.whole().due).Result(); n != 0 {
		t.Errorf("%d reminders stored from bad input", n)
	}
}

// A due reminder Wanted says is not wanted any more is dropped unsent and
// forgotten; the others go out; and while Wanted fails, nothing goes and
// nothing is lost.
func TestRemindersNotWantedAreDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, clock := clockedReminders(t)
	rdb, ob := r.rdb, r.outbox
	past := clock.Now().Add(-time.Second)
	for _, k := range []string{"event:e1:user:a:24h", "event:e1:user:b:24h"} {
		if err := r.Schedule(ctx, k, past, reminder("a@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	r.Wanted = func(context.Context, []string) ([]bool, error) { return nil, errors.New("no answer") }
	if sent, err := r.Dispatch(ctx); err == nil || sent != 0 {
		t.Fatalf("Dispatch while Wanted fails = %d, %v; want an error and nothing sent", sent, err)
	}
	r.Wanted = func(_ context.Context, keys []string) ([]bool, error) {
		want := make([]bool, len(keys))
		for i, k := range keys {
			want[i] = k != "event:e1:user:b:24h"
		}
		return want, nil
	}
	if sent, err := r.Dispatch(ctx); err != nil || sent != 0 {
		t.Fatalf("Dispatch within the failed claims' lease = %d, %v; want nothing yet", sent, err)
	}
	clock.Advance(r.Lease + time.Second)
	if sent, err := r.Dispatch(ctx); err != nil || sent != 1 {
		t.Fatalf("Dispatch once the claims lapsed = %d, %v; want a's reminder only", sent, err)
	}
	if n, _ := rdb.XLen(ctx, ob.streamKey()).Result(); n != 1 {
		t.Fatalf("outbox holds %d, want only a's reminder", n)
	}
	if left, _ := rdb.ZCard(ctx, r.whole().due).Result(); left != 0 {
		t.Fatalf("%d reminders left, want none: b's is forgotten", left)
	}
}

// A planned reminder stores no mail: Compose writes it when it falls due,
// from the key and due time it was planned with; one Compose drops goes
// nowhere, and while Compose is missing or fails, planned reminders
// wait and mails scheduled whole still go.
func TestPlannedRemindersAreComposedWhenDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, clock := clockedReminders(t)
	rdb, ob := r.rdb, r.outbox
	due := clock.Now().Add(-time.Second).Truncate(time.Millisecond)
	addReminders(t, r, Reminder{Key: "event:e1:user:a:24h", Due: due}, Reminder{Key: "event:e1:user:b:24h", Due: due})
	if item, _ := rdb.HGet(ctx, r.planned().items, "event:e1:user:a:24h").Result(); item != fmt.Sprintf(`{"due":%d}`, due.UnixMilli()) {
		t.Fatalf("a planned reminder stores %q, want its due time alone", item)
	}
	if n, _ := rdb.ZCard(ctx, r.whole().due).Result(); n != 0 {
		t.Fatalf("%d planned reminders where a process that predates them claims reminders", n)
	}
	if err := r.Schedule(ctx, "event:e2:user:a:1h", due, reminder("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if sent, err := r.Dispatch(ctx); err != nil || sent != 1 {
		t.Fatalf("Dispatch with nothing to compose = %d, %v; want the whole mail only", sent, err)
	}
	var asked []Planned
	r.Compose = func(_ context.Context, ps []Planned) ([]*Message, error) {
		asked = append(asked, ps...)
		return nil, errors.New("no answer")
	}
	clock.Advance(r.Lease + time.Second)
	if sent, err := r.Dispatch(ctx); err == nil || sent != 0 {
		t.Fatalf("Dispatch while Compose fails = %d, %v; want an error and nothing sent", sent, err)
	}
	if len(asked) < 2 || !asked[0].Due.Equal(due) || asked[0].Key != "event:e1:user:a:24h" || asked[1].Key != "event:e1:user:b:24h" {
		t.Fatalf("Compose was asked about %+v, want both planned reminders with their due time", asked)
	}
	// An answer of the wrong length is an error, not a drop.
	r.Compose = func(context.Context, []Planned) ([]*Message, error) { return nil, nil }
	clock.Advance(r.Lease + time.Second)
	if sent, err := r.Dispatch(ctx); err == nil || sent != 0 {
		t.Fatalf("Dispatch with no answer from Compose = %d, %v; want an error and nothing sent", sent, err)
	}
	// b's cannot be written; a's alone is then, and b's waits.
	r.Compose = func(_ context.Context, ps []Planned) ([]*Message, error) {
		out := make([]*Message, len(ps))
		for i, p := range ps {
			if strings.Contains(p.Key, ":user:b:") {
				return nil, errors.New("b's session is unreadable")
			}
			m := reminder("a@example.com")
			out[i] = &m
		}
		return out, nil
	}
	clock.Advance(r.Lease + time.Second)
	if sent, err := r.Dispatch(ctx); err != nil || sent != 1 {
		t.Fatalf("Dispatch = %d, %v; want a's composed reminder, b's waiting", sent, err)
	}
	if left, _ := rdb.ZRange(ctx, r.planned().due, 0, -1).Result(); len(left) != 1 || left[0] != "event:e1:user:b:24h" {
		t.Fatalf("reminders left: %q, want b's, waiting", left)
	}
	// Compose drops b's: it is forgotten.
	r.Compose = func(_ context.Context, ps []Planned) ([]*Message, error) { return make([]*Message, len(ps)), nil }
	clock.Advance(r.Lease + time.Second)
	if sent, err := r.Dispatch(ctx); err != nil || sent != 0 {
		t.Fatalf("Dispatch = %d, %v; want nothing sent", sent, err)
	}
	if left, _ := rdb.ZCard(ctx, r.planned().due).Result(); left != 0 {
		t.Fatalf("%d reminders left, want none: b's is dropped", left)
	}
	idem := "reminder:event:e1:user:a:24h:" + strconv.FormatInt(due.Unix(), 10)
	if n, _ := rdb.Exists(ctx, ob.idemKey(idem)).Result(); n != 1 {
		t.Fatalf("the composed mail is not sent once for its due time (no %s)", idem)
	}
	if n, _ := rdb.XLen(ctx, ob.streamKey()).Result(); n != 2 {
		t.Fatalf("outbox holds %d, want the whole mail and a's", n)
	}
}

// Adding reminders replaces those of the same keys and leaves the rest;
// bad input stores nothing.
func TestQueueAddReplacesItsKeysOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, prefix := newOutbox(t)
	r := NewReminders(rdb, prefix, ob)
	soon, later := time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
	if err := r.Schedule(ctx, "event:e1:user:a:48h", soon, reminder("a@example.com")); err != nil {
		t.Fatal(err)
	}
	for _, due := range []time.Time{soon, later} {
		addReminders(t, r, Reminder{Key: "event:e1:user:a:24h", Due: due})
	}
	if at, _ := rdb.ZScore(ctx, r.planned().due, "event:e1:user:a:24h").Result(); int64(at) != later.UnixMilli() {
		t.Fatalf("the reminder added twice is due at %v, want the second time", at)
	}
	if n, _ := r.Cancel(ctx, "event:e1:user:a:"); n != 2 {
		t.Fatalf("%d reminders, want the one scheduled before and the one added", n)
	}
	// Planned reminders replace whole ones of the same prefix.
	if err := r.Schedule(ctx, "event:e1:user:a:48h", soon, reminder("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := r.Replace(ctx, "event:e1:user:a:", []Reminder{{Key: "event:e1:user:a:24h", Due: soon}}); err != nil {
		t.Fatal(err)
	}
	if w, _ := rdb.ZCard(ctx, r.whole().due).Result(); w != 0 {
		t.Fatalf("%d whole reminders left after a planned replacement", w)
	}
	if p, _ := rdb.ZRange(ctx, r.planned().due, 0, -1).Result(); len(p) != 1 || p[0] != "event:e1:user:a:24h" {
		t.Fatalf("planned after the replacement: %q", p)
	}
	var ve valid.Errors
	if err := r.Replace(ctx, "event:e1:user:a:", []Reminder{{Key: "event:e1:user:a:24h", Due: soon},
		{Key: "event:e1:user:a:1h", Due: soon, Msg: reminder("a@example.com")}}); !errors.As(err, &ve) {
		t.Fatalf("a replacement half planned: %v, want a refusal", err)
	}
	for _, bad := range []Reminder{{Key: "", Due: soon}, {Key: "k", Due: time.Time{}}, {Key: "k", Due: soon, Msg: Message{To: "a@example.com"}}} {
		var ve valid.Errors
		if _, err := r.QueueAdd(ctx, []Reminder{bad}); !errors.As(err, &ve) {
			t.Errorf("QueueAdd(%+v) = %v, want a refusal", bad, err)
		}
	}
}

// addReminders runs r's QueueAdd of rs on a pipeline of its own.
func addReminders(t *testing.T, r *Reminders, rs ...Reminder) {
	t.Helper()
	add, err := r.QueueAdd(context.Background(), rs)
	if err != nil {
		t.Fatal(err)
	}
	p := r.rdb.Pipeline()
	check := add(p)
	_, _ = p.Exec(context.Background())
	if err := check(); err != nil {
		t.Fatal(err)
	}
}

// Reminders stored whole go out while Compose fails, and a due entry left
// without its item (a cancel between an add's commands) is forgotten, not
// claimed again at every lease.
func TestWholeRemindersGoWhileComposeFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, clock := clockedReminders(t)
	rdb := r.rdb
	r.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	due := clock.Now().Add(-time.Second)
	addReminders(t, r, Reminder{Key: "event:e1:user:a:24h", Due: due})
	if err := r.Schedule(ctx, "event:e2:user:a:1h", due, reminder("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ZAdd(ctx, r.planned().due, redis.Z{Score: float64(due.UnixMilli()), Member: "event:e3:user:a:24h"}).Err(); err != nil {
		t.Fatal(err)
	}
	r.Compose = func(context.Context, []Planned) ([]*Message, error) { return nil, errors.New("no answer") }
	if sent, err := r.Dispatch(ctx); err == nil || sent != 1 {
		t.Fatalf("Dispatch while Compose fails = %d, %v; want the whole reminder sent and an error", sent, err)
	}
	if left, _ := rdb.ZRange(ctx, r.planned().due, 0, -1).Result(); len(left) != 1 || left[0] != "event:e1:user:a:24h" {
		t.Fatalf("planned reminders left: %q, want the one that waits, not the one without an item", left)
	}
}

// clockedReminders is a scheduler whose outbox keeps a clock the test
// moves, on a Redis of the test's own.
func clockedReminders(t *testing.T) (*Reminders, *testenv.Clock) {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	clock := testenv.NewClock(time.Now())
	return NewReminders(rdb, prefix, NewOutbox(rdb, prefix, Options{Now: clock.Now})), clock
}
