package mail

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// enqueueInvites queues n invites of one announcement, 1,000 per round trip.
func enqueueInvites(b *testing.B, ob *Outbox, n int, batch string) {
	b.Helper()
	ms := make([]Message, 0, 1000)
	for i := range n {
		m := invite(fmt.Sprintf("member%d@example.com", i))
		m.IdempotencyKey = "invite:" + batch + ":" + m.To
		m.BatchID = batch
		ms = append(ms, m)
		if len(ms) == cap(ms) || i == n-1 {
			if _, err := ob.EnqueueAll(context.Background(), ms); err != nil {
				b.Fatal(err)
			}
			ms = ms[:0]
		}
	}
}

func benchWorkers(ob *Outbox, s *sink, n int) Workers {
	cfg, _ := ParseSMTPURL(s.url())
	w := fastWorkers(ob, NewSMTPSender(cfg))
	w.N = n
	w.SendTimeout = 5 * time.Second
	w.Poll = 5 * time.Millisecond
	return w
}

func waitCount(b *testing.B, s *sink, n int64) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for s.count.Load() < n {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d mails arrived", s.count.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkOutboxThroughput measures delivery of already-queued invites
// (HTML, text and .ics; rendered, MIME-built, sent over SMTP on TCP) into
// a local go-smtp sink.
func BenchmarkOutboxThroughput(b *testing.B) {
	for _, n := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			ob, _, _ := newOutbox(b)
			s := startSink(b)
			s.discard = true
			enqueueInvites(b, ob, b.N, "bench")
			b.ResetTimer()
			start := time.Now()
			stop := run(b, benchWorkers(ob, s, n))
			waitCount(b, s, int64(b.N))
			elapsed := time.Since(start)
			b.StopTimer()
			stop()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "mails/s")
		})
	}
}

// BenchmarkAnnounce10k measures the time from enqueueing the invites of a
// 10,000-member group to the last one accepted by the SMTP server, with 16
// workers already running.
func BenchmarkAnnounce10k(b *testing.B) {
	const members = 10_000
	for range b.N {
		b.StopTimer()
		ob, _, _ := newOutbox(b)
		s := startSink(b)
		s.discard = true
		stop := run(b, benchWorkers(ob, s, 16))
		b.StartTimer()
		start := time.Now()
		enqueueInvites(b, ob, members, "announce")
		enqueued := time.Since(start)
		waitCount(b, s, members)
		total := time.Since(start)
		b.StopTimer()
		stop()
		st, err := ob.BatchStatus(context.Background(), "announce")
		if err != nil || st.Sent != members {
			b.Fatalf("batch = %+v, %v", st, err)
		}
		b.ReportMetric(enqueued.Seconds(), "s-to-enqueue")
		b.ReportMetric(total.Seconds(), "s-to-last-delivered")
	}
}
