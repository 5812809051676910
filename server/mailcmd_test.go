package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/mail"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// mailFixture is the mail service on a real Redis, delivering to a real
// SMTP server that answers 550 to the addresses in refused, 451 to those
// in waiting. Retries wait an hour, so a refused mail stays put.
type mailFixture struct {
	t       *testing.T
	ctx     context.Context
	svc     *mail.Service
	smtp    *apptest.SMTP
	refused atomic.Value // map[string]bool
	waiting atomic.Value // map[string]bool
}

func newMailFixture(t *testing.T) *mailFixture {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	f := &mailFixture{t: t, ctx: context.Background(), smtp: apptest.StartSMTP(t)}
	f.refused.Store(map[string]bool{})
	f.waiting.Store(map[string]bool{})
	f.smtp.Refuse(func(to string) error {
		switch {
		case f.refused.Load().(map[string]bool)[to]:
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		case f.waiting.Load().(map[string]bool)[to]:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	})
	svc, err := mail.New(rdb, prefix, mail.Config{SMTPURL: f.smtp.URL(), From: "fg <noreply@fg.example>",
		Secret: []byte("0123456789abcdef0123456789abcdef"), Workers: 2, Poll: 20 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc.Workers.Backoff = time.Hour
	f.svc = svc
	return f
}

// run starts the workers until the test ends.
func (f *mailFixture) run() {
	ctx, stop := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = f.svc.Run(ctx) }()
	f.t.Cleanup(func() { stop(); <-done })
}

func (f *mailFixture) enqueue(to string) string {
	f.t.Helper()
	rc, err := f.svc.Enqueue(f.ctx, mail.Message{Kind: mail.KindJoinOutcome, To: to, ToName: "Someone",
		Data:           map[string]any{"GroupName": "Gophers", "Outcome": "approved", "GroupURL": "https://fg.example/g/gophers"},
		UnsubscribeURL: "https://fg.example/unsubscribe/x", IdempotencyKey: "join:" + to, BatchID: "cli"})
	if err != nil {
		f.t.Fatal(err)
	}
	return rc.ID
}

func (f *mailFixture) waitBatch(want mail.BatchStatus) {
	f.t.Helper()
	var got mail.BatchStatus
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, _ = f.svc.BatchStatus(f.ctx, "cli")
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("batch = %+v, want %+v", got, want)
		}
	}
}

// command runs `server mail args...` and returns what it printed.
func (f *mailFixture) command(args ...string) (string, error) {
	var out bytes.Buffer
	err := mailCommand(f.ctx, f.svc.Outbox, args, &out)
	return out.String(), err
}

func TestOperatorListsAndRequeuesDeadLetters(t *testing.T) {
	f := newMailFixture(t)
	if out, err := f.command("dead"); err != nil || out != "No dead letters.\n" {
		t.Fatalf("mail dead on an empty list: %q, %v", out, err)
	}
	f.refused.Store(map[string]bool{"ann@x.example": true, "bob@x.example": true})
	ann, bob := f.enqueue("ann@x.example"), f.enqueue("bob@x.example")
	f.enqueue("cyd@x.example")
	f.run()
	f.waitBatch(mail.BatchStatus{Total: 3, Sent: 1, Failed: 2})

	out, err := f.command("dead")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[3], "2 dead letters") {
		t.Fatalf("mail dead printed:\n%s", out)
	}
	for _, want := range []struct{ id, to string }{{ann, "ann@x.example"}, {bob, "bob@x.example"}} {
		found := false
		for _, l := range lines[1:3] {
			f := strings.Fields(l)
			if f[0] == want.id {
				found = true
				if f[1] != "join-outcome" || f[2] != want.to || f[3] != "1" || !strings.Contains(l, "550") {
					t.Errorf("line for %s: %q", want.to, l)
				}
			}
		}
		if !found {
			t.Errorf("no line for %s (%s):\n%s", want.to, want.id, out)
		}
	}

	// The addresses work again: the operator requeues Ann's, then all.
	f.refused.Store(map[string]bool{})
	if out, err := f.command("retry", ann); err != nil || out != "Queued again: 1.\n" {
		t.Fatalf("mail retry %s: %q, %v", ann, out, err)
	}
	f.waitBatch(mail.BatchStatus{Total: 3, Sent: 2, Failed: 1})
	if out, err := f.command("retry", ann); err == nil || !strings.Contains(err.Error(), "no dead letter has the ID") {
		t.Fatalf("second retry of %s: %q, %v", ann, out, err)
	}
	if out, err := f.command("retry", "all"); err != nil || out != "Queued again: 1.\n" {
		t.Fatalf("mail retry all: %q, %v", out, err)
	}
	f.waitBatch(mail.BatchStatus{Total: 3, Sent: 3})
	if out, _ := f.command("dead"); out != "No dead letters.\n" {
		t.Fatalf("after retry all:\n%s", out)
	}
	for _, who := range []string{"ann@x.example", "bob@x.example", "cyd@x.example"} {
		n := 0
		for _, m := range f.smtp.Mails() {
			if m.To[0] == who {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s got %d mails, want 1", who, n)
		}
	}
}

func TestMailCommandLineMistakes(t *testing.T) {
	f := newMailFixture(t)
	for _, args := range [][]string{nil, {"dead", "extra"}, {"retry"}, {"retry", "a", "b"}, {"resend", "all"}} {
		if out, err := f.command(args...); err == nil || err.Error() != mailUsage || out != "" {
			t.Errorf("mail %q: %q, %v; want the usage", args, out, err)
		}
	}
	if _, err := f.command("retry", "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown ID: %v", err)
	}
}

// gauges gathers the mail metrics by name.
func gauges(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf.GetMetric()[0].GetGauge().GetValue()
	}
	return out
}

func TestMailMetricsShowBacklogAndDeadLetters(t *testing.T) {
	f := newMailFixture(t)
	c := newMailCollector(f.svc.Outbox, quiet)
	f.refused.Store(map[string]bool{"ann@x.example": true})
	f.waiting.Store(map[string]bool{"bob@x.example": true})
	for _, to := range []string{"ann@x.example", "bob@x.example", "cyd@x.example"} {
		f.enqueue(to)
	}
	want := map[string]float64{"mail_outbox_queued": 3, "mail_outbox_retrying": 0, "mail_dead_letters": 0}
	if got := gauges(t, c); !mapsEqual(got, want) {
		t.Fatalf("before the workers: %v, want %v", got, want)
	}
	f.run()
	f.waitBatch(mail.BatchStatus{Total: 3, Sent: 1, Retrying: 1, Failed: 1})
	want = map[string]float64{"mail_outbox_queued": 0, "mail_outbox_retrying": 1, "mail_dead_letters": 1}
	if got := gauges(t, c); !mapsEqual(got, want) {
		t.Fatalf("after delivery: %v, want %v", got, want)
	}
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
