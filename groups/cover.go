package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// coverKey holds a group's uploaded cover: data, type, hash.
func (s *Store) coverKey(groupID string) string { return s.groupKey(groupID) + ":cover" }

// CoverURL is where an uploaded cover with hash and ext is served.
func CoverURL(groupID, hash, ext string) string { return "/covers/" + groupID + "/" + hash + "." + ext }

// SaveCover stores an uploaded cover (already checked and re-encoded) and
// makes it the group's cover; only organizers may (ErrForbidden). The
// previous upload is replaced.
func (s *Store) SaveCover(ctx context.Context, groupID, actorID string, data []byte, contentType, hash, ext string) (*Group, error) {
	// The whole record as stored now, not as this instance remembers it:
	// the update below writes every field back.
	g, err := s.loadConsistent(ctx, groupID)
	if err != nil {
		return nil, err
	}
	st, err := s.Standing(ctx, groupID, actorID)
	if err != nil {
		return nil, err
	}
	if st.Role != RoleOwner && st.Role != RoleOrganizer {
		return nil, fmt.Errorf("groups: cover of %s: %w", groupID, ErrForbidden)
	}
	if err := s.rdb.HSet(ctx, s.coverKey(groupID), "data", data, "type", contentType, "hash", hash).Err(); err != nil {
		return nil, fmt.Errorf("groups: cover of %s: %w", groupID, err)
	}
	in := g.Input()
	in.Cover = CoverURL(groupID, hash, ext)
	return s.Update(ctx, groupID, actorID, in)
}

// Cover returns a group's uploaded cover: its bytes, content type and
// hash; ErrNotFound when it has none.
func (s *Store) Cover(ctx context.Context, groupID string) ([]byte, string, string, error) {
	vals, err := s.rdb.HMGet(ctx, s.coverKey(groupID), "data", "type", "hash").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, "", "", fmt.Errorf("groups: cover of %s: %w", groupID, err)
	}
	data, _ := vals[0].(string)
	typ, _ := vals[1].(string)
	hash, _ := vals[2].(string)
	if data == "" {
		return nil, "", "", ErrNotFound
	}
	return []byte(data), typ, hash, nil
}
