package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// Audience names who an organizer's message to a session goes to.
type Audience string

// The audiences of a message.
const (
	AudienceGoing    Audience = "going"    // everyone with a seat
	AudienceWaitlist Audience = "waitlist" // everyone on the waitlist
	AudienceAnswered Audience = "answered" // everyone who answered: going, waitlisted, awaiting approval or not going
)

// Limits of a message to a session's people.
const (
	MaxMessageSubject = 120  // characters
	MaxMessageBody    = 5000 // characters
	// MessagesPerHour is how many messages one organizer may send about one
	// session in any hour.
	MessagesPerHour = 5
	// messageLogSize is how many sent messages a session's log keeps.
	messageLogSize = 20
)

// Message is an organizer's message to some of a session's people.
type Message struct {
	Audience      Audience
	Subject, Body string
}

// SentMessage is one entry of a session's message log.
type SentMessage struct {
	ID         string    `json:"id"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	Audience   Audience  `json:"audience"`
	Subject    string    `json:"subject"`
	Recipients int       `json:"recipients"`
}

// MessageNote is what the mail of a NoticeMessage says.
type MessageNote struct {
	By, Subject, Body string
}

// Errors of SendMessage.
var (
	// ErrNoRecipients says nobody is in the audience right now.
	ErrNoRecipients = errors.New("events: nobody to write to")
	// ErrMessageLimit says the organizer sent MessagesPerHour messages
	// about the session in the last hour.
	ErrMessageLimit = errors.New("events: too many messages")
)

// MessageLimitError is ErrMessageLimit with the time the next message may go.
type MessageLimitError struct{ RetryAfter time.Duration }

func (e *MessageLimitError) Error() string { return ErrMessageLimit.Error() }

// Unwrap makes errors.Is(err, ErrMessageLimit) hold.
func (e *MessageLimitError) Unwrap() error { return ErrMessageLimit }

// Validate checks a message: a known audience, a one-line subject and a
// body, both within their limits. The errors name the form's fields.
func (m *Message) Validate() error {
	errs := valid.Errors{}
	m.Subject, m.Body = strings.TrimSpace(m.Subject), strings.TrimSpace(m.Body)
	switch m.Audience {
	case AudienceGoing, AudienceWaitlist, AudienceAnswered:
	default:
		errs.Add("audience", "Choose who gets the message.")
	}
	switch n := utf8.RuneCountInString(m.Subject); {
	case n == 0:
		errs.Add("subject", "Write a subject, so people know what it is about.")
	case n > MaxMessageSubject:
		errs.Add("subject", fmt.Sprintf("Keep the subject to %d characters (it has %d).", MaxMessageSubject, n))
	default:
		if msg := valid.Line("The subject", m.Subject); msg != "" {
			errs.Add("subject", msg)
		}
	}
	switch n := utf8.RuneCountInString(m.Body); {
	case n == 0:
		errs.Add("body", "Write the message.")
	case n > MaxMessageBody:
		errs.Add("body", fmt.Sprintf("Keep the message to %d characters (it has %d).", MaxMessageBody, n))
	default:
		if msg := valid.MultiLine("The message", m.Body); msg != "" {
			errs.Add("body", msg)
		}
	}
	return errs.Err()
}

// messagesKey is a session's message log (newest first, capped).
func (s *Store) messagesKey(id string) string { return s.eventKey(id) + ":messages" }

// messageRateKey holds the send times of one organizer's messages about
// a session, for the hourly limit.
func (s *Store) messageRateKey(id, uid string) string { return s.eventKey(id) + ":msgrate:" + uid }

// messageScript picks the audience, checks the organizer's hourly limit,
// logs the message and records the notice that mails it, in one step.
// KEYS: 1 event hash, 2 rsvp hash, 3 going, 4 waitlist, 5 pending,
// 6 notices stream, 7 message log, 8 the organizer's send times.
// ARGV: audience, now (unix ms), window (ms), limit, log size, notice ID,
// log entry without its recipient count (JSON, ending in "}"), by,
// subject, body. Returns {recipients} or {"LIMIT", ms until the next}.
var messageScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('NOTFOUND') end
local now, window, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', now - window)
if redis.call('ZCARD', KEYS[8]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[8], 0, 0, 'WITHSCORES')
  return {'LIMIT', tonumber(oldest[2]) + window - now}
end
local users = {}
if ARGV[1] == 'going' then
  users = redis.call('ZRANGE', KEYS[3], 0, -1)
elseif ARGV[1] == 'waitlist' then
  users = redis.call('ZRANGE', KEYS[4], 0, -1)
else
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    if all[i + 1] ~= 'removed' then table.insert(users, all[i]) end
  end
end
if #users == 0 then return {0} end
redis.call('ZADD', KEYS[8], now, ARGV[6])
redis.call('PEXPIRE', KEYS[8], window)
local entry = string.sub(ARGV[7], 1, -2) .. ',"recipients":' .. #users .. '}'
redis.call('LPUSH', KEYS[7], entry)
redis.call('LTRIM', KEYS[7], 0, tonumber(ARGV[5]) - 1)
redis.call('XADD', KEYS[6], '*', 'id', ARGV[6] .. '.1', 'kind', 'message', 'users', table.concat(users, ','),
  'by', ARGV[8], 'subject', ARGV[9], 'body', ARGV[10])
return {#users}
`)

// SendMessage logs an organizer's message to a session's audience and
// records the notice that mails it to each of them (guests included), in
// one step that also keeps each organizer to MessagesPerHour messages per
// session. It returns the log entry; ErrNoRecipients when the audience is
// empty, a *MessageLimitError past the limit.
func (s *Store) SendMessage(ctx context.Context, a Actor, eventID string, m Message) (SentMessage, error) {
	if !a.Organizer {
		return SentMessage{}, ErrForbidden
	}
	if err := m.Validate(); err != nil {
		return SentMessage{}, err
	}
	now := s.now()
	sent := SentMessage{ID: ids.New(), By: a.UserID, At: now, Audience: m.Audience, Subject: m.Subject}
	entry, err := json.Marshal(struct {
		ID       string    `json:"id"`
		By       string    `json:"by"`
		At       time.Time `json:"at"`
		Audience Audience  `json:"audience"`
		Subject  string    `json:"subject"`
	}{sent.ID, sent.By, sent.At, sent.Audience, sent.Subject})
	if err != nil {
		return SentMessage{}, fmt.Errorf("events: message to %s: %w", eventID, err)
	}
	if err := s.notices.Mark(ctx, eventID); err != nil {
		return SentMessage{}, fmt.Errorf("events: message to %s: %w", eventID, err)
	}
	keys := []string{s.eventKey(eventID), s.rsvpKey(eventID), s.goingKey(eventID), s.waitlistKey(eventID), s.pendingKey(eventID),
		s.noticesKey(eventID), s.messagesKey(eventID), s.messageRateKey(eventID, a.UserID)}
	vals, err := messageScript.Run(ctx, s.rdb, keys, string(m.Audience), now.UnixMilli(), time.Hour.Milliseconds(),
		MessagesPerHour, messageLogSize, sent.ID, entry, a.UserID, m.Subject, m.Body).Slice()
	if err != nil {
		return SentMessage{}, fmt.Errorf("events: message to %s: %w", eventID, scriptErr(err))
	}
	if len(vals) == 2 {
		wait, _ := vals[1].(int64)
		return SentMessage{}, &MessageLimitError{RetryAfter: time.Duration(wait) * time.Millisecond}
	}
	n, _ := vals[0].(int64)
	if n == 0 {
		return SentMessage{}, ErrNoRecipients
	}
	sent.Recipients = int(n)
	s.notices.Relay(ctx, eventID, sent.ID, s.logger())
	return sent, nil
}

// QueueMessages queues on p the read of a session's message log, newest
// first, so the session page reads it with its other reads.
func (s *Store) QueueMessages(ctx context.Context, p redis.Pipeliner, eventID string) func() ([]SentMessage, error) {
	cmd := nearcache.LRange(ctx, p, s.messagesKey(eventID), 0, messageLogSize-1)
	return func() ([]SentMessage, error) {
		raw, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("events: messages of %s: %w", eventID, err)
		}
		out := make([]SentMessage, 0, len(raw))
		for _, r := range raw {
			var m SentMessage
			if err := json.Unmarshal([]byte(r), &m); err != nil {
				return nil, fmt.Errorf("events: messages of %s: %w", eventID, err)
			}
			out = append(out, m)
		}
		return out, nil
	}
}
