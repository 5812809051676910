package web

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/groups"
)

// groupReads are the group reads a page queued over its round trips, by
// group ID.
type groupReads map[string]func() (*groups.Group, error)

// queue queues on p the reads of the groups ids not queued yet.
func (r groupReads) queue(ctx context.Context, gs *groups.Store, p redis.Pipeliner, ids []string) {
	for _, id := range ids {
		if _, ok := r[id]; ok {
			continue
		}
		read := gs.QueueGetMany(ctx, p, []string{id})
		r[id] = func() (*groups.Group, error) {
			g, err := read()
			if err != nil {
				return nil, err
			}
			return g[0], nil
		}
	}
}

// result gives, once the reads ran, the groups ids by ID (nil for a
// group that does not exist).
func (r groupReads) result(ids []string) (map[string]*groups.Group, error) {
	out := make(map[string]*groups.Group, len(ids))
	for _, id := range ids {
		g, err := r[id]()
		if err != nil {
			return nil, err
		}
		out[id] = g
	}
	return out, nil
}
