package events

import (
	"context"
	"fmt"
)

// GroupLastZone returns the time zone of the group's latest session (by
// start), or "" when the group has none. It is the fallback for groups
// whose record does not name the zone of their last session yet.
func (s *Store) GroupLastZone(ctx context.Context, groupID string) (string, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.groupEventsKey(groupID), 0, 0).Result()
	if err != nil {
		return "", fmt.Errorf("events: last zone of %s: %w", groupID, err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	evs, err := s.GetMany(ctx, ids)
	if err != nil || len(evs) == 0 {
		return "", err
	}
	return evs[0].TimeZone, nil
}
