package clustertest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mail"
)

const testSecret = "0123456789abcdef0123456789abcdef"

// startMail wires the mail service with the dev mailbox on rdb, runs its
// workers and reminder loop until the test ends, and fails the test when
// they logged a warning or an error.
func startMail(t *testing.T, rdb redis.UniversalClient, prefix string, now func() time.Time) (*mail.Service, *slog.Logger) {
	t.Helper()
	log := &errorLog{}
	logger := slog.New(log)
	svc, err := mail.New(rdb, prefix, mail.Config{Secret: []byte(testSecret), Workers: 3, Poll: 20 * time.Millisecond,
		Options: mail.Options{Now: now}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Mailbox == nil {
		t.Fatal("no dev mailbox without an SMTP URL")
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("mail workers: %v", err)
		}
		log.check(t)
	})
	return svc, logger
}

// drained waits until the outbox holds nothing queued or waiting for a
// retry, so every mail queued so far is in the dev mailbox.
func drained(t *testing.T, svc *mail.Service) {
	t.Helper()
	eventually(t, "an empty outbox", func() (bool, string) {
		q, r, err := svc.Outbox.Backlog(context.Background())
		return err == nil && q == 0 && r == 0, fmt.Sprintf("%d queued, %d retrying, %v", q, r, err)
	})
}

func generic(to, subject, key string) mail.Message {
	return mail.Message{Kind: mail.KindGeneric, To: to, Data: map[string]any{"Subject": subject, "Body": "Hello from the cluster."},
		UnsubscribeURL: "https://fg.example/unsubscribe/x", IdempotencyKey: key}
}

// mailboxBySubject counts the dev mailbox's mails per subject.
func mailboxBySubject(t *testing.T, svc *mail.Service) map[string]int {
	t.Helper()
	list, err := svc.Mailbox.List(context.Background(), 500)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range list {
		out[m.Subject]++
	}
	return out
}

func TestMailOutboxOnCluster(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	svc, _ := startMail(t, rdb, prefix, nil)

	first, err := svc.Enqueue(ctx, generic("ada@example.com", "Welcome", "welcome:ada"))
	if err != nil || first.Duplicate {
		t.Fatalf("enqueue: %+v %v", first, err)
	}
	again, err := svc.Enqueue(ctx, generic("ada@example.com", "Welcome", "welcome:ada"))
	if err != nil || !again.Duplicate || again.ID != first.ID {
		t.Fatalf("enqueue again: %+v %v, want a duplicate of %s", again, err, first.ID)
	}
	if _, err := svc.Enqueue(ctx, generic("not an address", "Bad", "")); !errors.As(err, new(valid.Errors)) {
		t.Fatalf("enqueue to a bad address: %v", err)
	}

	batch := ids.New()
	var ms []mail.Message
	for i := range 6 {
		m := generic(fmt.Sprintf("member%d@example.com", i), fmt.Sprintf("Announcement %d", i), fmt.Sprintf("announce:%s:%d", batch, i))
		m.BatchID = batch
		ms = append(ms, m)
	}
	rs, err := svc.Outbox.EnqueueAll(ctx, ms)
	if err != nil || len(rs) != 6 {
		t.Fatalf("enqueue all: %v %v", rs, err)
	}
	rs2, err := svc.Outbox.EnqueueAll(ctx, ms)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rs2 {
		if !rs2[i].Duplicate || rs2[i].ID != rs[i].ID {
			t.Fatalf("second EnqueueAll, message %d: %+v, want a duplicate of %s", i, rs2[i], rs[i].ID)
		}
	}

	eventually(t, "batch delivered", func() (bool, string) {
		st, err := svc.BatchStatus(ctx, batch)
		return err == nil && st.Done() && st.Sent == 6, fmt.Sprintf("%+v %v", st, err)
	})
	if st, _ := svc.BatchStatus(ctx, batch); st.Total != 6 || st.Queued != 0 || st.Failed != 0 {
		t.Fatalf("batch status = %+v", st)
	}
	eventually(t, "welcome delivered", func() (bool, string) {
		st, err := svc.Outbox.Status(ctx, first.ID)
		return err == nil && st.State == mail.StateSent, fmt.Sprintf("%+v %v", st, err)
	})
	got := mailboxBySubject(t, svc)
	if got["Welcome"] != 1 || len(got) != 7 {
		t.Fatalf("mailbox subjects = %v, want Welcome and 6 announcements once each", got)
	}
	m, err := svc.Mailbox.Get(ctx, rs[2].ID)
	if err != nil || m.To != "member2@example.com" || m.Subject != "Announcement 2" {
		t.Fatalf("mailbox get: %+v %v", m, err)
	}
	if h := m.Headers["List-Unsubscribe"]; len(h) != 1 || h[0] != "<https://fg.example/unsubscribe/x>" {
		t.Fatalf("List-Unsubscribe = %v", h)
	}
	if q, r, err := svc.Outbox.Backlog(ctx); err != nil || q != 0 || r != 0 {
		t.Fatalf("backlog = %d queued, %d retrying, %v", q, r, err)
	}
	if dead, err := svc.Outbox.DeadLetters(ctx, 10); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters = %+v %v", dead, err)
	}

	// Unsubscribe links are signed and stateless.
	uid, gid := ids.New(), ids.New()
	tok, err := svc.Tokens.UnsubscribeToken(uid, mail.ScopeGroup(gid))
	if err != nil {
		t.Fatal(err)
	}
	if u, scope, ok := svc.Tokens.VerifyUnsubscribe(tok); !ok || u != uid || scope != mail.ScopeGroup(gid) {
		t.Fatalf("verify: %s %s %v", u, scope, ok)
	}
	if _, _, ok := svc.Tokens.VerifyUnsubscribe(tok + "A"); ok {
		t.Fatal("a tampered token verified")
	}
}

func TestMailRemindersOnCluster(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	clk := newClock(time.Now().UTC())
	svc, _ := startMail(t, rdb, prefix, clk.Now)

	reminder := func(to, title string) mail.Message {
		return mail.Message{Kind: mail.KindReminder, To: to, Data: map[string]any{"EventTitle": title, "GroupName": "Cluster fans",
			"When": "tomorrow", "StartsIn": "in 1 hour", "EventURL": "https://fg.example/s/1"}, UnsubscribeURL: "https://fg.example/u/x"}
	}
	due := clk.Now().Add(time.Hour)
	for _, r := range []struct{ key, to, title string }{
		{"event:E1:user:U1:1h", "u1@example.com", "Session one"},
		{"event:E1:user:U2:1h", "u2@example.com", "Session one, cancelled for U2"},
		{"event:E2:user:U1:1h", "u1@example.com", "Session two"},
	} {
		if err := svc.Reminders.Schedule(ctx, r.key, due, reminder(r.to, r.title)); err != nil {
			t.Fatalf("schedule %s: %v", r.key, err)
		}
	}
	if err := svc.Reminders.Schedule(ctx, "has space", due, reminder("u1@example.com", "x")); !errors.As(err, new(valid.Errors)) {
		t.Fatalf("schedule with a bad key: %v", err)
	}
	if n, err := svc.CancelReminders(ctx, "event:E1:user:U2:"); err != nil || n != 1 {
		t.Fatalf("cancel: %d %v", n, err)
	}
	if n, err := svc.Reminders.Dispatch(ctx); err != nil || n != 0 {
		t.Fatalf("dispatch before the reminders are due: %d %v", n, err)
	}
	drained(t, svc)
	if got := mailboxBySubject(t, svc); len(got) != 0 {
		t.Fatalf("mail before the reminders were due: %v", got)
	}

	clk.Advance(2 * time.Hour)
	want := map[string]int{"Reminder: Session one in 1 hour": 1, "Reminder: Session two in 1 hour": 1}
	eventually(t, "reminders delivered", func() (bool, string) {
		got := mailboxBySubject(t, svc)
		return len(got) == len(want) && got["Reminder: Session one in 1 hour"] == 1 && got["Reminder: Session two in 1 hour"] == 1,
			fmt.Sprint(got)
	})
	if n, err := svc.Reminders.Dispatch(ctx); err != nil || n != 0 {
		t.Fatalf("dispatch after delivery: %d %v", n, err)
	}
	drained(t, svc)
	got := mailboxBySubject(t, svc)
	if len(got) != 2 || got["Reminder: Session one in 1 hour"] != 1 || got["Reminder: Session two in 1 hour"] != 1 {
		t.Fatalf("mailbox = %v, want each reminder once", got)
	}
	if n, err := svc.CancelReminders(ctx, "event:"); err != nil || n != 0 {
		t.Fatalf("reminders left after delivery: %d %v", n, err)
	}
}

// TestMailEnqueueAfterScriptFlush: a node that never saw the enqueue
// script (a new master, a promoted replica) answers NOSCRIPT to the
// pipelined EVALSHA; the outbox must fall back to EVAL.
func TestMailEnqueueAfterScriptFlush(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	err := rdb.(*redis.ClusterClient).ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		return node.ScriptFlush(ctx).Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := startMail(t, rdb, prefix, nil)
	r, err := svc.Enqueue(ctx, generic("flush@example.com", "After a flush", "flush:1"))
	if err != nil || r.Duplicate {
		t.Fatalf("enqueue after SCRIPT FLUSH: %+v %v", r, err)
	}
	eventually(t, "delivered", func() (bool, string) {
		st, err := svc.Outbox.Status(ctx, r.ID)
		return err == nil && st.State == mail.StateSent, fmt.Sprintf("%+v %v", st, err)
	})
}
