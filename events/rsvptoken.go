package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
)

func (s *Store) rsvpTokenKey(hash string) string { return s.prefix + "rsvptok:{" + hash + "}" }

// RSVPTokenGrace is how long an RSVP token's key lives past the session's
// end at the time it was issued.
const RSVPTokenGrace = 30 * 24 * time.Hour

// IssueRSVPToken makes the secret behind the Going / Not going links in one
// person's mail about one session. It works without signing in, only for
// that person and session, until the session ends. Only its SHA-256 is
// stored.
func (s *Store) IssueRSVPToken(ctx context.Context, ev Event, userID string) (string, error) {
	if !ev.End.After(s.now()) {
		return "", fmt.Errorf("events: RSVP token for %s: %w", ev.ID, ErrPast)
	}
	token := ids.Secret()
	// The key outlives the session's current end by a grace period, so a
	// session moved later keeps its links working; the web layer refuses
	// links to sessions that have ended.
	err := s.rdb.SetArgs(ctx, s.rsvpTokenKey(tokenHash(token)), ev.ID+" "+userID, redis.SetArgs{ExpireAt: ev.End.Add(RSVPTokenGrace)}).Err()
	if err != nil {
		return "", fmt.Errorf("events: RSVP token for %s: %w", ev.ID, err)
	}
	return token, nil
}

// IssueRSVPTokens is IssueRSVPToken for many people at once, in one round
// trip: the personal links of an announcement. It returns each person's
// token by user ID.
func (s *Store) IssueRSVPTokens(ctx context.Context, ev Event, userIDs []string) (map[string]string, error) {
	if !ev.End.After(s.now()) {
		return nil, fmt.Errorf("events: RSVP tokens for %s: %w", ev.ID, ErrPast)
	}
	out := make(map[string]string, len(userIDs))
	pipe := s.rdb.Pipeline()
	for _, uid := range userIDs {
		token := ids.Secret()
		out[uid] = token
		pipe.SetArgs(ctx, s.rsvpTokenKey(tokenHash(token)), ev.ID+" "+uid, redis.SetArgs{ExpireAt: ev.End.Add(RSVPTokenGrace)})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("events: RSVP tokens for %s: %w", ev.ID, err)
	}
	return out, nil
}

// RSVPTokenOwner returns the session and person an RSVP link is for, or
// ErrNotFound when the token is unknown, tampered with or expired.
func (s *Store) RSVPTokenOwner(ctx context.Context, token string) (eventID, userID string, err error) {
	if len(token) < 40 || len(token) > 64 {
		return "", "", fmt.Errorf("events: RSVP token: %w", ErrNotFound)
	}
	v, err := s.rdb.Get(ctx, s.rsvpTokenKey(tokenHash(token))).Result()
	if errors.Is(err, redis.Nil) {
		return "", "", fmt.Errorf("events: RSVP token: %w", ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("events: RSVP token: %w", err)
	}
	eventID, userID, ok := strings.Cut(v, " ")
	if !ok {
		return "", "", fmt.Errorf("events: RSVP token: %w", ErrNotFound)
	}
	return eventID, userID, nil
}
