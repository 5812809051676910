package mail

import (
	"bytes"
	"net/mail"
	"net/url"
	"reflect"
	"strings"
	"unicode"

	"github.com/focusgroups/focusgroups/internal/valid"
)

// Kind says what a mail is about; it also names the default template.
type Kind string

// The kinds of mail the product sends.
const (
	KindInvite        Kind = "invite"
	KindChanged       Kind = "changed"
	KindCancelled     Kind = "cancelled"
	KindPromoted      Kind = "promoted"
	KindReminder      Kind = "reminder"
	KindJoinRequest   Kind = "join-request"
	KindJoinOutcome   Kind = "join-outcome"
	KindMentorRequest Kind = "mentor-request"
	KindMentorOutcome Kind = "mentor-outcome"
	KindMentorIntro   Kind = "mentor-intro"
	KindGeneric       Kind = "generic"
)

var kinds = map[Kind]bool{
	KindInvite: true, KindChanged: true, KindCancelled: true, KindPromoted: true,
	KindReminder: true, KindJoinRequest: true, KindJoinOutcome: true,
	KindMentorRequest: true, KindMentorOutcome: true, KindMentorIntro: true,
	KindGeneric: true,
}

// Calendar is an iCalendar object sent with a mail: as a text/calendar part
// carrying the method (so clients show an invitation) and as invite.ics.
type Calendar struct {
	// Method is the iTIP method: REQUEST for invites and changes, CANCEL for
	// cancellations, PUBLISH for plain "add to calendar" files.
	Method string `json:"method"`
	// Data is the whole VCALENDAR object.
	Data []byte `json:"data"`
}

// Message is one mail to one recipient, as handed to Outbox.Enqueue.
type Message struct {
	Kind Kind `json:"kind"`
	// To is the recipient's bare address (no display name).
	To string `json:"to"`
	// ToName is the recipient's display name; control characters are
	// replaced by spaces.
	ToName string `json:"to_name,omitempty"`
	// Template names the template to render; empty means Kind.
	Template string `json:"template,omitempty"`
	// Data holds display-ready values for the template (times already
	// formatted in the recipient's zone, with the zone named).
	Data map[string]any `json:"data,omitempty"`
	// ICS is the optional calendar object.
	ICS *Calendar `json:"ics,omitempty"`
	// UnsubscribeURL is the one-click unsubscribe link shown in the footer
	// and sent as List-Unsubscribe (RFC 8058). Required.
	UnsubscribeURL string `json:"unsubscribe_url"`
	// IdempotencyKey makes Enqueue send this mail once however often it is
	// called, e.g. "invite:<event>:<user>". Empty means the mail is never a
	// duplicate of another.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// BatchID groups the mails of one announcement for BatchStatus.
	BatchID string `json:"batch_id,omitempty"`
}

// isZero reports whether m is the zero Message: a planned reminder's
// (see Reminder).
func (m Message) isZero() bool { return reflect.ValueOf(m).IsZero() }

// TemplateName is the template that renders m.
func (m Message) TemplateName() string {
	if m.Template != "" {
		return m.Template
	}
	return string(m.Kind)
}

const (
	maxNameLen = 100
	maxKeyLen  = 200
	maxURLLen  = 900
	maxICSLen  = 256 << 10
)

// validate checks m and returns it with its display name cleaned, or
// valid.Errors naming each bad field.
func (m Message) validate() (Message, error) {
	errs := valid.Errors{}
	if !kinds[m.Kind] {
		errs.Add("kind", "is not a kind of mail this app sends")
	}
	if !validAddress(m.To) {
		errs.Add("to", "must be a plain email address like name@example.com")
	}
	m.ToName = cleanName(m.ToName)
	if req, ok := required[m.TemplateName()]; !ok {
		errs.Add("template", "does not name a mail template")
	} else {
		for _, k := range req {
			if v, ok := m.Data[k]; !ok || v == nil || v == "" {
				errs.Add("data."+k, "is required by the "+m.TemplateName()+" template")
			}
		}
	}
	if !validUnsubscribeURL(m.UnsubscribeURL) {
		errs.Add("unsubscribe_url", "must be an absolute http(s) link")
	}
	if m.ICS != nil {
		switch m.ICS.Method {
		case "REQUEST", "CANCEL", "PUBLISH":
		default:
			errs.Add("ics.method", "must be REQUEST, CANCEL or PUBLISH")
		}
		if !bytes.HasPrefix(m.ICS.Data, []byte("BEGIN:VCALENDAR")) || len(m.ICS.Data) > maxICSLen {
			errs.Add("ics.data", "must be one VCALENDAR object of at most 256 KiB")
		}
	}
	if !validToken(m.IdempotencyKey, maxKeyLen) {
		errs.Add("idempotency_key", "must be at most 200 printable characters without spaces")
	}
	if !validToken(m.BatchID, maxKeyLen) {
		errs.Add("batch_id", "must be at most 200 printable characters without spaces")
	}
	return m, errs.Err()
}

func validAddress(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsFunc(s, unicode.IsControl) {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

func validUnsubscribeURL(s string) bool {
	if s == "" || len(s) > maxURLLen || strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r > '~' || r == '<' || r == '>'
	}) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// validToken accepts "" or a short run of printable ASCII without spaces.
func validToken(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return false
		}
	}
	return true
}

// cleanName makes a display name safe for a header: control characters
// (CR, LF, TAB, ...) become spaces, runs of spaces collapse, and it is cut
// to a sane length.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxNameLen {
		s = strings.TrimSpace(string(r[:maxNameLen]))
	}
	return s
}
