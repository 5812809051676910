package mail

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// enqueueN queues n invites in one batch and returns their IDs.
func enqueueN(t *testing.T, ob *Outbox, n int, batch string) []string {
	t.Helper()
	ms := make([]Message, n)
	for i := range ms {
		ms[i] = invite(fmt.Sprintf("member%d@example.com", i))
		ms[i].BatchID = batch
	}
	rs, err := ob.EnqueueAll(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// assertEachOnce checks that each of the n members got exactly one mail.
func assertEachOnce(t *testing.T, s *sink, n int) {
	t.Helper()
	got := s.byRecipient()
	if len(got) != n {
		t.Errorf("%d recipients got mail, want %d", len(got), n)
	}
	for to, c := range got {
		if c != 1 {
			t.Errorf("%s got %d mails, want exactly 1", to, c)
		}
	}
}

func waitBatch(t *testing.T, ob *Outbox, batch string, want BatchStatus) {
	t.Helper()
	var last BatchStatus
	waitUntil(t, 5*time.Second, fmt.Sprintf("batch %+v", want), func() bool {
		last, _ = ob.BatchStatus(context.Background(), batch)
		return last == want
	})
}

func TestServerDownThenBackDeliversEachOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := newSink(t) // address reserved, nothing listening: connection refused
	cfg, _ := ParseSMTPURL(s.url())
	w := fastWorkers(ob, NewSMTPSender(cfg))
	w.N = 4
	ids := enqueueN(t, ob, 20, "down")
	stop := run(t, w)

	waitUntil(t, 5*time.Second, "retries while the server is down", func() bool {
		st, _ := ob.Status(ctx, ids[0])
		return st.State == StateRetrying && st.Tries >= 2 && strings.Contains(st.Error, "refused")
	})
	if b, _ := ob.BatchStatus(ctx, "down"); b.Sent != 0 || b.Failed != 0 {
		t.Fatalf("while down: %+v", b)
	}
	s.start()
	s.waitFor(20, 10*time.Second)
	waitBatch(t, ob, "down", BatchStatus{Total: 20, Sent: 20})
	waitDrained(t, ob)
	stop() // every send in hand is finished: a double send would show now
	assertEachOnce(t, s, 20)
}

func TestSilentServerTimesOutAndIsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := newSink(t)
	s.hang.Store(2) // the first two connections are accepted and never answered
	s.start()
	cfg, _ := ParseSMTPURL(s.url())
	w := fastWorkers(ob, NewSMTPSender(cfg))
	w.N = 1
	w.SendTimeout = 150 * time.Millisecond
	rc, err := ob.Enqueue(ctx, invite("linus@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	run(t, w)
	s.waitFor(1, 5*time.Second)
	waitUntil(t, 2*time.Second, "sent state", func() bool {
		st, _ := ob.Status(ctx, rc.ID)
		return st.State == StateSent
	})
	st, _ := ob.Status(ctx, rc.ID)
	if st.Tries != 3 {
		t.Errorf("tries = %d, want 3 (two timeouts, then success)", st.Tries)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("delivered after %v: the two silent connections were not waited out", took)
	}
	assertEachOnce(t, s, 1)
}

func TestTemporaryRejectionIsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := newSink(t)
	s.rcpt = func(to string, attempt int) error {
		if attempt <= 2 {
			return tempFail()
		}
		return nil
	}
	s.start()
	cfg, _ := ParseSMTPURL(s.url())
	rc, _ := ob.Enqueue(ctx, invite("ken@example.com"))
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	s.waitFor(1, 5*time.Second)
	waitUntil(t, 2*time.Second, "sent after 3 tries", func() bool {
		st, _ := ob.Status(ctx, rc.ID)
		return st.State == StateSent && st.Tries == 3
	})
	if n := s.attempts("ken@example.com"); n != 3 {
		t.Errorf("server saw %d attempts, want 3", n)
	}
}

func TestPermanentRejectionIsDeadLetteredAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := newSink(t)
	s.rcpt = func(to string, _ int) error {
		if to == "member3@example.com" {
			return permFail()
		}
		return nil
	}
	s.start()
	cfg, _ := ParseSMTPURL(s.url())
	ids := enqueueN(t, ob, 6, "perm")
	stop := run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	waitBatch(t, ob, "perm", BatchStatus{Total: 6, Sent: 5, Failed: 1})
	waitDrained(t, ob)
	stop()
	if n := s.attempts("member3@example.com"); n != 1 {
		t.Errorf("rejected address tried %d times, want 1", n)
	}
	st, _ := ob.Status(ctx, ids[3])
	if st.State != StateFailed || st.Tries != 1 || !strings.Contains(st.Error, "550") {
		t.Errorf("status = %+v", st)
	}
	dead, err := ob.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 1 {
		t.Fatalf("dead letters = %+v, %v", dead, err)
	}
	if d := dead[0]; d.ID != ids[3] || d.Message.To != "member3@example.com" || !strings.Contains(d.Error, "550") {
		t.Errorf("dead letter = %+v", d)
	}
}

func TestCrashedWorkersMailIsDeliveredByAnother(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, _ := newOutbox(t)
	s := startSink(t)
	cfg, _ := ParseSMTPURL(s.url())
	enqueueN(t, ob, 10, "crash")
	// A worker reads the whole batch and dies before sending or acking.
	if err := ob.ensureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: "crashed", Streams: []string{ob.streamKey(), ">"}, Count: 10,
	}).Result()
	if err != nil || len(got[0].Messages) != 10 {
		t.Fatalf("crashed worker read %v, %v", got, err)
	}
	w := fastWorkers(ob, NewSMTPSender(cfg))
	w.SendTimeout = 100 * time.Millisecond
	w.ClaimMinIdle = 300 * time.Millisecond
	run(t, w)
	s.waitFor(10, 5*time.Second)
	waitBatch(t, ob, "crash", BatchStatus{Total: 10, Sent: 10})
	pending, _ := rdb.XPending(ctx, ob.streamKey(), group).Result()
	if pending.Count != 0 {
		t.Errorf("%d messages still pending", pending.Count)
	}
	assertEachOnce(t, s, 10)
}

func TestRedeliveryOfASentMessageDoesNotSendAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, _ := newOutbox(t)
	s := startSink(t)
	cfg, _ := ParseSMTPURL(s.url())
	m := invite("barbara@example.com")
	stop := run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	rc, _ := ob.Enqueue(ctx, m)
	s.waitFor(1, 5*time.Second)
	stop()
	// The worker died after the server accepted the mail but before the
	// ack: the entry is back on the stream (as XAUTOCLAIM would hand it).
	payload := fmt.Sprintf(`{"id":%q,"tries":0,"msg":{"kind":"invite","to":"barbara@example.com","idempotency_key":%q}}`, rc.ID, m.IdempotencyKey)
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: ob.streamKey(), Values: map[string]any{"m": payload}})
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	waitUntil(t, 2*time.Second, "stream drained", func() bool {
		n, _ := rdb.XLen(ctx, ob.streamKey()).Result()
		return n == 0
	})
	assertEachOnce(t, s, 1)
}

func TestShutdownFinishesOrHandsBackInFlight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	silent := newSink(t)
	silent.hang.Store(1 << 30)
	silent.start()
	silentCfg, _ := ParseSMTPURL(silent.url())
	w := fastWorkers(ob, NewSMTPSender(silentCfg))
	w.N = 1
	w.SendTimeout = 400 * time.Millisecond
	stop := run(t, w)
	rc, _ := ob.Enqueue(ctx, invite("margaret@example.com"))
	waitUntil(t, 2*time.Second, "send in flight", func() bool { return silent.conns.Load() > 0 })
	began := time.Now()
	stop()
	if took := time.Since(began); took > time.Second {
		t.Errorf("Run took %v to return after cancel, want about SendTimeout", took)
	}
	st, _ := ob.Status(ctx, rc.ID)
	if st.State != StateRetrying || st.Tries != 1 {
		t.Fatalf("after shutdown state = %+v, want retrying after 1 try", st)
	}
	good := startSink(t)
	goodCfg, _ := ParseSMTPURL(good.url())
	run(t, fastWorkers(ob, NewSMTPSender(goodCfg)))
	good.waitFor(1, 5*time.Second)
	assertEachOnce(t, good, 1)
}

func TestWorkersRecoverWhenTheStreamIsDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, _ := newOutbox(t)
	s := startSink(t)
	cfg, _ := ParseSMTPURL(s.url())
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	ob.Enqueue(ctx, invite("first@example.com"))
	s.waitFor(1, 5*time.Second)
	rdb.Del(ctx, ob.streamKey()) // a FLUSHDB or restore takes the group with it
	waitUntil(t, 2*time.Second, "the workers to recreate the consumer group", func() bool {
		gs, err := rdb.XInfoGroups(ctx, ob.streamKey()).Result()
		return err == nil && len(gs) == 1
	})
	if _, err := ob.Enqueue(ctx, invite("second@example.com")); err != nil {
		t.Fatal(err)
	}
	s.waitFor(2, 5*time.Second)
	waitUntil(t, 2*time.Second, "an empty backlog", func() bool {
		q, r, err := ob.Backlog(ctx)
		return err == nil && q == 0 && r == 0
	})
}
