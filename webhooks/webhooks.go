// Package webhooks tells the places a group's people live (a Slack or
// Discord channel, or any service that takes JSON) when a session is
// scheduled, moved or cancelled, when seats free up and when someone
// proposes a topic. Organizers add endpoints per group; each delivery goes
// through a durable queue in Redis with retries, backoff and dead letters,
// and is logged on the group's settings page.
//
// Keys (prefix "fg:" by default):
//   - whk:{<group>}:endpoints  hash: endpoint ID -> endpoint JSON
//   - whk:{<group>}:log        list: the newest delivery results, capped
//   - whq:{queue}:due          sorted set: delivery ID -> when to try next (unix ms)
//   - whq:{queue}:items        hash: delivery ID -> delivery JSON
//   - whq:{queue}:dead         list: deliveries given up on, capped
package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// Kind is the format an endpoint takes.
type Kind string

// Endpoint kinds.
const (
	KindSlack   Kind = "slack"   // a Slack incoming webhook: blocks
	KindDiscord Kind = "discord" // a Discord webhook: an embed
	KindJSON    Kind = "json"    // anything else: signed JSON
)

// Kinds lists the endpoint kinds in the order the form offers them.
var Kinds = []Kind{KindSlack, KindDiscord, KindJSON}

// EventType names what happened.
type EventType string

// Event types an endpoint can subscribe to, and the test event.
const (
	SessionScheduled EventType = "session.scheduled"
	SessionChanged   EventType = "session.changed"
	SessionCancelled EventType = "session.cancelled"
	SeatsFreed       EventType = "session.seats_freed"
	ProposalCreated  EventType = "proposal.created"
	Ping             EventType = "ping"
)

// EventOption is an event type with its label on the form.
type EventOption struct {
	Type  EventType
	Label string
}

// EventTypes lists the event types endpoints subscribe to.
var EventTypes = []EventOption{
	{SessionScheduled, "A session is scheduled"},
	{SessionChanged, "A session moves (time or place)"},
	{SessionCancelled, "A session is cancelled"},
	{SeatsFreed, "Seats free up in a full session"},
	{ProposalCreated, "Someone proposes a topic"},
}

// MaxEndpoints is how many endpoints one group keeps.
const MaxEndpoints = 10

// Endpoint is where a group's events are delivered.
type Endpoint struct {
	ID        string      `json:"id"`
	GroupID   string      `json:"-"`
	Kind      Kind        `json:"kind"`
	URL       string      `json:"url"`
	Secret    string      `json:"secret,omitempty"` // signs JSON deliveries
	Events    []EventType `json:"events"`
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
}

// Wants reports whether e takes events of type t (everyone takes a ping).
func (e Endpoint) Wants(t EventType) bool { return t == Ping || slices.Contains(e.Events, t) }

// Display is the endpoint's URL without what makes it a secret: Slack
// and Discord webhook URLs are credentials, so pages and logs show the
// scheme, host and the path's last four characters only.
func (e Endpoint) Display() string {
	scheme, rest, ok := strings.Cut(e.URL, "://")
	if !ok {
		return "…"
	}
	host, path, _ := strings.Cut(rest, "/")
	if len(path) > 4 {
		path = "…" + path[len(path)-4:]
	}
	return scheme + "://" + host + "/" + path
}

// Errors of the store; check them with errors.Is.
var (
	ErrNotFound    = errors.New("webhooks: no such endpoint")
	ErrTooMany     = fmt.Errorf("webhooks: a group keeps at most %d endpoints", MaxEndpoints)
	ErrNoEndpoints = errors.New("webhooks: the group has no endpoint for this event")
)

// Store keeps endpoints and the delivery queue, and runs the deliveries.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	// Guard decides which addresses endpoints may have.
	Guard Guard
	// Client delivers; nil is Guard.Client(DeliveryTimeout).
	Client *http.Client
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Logger receives delivery failures (never URLs: they are secrets).
	Logger *slog.Logger
	// Retry is the delivery policy; zero fields take their defaults.
	Retry Retry
	wake  chan struct{}
}

// NewStore returns a Store whose keys start with prefix.
func NewStore(rdb redis.UniversalClient, prefix string, guard Guard) *Store {
	return &Store{rdb: rdb, prefix: prefix, Guard: guard, Now: time.Now, Logger: slog.Default(), wake: make(chan struct{}, 1)}
}

func (s *Store) endpointsKey(groupID string) string {
	return s.prefix + "whk:{" + groupID + "}:endpoints"
}
func (s *Store) logKey(groupID string) string { return s.prefix + "whk:{" + groupID + "}:log" }
func (s *Store) dueKey() string               { return s.prefix + "whq:{queue}:due" }
func (s *Store) itemsKey() string             { return s.prefix + "whq:{queue}:items" }
func (s *Store) deadKey() string              { return s.prefix + "whq:{queue}:dead" }

// addScript adds an endpoint unless the group has MaxEndpoints already.
// KEYS endpoints. ARGV id, JSON, most.
var addScript = redis.NewScript(`
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return redis.error_reply('TOO_MANY') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`)

// Input is an endpoint as the organizer's form gives it.
type Input struct {
	Kind   string
	URL    string
	Events []string
}

// Add checks in and adds it to groupID's endpoints. Field errors come as
// valid.Errors ("kind", "url", "events"); a full group as ErrTooMany.
func (s *Store) Add(ctx context.Context, groupID, actorID string, in Input) (Endpoint, error) {
	errs := valid.Errors{}
	kind := Kind(in.Kind)
	if !slices.Contains(Kinds, kind) {
		errs.Add("kind", "Choose Slack, Discord or JSON.")
	}
	var events []EventType
	for _, e := range in.Events {
		t := EventType(e)
		if !slices.ContainsFunc(EventTypes, func(o EventOption) bool { return o.Type == t }) {
			errs.Add("events", "Choose events from the list.")
			continue
		}
		if !slices.Contains(events, t) {
			events = append(events, t)
		}
	}
	if len(in.Events) == 0 {
		errs.Add("events", "Choose at least one event to send.")
	}
	raw := strings.TrimSpace(in.URL)
	if len(raw) > 2000 {
		errs.Add("url", "That address is too long (2,000 characters at most).")
	} else if u, err := s.Guard.CheckURL(ctx, raw); err != nil {
		errs.Add("url", guardMessage(err))
	} else if msg := kindHostProblem(kind, u.Hostname(), u.Path, s.Guard.AllowLocal); msg != "" {
		errs.Add("url", msg)
	} else {
		raw = u.String()
	}
	if err := errs.Err(); err != nil {
		return Endpoint{}, err
	}
	e := Endpoint{ID: ids.New(), GroupID: groupID, Kind: kind, URL: raw, Events: events, CreatedBy: actorID, CreatedAt: s.Now().UTC()}
	if kind == KindJSON {
		e.Secret = "whsec_" + ids.Secret()
	}
	data, err := json.Marshal(e)
	if err != nil {
		return Endpoint{}, err
	}
	err = addScript.Run(ctx, s.rdb, []string{s.endpointsKey(groupID)}, e.ID, data, MaxEndpoints).Err()
	if err != nil && strings.Contains(err.Error(), "TOO_MANY") {
		return Endpoint{}, ErrTooMany
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("webhooks: add to %s: %w", groupID, err)
	}
	return e, nil
}

// guardMessage is the guard's refusal as the form shows it.
func guardMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), ErrRefused.Error()+": ")
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

// kindHostProblem checks that a Slack or Discord endpoint is one of
// theirs, so a message in their format is not sent somewhere else by
// mistake (local receivers pass in development).
func kindHostProblem(kind Kind, host, path string, allowLocal bool) string {
	if allowLocal && (host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1") {
		return ""
	}
	switch kind {
	case KindSlack:
		if host != "hooks.slack.com" || !strings.HasPrefix(path, "/services/") {
			return "A Slack incoming webhook starts with https://hooks.slack.com/services/. Copy it from the app's Incoming Webhooks page."
		}
	case KindDiscord:
		if (host != "discord.com" && host != "discordapp.com" && host != "ptb.discord.com" && host != "canary.discord.com") ||
			!strings.HasPrefix(path, "/api/webhooks/") {
			return "A Discord webhook starts with https://discord.com/api/webhooks/. Copy it from the channel's Integrations settings."
		}
	}
	return ""
}

// Delete removes an endpoint; deliveries already queued for it still go.
func (s *Store) Delete(ctx context.Context, groupID, id string) error {
	n, err := s.rdb.HDel(ctx, s.endpointsKey(groupID), id).Result()
	if err != nil {
		return fmt.Errorf("webhooks: delete %s: %w", id, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// List returns groupID's endpoints, oldest first.
func (s *Store) List(ctx context.Context, groupID string) ([]Endpoint, error) {
	p := s.rdb.Pipeline()
	get := s.QueueList(ctx, p, groupID)
	if _, err := p.Exec(ctx); err != nil {
		return nil, fmt.Errorf("webhooks: list %s: %w", groupID, err)
	}
	return get()
}

// QueueList queues the read of groupID's endpoints on p; the function
// returns them, oldest first, once p has run.
func (s *Store) QueueList(ctx context.Context, p redis.Pipeliner, groupID string) func() ([]Endpoint, error) {
	cmd := p.HGetAll(ctx, s.endpointsKey(groupID))
	return func() ([]Endpoint, error) {
		m, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("webhooks: list %s: %w", groupID, err)
		}
		out := make([]Endpoint, 0, len(m))
		for _, raw := range m {
			var e Endpoint
			if err := json.Unmarshal([]byte(raw), &e); err != nil {
				return nil, fmt.Errorf("webhooks: decode endpoint of %s: %w", groupID, err)
			}
			e.GroupID = groupID
			out = append(out, e)
		}
		slices.SortFunc(out, func(a, b Endpoint) int { return a.CreatedAt.Compare(b.CreatedAt) })
		return out, nil
	}
}

// DropGroup deletes groupID's endpoints and delivery log; deliveries
// already queued still go.
func (s *Store) DropGroup(ctx context.Context, groupID string) error {
	if err := s.rdb.Del(ctx, s.endpointsKey(groupID), s.logKey(groupID)).Err(); err != nil {
		return fmt.Errorf("webhooks: drop %s: %w", groupID, err)
	}
	return nil
}
