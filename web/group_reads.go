package web

import (
	"context"
	"slices"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/groups"
)

// groupReads are the group reads a page queued over its round trips, by
// group ID; each says whether the group changed since this instance
// parsed it, and result reads all those again together.
type groupReads map[string]func() (g *groups.Group, changed bool, err error)

// queue queues on p the reads of the groups ids not queued yet.
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
	get := gs.QueueGetManyOrChanged(ctx, p, fresh)
	type batch struct {
		list    []*groups.Group
		changed []string
	}
	read := sync.OnceValues(func() (batch, error) {
		list, changed, err := get()
		return batch{list, changed}, err
	})
	for i, id := range fresh {
		r[id] = func() (*groups.Group, bool, error) {
			b, err := read()
			if err != nil {
				return nil, false, err
			}
			return b.list[i], slices.Contains(b.changed, id), nil // nil: deleted since the index named it
		}
	}
}

// result gives, once the reads ran, the groups ids by ID (nil for a
// group that does not exist). The groups that changed since this
// instance parsed them, whichever round trip queued them, are read again
// in one more.
func (r groupReads) result(ctx context.Context, gs *groups.Store, ids []string) (map[string]*groups.Group, error) {
	out := make(map[string]*groups.Group, len(ids))
	var changed []string
	for _, id := range ids {
		g, ch, err := r[id]()
		if err != nil {
			return nil, err
		}
		if ch {
			changed = append(changed, id)
		}
		out[id] = g
	}
	if len(changed) == 0 {
		return out, nil
	}
	list, err := gs.ReadAgain(ctx, changed)
	if err != nil {
		return nil, err
	}
	for i, id := range changed {
		out[id] = list[i]
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
