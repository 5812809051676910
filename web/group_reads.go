package web

import (
	"context"
	"errors"

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
		read := gs.QueueGet(ctx, p, id)
		r[id] = func() (*groups.Group, error) {
			g, err := read()
			if errors.Is(err, groups.ErrNotFound) {
				return nil, nil // a group deleted since the index named it
			}
			return g, err
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

// keepPublic gives, in the order of ids, those of the groups read into
// byID that exist and are public (see groups.Store.KeepPublic, which also
// takes the others out of the discovery index).
func keepPublic(ctx context.Context, gs *groups.Store, ids []string, byID map[string]*groups.Group) ([]*groups.Group, error) {
	list := make([]*groups.Group, len(ids))
	for i, id := range ids {
		list[i] = byID[id]
	}
	return gs.KeepPublic(ctx, ids, list)
}
