package groups

import (
	"context"
	"fmt"
)

// sessionZoneScript: ARGV action ("zone", or "fill": only when the group
// has none yet), zone name. A deleted group stays deleted, and the zone
// it already has changes nothing (every session scheduled records it).
// Pages read the zone with the group's revisions, so it moves crev but
// not drev (see groupRead).
var sessionZoneScript = groupScript(`
if redis.call('EXISTS', G) == 0 then return redis.error_reply('NOT_FOUND') end
local had = redis.call('HGET', G, 'tz')
if had == ARGV[2] or (ARGV[1] == 'fill' and had) then return 'OK' end
redis.call('HSET', G, 'tz', ARGV[2])
bump_crev()
return 'OK'
`)

// SetSessionZone records the time zone of the session the group scheduled
// last, so the group's pages and the next "Schedule a session" form can
// use it for people whose own zone is not known.
func (s *Store) SetSessionZone(ctx context.Context, groupID, zone string) error {
	if zone == "" {
		return nil
	}
	return s.sessionZone(ctx, groupID, "zone", zone)
}

// FillSessionZone records zone as the group's, as SetSessionZone does,
// unless the group has one already: for a zone found among the group's
// older sessions, which must not overwrite one a session scheduled
// meanwhile recorded.
func (s *Store) FillSessionZone(ctx context.Context, groupID, zone string) error {
	if zone == "" {
		return nil
	}
	return s.sessionZone(ctx, groupID, "fill", zone)
}

func (s *Store) sessionZone(ctx context.Context, groupID, action, zone string) error {
	if err := scriptErr(sessionZoneScript.Run(ctx, s.rdb, s.groupKeys(groupID), action, zone).Err()); err != nil {
		return fmt.Errorf("groups: session zone %s: %w", groupID, err)
	}
	return nil
}
