package mail

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/redis/go-redis/v9"
)

type clock = testenv.Clock

func newClock() *clock { return testenv.NewClock(time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)) }

// outage is an outbox on a simulated clock, and an SMTP server that
// answers 451 to every recipient while refusing is set.
type outage struct {
	t        *testing.T
	clk      *clock
	ob       *Outbox
	rdb      redis.UniversalClient
	sink     *sink
	refusing atomic.Bool
}

func newOutage(t *testing.T, opt Options) *outage {
	t.Helper()
	o := &outage{t: t, clk: newClock()}
	opt.Now = o.clk.Now
	var prefix string
	o.rdb, prefix = testenv.Redis(t)
	o.ob = NewOutbox(o.rdb, prefix, opt)
	o.sink = newSink(t)
	o.refusing.Store(true)
	o.sink.rcpt = func(string, int) error {
		if o.refusing.Load() {
			return tempFail()
		}
		return nil
	}
	o.sink.start()
	return o
}

// workers are the production retry policy (1s doubling to 30m, for 24h)
// with test-sized polling.
func (o *outage) workers() Workers {
	cfg, _ := ParseSMTPURL(o.sink.url())
	w := fastWorkers(o.ob, NewSMTPSender(cfg))
	w.Backoff, w.MaxBackoff, w.RetryFor = 0, 0, 0
	return w
}

// settle waits until n messages wait in the retry set, none of them due
// by the simulated clock and none on the stream: every due retry was
// tried and failed again.
func (o *outage) settle(n int64) {
	o.t.Helper()
	ctx := context.Background()
	waitUntil(o.t, 5*time.Second, fmt.Sprintf("%d parked retries", n), func() bool {
		parked, err1 := o.rdb.ZCard(ctx, o.ob.retryKey()).Result()
		due, err2 := o.rdb.ZCount(ctx, o.ob.retryKey(), "-inf", fmt.Sprint(o.clk.Now().UnixMilli())).Result()
		queued, err3 := o.rdb.XLen(ctx, o.ob.streamKey()).Result()
		return errors.Join(err1, err2, err3) == nil && parked == n && due == 0 && queued == 0
	})
}

// nextDue is when the earliest parked retry is due.
func (o *outage) nextDue() time.Time {
	o.t.Helper()
	zs, err := o.rdb.ZRangeWithScores(context.Background(), o.ob.retryKey(), 0, 0).Result()
	if err != nil || len(zs) != 1 {
		o.t.Fatalf("retry set: %v, %v", zs, err)
	}
	return time.UnixMilli(int64(zs[0].Score))
}

func TestAnHourOfRefusalsLosesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newOutage(t, Options{})
	ids := enqueueN(t, o.ob, 40, "outage")
	start := o.clk.Now()
	run(t, o.workers())
	o.settle(40)
	for o.clk.Now().Sub(start) < time.Hour {
		o.clk.Advance(5 * time.Minute)
		o.settle(40)
		if b, err := o.ob.BatchStatus(ctx, "outage"); err != nil || b != (BatchStatus{Total: 40, Retrying: 40}) {
			t.Fatalf("after %v of refusals: %+v, %v", o.clk.Now().Sub(start), b, err)
		}
	}
	if dead, err := o.ob.DeadLetters(ctx, 10); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters after an hour: %+v, %v", dead, err)
	}
	// Every message was tried more often than the old limit of 8 tries.
	for i, id := range ids {
		st, _ := o.ob.Status(ctx, id)
		addr := fmt.Sprintf("member%d@example.com", i)
		if st.Tries < 9 || o.sink.attempts(addr) != st.Tries {
			t.Fatalf("%s: %d tries recorded, %d seen by the server, want at least 9 each", addr, st.Tries, o.sink.attempts(addr))
		}
	}

	o.refusing.Store(false)
	o.clk.Advance(36 * time.Minute) // the longest backoff with jitter
	waitBatch(t, o.ob, "outage", BatchStatus{Total: 40, Sent: 40})
	if q, r, err := o.ob.Backlog(ctx); err != nil || q != 0 || r != 0 {
		t.Fatalf("backlog after delivery: %d queued, %d retrying, %v", q, r, err)
	}
	assertEachOnce(t, o.sink, 40)
}

func TestRefusedForADayIsDeadLetteredThenRequeued(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newOutage(t, Options{})
	id := enqueueN(t, o.ob, 1, "day")[0]
	start := o.clk.Now()
	run(t, o.workers())
	o.settle(1)
	for {
		o.clk.Set(o.nextDue())
		waitUntil(t, 5*time.Second, "the retry tried", func() bool {
			st, _ := o.ob.Status(ctx, id)
			parked, _ := o.rdb.ZCount(ctx, o.ob.retryKey(), fmt.Sprint(o.clk.Now().UnixMilli()+1), "+inf").Result()
			return st.State == StateFailed || parked == 1
		})
		st, _ := o.ob.Status(ctx, id)
		if st.State == StateFailed {
			if tried := st.Updated.Sub(start); tried < 24*time.Hour || tried > 25*time.Hour {
				t.Fatalf("dead-lettered after %v of refusals, want just past 24h", tried)
			}
			break
		}
		if o.clk.Now().Sub(start) > 25*time.Hour {
			t.Fatalf("still %s after %v", st.State, o.clk.Now().Sub(start))
		}
	}
	st, _ := o.ob.Status(ctx, id)
	if st.Tries < 50 || st.Tries != o.sink.attempts("member0@example.com") {
		t.Errorf("%d tries recorded, %d seen by the server: want one about every 30 minutes", st.Tries, o.sink.attempts("member0@example.com"))
	}
	dead, err := o.ob.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].ID != id || dead[0].Tries != st.Tries || dead[0].Message.To != "member0@example.com" {
		t.Fatalf("dead letters = %+v, %v", dead, err)
	}
	if n, err := o.ob.DeadCount(ctx); err != nil || n != 1 {
		t.Fatalf("dead count = %d, %v", n, err)
	}
	if b, _ := o.ob.BatchStatus(ctx, "day"); b != (BatchStatus{Total: 1, Failed: 1}) {
		t.Fatalf("batch after dead-lettering: %+v", b)
	}

	// The server is back; the operator requeues the dead letter.
	o.refusing.Store(false)
	if _, err := o.ob.Requeue(ctx, "no-such-id"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("requeue of an unknown ID: %v", err)
	}
	if r, err := o.ob.Requeue(ctx, id); err != nil || r != (Requeued{Queued: 1}) {
		t.Fatalf("requeue = %+v, %v", r, err)
	}
	waitBatch(t, o.ob, "day", BatchStatus{Total: 1, Sent: 1})
	if st, _ := o.ob.Status(ctx, id); st.State != StateSent || st.Tries != 1 {
		t.Errorf("after requeue: %+v, want sent at the first try of its fresh start", st)
	}
	if dead, _ := o.ob.DeadLetters(ctx, 10); len(dead) != 0 {
		t.Errorf("dead letters after requeue: %+v", dead)
	}
	if _, err := o.ob.Requeue(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("second requeue: %v, want ErrNotFound", err)
	}
	assertEachOnce(t, o.sink, 1)
}

func TestDeadLetterFreesItsIdempotencyKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := newSink(t)
	s.rcpt = func(to string, attempt int) error {
		if to == "member1@example.com" && attempt == 1 {
			return permFail()
		}
		return nil
	}
	s.start()
	cfg, _ := ParseSMTPURL(s.url())
	first := enqueueN(t, ob, 3, "again")
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	waitBatch(t, ob, "again", BatchStatus{Total: 3, Sent: 2, Failed: 1})

	keys := []string{"invite:e1:member0@example.com", "invite:e1:member1@example.com", "invite:e1:nobody@example.com"}
	taken, err := ob.Taken(ctx, keys)
	if err != nil || !taken[keys[0]] || taken[keys[1]] || taken[keys[2]] || len(taken) != 3 {
		t.Fatalf("taken = %v, %v: want only the delivered key", taken, err)
	}
	// Announcing again queues only the dead-lettered invitation, which
	// replaces the failure in the batch.
	again := enqueueN(t, ob, 3, "again")
	for i, want := range []bool{true, false, true} {
		if dup := again[i] == first[i]; dup != want {
			t.Errorf("message %d queued again: duplicate = %v, want %v", i, dup, want)
		}
	}
	waitBatch(t, ob, "again", BatchStatus{Total: 3, Sent: 3})
	if taken, _ := ob.Taken(ctx, keys[1:2]); !taken[keys[1]] {
		t.Error("the resent invitation's key is free")
	}
	// The old dead letter is only dropped when requeued: the mail went out.
	if r, err := ob.RequeueAll(ctx); err != nil || r != (Requeued{Superseded: 1}) {
		t.Fatalf("requeue all = %+v, %v", r, err)
	}
	if q, r, err := ob.Backlog(ctx); err != nil || q != 0 || r != 0 {
		t.Fatalf("backlog after requeue: %d, %d, %v", q, r, err)
	}
	if st, _ := ob.Status(ctx, first[1]); st.State != StateFailed {
		t.Errorf("superseded message state = %s, want failed", st.State)
	}
	assertEachOnce(t, s, 3)
}

func TestDeadLetterListKeepsTheNewest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := testenv.Redis(t)
	ob := NewOutbox(rdb, prefix, Options{DeadMax: 3})
	s := newSink(t)
	s.rcpt = func(string, int) error { return permFail() }
	s.start()
	cfg, _ := ParseSMTPURL(s.url())
	ids := enqueueN(t, ob, 5, "bounded")
	w := fastWorkers(ob, NewSMTPSender(cfg))
	w.N = 1 // in stream order
	run(t, w)
	waitBatch(t, ob, "bounded", BatchStatus{Total: 5, Failed: 5})
	dead, err := ob.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 3 || dead[0].ID != ids[4] || dead[2].ID != ids[2] {
		t.Fatalf("dead letters = %+v, %v: want the newest 3", dead, err)
	}
	if n, _ := ob.DeadCount(ctx); n != 3 {
		t.Errorf("dead count = %d, want 3", n)
	}
	// A dropped letter's state stays until it expires.
	if st, err := ob.Status(ctx, ids[0]); err != nil || st.State != StateFailed {
		t.Errorf("dropped letter's state = %+v, %v", st, err)
	}
	if ttl := rdb.TTL(ctx, ob.stateKey(ids[0])).Val(); ttl <= 0 {
		t.Errorf("dropped letter's state TTL = %v, want one", ttl)
	}
}

func TestConcurrentRequeuesMoveEachLetterOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, _ := newOutbox(t)
	s := newSink(t)
	var accept atomic.Bool
	s.rcpt = func(string, int) error {
		if accept.Load() {
			return nil
		}
		return permFail()
	}
	s.start()
	cfg, _ := ParseSMTPURL(s.url())
	enqueueN(t, ob, 6, "twice")
	stop := run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	waitBatch(t, ob, "twice", BatchStatus{Total: 6, Failed: 6})
	stop()
	accept.Store(true)
	var wg sync.WaitGroup
	results := make([]Requeued, 4)
	for i := range results {
		wg.Go(func() {
			r, err := ob.RequeueAll(ctx)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total += r.Queued
		if r.Superseded != 0 {
			t.Errorf("requeue reported %d superseded letters", r.Superseded)
		}
	}
	if total != 6 {
		t.Fatalf("requeues moved %d letters in all (%+v), want 6", total, results)
	}
	if n, _ := rdb.XLen(ctx, ob.streamKey()).Result(); n != 6 {
		t.Fatalf("%d messages on the stream, want 6", n)
	}
	if b, _ := ob.BatchStatus(ctx, "twice"); b != (BatchStatus{Total: 6, Queued: 6}) {
		t.Fatalf("batch after requeue: %+v", b)
	}
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	waitBatch(t, ob, "twice", BatchStatus{Total: 6, Sent: 6})
	assertEachOnce(t, s, 6)
}

func TestUnreadableDeadLetterStaysListed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, _ := newOutbox(t)
	s := startSink(t)
	cfg, _ := ParseSMTPURL(s.url())
	if err := ob.ensureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: ob.streamKey(), Values: map[string]any{"m": "not json"}})
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	waitUntil(t, 5*time.Second, "a dead letter", func() bool {
		n, _ := ob.DeadCount(ctx)
		return n == 1
	})
	if r, err := ob.RequeueAll(ctx); err != nil || r != (Requeued{}) {
		t.Fatalf("requeue all = %+v, %v: want nothing to requeue", r, err)
	}
	if dead, _ := ob.DeadLetters(ctx, 10); len(dead) != 1 || dead[0].Message.Kind != "" || dead[0].Error != `unreadable outbox entry "not json"` {
		t.Fatalf("dead letters = %+v", dead)
	}
}
