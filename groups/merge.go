package groups

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// mergeMemberScript hands a guest's (from) membership and invitation in
// one group to the account taking the guest over (to): the account keeps
// its own standing when it has one, and a ban on either side wins.
// ARGV: action, from, to, now.
var mergeMemberScript = groupScript(`
local from, to, now = ARGV[2], ARGV[3], ARGV[4]
local score = redis.call('ZSCORE', MEMBERS, from)
local invite = redis.call('HGET', INVITES, from)
if score then drop_member(from) end
redis.call('HDEL', INVITES, from)
if redis.call('SISMEMBER', BANS, to) == 1 or redis.call('ZSCORE', MEMBERS, to) then return 'kept' end
if score then
  redis.call('ZADD', MEMBERS, score, to)
  count_members()
  redis.call('HSET', JOINED, to, now)
  redis.call('HDEL', INVITES, to)
  return 'member'
end
if invite and redis.call('HEXISTS', INVITES, to) == 0 then
  redis.call('HSET', INVITES, to, invite)
  return 'invited'
end
return 'kept'
`)

// MergeMember moves the guest from's memberships and invitations to the
// account to, group by group, each in one atomic step; the account's own
// standing in a group wins over the guest's.
func (s *Store) MergeMember(ctx context.Context, from, to string) error {
	p := s.rdb.Pipeline()
	member := p.ZRange(ctx, s.userGroupsKey(from), 0, -1)
	invited := p.ZRange(ctx, s.userInvitesKey(from), 0, -1)
	if _, err := p.Exec(ctx); err != nil {
		return fmt.Errorf("groups: merge %s into %s: %w", from, to, err)
	}
	seen := map[string]bool{}
	now := s.nowMS()
	for _, gid := range append(member.Val(), invited.Val()...) {
		if seen[gid] {
			continue
		}
		seen[gid] = true
		res, err := mergeMemberScript.Run(ctx, s.rdb, s.groupKeys(gid), "merge", from, to, now).Text()
		if err = scriptErr(err); errors.Is(err, ErrNotFound) {
			continue // the group is gone
		} else if err != nil {
			return fmt.Errorf("groups: merge %s into %s in %s: %w", from, to, gid, err)
		}
		switch res {
		case "member":
			if err := s.runFollowUp(ctx, s.afterJoin(ctx, gid, to, true)); err != nil {
				return err
			}
		case "invited":
			if err := s.rdb.ZAdd(ctx, s.userInvitesKey(to), redis.Z{Score: float64(now), Member: gid}).Err(); err != nil {
				return fmt.Errorf("groups: merge %s into %s: invitations: %w", from, to, err)
			}
		default: // the guest's membership, if any, ended
			if err := s.reindex(ctx, gid); err != nil {
				return fmt.Errorf("groups: merge %s into %s: %w", from, to, err)
			}
		}
	}
	if err := s.rdb.Del(ctx, s.userGroupsKey(from), s.userInvitesKey(from)).Err(); err != nil {
		return fmt.Errorf("groups: merge %s into %s: %w", from, to, err)
	}
	return nil
}
