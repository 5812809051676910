package events

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Counts is how many people answered a session, for its organizers.
type Counts struct {
	Going, Waitlist, Pending int
}

// QueueCounts queues on p, once the index reads have run, the counts of
// people waiting and awaiting approval for each upcoming session on the
// lists (see Store.QueueCounts).
func (l *SessionLists) QueueCounts(ctx context.Context, p redis.Pipeliner) func(standings map[string]Standing) (map[string]Counts, error) {
	return l.s.QueueCounts(ctx, p, l.soon())
}

// QueueCounts queues on p the counts of people waiting and awaiting
// approval for each of the sessions ids; the returned function gives them
// by session ID once p has been executed, with the people going taken
// from the standings read of the same sessions (so the seats are not
// counted twice).
func (s *Store) QueueCounts(ctx context.Context, p redis.Pipeliner, ids []string) func(standings map[string]Standing) (map[string]Counts, error) {
	type cmds struct{ waiting, pending *redis.IntCmd }
	queued := make(map[string]cmds, len(ids))
	for _, id := range ids {
		queued[id] = cmds{
			waiting: p.ZCard(ctx, s.waitlistKey(id)),
			pending: p.ZCard(ctx, s.pendingKey(id)),
		}
	}
	return func(standings map[string]Standing) (map[string]Counts, error) {
		out := make(map[string]Counts, len(queued))
		for id, c := range queued {
			for _, cmd := range []*redis.IntCmd{c.waiting, c.pending} {
				if err := cmd.Err(); err != nil {
					return nil, fmt.Errorf("events: counts of %s: %w", id, err)
				}
			}
			out[id] = Counts{Going: standings[id].Going, Waitlist: int(c.waiting.Val()), Pending: int(c.pending.Val())}
		}
		return out, nil
	}
}
