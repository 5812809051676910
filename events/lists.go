package events

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The indexes are scored by start; a session counts as upcoming until it
// ends, so reads look back by at most MaxDuration and filter on End.

func (s *Store) byStart(ctx context.Context, key string, from, to time.Time, rev bool, limit int) ([]Event, error) {
	rng := &redis.ZRangeBy{Min: strconv.FormatInt(from.Unix(), 10), Max: "(" + strconv.FormatInt(to.Unix(), 10), Count: int64(limit)}
	if to.IsZero() {
		rng.Max = "+inf"
	}
	var idList []string
	var err error
	if rev {
		rng.Min, rng.Max = "-inf", "("+strconv.FormatInt(from.Unix(), 10)
		idList, err = s.rdb.ZRevRangeByScore(ctx, key, rng).Result()
	} else {
		idList, err = s.rdb.ZRangeByScore(ctx, key, rng).Result()
	}
	if err != nil {
		return nil, fmt.Errorf("events: read index: %w", err)
	}
	return s.GetMany(ctx, idList)
}

// upcoming returns up to limit sessions under key that have not ended:
// those running now (started within MaxDuration, not yet over), then those
// still to start. Reading the two apart keeps ended sessions from crowding
// out the next ones.
func (s *Store) upcoming(ctx context.Context, key string, limit int) ([]Event, error) {
	now := s.now()
	running, err := s.byStart(ctx, key, now.Add(-MaxDuration), now, false, maxRunning)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, limit)
	for _, ev := range running {
		if ev.End.After(now) && len(out) < limit {
			out = append(out, ev)
		}
	}
	if len(out) == limit {
		return out, nil
	}
	next, err := s.byStart(ctx, key, now, time.Time{}, false, limit-len(out))
	if err != nil {
		return nil, err
	}
	return append(out, next...), nil
}

// maxRunning bounds how many sessions that started within MaxDuration are
// read to find the ones still running.
const maxRunning = 500

// GroupUpcoming lists a group's sessions that have not ended (cancelled
// ones included, shown as cancelled), soonest first.
func (s *Store) GroupUpcoming(ctx context.Context, groupID string, limit int) ([]Event, error) {
	return s.upcoming(ctx, s.groupEventsKey(groupID), limit)
}

// GroupPast lists a group's sessions that have started, latest first
// (a running session appears in both lists).
func (s *Store) GroupPast(ctx context.Context, groupID string, limit int) ([]Event, error) {
	return s.byStart(ctx, s.groupEventsKey(groupID), s.now(), time.Time{}, true, limit)
}

// ListedUpcoming lists the upcoming sessions of public groups for the home
// page, soonest first: the running ones, then those to come. It reads as
// the home page does (QueueListedSessions, whose memory of a busy day it
// shares), in two round trips; tests and tools use it.
func (s *Store) ListedUpcoming(ctx context.Context, limit int) ([]Event, error) {
	p := s.rdb.Pipeline()
	l := s.QueueListedSessions(ctx, p, limit)
	_, _ = p.Exec(ctx) // the lists report their own errors
	p = s.rdb.Pipeline()
	read, err := l.QueueEvents(ctx, p, "")
	if err != nil {
		return nil, err
	}
	_, _ = p.Exec(ctx)
	upcoming, _, _, err := read()
	return upcoming, err
}

// NextForGroup returns the start of the group's next scheduled session
// (zero time when none), for the groups package's "next session" field.
func (s *Store) NextForGroup(ctx context.Context, groupID string) (time.Time, error) {
	evs, err := s.byStart(ctx, s.groupEventsKey(groupID), s.now(), time.Time{}, false, 64)
	if err != nil {
		return time.Time{}, err
	}
	for _, ev := range evs {
		if ev.Status == StatusScheduled {
			return ev.Start, nil
		}
	}
	return time.Time{}, nil
}

// UserSession is a session on someone's own list, with their standing.
type UserSession struct {
	Event  Event
	Status RSVPStatus
}

// UserSessions lists the sessions userID is going to, waitlisted for or
// awaiting approval for, starting in [from, to) (zero to = no end),
// soonest first. Cancelled ones stay on the list so feeds can cancel them.
func (s *Store) UserSessions(ctx context.Context, userID string, from, to time.Time, limit int) ([]UserSession, error) {
	evs, err := s.byStart(ctx, s.userEventsKey(userID), from, to, false, limit)
	if err != nil {
		return nil, err
	}
	cmds := make([]*redis.StringCmd, len(evs))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, ev := range evs {
			cmds[i] = p.HGet(ctx, s.rsvpKey(ev.ID), userID)
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("events: sessions of %s: %w", userID, err)
	}
	out := make([]UserSession, 0, len(evs))
	for i, ev := range evs {
		st := RSVPStatus(cmds[i].Val())
		if st == RSVPGoing || st == RSVPWaitlisted || st == RSVPPending {
			out = append(out, UserSession{Event: ev, Status: st})
		}
	}
	return out, nil
}
