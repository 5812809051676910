package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Retry is the delivery policy.
type Retry struct {
	// Attempts is how many times a delivery is tried before it is given
	// up on (8: about four hours with the default backoff).
	Attempts int
	// Backoff is the wait after the first failure; each next one doubles,
	// up to MaxBackoff, with up to 20 % jitter (30 s, 1 h).
	Backoff, MaxBackoff time.Duration
	// Poll is how often idle workers look for due deliveries (1 s); a
	// delivery queued by this instance wakes them at once.
	Poll time.Duration
	// Lease is how long a claimed delivery is left to its worker before
	// another instance may take it over (a crash mid-delivery) (1 min).
	Lease time.Duration
	// Workers is how many deliveries run at once per instance (4).
	Workers int
	// Timeout bounds one delivery (10 s).
	Timeout time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 8
	}
	if r.Backoff <= 0 {
		r.Backoff = 30 * time.Second
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = time.Hour
	}
	if r.Poll <= 0 {
		r.Poll = time.Second
	}
	if r.Lease <= 0 {
		r.Lease = time.Minute
	}
	if r.Workers <= 0 {
		r.Workers = 4
	}
	if r.Timeout <= 0 {
		r.Timeout = 10 * time.Second
	}
	return r
}

// delivery is one event on its way to one endpoint.
type delivery struct {
	ID       string   `json:"id"` // event ID, ":", endpoint ID
	Endpoint Endpoint `json:"endpoint"`
	GroupID  string   `json:"group"`
	Event    Event    `json:"event"`
	Tries    int      `json:"tries"`
	Last     string   `json:"last,omitempty"` // the last failure
}

// Result is one delivery attempt as the group's log shows it.
type Result struct {
	At        time.Time `json:"at"`
	Endpoint  string    `json:"endpoint"` // its ID
	Display   string    `json:"display"`  // its URL as Endpoint.Display shows it
	Event     EventType `json:"event"`
	EventID   string    `json:"event_id"`
	Try       int       `json:"try"`
	Status    int       `json:"status,omitempty"` // the HTTP status; 0 when none came
	Error     string    `json:"error,omitempty"`
	OK        bool      `json:"ok"`
	NextTry   time.Time `json:"next_try,omitzero"` // when it is tried again
	GivenUp   bool      `json:"given_up,omitempty"`
	Millis    int64     `json:"ms"`
	FirstLine string    `json:"response,omitempty"` // the start of the response body
}

// logSize is how many results a group's log keeps.
const logSize = 100

// deadSize is how many given-up deliveries the dead-letter list keeps.
const deadSize = 1000

// enqueueScript queues a delivery once: a delivery ID seen before (an
// event emitted twice) changes nothing. KEYS due, items. ARGV id, JSON,
// when (unix ms).
var enqueueScript = redis.NewScript(`
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`)

// Emit queues ev for every endpoint of its group that wants it, and
// reports how many were queued (ErrNoEndpoints when none). It reads the
// endpoints in one round trip and queues in one more.
func (s *Store) Emit(ctx context.Context, ev Event) (int, error) {
	eps, err := s.List(ctx, ev.Group.ID)
	if err != nil {
		return 0, err
	}
	return s.emitTo(ctx, ev, eps, "")
}

// EmitTo is Emit for the endpoints already read (eps); only is one
// endpoint's ID, or "" for all of them.
func (s *Store) emitTo(ctx context.Context, ev Event, eps []Endpoint, only string) (int, error) {
	p := s.rdb.Pipeline()
	n := 0
	now := strconv.FormatInt(s.Now().UnixMilli(), 10)
	for _, e := range eps {
		if !e.Wants(ev.Type) || (only != "" && e.ID != only) {
			continue
		}
		d := delivery{ID: ev.ID + ":" + e.ID, Endpoint: e, GroupID: ev.Group.ID, Event: ev}
		data, err := json.Marshal(d)
		if err != nil {
			return 0, err
		}
		enqueueScript.EvalSha(ctx, p, []string{s.dueKey(), s.itemsKey()}, d.ID, data, now)
		n++
	}
	if n == 0 {
		return 0, ErrNoEndpoints
	}
	if _, err := p.Exec(ctx); err != nil {
		if !redis.HasErrorPrefix(err, "NOSCRIPT") {
			return 0, fmt.Errorf("webhooks: queue %s: %w", ev.ID, err)
		}
		if err := enqueueScript.Load(ctx, s.rdb).Err(); err != nil {
			return 0, fmt.Errorf("webhooks: queue %s: %w", ev.ID, err)
		}
		return s.emitTo(ctx, ev, eps, only)
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return n, nil
}

// Test queues a ping to one endpoint of groupID.
func (s *Store) Test(ctx context.Context, g Group, endpointID, eventID string) error {
	eps, err := s.List(ctx, g.ID)
	if err != nil {
		return err
	}
	_, err = s.emitTo(ctx, Event{ID: eventID, Type: Ping, At: s.Now().UTC(), Group: g}, eps, endpointID)
	if errors.Is(err, ErrNoEndpoints) {
		return ErrNotFound
	}
	return err
}

// claimScript takes up to ARGV[2] deliveries due at ARGV[1] (unix ms) and
// pushes their time to ARGV[3], so no other worker takes them while this
// one tries. KEYS due, items.
var claimScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local raw = redis.call('HGET', KEYS[2], id)
  if raw then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    table.insert(out, raw)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`)

// finishScript ends a delivery: ARGV[2] "done" forgets it, "retry" stores
// ARGV[3] and sets its time to ARGV[4], "dead" moves it to the dead
// letters. KEYS due, items, dead. ARGV id, outcome, JSON, when, dead size.
var finishScript = redis.NewScript(`
if ARGV[2] == 'retry' then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
  return 1
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == 'dead' then
  redis.call('LPUSH', KEYS[3], ARGV[3])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[5]) - 1)
end
return 1
`)

// Run delivers due deliveries until ctx ends.
func (s *Store) Run(ctx context.Context) {
	r := s.Retry.withDefaults()
	client := s.Client
	if client == nil {
		client = s.Guard.Client(r.Timeout)
	}
	sem := make(chan struct{}, r.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		now := s.Now()
		raws, err := claimScript.Run(ctx, s.rdb, []string{s.dueKey(), s.itemsKey()},
			now.UnixMilli(), r.Workers, now.Add(r.Lease).UnixMilli()).StringSlice()
		if err != nil && ctx.Err() == nil {
			s.Logger.Error("webhooks: claim", "err", err)
		}
		for _, raw := range raws {
			var d delivery
			if err := json.Unmarshal([]byte(raw), &d); err != nil {
				s.Logger.Error("webhooks: decode delivery", "err", err)
				continue
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				s.deliver(ctx, client, r, d)
			})
		}
		if len(raws) == r.Workers {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-time.After(r.Poll):
		}
	}
}

// deliver tries d once and records the outcome.
func (s *Store) deliver(ctx context.Context, client *http.Client, r Retry, d delivery) {
	d.Tries++
	res := Result{At: s.Now().UTC(), Endpoint: d.Endpoint.ID, Display: d.Endpoint.Display(), Event: d.Event.Type,
		EventID: d.Event.ID, Try: d.Tries}
	start := time.Now()
	status, first, err := s.post(ctx, client, r, d)
	res.Millis = time.Since(start).Milliseconds()
	res.Status, res.FirstLine = status, first
	outcome, when := "done", time.Time{}
	switch {
	case err == nil && status >= 200 && status < 300:
		res.OK = true
	case ctx.Err() != nil:
		return // shutting down: the lease runs out and another try follows
	default:
		if err != nil {
			res.Error = err.Error()
		} else {
			res.Error = "the endpoint answered " + strconv.Itoa(status)
		}
		d.Last = res.Error
		if d.Tries >= r.Attempts || permanent(status, err) {
			outcome, res.GivenUp = "dead", true
		} else {
			outcome, when = "retry", s.Now().Add(backoff(r, d.Tries))
			res.NextTry = when.UTC()
		}
	}
	data, err := json.Marshal(d)
	if err == nil {
		err = finishScript.Run(ctx, s.rdb, []string{s.dueKey(), s.itemsKey(), s.deadKey()},
			d.ID, outcome, data, when.UnixMilli(), deadSize).Err()
	}
	if err != nil {
		s.Logger.Error("webhooks: finish delivery", "delivery", d.ID, "err", err)
		return
	}
	if !res.OK {
		s.Logger.Warn("webhooks: delivery failed", "delivery", d.ID, "endpoint", d.Endpoint.Display(), "try", d.Tries,
			"status", status, "err", res.Error, "given_up", res.GivenUp)
	}
	if err := s.log(ctx, d.GroupID, res); err != nil {
		s.Logger.Error("webhooks: log delivery", "delivery", d.ID, "err", err)
	}
}

// permanent reports a failure no retry can mend: the guard refused the
// address, or the endpoint says it is gone or will never take this (4xx
// but 408 Request Timeout and 429 Too Many Requests).
func permanent(status int, err error) bool {
	if err != nil {
		return errors.Is(err, ErrRefused)
	}
	return status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// backoff is the wait after the tries-th failure.
func backoff(r Retry, tries int) time.Duration {
	d := r.Backoff << min(tries-1, 20)
	if d <= 0 || d > r.MaxBackoff {
		d = r.MaxBackoff
	}
	return d + time.Duration(rand.Int64N(int64(d)/5+1)) //nolint:gosec // jitter, not a secret
}

// post sends d and returns the status and the start of the answer.
func (s *Store) post(ctx context.Context, client *http.Client, r Retry, d delivery) (int, string, error) {
	body, err := d.Event.body(d.Endpoint.Kind)
	if err != nil {
		return 0, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "", fmt.Errorf("%w: %s", ErrRefused, "the address is not a URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "focusgroups-webhooks/1")
	req.Header.Set("X-Focusgroups-Event", string(d.Event.Type))
	req.Header.Set("X-Focusgroups-Delivery", d.ID)
	if d.Endpoint.Kind == KindJSON {
		req.Header.Set(SignatureHeader, Sign(d.Endpoint.Secret, s.Now(), body))
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", cleanErr(err)
	}
	defer func() { _ = resp.Body.Close() }()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	first, _, _ := strings.Cut(strings.TrimSpace(string(head)), "\n")
	return resp.StatusCode, first, nil
}

// cleanErr drops the URL (a secret) from a client error.
func cleanErr(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			if errors.Is(inner, ErrRefused) {
				return inner
			}
			return fmt.Errorf("%s", strings.TrimPrefix(inner.Error(), "dial tcp "))
		}
	}
	return err
}

// log records res in groupID's delivery log.
func (s *Store) log(ctx context.Context, groupID string, res Result) error {
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, s.logKey(groupID), data)
		p.LTrim(ctx, s.logKey(groupID), 0, logSize-1)
		return nil
	})
	return err
}

// QueueLog queues the read of groupID's newest n results on p.
func (s *Store) QueueLog(ctx context.Context, p redis.Pipeliner, groupID string, n int) func() ([]Result, error) {
	cmd := p.LRange(ctx, s.logKey(groupID), 0, int64(n)-1)
	return func() ([]Result, error) {
		raws, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("webhooks: log of %s: %w", groupID, err)
		}
		out := make([]Result, 0, len(raws))
		for _, raw := range raws {
			var r Result
			if err := json.Unmarshal([]byte(raw), &r); err != nil {
				return nil, fmt.Errorf("webhooks: decode log of %s: %w", groupID, err)
			}
			out = append(out, r)
		}
		return out, nil
	}
}

// Pending is how many deliveries wait in the queue (retries included).
func (s *Store) Pending(ctx context.Context) (int64, error) {
	return s.rdb.ZCard(ctx, s.dueKey()).Result()
}
