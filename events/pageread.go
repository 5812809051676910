package events

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// GroupSessions reads a group's upcoming and past sessions for its page in
// two round trips that a page shares with its other reads: QueueGroupSessions
// queues the index reads, QueueEvents then the sessions themselves and the
// viewer's standing in the upcoming ones.
type GroupSessions struct {
	s                   *Store
	groupID             string
	upcoming, past      int
	now                 time.Time
	running, next, prev *redis.StringSliceCmd
}

// QueueGroupSessions queues on p the index reads behind GroupUpcoming
// (up to upcoming sessions) and GroupPast (up to past sessions that have
// ended).
func (s *Store) QueueGroupSessions(ctx context.Context, p redis.Pipeliner, groupID string, upcoming, past int) *GroupSessions {
	now := s.now()
	key := s.groupEventsKey(groupID)
	unix := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	return &GroupSessions{
		s: s, groupID: groupID, upcoming: upcoming, past: past, now: now,
		running: p.ZRangeByScore(ctx, key, &redis.ZRangeBy{Min: unix(now.Add(-MaxDuration)), Max: "(" + unix(now), Count: maxRunning}),
		next:    p.ZRangeByScore(ctx, key, &redis.ZRangeBy{Min: unix(now), Max: "+inf", Count: int64(upcoming)}),
		// Started sessions, latest first; some may still run, so read
		// enough to find past ended ones behind them.
		prev: p.ZRevRangeByScore(ctx, key, &redis.ZRangeBy{Min: "-inf", Max: "(" + unix(now), Count: int64(past + upcoming)}),
	}
}

// QueueEvents queues on p, once the pipeline of QueueGroupSessions has
// run, the reads of the sessions and of userID's standing in each
// upcoming one ("" for a signed-out visitor: seats only). The returned
// function gives the upcoming sessions soonest first, the ended ones
// latest first, and the standings by session ID (cancelled sessions have
// none) once p has been executed.
func (g *GroupSessions) QueueEvents(ctx context.Context, p redis.Pipeliner, userID string) (func() (upcoming, past []Event, standings map[string]Standing, err error), error) {
	for _, c := range []*redis.StringSliceCmd{g.running, g.next, g.prev} {
		if err := c.Err(); err != nil {
			return nil, fmt.Errorf("events: sessions of group %s: %w", g.groupID, err)
		}
	}
	soon := append(append([]string{}, g.running.Val()...), g.next.Val()...)
	reads := map[string]func() (Event, error){}
	statuses := map[string]func() (Standing, error){}
	for _, id := range append(append([]string{}, soon...), g.prev.Val()...) {
		if _, ok := reads[id]; !ok {
			reads[id] = g.s.QueueGet(ctx, p, id)
		}
	}
	for _, id := range soon {
		if _, ok := statuses[id]; !ok {
			statuses[id] = g.s.QueueStatusOf(ctx, p, id, userID)
		}
	}
	return func() (upcoming, past []Event, standings map[string]Standing, err error) {
		found := map[string]Event{}
		for id, read := range reads {
			ev, err := read()
			if err == nil {
				found[id] = ev
			} else if !errors.Is(err, ErrNotFound) {
				return nil, nil, nil, err
			}
		}
		standings = map[string]Standing{}
		for _, id := range g.running.Val() {
			if ev, ok := found[id]; ok && ev.End.After(g.now) && len(upcoming) < g.upcoming {
				upcoming = append(upcoming, ev)
			}
		}
		for _, id := range g.next.Val() {
			if ev, ok := found[id]; ok && len(upcoming) < g.upcoming {
				upcoming = append(upcoming, ev)
			}
		}
		for _, ev := range upcoming {
			if ev.Status == StatusCancelled {
				continue
			}
			if standings[ev.ID], err = statuses[ev.ID](); err != nil {
				return nil, nil, nil, err
			}
		}
		for _, id := range g.prev.Val() {
			if ev, ok := found[id]; ok && !ev.End.After(g.now) && len(past) < g.past {
				past = append(past, ev)
			}
		}
		return upcoming, past, standings, nil
	}, nil
}
