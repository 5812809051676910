package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/redis/go-redis/v9"
)

const testFrom = "Focus Groups <noreply@focusgroups.test>"

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func newOutbox(t testing.TB) (*Outbox, redis.UniversalClient, string) {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	return NewOutbox(rdb, prefix, Options{}), rdb, prefix
}

// fastWorkers are Workers with test-sized durations.
func fastWorkers(ob *Outbox, s Sender) Workers {
	return Workers{
		Outbox: ob, Sender: s, From: testFrom, N: 2,
		SendTimeout: 300 * time.Millisecond, Backoff: 10 * time.Millisecond,
		MaxBackoff: 100 * time.Millisecond, ClaimMinIdle: time.Second,
		Poll: 20 * time.Millisecond, Logger: quietLog,
	}
}

// run starts w and returns a function that stops it and waits; the test's
// cleanup stops it too.
func run(t testing.TB, w Workers) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		if err := w.Run(ctx); err != nil {
			t.Errorf("Workers.Run: %v", err)
		}
		close(done)
	}()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s", timeout, what)
}

// testClock is a settable clock for an Outbox's Now, safe to read from
// the workers' goroutines.
type testClock struct{ ns atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *testClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// waitDrained waits until nothing is queued or waiting for a retry, so
// every mail enqueued so far has reached its final state.
func waitDrained(t testing.TB, ob *Outbox) {
	t.Helper()
	waitUntil(t, 5*time.Second, "an empty backlog", func() bool {
		q, r, err := ob.Backlog(context.Background())
		return err == nil && q == 0 && r == 0
	})
}

const testICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//focusgroups//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:e1@focusgroups.test\r\nSEQUENCE:0\r\nDTSTART:20300101T170000Z\r\nDTEND:20300101T180000Z\r\nSUMMARY:Go generics deep dive\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func invite(to string) Message {
	return Message{
		Kind: KindInvite, To: to, ToName: "Ada Lovelace",
		Data: map[string]any{
			"EventTitle": "Go generics deep dive", "GroupName": "Gophers Berlin",
			"When":        "Tue 1 Jan 2030, 18:00–19:00 (Europe/Berlin)",
			"Where":       "Online",
			"GoingURL":    "https://fg.test/rsvp/tok123?answer=going",
			"NotGoingURL": "https://fg.test/rsvp/tok123?answer=not-going",
			"EventURL":    "https://fg.test/events/e1",
		},
		ICS:            &Calendar{Method: "REQUEST", Data: []byte(testICS)},
		UnsubscribeURL: "https://fg.test/unsubscribe/tokXYZ",
		IdempotencyKey: "invite:e1:" + to,
	}
}

// parsedMail is a received message taken apart by the standard library.
type parsedMail struct {
	header mail.Header
	text   string
	html   string
	parts  []parsedPart // leaf parts other than the bodies
}

type parsedPart struct {
	contentType string
	disposition string
	filename    string
	body        []byte
}

func parseMail(t testing.TB, raw []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	pm := parsedMail{header: m.Header}
	var walk func(ct, cte, disp string, body io.Reader)
	walk = func(ct, cte, disp string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("multipart: %v", err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
			}
		}
		var r io.Reader = body
		switch strings.ToLower(cte) {
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		case "base64":
			b, _ := io.ReadAll(body)
			dec, err := decodeBase64Lines(b)
			if err != nil {
				t.Fatalf("base64 part: %v", err)
			}
			r = bytes.NewReader(dec)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		_, dparams, _ := mime.ParseMediaType(disp)
		switch {
		case mt == "text/plain" && dparams["filename"] == "":
			pm.text = string(b)
		case mt == "text/html" && dparams["filename"] == "":
			pm.html = string(b)
		default:
			pm.parts = append(pm.parts, parsedPart{contentType: ct, disposition: disp, filename: dparams["filename"], body: b})
		}
	}
	walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
	return pm
}

func mustUnmarshal(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}
