package groups

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"
)

// Member is one person in a group's member list.
type Member struct {
	UserID   string
	Role     Role
	JoinedAt time.Time
}

// Page numbers start at 1; PerPage is capped.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
	// MaxPage bounds page numbers, so a huge one from a URL can neither
	// overflow nor reach Redis as an out-of-range offset.
	MaxPage = 10000
)

func pageBounds(page, perPage int) (start, stop int64, per int) {
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	if perPage > MaxPerPage {
		perPage = MaxPerPage
	}
	page = min(max(page, 1), MaxPage)
	start = int64((page - 1) * perPage)
	return start, start + int64(perPage) - 1, perPage
}

// Members returns one page of members in the order they joined, with their
// roles, and the member count. Who may see it is the caller's rule.
func (s *Store) Members(ctx context.Context, groupID string, page, perPage int) ([]Member, int, error) {
	start, stop, _ := pageBounds(page, perPage)
	res, err := membersScript.Run(ctx, s.rdb, s.groupKeys(groupID), "members", start, stop).Slice()
	if err != nil {
		return nil, 0, fmt.Errorf("groups: members of %s: %w", groupID, scriptErr(err))
	}
	owner, _ := res[0].(string)
	isOrg := map[string]bool{}
	for _, o := range res[1].([]any) {
		isOrg[o.(string)] = true
	}
	list := res[2].([]any)
	out := make([]Member, 0, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		uid := list[i].(string)
		m := Member{UserID: uid, Role: RoleMember, JoinedAt: msTime(list[i+1].(string))}
		switch {
		case uid == owner:
			m.Role = RoleOwner
		case isOrg[uid]:
			m.Role = RoleOrganizer
		}
		out = append(out, m)
	}
	return out, int(res[3].(int64)), nil
}

// Organizers returns the owner first, then the co-organizers in the order
// they joined.
func (s *Store) Organizers(ctx context.Context, groupID string) ([]Member, error) {
	keys := s.groupKeys(groupID)
	var owner *redis.StringCmd
	var orgs *redis.StringSliceCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		owner = p.HGet(ctx, keys[kGroup], "owner")
		orgs = p.SMembers(ctx, keys[kOrganizers])
		return nil
	})
	if err = notFound(err); err != nil {
		return nil, fmt.Errorf("groups: organizers of %s: %w", groupID, err)
	}
	uids := append([]string{owner.Val()}, orgs.Val()...)
	var arrivals *redis.FloatSliceCmd
	var joined *redis.SliceCmd
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		arrivals = p.ZMScore(ctx, keys[kMembers], uids...)
		joined = p.HMGet(ctx, keys[kJoined], uids...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("groups: organizers of %s: %w", groupID, err)
	}
	out := make([]Member, len(uids))
	for i, uid := range uids {
		out[i] = Member{UserID: uid, Role: RoleOrganizer, JoinedAt: joinTime(joined.Val()[i], arrivals.Val()[i])}
	}
	out[0].Role = RoleOwner
	order := make(map[string]float64, len(uids))
	for i, uid := range uids {
		order[uid] = arrivals.Val()[i]
	}
	co := out[1:]
	sort.Slice(co, func(i, j int) bool {
		if order[co[i].UserID] != order[co[j].UserID] {
			return order[co[i].UserID] < order[co[j].UserID]
		}
		return co[i].UserID < co[j].UserID
	})
	return out, nil
}

// joinTime reads a member's join time from the join-times hash, or, for a
// member who joined before that hash existed, from their score, which was
// then the join time in milliseconds.
func joinTime(joined any, score float64) time.Time {
	if ms, ok := joined.(string); ok {
		return msTime(ms)
	}
	return time.UnixMilli(int64(score)).UTC()
}

// PendingRequests lists the requests waiting for a decision, oldest first,
// with the applicants' answers; only organizers may see them.
func (s *Store) PendingRequests(ctx context.Context, groupID, actorID string) ([]Application, error) {
	r, err := s.Role(ctx, groupID, actorID)
	if err != nil {
		return nil, err
	}
	if !r.IsOrganizer() {
		return nil, fmt.Errorf("groups: requests of %s: %w", groupID, ErrForbidden)
	}
	p := s.rdb.Pipeline()
	readIDs := s.QueueRequestIDs(ctx, p, groupID)
	_, _ = p.Exec(ctx) // readIDs reports its own command's error
	uids, err := readIDs()
	if err != nil {
		return nil, err
	}
	readPending := s.QueuePending(ctx, p, groupID, uids)
	_, _ = p.Exec(ctx) // readPending reports its own command's error
	return readPending()
}

// Membership is one of a user's groups with the user's role in it.
type Membership struct {
	Group    *Group
	Role     Role
	JoinedAt time.Time
}

// UserGroups returns the groups userID belongs to, most recently joined
// first, with their role ("My groups").
func (s *Store) UserGroups(ctx context.Context, userID string) ([]Membership, error) {
	key := s.userGroupsKey(userID)
	zs, err := s.rdb.ZRevRangeWithScores(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("groups: groups of %s: %w", userID, err)
	}
	gids := zMembers(zs)
	gs, err := s.getMany(ctx, gids)
	if err != nil {
		return nil, fmt.Errorf("groups: groups of %s: %w", userID, err)
	}
	roles, err := s.roles(ctx, gids, gs, userID)
	if err != nil {
		return nil, fmt.Errorf("groups: groups of %s: %w", userID, err)
	}
	var out []Membership
	var stale []any
	for i, g := range gs {
		if g == nil || !roles[i].IsMember() {
			stale = append(stale, gids[i])
			continue
		}
		out = append(out, Membership{Group: g, Role: roles[i], JoinedAt: time.UnixMilli(int64(zs[i].Score)).UTC()})
	}
	s.dropStale(ctx, key, stale)
	return out, nil
}

// roles reads userID's role in each loaded group in one round trip.
func (s *Store) roles(ctx context.Context, gids []string, gs []*Group, userID string) ([]Role, error) {
	org := make([]*redis.BoolCmd, len(gids))
	mem := make([]*redis.FloatCmd, len(gids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range gids {
			keys := s.groupKeys(id)
			org[i] = p.SIsMember(ctx, keys[kOrganizers], userID)
			mem[i] = p.ZScore(ctx, keys[kMembers], userID)
		}
		return nil
	})
	if err = notFound(err); err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	out := make([]Role, len(gids))
	for i, g := range gs {
		switch {
		case g == nil || mem[i].Err() != nil:
		case g.OwnerID == userID:
			out[i] = RoleOwner
		case org[i].Val():
			out[i] = RoleOrganizer
		default:
			out[i] = RoleMember
		}
	}
	return out, nil
}

// AppliedGroup is one of a user's applications with the group it is for.
type AppliedGroup struct {
	Group *Group
	Application
}

// UserApplications returns userID's requests to join, newest first, with
// their status, so the requester learns the outcome.
func (s *Store) UserApplications(ctx context.Context, userID string) ([]AppliedGroup, error) {
	key := s.userApplicationsKey(userID)
	gids, err := s.rdb.ZRevRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("groups: applications of %s: %w", userID, err)
	}
	gs, err := s.getMany(ctx, gids)
	if err != nil {
		return nil, fmt.Errorf("groups: applications of %s: %w", userID, err)
	}
	raws := make([]*redis.StringCmd, len(gids))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range gids {
			raws[i] = p.HGet(ctx, s.groupKeys(id)[kApplications], userID)
		}
		return nil
	})
	if err = notFound(err); err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("groups: applications of %s: %w", userID, err)
	}
	var out []AppliedGroup
	var stale []any
	for i, g := range gs {
		if g == nil || raws[i].Err() != nil {
			stale = append(stale, gids[i])
			continue
		}
		a, err := parseApplication(gids[i], userID, raws[i].Val())
		if err != nil {
			return nil, fmt.Errorf("groups: applications of %s: %w", userID, err)
		}
		out = append(out, AppliedGroup{Group: g, Application: a})
	}
	s.dropStale(ctx, key, stale)
	return out, nil
}

// Invitation is a pending invitation to a group.
type Invitation struct {
	Group     *Group
	InvitedBy string
	InvitedAt time.Time
}

// UserInvitations returns userID's pending invitations, newest first.
func (s *Store) UserInvitations(ctx context.Context, userID string) ([]Invitation, error) {
	key := s.userInvitesKey(userID)
	gids, err := s.rdb.ZRevRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("groups: invitations of %s: %w", userID, err)
	}
	gs, err := s.getMany(ctx, gids)
	if err != nil {
		return nil, fmt.Errorf("groups: invitations of %s: %w", userID, err)
	}
	raws := make([]*redis.StringCmd, len(gids))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range gids {
			raws[i] = p.HGet(ctx, s.groupKeys(id)[kInvites], userID)
		}
		return nil
	})
	if err = notFound(err); err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("groups: invitations of %s: %w", userID, err)
	}
	var out []Invitation
	var stale []any
	for i, g := range gs {
		if g == nil || raws[i].Err() != nil {
			stale = append(stale, gids[i])
			continue
		}
		var r struct {
			By string `json:"by"`
			At string `json:"at"`
		}
		if err := json.Unmarshal([]byte(raws[i].Val()), &r); err != nil {
			return nil, fmt.Errorf("groups: invitations of %s: %w", userID, err)
		}
		out = append(out, Invitation{Group: g, InvitedBy: r.By, InvitedAt: msTime(r.At)})
	}
	s.dropStale(ctx, key, stale)
	return out, nil
}

// dropStale removes from a user's list the groups that no longer back it
// (a follow-up that lost a race or never ran); the list heals as it is read.
func (s *Store) dropStale(ctx context.Context, key string, stale []any) {
	if len(stale) > 0 {
		if err := s.rdb.ZRem(ctx, key, stale...).Err(); err != nil {
			slog.WarnContext(ctx, "groups: clean-up failed", "left", "entries for groups that no longer back a person's list (dropped on a later read)",
				"entries", len(stale), "err", err)
		}
	}
}

// Banned returns the IDs of the people banned from the group, sorted, for
// organizers only (so they can lift a ban).
func (s *Store) Banned(ctx context.Context, groupID, actorID string) ([]string, error) {
	r, err := s.Role(ctx, groupID, actorID)
	if err != nil {
		return nil, err
	}
	if !r.IsOrganizer() {
		return nil, fmt.Errorf("groups: bans of %s: %w", groupID, ErrForbidden)
	}
	ids, err := s.rdb.SMembers(ctx, s.groupKeys(groupID)[kBans]).Result()
	if err != nil {
		return nil, fmt.Errorf("groups: bans of %s: %w", groupID, err)
	}
	slices.Sort(ids)
	return ids, nil
}
