package mail

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
)

func TestInviteEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := startSink(t)
	cfg, err := ParseSMTPURL(s.url())
	if err != nil {
		t.Fatal(err)
	}
	m := invite("ada@example.com")
	m.BatchID = "announce-e1"
	rc, err := ob.Enqueue(ctx, m)
	if err != nil || rc.Duplicate || rc.ID == "" {
		t.Fatalf("Enqueue = %+v, %v", rc, err)
	}
	if st, _ := ob.Status(ctx, rc.ID); st.State != StateQueued {
		t.Fatalf("before workers state = %q, want queued", st.State)
	}
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))

	got := s.waitFor(1, 5*time.Second)[0]
	if got.from != "noreply@focusgroups.test" || len(got.to) != 1 || got.to[0] != "ada@example.com" {
		t.Fatalf("envelope from %q to %v", got.from, got.to)
	}
	pm := parseMail(t, got.data)
	h := pm.header
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(h.Get("Subject"))
	wantHeaders := map[string]string{
		"List-Unsubscribe":      "<https://fg.test/unsubscribe/tokXYZ>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Message-Id":            "<" + rc.ID + "@focusgroups.test>",
	}
	for k, v := range wantHeaders {
		if h.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, h.Get(k), v)
		}
	}
	if subject != "Invitation: Go generics deep dive, Tue 1 Jan 2030, 18:00–19:00 (Europe/Berlin)" {
		t.Errorf("subject = %q", subject)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Ada Lovelace" || to[0].Address != "ada@example.com" {
		t.Errorf("To = %v, %v", to, err)
	}
	for _, want := range []string{"Hi Ada Lovelace,", "Going: https://fg.test/rsvp/tok123?answer=going", "Unsubscribe: https://fg.test/unsubscribe/tokXYZ", "When:    Tue 1 Jan 2030, 18:00–19:00 (Europe/Berlin)"} {
		if !strings.Contains(pm.text, want) {
			t.Errorf("text part lacks %q:\n%s", want, pm.text)
		}
	}
	for _, want := range []string{`href="https://fg.test/rsvp/tok123?answer=going"`, `href="https://fg.test/rsvp/tok123?answer=not-going"`, `href="https://fg.test/unsubscribe/tokXYZ"`, "Gophers Berlin"} {
		if !strings.Contains(pm.html, want) {
			t.Errorf("html part lacks %q", want)
		}
	}
	var calendarPart, filePart bool
	for _, p := range pm.parts {
		mt, params, _ := mime.ParseMediaType(p.contentType)
		if string(p.body) != testICS {
			t.Errorf("part %s carries %q, want the ICS", p.contentType, p.body)
		}
		switch {
		case mt == "text/calendar" && params["method"] == "REQUEST":
			calendarPart = true
		case p.filename == "invite.ics" && strings.HasPrefix(p.disposition, "attachment"):
			filePart = true
		}
	}
	if !calendarPart || !filePart {
		t.Errorf("want a text/calendar; method=REQUEST part and an invite.ics attachment, got %+v", pm.parts)
	}
	waitUntil(t, 2*time.Second, "batch sent", func() bool {
		b, _ := ob.BatchStatus(ctx, "announce-e1")
		return b == BatchStatus{Total: 1, Sent: 1}
	})
	if st, _ := ob.Status(ctx, rc.ID); st.State != StateSent || st.Tries != 1 || st.Kind != KindInvite {
		t.Errorf("status = %+v", st)
	}
}

func TestEnqueueIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := startSink(t)
	cfg, _ := ParseSMTPURL(s.url())

	// A double click and a retried request: 20 enqueues of one invite at once.
	var wg sync.WaitGroup
	receipts := make([]Receipt, 20)
	for i := range receipts {
		wg.Go(func() {
			rc, err := ob.Enqueue(ctx, invite("grace@example.com"))
			if err != nil {
				t.Error(err)
			}
			receipts[i] = rc
		})
	}
	wg.Wait()
	fresh := 0
	for _, rc := range receipts {
		if !rc.Duplicate {
			fresh++
		}
		if rc.ID != receipts[0].ID {
			t.Errorf("duplicate returned ID %q, want the first message's %q", rc.ID, receipts[0].ID)
		}
	}
	if fresh != 1 {
		t.Fatalf("%d enqueues were not duplicates, want 1", fresh)
	}
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	s.waitFor(1, 5*time.Second)
	// Enqueued again after it was sent: still nothing new.
	if rc, err := ob.Enqueue(ctx, invite("grace@example.com")); err != nil || !rc.Duplicate {
		t.Fatalf("enqueue after send = %+v, %v", rc, err)
	}
	waitDrained(t, ob)
	if n := s.byRecipient()["grace@example.com"]; n != 1 {
		t.Fatalf("grace received %d mails, want 1", n)
	}
}

func TestEnqueueRejectsBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, _ := newOutbox(t)
	cases := []struct {
		name   string
		change func(*Message)
		field  string
	}{
		{"unknown kind", func(m *Message) { m.Kind = "spam" }, "kind"},
		{"no recipient", func(m *Message) { m.To = "" }, "to"},
		{"recipient with a name", func(m *Message) { m.To = "Ada <ada@example.com>" }, "to"},
		{"recipient with CRLF", func(m *Message) { m.To = "ada@example.com\r\nBcc: eve@example.com" }, "to"},
		{"two recipients", func(m *Message) { m.To = "ada@example.com, eve@example.com" }, "to"},
		{"not an address", func(m *Message) { m.To = "ada" }, "to"},
		{"unknown template", func(m *Message) { m.Template = "nope" }, "template"},
		{"missing data", func(m *Message) { delete(m.Data, "GoingURL") }, "data.GoingURL"},
		{"empty data", func(m *Message) { m.Data["When"] = "" }, "data.When"},
		{"no unsubscribe link", func(m *Message) { m.UnsubscribeURL = "" }, "unsubscribe_url"},
		{"script unsubscribe link", func(m *Message) { m.UnsubscribeURL = "javascript:alert(1)" }, "unsubscribe_url"},
		{"relative unsubscribe link", func(m *Message) { m.UnsubscribeURL = "/unsubscribe/x" }, "unsubscribe_url"},
		{"unsubscribe link with CRLF", func(m *Message) { m.UnsubscribeURL = "https://fg.test/u\r\nBcc: x@y" }, "unsubscribe_url"},
		{"bad calendar method", func(m *Message) { m.ICS.Method = "PUBLISH\r\nX: y" }, "ics.method"},
		{"calendar not iCalendar", func(m *Message) { m.ICS.Data = []byte("<html>") }, "ics.data"},
		{"idempotency key with space", func(m *Message) { m.IdempotencyKey = "invite e1" }, "idempotency_key"},
		{"idempotency key too long", func(m *Message) { m.IdempotencyKey = strings.Repeat("k", 201) }, "idempotency_key"},
		{"batch with newline", func(m *Message) { m.BatchID = "b\n1" }, "batch_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := invite("ada@example.com")
			c.change(&m)
			_, err := ob.Enqueue(ctx, m)
			var ve valid.Errors
			if !errors.As(err, &ve) || ve[c.field] == "" {
				t.Fatalf("Enqueue error = %v, want a message for field %q", err, c.field)
			}
		})
	}
	if n, _ := rdb.XLen(ctx, ob.streamKey()).Result(); n != 0 {
		t.Fatalf("stream holds %d entries after bad input, want 0", n)
	}
	// One bad message in a batch keeps the good ones out too.
	bad := invite("eve@example.com")
	bad.To = "eve"
	_, err := ob.EnqueueAll(ctx, []Message{invite("ada@example.com"), bad})
	var ve valid.Errors
	if !errors.As(err, &ve) || ve["1.to"] == "" {
		t.Fatalf("EnqueueAll error = %v, want field 1.to", err)
	}
	if n, _ := rdb.XLen(ctx, ob.streamKey()).Result(); n != 0 {
		t.Fatalf("stream holds %d entries after a bad batch, want 0", n)
	}
}

func TestStatusOfUnknownMessageAndBatch(t *testing.T) {
	t.Parallel()
	ob, _, _ := newOutbox(t)
	if _, err := ob.Status(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Status(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := ob.BatchStatus(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("BatchStatus(unknown) = %v, want ErrNotFound", err)
	}
}

func TestConnectionIsReused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := startSink(t)
	cfg, _ := ParseSMTPURL(s.url())
	w := fastWorkers(ob, NewSMTPSender(cfg))
	w.N = 1
	run(t, w)
	for i := range 5 {
		if _, err := ob.Enqueue(ctx, invite(fmt.Sprintf("u%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	s.waitFor(5, 5*time.Second)
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("one worker opened %d SMTP connections for 5 mails, want 1", n)
	}
}
