package web

import (
	"context"
	"slices"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/groups"
)

// groupReads are the group reads a page queued over its round trips, by
// group ID.
type groupReads map[string]func() (*groups.Group, error)

// queue queues on p the reads of the groups ids not queued yet, together,
// so the ones that changed since this instance parsed them are read again
// together too (one more round trip, however many).
func (r groupReads) queue(ctx context.Context, gs *groups.Store, p redis.Pipeliner, ids []string) {
	var fresh []string
	for _, id := range ids {
		if _, ok := r[id]; !ok && !slices.Contains(fresh, id) {
			fresh = append(fresh, id)
		}
	}
	if len(fresh) == 0 {
		return
	}
	read := sync.OnceValues(gs.QueueGetMany(ctx, p, fresh))
	for i, id := range fresh {
		r[id] = func() (*groups.Group, error) {
			list, err := read()
			if err != nil {
				return nil, err
			}
			return list[i], nil // nil: a group deleted since the index named it
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
