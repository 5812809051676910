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

	"github.com/focusgroups/focusgroups/internal/nearcache"
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
	res, err := membersScript.RunRO(ctx, s.rdb, s.groupKeys(groupID), "members", start, stop).Slice()
	if err != nil {
		return nil, 0, fmt.Errorf("groups: members of %s: %w", groupID, scriptErr(err))
	}
	return parseMembers(res)
}

// QueueMembers queues on p the read of Members, so a page reads the
// members with its other data in one round trip.
func (s *Store) QueueMembers(ctx context.Context, p redis.Pipeliner, groupID string, page, perPage int) func() ([]Member, int, error) {
	start, stop, _ := pageBounds(page, perPage)
	cmd := membersScript.EvalRO(ctx, p, s.groupKeys(groupID), "members", start, stop)
	return func() ([]Member, int, error) {
		res, err := cmd.Slice()
		if err != nil {
			return nil, 0, fmt.Errorf("groups: members of %s: %w", groupID, scriptErr(err))
		}
		return parseMembers(res)
	}
}

// QueueBans queues on p the read of the group's banned people, sorted;
// the caller shows them to organizers only.
func (s *Store) QueueBans(ctx context.Context, p redis.Pipeliner, groupID string) func() ([]string, error) {
	cmd := p.SMembers(ctx, s.key(groupID, kBans))
	return func() ([]string, error) {
		ids, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: bans of %s: %w", groupID, err)
		}
		slices.Sort(ids)
		return ids, nil
	}
}

func parseMembers(res []any) ([]Member, int, error) {
	if len(res) != 4 {
		return nil, 0, fmt.Errorf("groups: members: unexpected reply %v", res)
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
	zs, err := s.rdb.ZRevRangeWithScores(ctx, s.userGroupsKey(userID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("groups: groups of %s: %w", userID, err)
	}
	if len(zs) == 0 {
		return nil, nil
	}
	gids := zMembers(zs)
	p := s.rdb.Pipeline()
	readGroups := s.QueueGetMany(ctx, p, gids)
	readRoles := s.queueRoles(ctx, p, gids, userID)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("groups: groups of %s: %w", userID, err)
	}
	gs, err := readGroups()
	if err == nil {
		var out []Membership
		if out, err = s.memberships(ctx, userID, zs, gs, readRoles); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("groups: groups of %s: %w", userID, err)
}

// memberships keeps the groups gs (read for the list zs) that userID
// still belongs to, with their role, and drops the others from the list.
func (s *Store) memberships(ctx context.Context, userID string, zs []redis.Z, gs []*Group, readRoles func([]*Group) ([]Role, error)) ([]Membership, error) {
	roles, err := readRoles(gs)
	if err != nil {
		return nil, err
	}
	var out []Membership
	var stale []any
	for i, g := range gs {
		if g == nil || !roles[i].IsMember() {
			stale = append(stale, zs[i].Member)
			continue
		}
		out = append(out, Membership{Group: g, Role: roles[i], JoinedAt: time.UnixMilli(int64(zs[i].Score)).UTC()})
	}
	s.dropStale(ctx, s.userGroupsKey(userID), stale)
	return out, nil
}

// queueRoles queues on p the reads of userID's role in each of gids; the
// returned function gives the roles given the groups read (nil: gone).
func (s *Store) queueRoles(ctx context.Context, p redis.Pipeliner, gids []string, userID string) func([]*Group) ([]Role, error) {
	org := make([]nearcache.Reply[bool], len(gids))
	mem := make([]nearcache.Reply[float64], len(gids))
	for i, id := range gids {
		org[i] = nearcache.SIsMember(ctx, p, s.key(id, kOrganizers), userID)
		mem[i] = nearcache.ZScore(ctx, p, s.key(id, kMembers), userID)
	}
	return func(gs []*Group) ([]Role, error) {
		out := make([]Role, len(gids))
		for i, g := range gs {
			if err := org[i].Err(); err != nil {
				return nil, err
			}
			if err := mem[i].Err(); err != nil && !errors.Is(err, redis.Nil) {
				return nil, err
			}
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
}

// AppliedGroup is one of a user's applications with the group it is for.
type AppliedGroup struct {
	Group *Group
	Application
}

// UserApplications returns userID's requests to join, newest first, with
// their state.
func (s *Store) UserApplications(ctx context.Context, userID string) ([]AppliedGroup, error) {
	r, err := s.readUserLists(ctx, userID)
	return r.Applications, err
}

// applications keeps the requests raws (of userID to the groups gs, read
// for gids) that still exist, and drops the others from userID's list.
func (s *Store) applications(ctx context.Context, userID string, gids []string, gs []*Group, raws []*redis.StringCmd) ([]AppliedGroup, error) {
	var out []AppliedGroup
	var stale []any
	for i, g := range gs {
		if err := raws[i].Err(); err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
		if g == nil || raws[i].Err() != nil {
			stale = append(stale, gids[i])
			continue
		}
		a, err := parseApplication(gids[i], userID, raws[i].Val())
		if err != nil {
			return nil, err
		}
		out = append(out, AppliedGroup{Group: g, Application: a})
	}
	s.dropStale(ctx, s.userApplicationsKey(userID), stale)
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
	r, err := s.readUserLists(ctx, userID)
	return r.Invitations, err
}

// invitations keeps the invitations raws (of userID to the groups gs,
// read for gids) that still exist, and drops the others from userID's
// list.
func (s *Store) invitations(ctx context.Context, userID string, gids []string, gs []*Group, raws []*redis.StringCmd) ([]Invitation, error) {
	var out []Invitation
	var stale []any
	for i, g := range gs {
		if err := raws[i].Err(); err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
		if g == nil || raws[i].Err() != nil {
			stale = append(stale, gids[i])
			continue
		}
		var r struct {
			By string `json:"by"`
			At string `json:"at"`
		}
		if err := json.Unmarshal([]byte(raws[i].Val()), &r); err != nil {
			return nil, err
		}
		out = append(out, Invitation{Group: g, InvitedBy: r.By, InvitedAt: msTime(r.At)})
	}
	s.dropStale(ctx, s.userInvitesKey(userID), stale)
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
	ids, err := s.rdb.SMembers(ctx, s.key(groupID, kBans)).Result()
	if err != nil {
		return nil, fmt.Errorf("groups: bans of %s: %w", groupID, err)
	}
	slices.Sort(ids)
	return ids, nil
}

// GroupIDsOf lists the groups userID is a member of.
func (s *Store) GroupIDsOf(ctx context.Context, userID string) ([]string, error) {
	ids, err := s.rdb.ZRange(ctx, s.userGroupsKey(userID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("groups: groups of %s: %w", userID, err)
	}
	return ids, nil
}
