package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRetention is how long a session is kept after it ends, unless the
// Store says otherwise: long enough for a group's past sessions, its feed
// (the last 50) and everyone's calendar feeds (60 days back) to show a
// year of history.
const DefaultRetention = 365 * 24 * time.Hour

// sweepBatch is how many ended sessions one pass of Sweep reads at a time.
const sweepBatch = 100

// SweepResult says what one Sweep removed.
type SweepResult struct {
	// Unlisted is how many ended sessions left the home page's list.
	Unlisted int64
	// Pruned is how many sessions were deleted after the retention time.
	Pruned int
}

// Sweep keeps the session indexes bounded by time: sessions that can no
// longer be running (started more than MaxDuration before now) leave the
// home page's list, and sessions that ended more than the retention time
// before now are deleted with their RSVPs and leave every list. Every step
// is idempotent, so each app instance may run it; one cut short is
// finished by the next.
func (s *Store) Sweep(ctx context.Context, now time.Time) (SweepResult, error) {
	var res SweepResult
	gone := strconv.FormatInt(now.Add(-MaxDuration).Unix(), 10)
	// Both keys share a slot: one transaction. A session that ended
	// before gone started before it too; one that started before gone may
	// stay by its end until it ended before gone (up to MaxDuration
	// longer), read by nobody: the home page looks up only sessions the
	// index by start names.
	var unlisted *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		unlisted = p.ZRemRangeByScore(ctx, s.listedKey(), "-inf", "("+gone)
		p.ZRemRangeByScore(ctx, s.listedEndsKey(), "-inf", "("+gone)
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("events: sweep listed sessions: %w", err)
	}
	res.Unlisted = unlisted.Val()
	cutoff := "(" + strconv.FormatInt(now.Add(-s.Retention).Unix(), 10)
	for {
		due, err := s.rdb.ZRangeByScore(ctx, s.endsKey(), &redis.ZRangeBy{Min: "-inf", Max: cutoff, Count: sweepBatch}).Result()
		if err != nil {
			return res, fmt.Errorf("events: sweep ended sessions: %w", err)
		}
		for _, id := range due {
			if err := s.prune(ctx, id); err != nil {
				return res, fmt.Errorf("events: sweep: %w", err)
			}
			res.Pruned++
		}
		if len(due) < sweepBatch {
			return res, nil
		}
	}
}

// prune deletes one session: first its entries in the lists (group,
// people, home page, series), then its own keys, last its place in the
// sweep's schedule, so a prune cut short anywhere is redone in full.
func (s *Store) prune(ctx context.Context, id string) error {
	var data *redis.StringCmd
	var people *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		data = p.HGet(ctx, s.eventKey(id), "data")
		people = p.HKeys(ctx, s.rsvpKey(id))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("prune %s: %w", id, err)
	}
	if data.Err() == nil {
		var ev Event
		if err := json.Unmarshal([]byte(data.Val()), &ev); err != nil {
			return fmt.Errorf("prune %s: %w", id, err)
		}
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.ZRem(ctx, s.groupEventsKey(ev.GroupID), id)
			p.ZRem(ctx, s.listedKey(), id)
			p.ZRem(ctx, s.listedEndsKey(), id)
			for _, uid := range people.Val() {
				p.ZRem(ctx, s.userEventsKey(uid), id)
			}
			if ev.SeriesID != "" {
				p.ZRem(ctx, s.seriesOccKey(ev.SeriesID), id)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("prune %s: lists: %w", id, err)
		}
		if ev.SeriesID != "" {
			if err := s.pruneSeries(ctx, ev.SeriesID); err != nil {
				return fmt.Errorf("prune %s: %w", id, err)
			}
		}
		if err := s.rdb.Del(ctx, append(s.eventKeys(id), s.messagesKey(id))...).Err(); err != nil {
			return fmt.Errorf("prune %s: %w", id, err)
		}
	}
	if err := s.rdb.ZRem(ctx, s.endsKey(), id).Err(); err != nil {
		return fmt.Errorf("prune %s: schedule: %w", id, err)
	}
	return nil
}

// pruneSeriesScript deletes a series once it has no occurrence left.
// KEYS: series, occurrences.
var pruneSeriesScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return redis.call('DEL', KEYS[1]) end
return 0
`)

func (s *Store) pruneSeries(ctx context.Context, id string) error {
	if err := pruneSeriesScript.Run(ctx, s.rdb, []string{s.seriesKey(id), s.seriesOccKey(id)}).Err(); err != nil {
		return fmt.Errorf("series %s: %w", id, err)
	}
	return nil
}
