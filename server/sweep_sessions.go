package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// sessionSweepEvery is how often each instance sweeps sessions: often
// enough that a group's "next session" moves on within a minute of the
// session starting. A quiet sweep costs three Redis reads.
const sessionSweepEvery = time.Minute

// nextSessionBatch bounds the groups one sweep brings up to date; the rest
// wait for the next sweep.
const nextSessionBatch = 500

// sweepSessions runs sweepSessionsOnce every sessionSweepEvery until ctx
// ends. Every step is idempotent, so every instance runs it.
func sweepSessions(ctx context.Context, st *stores, logger *slog.Logger) {
	tick := time.NewTicker(sessionSweepEvery)
	defer tick.Stop()
	for {
		moved, res, err := sweepSessionsOnce(ctx, st, time.Now())
		if err != nil && ctx.Err() == nil {
			logger.Error("session sweep", "err", err)
		} else if moved > 0 || res.Unlisted > 0 || res.Pruned > 0 {
			logger.Info("session sweep", "next_session_moved", moved, "unlisted", res.Unlisted, "pruned", res.Pruned)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sweepSessionsOnce moves each group's "next session" on once that session
// has started (the events store reads its own clock, st.events.Now, to
// find the next one), takes ended sessions off the home page's list and
// deletes sessions past their retention time.
func sweepSessionsOnce(ctx context.Context, st *stores, now time.Time) (int, events.SweepResult, error) {
	due, err := st.groups.DueNextSessions(ctx, now, nextSessionBatch)
	if err != nil {
		return 0, events.SweepResult{}, err
	}
	moved := 0
	for _, gid := range due {
		next, err := st.events.NextForGroup(ctx, gid)
		if err == nil {
			err = st.groups.SetNextSession(ctx, gid, next)
		}
		if err != nil && !errors.Is(err, groups.ErrNotFound) {
			return moved, events.SweepResult{}, fmt.Errorf("next session of %s: %w", gid, err)
		}
		moved++
	}
	res, err := st.events.Sweep(ctx, now)
	return moved, res, err
}
