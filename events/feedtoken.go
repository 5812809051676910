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
	h := tokenHash(token)
	uid, err := s.rdb.Get(ctx, s.feedTokenKey(h)).Result()
	if err != nil {
		return "", fmt.Errorf("events: feed token: %w", scriptErr(err))
	}
	cur, err := s.rdb.Get(ctx, s.userFeedKey(uid)).Result()
	if err != nil || cur != h {
		return "", fmt.Errorf("events: feed token: %w", ErrNotFound)
	}
	return uid, nil
}
