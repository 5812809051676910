// Package once remembers which form posts were already handled, so that a
// double click or a resubmitted form is done once and the second post is
// sent to the first one's result.
package once

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// window is how long a handled post is remembered.
const window = time.Hour

// Guard records posts in Redis, shared by every app instance.
type Guard struct {
	rdb      redis.UniversalClient
	prefix   string
	claimFor time.Duration
}

// New returns a Guard whose keys carry prefix. A post being handled is
// claimed for claimFor (longer than a request may take), so a post whose
// request died without forgetting its claim (Redis went away) can be
// sent again soon after, not an hour later.
func New(rdb redis.UniversalClient, prefix string, claimFor time.Duration) *Guard {
	return &Guard{rdb: rdb, prefix: prefix, claimFor: claimFor}
}

// Claim marks the post digest by userID as being handled. first is true
// when nobody handled it yet; otherwise result is where the earlier post
// sent its sender ("" while it is still being handled).
func (g *Guard) Claim(ctx context.Context, userID, digest string) (first bool, result string, err error) {
	p := g.rdb.Pipeline()
	claimed := g.QueueClaim(ctx, p, userID, digest)
	_, _ = p.Exec(ctx) // claimed reports the error
	return claimed()
}

// QueueClaim is Claim queued on p, so the claim can share a round trip
// (with the session's read); the returned function gives Claim's answer
// once p has run.
func (g *Guard) QueueClaim(ctx context.Context, p redis.Pipeliner, userID, digest string) func() (first bool, result string, err error) {
	cmd := p.SetArgs(ctx, g.key(userID, digest), "", redis.SetArgs{Mode: "NX", Get: true, TTL: g.claimFor})
	return func() (bool, string, error) {
		prev, err := cmd.Result()
		switch {
		case errors.Is(err, redis.Nil):
			return true, "", nil
		case err != nil:
			return false, "", fmt.Errorf("once: claim post of %s: %w", userID, err)
		}
		return false, prev, nil
	}
}

// Done records where a handled post sent its sender, for later repeats.
func (g *Guard) Done(ctx context.Context, userID, digest, result string) error {
	p := g.rdb.Pipeline()
	cmd := g.QueueDone(ctx, p, userID, digest, result)
	_, _ = p.Exec(ctx) // cmd reports its own error
	if err := cmd.Err(); err != nil {
		return fmt.Errorf("once: record post of %s: %w", userID, err)
	}
	return nil
}

// QueueDone is Done queued on p, so the record shares a round trip with
// the request's other last writes; the returned command says whether it
// was written once p has run.
func (g *Guard) QueueDone(ctx context.Context, p redis.Pipeliner, userID, digest, result string) *redis.StatusCmd {
	return p.Set(ctx, g.key(userID, digest), result, window)
}

// Forget drops a claim whose post failed, so sending it again works.
func (g *Guard) Forget(ctx context.Context, userID, digest string) error {
	if err := g.rdb.Del(ctx, g.key(userID, digest)).Err(); err != nil {
		return fmt.Errorf("once: forget post of %s: %w", userID, err)
	}
	return nil
}

// key is one post of one person, in that person's hash slot.
func (g *Guard) key(userID, digest string) string {
	return g.prefix + "once:{" + userID + "}:" + digest
}
