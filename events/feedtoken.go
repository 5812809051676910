package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/redis/go-redis/v9"
)

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ResetFeedToken issues a new secret for userID's personal calendar feed
// URL; the previous one stops working. Only the token's SHA-256 is stored.
func (s *Store) ResetFeedToken(ctx context.Context, userID string) (string, error) {
	token := ids.Secret()
	h := tokenHash(token)
	if err := s.rdb.Set(ctx, s.feedTokenKey(h), userID, 0).Err(); err != nil {
		return "", fmt.Errorf("events: feed token for %s: %w", userID, err)
	}
	old, err := s.rdb.SetArgs(ctx, s.userFeedKey(userID), h, redis.SetArgs{Get: true}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("events: feed token for %s: %w", userID, err)
	}
	if old != "" {
		if err := s.rdb.Del(ctx, s.feedTokenKey(old)).Err(); err != nil {
			slog.WarnContext(ctx, "events: clean-up failed", "left", "the previous calendar feed token's key (it no longer works)",
				"user", userID, "err", err)
		}
	}
	return token, nil
}

// FeedUser resolves a personal feed token to its user, or ErrNotFound.
// A token counts only while it is the user's current one, so a token left
// behind by two concurrent resets never works.
func (s *Store) FeedUser(ctx context.Context, token string) (string, error) {
	uid, err := s.FeedTokenOwner(ctx, token)
	if err != nil {
		return "", err
	}
	p := s.rdb.Pipeline()
	current := s.QueueFeedCurrent(ctx, p, uid, token)
	_, _ = p.Exec(ctx) // current reports its own command's error
	return uid, current()
}

// FeedTokenOwner returns the user a personal feed token was issued to,
// or ErrNotFound. Whether it is still theirs is QueueFeedCurrent's to
// check, with the page's reads of that user.
func (s *Store) FeedTokenOwner(ctx context.Context, token string) (string, error) {
	uid, err := s.rdb.Get(ctx, s.feedTokenKey(tokenHash(token))).Result()
	if err != nil {
		return "", fmt.Errorf("events: feed token: %w", scriptErr(err))
	}
	return uid, nil
}

// QueueFeedCurrent queues on p the check that token is still userID's
// current feed token; the returned function gives ErrNotFound when it is
// not, once p has been executed.
func (s *Store) QueueFeedCurrent(ctx context.Context, p redis.Pipeliner, userID, token string) func() error {
	cmd := p.Get(ctx, s.userFeedKey(userID))
	return func() error {
		cur, err := cmd.Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("events: feed token of %s: %w", userID, err)
		}
		if cur != tokenHash(token) {
			return fmt.Errorf("events: feed token: %w", ErrNotFound)
		}
		return nil
	}
}
