package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/internal/timefmt"
)

// Event is what happened, as every format is built from it. Its JSON is
// the body of a JSON endpoint's delivery (see docs/webhooks.md).
type Event struct {
	// ID is unique per event and the same on every retry, so a receiver
	// can drop a delivery it has already seen.
	ID       string    `json:"id"`
	Type     EventType `json:"type"`
	At       time.Time `json:"created_at"`
	Group    Group     `json:"group"`
	Session  *Session  `json:"session,omitempty"`
	Proposal *Proposal `json:"proposal,omitempty"`
}

// Group is the group an event happened in.
type Group struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Session is the session an event is about, as it is now.
type Session struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	TimeZone  string    `json:"time_zone"`
	Venue     string    `json:"venue,omitempty"`
	Online    bool      `json:"online"`
	Capacity  int       `json:"capacity"`             // 0: no limit
	SeatsLeft int       `json:"seats_left,omitempty"` // when Capacity > 0
	Status    string    `json:"status"`               // "scheduled" or "cancelled"
	// SeriesCount is how many sessions a new series scheduled at once (0
	// for a single session).
	SeriesCount int `json:"series_count,omitempty"`
}

// Proposal is a topic someone proposed to the group.
type Proposal struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind"` // "learn" or "teach"
	URL   string `json:"url"`
}

// headline is the one line that says what happened.
func (ev Event) headline() string {
	switch ev.Type {
	case SessionScheduled:
		if ev.Session != nil && ev.Session.SeriesCount > 1 {
			return "New series in " + ev.Group.Name + " (" + strconv.Itoa(ev.Session.SeriesCount) + " sessions)"
		}
		return "New session in " + ev.Group.Name
	case SessionChanged:
		return "Session moved in " + ev.Group.Name
	case SessionCancelled:
		return "Session cancelled in " + ev.Group.Name
	case SeatsFreed:
		return "Seats free again in " + ev.Group.Name
	case ProposalCreated:
		return "New topic proposed in " + ev.Group.Name
	}
	return "Test event from " + ev.Group.Name + ": this endpoint works"
}

// when is the session's time in its own zone, named, for fallbacks.
func (s Session) when() string {
	return timefmt.Range(s.Start, s.End, timefmt.Zone(s.TimeZone))
}

// place is where the session happens, in a few words.
func (s Session) place() string {
	switch {
	case s.Venue != "" && s.Online:
		return s.Venue + " and online"
	case s.Venue != "":
		return s.Venue
	case s.Online:
		return "Online"
	}
	return ""
}

// seats is the seats line; "" without a limit or once cancelled.
func (s Session) seats() string {
	if s.Capacity == 0 || s.Status == "cancelled" {
		return ""
	}
	if s.SeatsLeft <= 0 {
		return "Full (" + strconv.Itoa(s.Capacity) + " seats): new RSVPs join the waitlist"
	}
	return strconv.Itoa(s.SeatsLeft) + " of " + strconv.Itoa(s.Capacity) + " seats left"
}

// body is the delivery's body for kind.
func (ev Event) body(kind Kind) ([]byte, error) {
	switch kind {
	case KindSlack:
		return json.Marshal(ev.slack())
	case KindDiscord:
		return json.Marshal(ev.discord())
	}
	return json.Marshal(ev)
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning
// to, so a title cannot ping a channel or forge a link.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackDate shows t in each reader's own zone, falling back to fallback.
func slackDate(t time.Time, fallback string) string {
	return "<!date^" + strconv.FormatInt(t.Unix(), 10) + "^{date_short_pretty} at {time}|" + slackEscape(fallback) + ">"
}

// slack is a Slack message: a fallback text and blocks.
func (ev Event) slack() map[string]any {
	text := "*" + slackEscape(ev.headline()) + "*"
	link, linkText := ev.Group.URL, "Open the group"
	switch {
	case ev.Session != nil:
		s := ev.Session
		title := slackEscape(s.Title)
		if s.Status == "cancelled" {
			title = "~" + title + "~"
		}
		text += "\n<" + s.URL + "|" + title + ">\n" + slackDate(s.Start, s.when())
		if p := s.place(); p != "" {
			text += " · " + slackEscape(p)
		}
		if seats := s.seats(); seats != "" {
			text += "\n" + slackEscape(seats)
		}
		link, linkText = s.URL, "View and RSVP"
		if s.Status == "cancelled" {
			linkText = "View the session"
		}
	case ev.Proposal != nil:
		verb := "wants to learn"
		if ev.Proposal.Kind == "teach" {
			verb = "offers to teach"
		}
		text += "\nSomeone " + verb + ": <" + ev.Proposal.URL + "|" + slackEscape(ev.Proposal.Title) + ">"
		link, linkText = ev.Proposal.URL, "Vote for it"
	}
	fallback := ev.headline()
	if ev.Session != nil {
		fallback += ": " + ev.Session.Title + ", " + ev.Session.when()
	}
	return map[string]any{
		"text": slackEscape(fallback),
		"blocks": []any{
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}},
			map[string]any{"type": "actions", "elements": []any{map[string]any{
				"type": "button", "text": map[string]any{"type": "plain_text", "text": linkText}, "url": link}}},
			map[string]any{"type": "context", "elements": []any{map[string]any{
				"type": "mrkdwn", "text": "<" + ev.Group.URL + "|" + slackEscape(ev.Group.Name) + "> on focusgroups"}}},
		},
	}
}

// Discord embed colours.
const (
	discordBlue = 0x2563EB
	discordRed  = 0xDC2626
	discordGrey = 0x6B7280
)

// discord is a Discord message: one embed, and no mentions parsed, so a
// title cannot ping @everyone.
func (ev Event) discord() map[string]any {
	embed := map[string]any{"title": ev.headline(), "url": ev.Group.URL, "color": discordBlue,
		"footer": map[string]any{"text": ev.Group.Name + " on focusgroups"}}
	var fields []any
	switch {
	case ev.Session != nil:
		s := ev.Session
		embed["title"], embed["url"], embed["description"] = s.Title, s.URL, ev.headline()
		unix := strconv.FormatInt(s.Start.Unix(), 10)
		fields = append(fields, map[string]any{"name": "When", "value": "<t:" + unix + ":F> (<t:" + unix + ":R>)"})
		if p := s.place(); p != "" {
			fields = append(fields, map[string]any{"name": "Where", "value": p, "inline": true})
		}
		if seats := s.seats(); seats != "" {
			fields = append(fields, map[string]any{"name": "Seats", "value": seats, "inline": true})
		}
		if s.Status == "cancelled" {
			embed["color"] = discordRed
		}
	case ev.Proposal != nil:
		embed["title"], embed["url"], embed["description"] = ev.Proposal.Title, ev.Proposal.URL, ev.headline()
		kind := "Wants to learn"
		if ev.Proposal.Kind == "teach" {
			kind = "Offers to teach"
		}
		fields = append(fields, map[string]any{"name": "Proposal", "value": kind, "inline": true})
	default:
		embed["color"] = discordGrey
	}
	if len(fields) > 0 {
		embed["fields"] = fields
	}
	return map[string]any{"username": "focusgroups", "embeds": []any{embed},
		"allowed_mentions": map[string]any{"parse": []string{}}}
}

// SignatureHeader carries the signature of a JSON delivery.
const SignatureHeader = "X-Focusgroups-Signature"

// Sign is the SignatureHeader value for body sent at t with secret:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a SignatureHeader value against body and secret, and that
// it was made within tolerance of now (against replays). It is what a
// receiver in Go runs; docs/webhooks.md shows the same in a few lines.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return fmt.Errorf("webhooks: malformed signature header")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhooks: signature too old or from the future")
	}
	want := Sign(secret, time.Unix(sec, 0), body)
	if !hmac.Equal([]byte(want), []byte("t="+ts+",v1="+sig)) {
		return fmt.Errorf("webhooks: signature does not match")
	}
	return nil
}
