package mail

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestNamesAndSubjectsCannotInjectHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, _, _ := newOutbox(t)
	s := startSink(t)
	cfg, _ := ParseSMTPURL(s.url())
	cases := []struct {
		name, subject         string
		wantName, wantSubject string
	}{
		{"Eve\r\nBcc: victim@example.com", "Hello\r\nBcc: victim@example.com",
			"Eve Bcc: victim@example.com", "Hello Bcc: victim@example.com"},
		{"Mallory\nX-Injected: yes", "Line\rX-Injected: yes", "Mallory X-Injected: yes", "Line X-Injected: yes"},
		{"Jörg Müller", "Café ☕ meetup — 18:00 (Europe/Zürich)", "Jörg Müller", "Café ☕ meetup — 18:00 (Europe/Zürich)"},
		{"李小龙", "会议提醒", "李小龙", "会议提醒"},
		{"Doe, John", "Plain ASCII", "Doe, John", "Plain ASCII"},
		{`"Quoted" <evil@example.com>`, `=?UTF-8?B?QmNjOiBldmU=?=`, `"Quoted" <evil@example.com>`, `=?UTF-8?B?QmNjOiBldmU=?=`},
		{`=?UTF-8?B?QmNjOiBldmU=?=`, "Name as encoded word", `=?UTF-8?B?QmNjOiBldmU=?=`, "Name as encoded word"},
		{"Tab\tand\x00null", strings.Repeat("long ", 100), "Tab and null", strings.TrimSpace(strings.Repeat("long ", 40)) + "…"},
	}
	byAddr := map[string]int{}
	for i, c := range cases {
		to := fmt.Sprintf("case%d@example.com", i)
		byAddr[to] = i
		_, err := ob.Enqueue(ctx, Message{
			Kind: KindGeneric, To: to, ToName: c.name,
			Data:           map[string]any{"Subject": c.subject, "Body": "Body of case " + c.subject},
			UnsubscribeURL: "https://fg.test/u/x",
		})
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
	run(t, fastWorkers(ob, NewSMTPSender(cfg)))
	got := s.waitFor(len(cases), 5*time.Second)
	dec := new(mime.WordDecoder)
	for _, r := range got {
		if len(r.to) != 1 {
			t.Fatalf("one mail went to %v: an injected recipient", r.to)
		}
		c := cases[byAddr[r.to[0]]]
		h := headerSection(r.data)
		for i := 0; i < len(h); i++ {
			if h[i] >= 0x80 {
				t.Errorf("%s: raw 8-bit byte in headers:\n%s", r.to[0], h)
				break
			}
		}
		for _, line := range strings.Split(h, "\r\n") {
			if strings.HasPrefix(line, "Bcc:") || strings.HasPrefix(line, "X-Injected:") {
				t.Errorf("%s: injected header line %q", r.to[0], line)
			}
			if len(line) > 998 {
				t.Errorf("%s: header line of %d bytes", r.to[0], len(line))
			}
		}
		pm := parseMail(t, r.data)
		addrs, err := pm.header.AddressList("To")
		if err != nil || len(addrs) != 1 {
			t.Errorf("%s: To %q does not parse as one address: %v", r.to[0], pm.header.Get("To"), err)
			continue
		}
		if addrs[0].Name != c.wantName || addrs[0].Address != r.to[0] {
			t.Errorf("To = %q <%s>, want %q <%s>", addrs[0].Name, addrs[0].Address, c.wantName, r.to[0])
		}
		subject, err := dec.DecodeHeader(pm.header.Get("Subject"))
		if c.wantSubject == `=?UTF-8?B?QmNjOiBldmU=?=` {
			// Literal encoded-word text typed by a user must reach the
			// reader as typed, not be decoded into something else.
			subject = pm.header.Get("Subject")
			if d, _ := dec.DecodeHeader(subject); d != c.wantSubject {
				t.Errorf("subject %q decodes to %q, want the literal text", subject, d)
			}
			continue
		}
		if err != nil || subject != c.wantSubject {
			t.Errorf("subject = %q (%v), want %q", subject, err, c.wantSubject)
		}
		if !strings.Contains(pm.text, "Body of case") {
			t.Errorf("%s: text body = %q", r.to[0], pm.text)
		}
	}
}

func TestFromAddressIsParsedAndCleaned(t *testing.T) {
	t.Parallel()
	c, err := newComposer("Focus\r\nBcc: x@y <noreply@focusgroups.test>")
	if err == nil {
		t.Fatalf("a From with CR/LF was accepted: %+v", c)
	}
	c, err = newComposer("Fokus Gruppen Zürich <noreply@focusgroups.test>")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.compose("id1", invite("a@example.com"), "S", "t", "<p>h</p>", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mail.ReadMessage(strings.NewReader(string(r.Raw)))
	from, err := m.Header.AddressList("From")
	if err != nil || from[0].Name != "Fokus Gruppen Zürich" || r.From != "noreply@focusgroups.test" {
		t.Errorf("From = %v (%v), envelope %q", from, err, r.From)
	}
}
