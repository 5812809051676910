// Package ratelimit counts requests in Redis so that a limit holds exactly
// across every app instance: each check is one atomic script (GCRA, the
// generic cell rate algorithm) on one key, so two instances can never both
// let the last allowed request through. A check can be queued on a page's
// pipeline, so the limits of a request cost no round trip of their own.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/luascript"
)

// Limit allows Max requests per Per, all at once or spread out; the
// allowance refills evenly over Per.
type Limit struct {
	Max int
	Per time.Duration
}

// PerMinute is a Limit of n requests a minute.
func PerMinute(n int) Limit { return Limit{Max: n, Per: time.Minute} }

// Limiter checks limits against counts kept in Redis.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
}

// New returns a Limiter whose keys carry prefix. It works on a single
// server and on Redis Cluster alike: every check touches one key.
func New(rdb redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix}
}

// Allow counts one request by subject (an IP address, a user, a link's
// token) against the limit called name. It returns zero when the request
// may go ahead, or how long the subject must wait.
func (l *Limiter) Allow(ctx context.Context, name, subject string, lim Limit) (time.Duration, error) {
	p := l.rdb.Pipeline()
	check := l.Queue(ctx, p, name, subject, lim)
	_, _ = p.Exec(ctx) // check reports its own command's error
	return check()
}

// Queue queues on p the check Allow makes; the returned function gives
// its answer once p has been executed. A refused request is not counted,
// so a client that keeps retrying too early is let in as soon as the
// allowance refills.
func (l *Limiter) Queue(ctx context.Context, p redis.Pipeliner, name, subject string, lim Limit) func() (time.Duration, error) {
	keys := []string{l.key(name, subject)}
	args := []any{lim.Max, lim.Per.Seconds()}
	answer := luascript.Queue(ctx, p, l.rdb, gcra, false, keys, args...)
	return func() (time.Duration, error) {
		text, err := answer().Text()
		if err != nil {
			return 0, fmt.Errorf("ratelimit: %s: %w", name, err)
		}
		if text == allowed { // only the branch that counted the request says so
			return 0, nil
		}
		wait, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return 0, fmt.Errorf("ratelimit: %s: wait %q: %w", name, text, err)
		}
		return max(time.Duration(wait*float64(time.Second)), time.Millisecond), nil
	}
}

// allowed is gcra's answer for a request it let through and counted.
const allowed = "ok"

// Check is one limit on one subject, for AllowAll.
type Check struct {
	Name, Subject string
	Limit         Limit
}

// AllowAll counts one request against every check, all in one round
// trip. A request that any check refuses uses up none of the others:
// their counts are given back (one more round trip, when refusing only).
// It returns zero and -1 when the request may go ahead, else the wait
// and the index of the first check that refused it.
func (l *Limiter) AllowAll(ctx context.Context, checks ...Check) (time.Duration, int, error) {
	p := l.rdb.Pipeline()
	answers := make([]func() (time.Duration, error), len(checks))
	for i, ch := range checks {
		answers[i] = l.Queue(ctx, p, ch.Name, ch.Subject, ch.Limit)
	}
	_, _ = p.Exec(ctx) // each check reports its own command's error
	waits := make([]time.Duration, len(checks))
	refused := -1
	for i, answer := range answers {
		wait, err := answer()
		if err != nil {
			return 0, -1, err
		}
		waits[i] = wait
		if wait > 0 && refused < 0 {
			refused = i
		}
	}
	if refused < 0 {
		return 0, -1, nil
	}
	p = l.rdb.Pipeline()
	for i, ch := range checks {
		if waits[i] == 0 {
			refund.Eval(ctx, p, []string{l.key(ch.Name, ch.Subject)}, ch.Limit.Max, ch.Limit.Per.Seconds())
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		return 0, -1, fmt.Errorf("ratelimit: give back a refused request: %w", err)
	}
	return waits[refused], refused, nil
}

// gcra keeps under KEYS[1] the theoretical arrival time (TAT) of the next
// request, in seconds since 2017 (Redis's clock, so every instance agrees;
// the later epoch keeps microseconds within a double's precision). Each
// request moves it one emission interval (Per/Max) on; a request is let
// through when the TAT, moved on, is at most Per ahead of now. It returns
// "ok" when the request may go ahead (and counted it), else the seconds
// to wait. The key lives until the allowance has refilled.
var gcra = redis.NewScript(`
local max = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local t = redis.call("TIME")
local now = (t[1] - 1483228800) + t[2] / 1000000
local interval = per / max
local tat = math.max(tonumber(redis.call("GET", KEYS[1]) or now), now)
local wait = tat + interval - per - now
if wait > 0 then
  return string.format("%.6f", wait)
end
redis.call("SET", KEYS[1], string.format("%.6f", tat + interval), "EX", math.ceil(tat + interval - now))
return "ok"
`)

// refund moves the TAT under KEYS[1] back one emission interval, never
// behind now; ARGV as gcra's. It is sent whole (EVAL): it runs only when
// a request is refused, on a pipeline that cannot fall back on NOSCRIPT.
var refund = redis.NewScript(`
local interval = tonumber(ARGV[2]) / tonumber(ARGV[1])
local tat = tonumber(redis.call("GET", KEYS[1]))
if not tat then return 0 end
local t = redis.call("TIME")
local now = (t[1] - 1483228800) + t[2] / 1000000
local back = tat - interval
if back <= now then
  redis.call("DEL", KEYS[1])
else
  redis.call("SET", KEYS[1], string.format("%.6f", back), "EX", math.ceil(back - now))
end
return 1
`)

// key is the count of one subject under one limit. The subject is hashed:
// it may be a secret (a link's token) and is never stored as it is. The
// whole name is one hash tag, so each count lives in one Cluster slot.
func (l *Limiter) key(name, subject string) string {
	sum := sha256.Sum256([]byte(subject))
	return l.prefix + "rl:{" + name + ":" + hex.EncodeToString(sum[:16]) + "}"
}
