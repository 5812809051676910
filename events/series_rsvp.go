package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// SeriesAnswer is what "going to all" did for one date of a series.
type SeriesAnswer struct {
	Event  Event
	Result RSVPResult
	// Err says why this date took no answer (ErrClosed, ErrNotOpen,
	// ErrRemoved, ErrPast, ErrCancelled); nil when Result holds the answer.
	Err error
}

// RSVPSeries says userID is going to every date of the series still to
// come and not cancelled. Each date is its own atomic RSVP (the same
// script as RSVP, sent in one pipeline): it seats the person, puts them
// on its waitlist, or asks for approval, and refuses on its own when its
// window is shut. Answers come in date order; the follow-up updates the
// person's own index. Membership is the caller's to check.
func (s *Store) RSVPSeries(ctx context.Context, seriesID, userID string) ([]SeriesAnswer, FollowUp, error) {
	_, occ, err := s.Series(ctx, seriesID)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	var todo []Event
	for _, ev := range occ {
		if ev.Status != StatusCancelled && ev.Start.After(now) {
			todo = append(todo, ev)
		}
	}
	if len(todo) == 0 {
		return nil, func(redis.Pipeliner) func() error { return func() error { return nil } }, nil
	}
	cmds := s.runSeriesRSVPs(ctx, todo, userID, false)
	for _, c := range cmds {
		if c.Err() != nil && redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			cmds = s.runSeriesRSVPs(ctx, todo, userID, true) // a second "going" keeps the first answer
			break
		}
	}
	answers := make([]SeriesAnswer, len(todo))
	var follow []FollowUp
	for i, ev := range todo {
		answers[i].Event = ev
		vals, err := cmds[i].Slice()
		if err != nil {
			err = scriptErr(err)
			if !isRefusal(err) {
				return nil, nil, fmt.Errorf("events: rsvp series %s on %s: %w", seriesID, ev.ID, err)
			}
			answers[i].Err = err
			continue
		}
		if answers[i].Result, err = parseResult(vals); err != nil {
			return nil, nil, fmt.Errorf("events: rsvp series %s on %s: %w", seriesID, ev.ID, err)
		}
		follow = append(follow, s.followUp(ctx, ev.ID, userID, answers[i].Result))
	}
	return answers, func(p redis.Pipeliner) func() error {
		checks := make([]func() error, len(follow))
		for i, f := range follow {
			checks[i] = f(p)
		}
		return func() error {
			for _, check := range checks {
				if err := check(); err != nil {
					return err
				}
			}
			return nil
		}
	}, nil
}

// runSeriesRSVPs sends the "going" script for every date in one
// pipeline; full sends the script itself instead of its hash. Each
// command carries its own error.
func (s *Store) runSeriesRSVPs(ctx context.Context, evs []Event, userID string, full bool) []*redis.Cmd {
	p := s.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(evs))
	now := s.now().UnixMilli()
	for i, ev := range evs {
		keys, args := s.eventKeys(ev.ID), []any{userID, string(RSVPGoing), now, ""}
		if full {
			cmds[i] = rsvpScript.Eval(ctx, p, keys, args...)
		} else {
			cmds[i] = rsvpScript.EvalSha(ctx, p, keys, args...)
		}
	}
	_, _ = p.Exec(ctx) // each command reports its own error
	return cmds
}

// isRefusal reports whether err is a date's own refusal of an RSVP rather
// than a failure.
func isRefusal(err error) bool {
	for _, r := range []error{ErrCancelled, ErrPast, ErrClosed, ErrNotOpen, ErrRemoved, ErrNotFound} {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}
