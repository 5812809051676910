package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// SlugID returns the ID of the group that holds slug, so a page can read
// the group and all it shows in one pipeline. With fresh false it may
// answer from memory without a round trip; such an answer can be stale,
// so the caller must check that the group it reads has this slug (a group
// read by ID whose Slug differs, or that is gone, is not the one asked
// for) and then ask again with fresh true, which reads Redis.
func (s *Store) SlugID(ctx context.Context, slug string, fresh bool) (string, error) {
	if !fresh {
		if id, ok := s.slugs.Get(slug); ok {
			return id, nil
		}
	}
	id, err := s.rdb.Get(ctx, s.slugKey(slug)).Result()
	if errors.Is(err, redis.Nil) {
		s.slugs.Forget(slug)
		return "", fmt.Errorf("groups: get slug %s: %w", slug, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("groups: get slug %s: %w", slug, err)
	}
	s.slugs.Put(slug, id)
	return id, nil
}

// QueueCoOrganizers queues on p the read of the group's co-organizers in
// the order they joined (the owner is not among them); the returned
// function gives their IDs once p has been executed.
func (s *Store) QueueCoOrganizers(ctx context.Context, p redis.Pipeliner, groupID string) func() ([]string, error) {
	keys := s.groupKeys(groupID)
	// Weight 0 on the set keeps each co-organizer's arrival score, so
	// the intersection comes back in joining order.
	cmd := p.ZInter(ctx, &redis.ZStore{Keys: []string{keys[kMembers], keys[kOrganizers]}, Weights: []float64{1, 0}})
	return func() ([]string, error) {
		out, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: organizers of %s: %w", groupID, err)
		}
		return out, nil
	}
}

// QueueMemberIDs queues on p the read of one page of members, in the
// order they joined; the returned function gives their IDs once p has
// been executed. Who may see them is the caller's rule.
func (s *Store) QueueMemberIDs(ctx context.Context, p redis.Pipeliner, groupID string, page, perPage int) func() ([]string, error) {
	start, stop, _ := pageBounds(page, perPage)
	cmd := p.ZRange(ctx, s.groupKeys(groupID)[kMembers], start, stop)
	return func() ([]string, error) {
		out, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: members of %s: %w", groupID, err)
		}
		return out, nil
	}
}

// QueueRequestIDs queues on p the read of who asked to join, oldest
// first; QueuePending then reads their requests. Only organizers may see
// them: that is the caller's check.
func (s *Store) QueueRequestIDs(ctx context.Context, p redis.Pipeliner, groupID string) func() ([]string, error) {
	cmd := p.ZRange(ctx, s.groupKeys(groupID)[kRequests], 0, -1)
	return func() ([]string, error) {
		out, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: requests of %s: %w", groupID, err)
		}
		return out, nil
	}
}

// QueuePending queues on p the read of the requests of userIDs (from
// QueueRequestIDs); the returned function gives those still awaiting a
// decision, in that order, once p has been executed.
func (s *Store) QueuePending(ctx context.Context, p redis.Pipeliner, groupID string, userIDs []string) func() ([]Application, error) {
	if len(userIDs) == 0 {
		return func() ([]Application, error) { return nil, nil }
	}
	cmd := p.HMGet(ctx, s.groupKeys(groupID)[kApplications], userIDs...)
	return func() ([]Application, error) {
		raws, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: requests of %s: %w", groupID, err)
		}
		out := make([]Application, 0, len(userIDs))
		for i, raw := range raws {
			str, ok := raw.(string)
			if !ok {
				continue
			}
			a, err := parseApplication(groupID, userIDs[i], str)
			if err != nil {
				return nil, fmt.Errorf("groups: requests of %s: %w", groupID, err)
			}
			if a.Status == StatusPending {
				out = append(out, a)
			}
		}
		return out, nil
	}
}
