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
// people going, waiting and awaiting approval for each upcoming session
// on the lists; the returned function gives them by session ID once p has
// been executed.
func (l *SessionLists) QueueCounts(ctx context.Context, p redis.Pipeliner) func() (map[string]Counts, error) {
	type cmds struct{ going, waiting, pending *redis.IntCmd }
	ids := append(append([]string{}, l.running.Val()...), l.next.Val()...)
	queued := make(map[string]cmds, len(ids))
	for _, id := range ids {
		queued[id] = cmds{
			going:   p.ZCard(ctx, l.s.goingKey(id)),
			waiting: p.ZCard(ctx, l.s.waitlistKey(id)),
			pending: p.ZCard(ctx, l.s.pendingKey(id)),
		}
	}
	return func() (map[string]Counts, error) {
		out := make(map[string]Counts, len(queued))
		for id, c := range queued {
			for _, cmd := range []*redis.IntCmd{c.going, c.waiting, c.pending} {
				if err := cmd.Err(); err != nil {
					return nil, fmt.Errorf("events: counts of %s: %w", id, err)
				}
			}
			out[id] = Counts{Going: int(c.going.Val()), Waitlist: int(c.waiting.Val()), Pending: int(c.pending.Val())}
		}
		return out, nil
	}
}
