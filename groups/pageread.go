package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/nearcache"
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
	// Weight 0 on the set keeps each co-organizer's arrival score, so
	// the intersection comes back in joining order.
	cmd := p.ZInter(ctx, &redis.ZStore{Keys: []string{s.key(groupID, kMembers), s.key(groupID, kOrganizers)}, Weights: []float64{1, 0}})
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
	cmd := nearcache.ZRange(ctx, p, s.key(groupID, kMembers), start, stop)
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
	cmd := nearcache.ZRange(ctx, p, s.key(groupID, kRequests), 0, -1)
	return func() ([]string, error) {
		out, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: requests of %s: %w", groupID, err)
		}
		return out, nil
	}
}

// QueueRequestCount queues on p the count of requests to join awaiting a
// decision (the requests index holds exactly those: every decision takes
// its request out in the same script). Only organizers may see it; the
// returned function gives it once p has been executed.
func (s *Store) QueueRequestCount(ctx context.Context, p redis.Pipeliner, groupID string) func() (int, error) {
	cmd := p.ZCard(ctx, s.key(groupID, kRequests))
	return func() (int, error) {
		n, err := cmd.Result()
		if err != nil {
			return 0, fmt.Errorf("groups: requests of %s: %w", groupID, err)
		}
		return int(n), nil
	}
}

// QueuePending queues on p the read of the requests of userIDs (from
// QueueRequestIDs); the returned function gives those still awaiting a
// decision, in that order, once p has been executed.
func (s *Store) QueuePending(ctx context.Context, p redis.Pipeliner, groupID string, userIDs []string) func() ([]Application, error) {
	if len(userIDs) == 0 {
		return func() ([]Application, error) { return nil, nil }
	}
	cmd := p.HMGet(ctx, s.key(groupID, kApplications), userIDs...)
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

// UserLists reads a person's groups, invitations and requests to join in
// two round trips that a page shares with its other reads:
// QueueUserLists queues the list reads, QueueGroups then the groups and
// the person's place in each.
type UserLists struct {
	s             *Store
	userID        string
	groups        *redis.ZSliceCmd
	invites, apps nearcache.Reply[[]string]
}

// UserListsRead is what UserLists found: the same lists as UserGroups,
// UserInvitations and UserApplications.
type UserListsRead struct {
	Groups       []Membership
	Invitations  []Invitation
	Applications []AppliedGroup
}

// QueueUserLists queues on p the reads of userID's lists of groups,
// invitations and requests to join.
func (s *Store) QueueUserLists(ctx context.Context, p redis.Pipeliner, userID string) *UserLists {
	return &UserLists{
		s: s, userID: userID,
		groups:  nearcache.ZRevRangeWithScores(ctx, p, s.userGroupsKey(userID), 0, -1),
		invites: nearcache.ZRevRange(ctx, p, s.userInvitesKey(userID), 0, -1),
		apps:    nearcache.ZRevRange(ctx, p, s.userApplicationsKey(userID), 0, -1),
	}
}

// QueueGroups queues on p, once the list reads have run, the reads of the
// groups on the lists and of the person's role, invitation and request in
// each. The returned function gives the lists once p has been executed;
// it drops from the person's lists the groups that no longer back them.
func (l *UserLists) QueueGroups(ctx context.Context, p redis.Pipeliner) (func() (UserListsRead, error), error) {
	s, userID := l.s, l.userID
	zs, err := l.groups.Result()
	if err != nil {
		return nil, fmt.Errorf("groups: groups of %s: %w", userID, err)
	}
	inviteIDs, err := l.invites.Result()
	if err != nil {
		return nil, fmt.Errorf("groups: invitations of %s: %w", userID, err)
	}
	appIDs, err := l.apps.Result()
	if err != nil {
		return nil, fmt.Errorf("groups: applications of %s: %w", userID, err)
	}
	memberIDs := zMembers(zs)
	readMembers := s.QueueGetMany(ctx, p, memberIDs)
	readRoles := s.queueRoles(ctx, p, memberIDs, userID)
	readInvites := s.QueueGetMany(ctx, p, inviteIDs)
	invites := make([]*redis.StringCmd, len(inviteIDs))
	for i, id := range inviteIDs {
		invites[i] = p.HGet(ctx, s.key(id, kInvites), userID)
	}
	readApps := s.QueueGetMany(ctx, p, appIDs)
	apps := make([]*redis.StringCmd, len(appIDs))
	for i, id := range appIDs {
		apps[i] = p.HGet(ctx, s.key(id, kApplications), userID)
	}
	return func() (UserListsRead, error) {
		var out UserListsRead
		gs, err := readMembers()
		if err == nil {
			out.Groups, err = s.memberships(ctx, userID, zs, gs, readRoles)
		}
		if err != nil {
			return out, fmt.Errorf("groups: groups of %s: %w", userID, err)
		}
		if gs, err = readInvites(); err == nil {
			out.Invitations, err = s.invitations(ctx, userID, inviteIDs, gs, invites)
		}
		if err != nil {
			return out, fmt.Errorf("groups: invitations of %s: %w", userID, err)
		}
		if gs, err = readApps(); err == nil {
			out.Applications, err = s.applications(ctx, userID, appIDs, gs, apps)
		}
		if err != nil {
			return out, fmt.Errorf("groups: applications of %s: %w", userID, err)
		}
		return out, nil
	}, nil
}

// readUserLists reads userID's lists in two round trips.
func (s *Store) readUserLists(ctx context.Context, userID string) (UserListsRead, error) {
	p := s.rdb.Pipeline()
	l := s.QueueUserLists(ctx, p, userID)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return UserListsRead{}, fmt.Errorf("groups: lists of %s: %w", userID, err)
	}
	p = s.rdb.Pipeline()
	read, err := l.QueueGroups(ctx, p)
	if err != nil {
		return UserListsRead{}, err
	}
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return UserListsRead{}, fmt.Errorf("groups: lists of %s: %w", userID, err)
	}
	return read()
}
