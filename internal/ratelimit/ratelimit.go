// Package ratelimit counts requests in Redis so that a limit holds exactly
// across every app instance: each check is one atomic script (GCRA, from
// github.com/go-redis/redis_rate) on one key, so two instances can never
// both let the last allowed request through.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
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
	gcra   *redis_rate.Limiter
	prefix string
}

// New returns a Limiter whose keys carry prefix. It works on a single
// server and on Redis Cluster alike: every check touches one key.
func New(rdb redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{gcra: redis_rate.NewLimiter(rdb), prefix: prefix}
}

// Allow counts one request by subject (an IP address, a user, a link's
// token) against the limit called name. It returns zero when the request
// may go ahead, or how long the subject must wait.
func (l *Limiter) Allow(ctx context.Context, name, subject string, lim Limit) (time.Duration, error) {
	res, err := l.gcra.Allow(ctx, l.key(name, subject), redis_rate.Limit{Rate: lim.Max, Burst: lim.Max, Period: lim.Per})
	if err != nil {
		return 0, fmt.Errorf("ratelimit: %s: %w", name, err)
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}

// key is the count of one subject under one limit. The subject is hashed:
// it may be a secret (a link's token) and is never stored as it is. The
// whole name is one hash tag, so each count lives in one Cluster slot.
// redis_rate puts "rate:" in front of the key it is given.
func (l *Limiter) key(name, subject string) string {
	sum := sha256.Sum256([]byte(subject))
	return l.prefix + "rl:{" + name + ":" + hex.EncodeToString(sum[:16]) + "}"
}
