package events

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
)

// mergeScript hands one session's answer of a guest (from) to the account
// that takes the guest over (to), keeping the better standing of the two:
// the account keeps its own when it is as good (or it was removed), and
// the guest's seat then goes to the next on the waitlist; otherwise the
// account takes the guest's place exactly, seat or waitlist position
// included, so the number of seats taken never changes.
// ARGV: from, to, notice ID. Returns {the account's status now, promoted...}.
var mergeScript = sessionScript(`
local from, to = ARGV[1], ARGV[2]
local cur = redis.call('HGET', KEYS[2], from)
if not cur then return {''} end
local mine = redis.call('HGET', KEYS[2], to)
local rank = {going = 4, waitlisted = 3, pending = 2}
local cap = tonumber(redis.call('HGET', KEYS[1], 'cap') or '0')
if mine == 'removed' or (rank[mine] or 0) >= (rank[cur] or 0) then
  local promoted = {}
  unseat(from)
  redis.call('HDEL', KEYS[2], from)
  if cur == 'going' then
    promote(cap, promoted)
    notice(ARGV[3], 'promoted', promoted)
  end
  return concat({mine or ''}, promoted)
end
unseat(to)
for k = 3, 5 do
  local score = redis.call('ZSCORE', KEYS[k], from)
  if score then
    redis.call('ZREM', KEYS[k], from)
    redis.call('ZADD', KEYS[k], score, to)
  end
end
if redis.call('SREM', KEYS[6], from) == 1 then redis.call('SADD', KEYS[6], to) end
redis.call('HSET', KEYS[2], to, cur)
redis.call('HDEL', KEYS[2], from)
return {cur}
`)

// MergeRSVPs moves the guest from's answers to the account to, session by
// session, each in one atomic step (see mergeScript): no session counts a
// seat twice or loses one. It returns the sessions where to now has an
// answer that came from the guest.
func (s *Store) MergeRSVPs(ctx context.Context, from, to string) ([]string, error) {
	entries, err := s.rdb.ZRangeWithScores(ctx, s.userEventsKey(from), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("events: merge %s into %s: %w", from, to, err)
	}
	var moved []string
	for _, e := range entries {
		eventID, _ := e.Member.(string)
		if err := s.notices.Mark(ctx, eventID); err != nil {
			return moved, fmt.Errorf("events: merge %s into %s on %s: %w", from, to, eventID, err)
		}
		run := ids.New()
		vals, err := mergeScript.Run(ctx, s.rdb, s.eventKeys(eventID), from, to, run).StringSlice()
		if err != nil {
			return moved, fmt.Errorf("events: merge %s into %s on %s: %w", from, to, eventID, scriptErr(err))
		}
		if len(vals) > 1 {
			s.notices.Relay(ctx, eventID, run, s.logger())
		}
		if st := RSVPStatus(vals[0]); st == RSVPGoing || st == RSVPWaitlisted || st == RSVPPending {
			if err := s.rdb.ZAdd(ctx, s.userEventsKey(to), redis.Z{Score: e.Score, Member: eventID}).Err(); err != nil {
				return moved, fmt.Errorf("events: merge %s into %s: index %s: %w", from, to, eventID, err)
			}
			moved = append(moved, eventID)
		}
	}
	if err := s.rdb.Del(ctx, s.userEventsKey(from)).Err(); err != nil {
		return moved, fmt.Errorf("events: merge %s into %s: %w", from, to, err)
	}
	return moved, nil
}
