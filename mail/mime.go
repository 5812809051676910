package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jordan-wright/email"
)

// Rendered is a mail ready to send: the parts a dev mailbox shows and the
// MIME bytes an SMTP server receives.
type Rendered struct {
	ID       string    // outbox message ID, also in Message-Id
	Kind     Kind      // what the mail is about
	From     string    // envelope sender (bare address)
	To       string    // envelope recipient (bare address)
	Subject  string    // one clean line
	Text     string    // plain-text body
	HTML     string    // HTML body
	ICS      *Calendar // calendar object, if any
	Raw      []byte    // the whole MIME message
	Rendered time.Time // when it was built
}

// composer builds MIME messages with jordan-wright/email and fixes what
// that library gets wrong for untrusted names (see addressHeader).
type composer struct {
	from   mail.Address
	domain string
}

func newComposer(from string) (composer, error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return composer{}, fmt.Errorf("mail: MAIL_FROM %q: %w", from, err)
	}
	a.Name = cleanName(a.Name)
	at := strings.LastIndexByte(a.Address, '@')
	return composer{from: *a, domain: a.Address[at+1:]}, nil
}

// compose renders the MIME message for m with the given subject and bodies.
func (c composer) compose(id string, m Message, subject, text, html string, now time.Time) (*Rendered, error) {
	e := email.NewEmail()
	e.From = addressHeader(c.from.Name, c.from.Address)
	e.To = []string{addressHeader(cleanName(m.ToName), m.To)}
	e.Subject = subject
	if strings.Contains(subject, "=?") {
		// The library leaves ASCII alone, so typed "=?UTF-8?B?...?=" text
		// would reach readers decoded into something else: encode it all.
		e.Subject = encodedWords(subject)
	}
	e.Text = []byte(text)
	e.HTML = []byte(html)
	e.Headers.Set("Message-Id", "<"+id+"@"+c.domain+">")
	e.Headers.Set("Date", now.UTC().Format(time.RFC1123Z))
	e.Headers.Set("List-Unsubscribe", "<"+m.UnsubscribeURL+">")
	e.Headers.Set("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	e.Headers.Set("Auto-Submitted", "auto-generated")
	if m.ICS != nil {
		part, err := e.Attach(bytes.NewReader(m.ICS.Data), "", "text/calendar; charset=UTF-8; method="+m.ICS.Method)
		if err != nil {
			return nil, fmt.Errorf("mail: attach calendar: %w", err)
		}
		part.Header.Set("Content-Disposition", "inline")
		part.Header.Set("Content-ID", "<calendar."+id+"@"+c.domain+">")
		file, err := e.Attach(bytes.NewReader(m.ICS.Data), "invite.ics", "application/ics; name=\"invite.ics\"")
		if err != nil {
			return nil, fmt.Errorf("mail: attach invite.ics: %w", err)
		}
		file.Header.Set("Content-ID", "<invite."+id+"@"+c.domain+">")
	}
	raw, err := e.Bytes()
	if err != nil {
		return nil, fmt.Errorf("mail: build MIME: %w", err)
	}
	return &Rendered{
		ID: id, Kind: m.Kind, From: c.from.Address, To: m.To, Subject: subject,
		Text: text, HTML: html, ICS: m.ICS, Raw: raw, Rendered: now.UTC(),
	}, nil
}

// addressHeader formats a From/To value that survives jordan-wright/email.
// The library splits these headers on every comma and writes any piece that
// net/mail cannot parse verbatim, so a quoted name with a comma would be
// mangled, and a raw name with CR/LF would be injected as is. Names arrive
// here without control characters (cleanName); names with a comma are sent
// as RFC 2047 encoded words, which contain no comma and decode back to the
// same name.
func addressHeader(name, addr string) string {
	if !strings.Contains(name, ",") {
		return (&mail.Address{Name: name, Address: addr}).String()
	}
	return encodedWords(name) + " <" + addr + ">"
}

// encodedWords encodes s as RFC 2047 "B" words of at most 75 characters,
// never splitting a UTF-8 sequence.
func encodedWords(s string) string {
	const maxRaw = 45 // 60 base64 characters plus 12 for =?UTF-8?B?...?=
	var words []string
	for len(s) > 0 {
		n := min(len(s), maxRaw)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}
