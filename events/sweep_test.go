package events

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSweepPrunesSessionsPastRetentionOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.s.Retention = 30 * 24 * time.Hour
	in := goodInput()
	in.Listed = true
	sr, occ, err := f.s.CreateSeries(ctx, f.org, f.group, in, Recurrence{Frequency: "weekly", Count: "2"})
	if err != nil {
		t.Fatal(err)
	}
	single := f.create(t, func(in *Input) { in.Start, in.End, in.Listed = "2026-02-20T18:30", "2026-02-20T20:30", true })
	people := users(3)
	for _, ev := range append(occ, single) {
		for _, u := range people {
			if _, err := f.s.RSVP(ctx, ev.ID, u, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	sweepAt := func(now time.Time) SweepResult {
		t.Helper()
		f.clock.Set(now)
		res, err := f.s.Sweep(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// The first occurrence is over: off the home page, still everywhere else.
	res := sweepAt(occ[0].End.Add(MaxDuration))
	if res.Unlisted != 1 || res.Pruned != 0 {
		t.Fatalf("after the first occurrence: %+v", res)
	}
	if got := f.s.rdb.ZRange(ctx, f.s.listedKey(), 0, -1).Val(); len(got) != 2 || slices.Contains(got, occ[0].ID) {
		t.Fatalf("the home page's sessions after the first occurrence: %v, want the two to come", got)
	}
	// The index by end keeps it until it ended MaxDuration ago (read by
	// nobody meanwhile), and no longer.
	if got := f.s.rdb.ZRange(ctx, f.s.listedEndsKey(), 0, -1).Val(); !slices.Contains(got, occ[0].ID) {
		t.Fatalf("the index by end right after: %v, want the first occurrence still there", got)
	}
	sweepAt(occ[0].End.Add(MaxDuration + time.Second))
	if got := f.s.rdb.ZRange(ctx, f.s.listedEndsKey(), 0, -1).Val(); len(got) != 2 || slices.Contains(got, occ[0].ID) {
		t.Fatalf("the index by end a second later: %v, want the two to come", got)
	}
	if past, _ := f.s.GroupPast(ctx, f.group, 10); len(past) != 1 || past[0].ID != occ[0].ID {
		t.Fatalf("group's past sessions: %v", past)
	}

	// Retention over for the series, not for the single session.
	res = sweepAt(occ[1].End.Add(f.s.Retention + time.Minute))
	if res.Pruned != 2 {
		t.Fatalf("after the series' retention: %+v", res)
	}
	for _, ev := range occ {
		if _, err := f.s.Get(ctx, ev.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("pruned occurrence %s: %v", ev.ID, err)
		}
		if n := f.s.rdb.Exists(ctx, f.s.eventKeys(ev.ID)...).Val(); n != 0 {
			t.Fatalf("pruned occurrence left %d keys", n)
		}
	}
	if n := f.s.rdb.Exists(ctx, f.s.seriesKey(sr.ID), f.s.seriesOccKey(sr.ID)).Val(); n != 0 {
		t.Fatalf("a series without occurrences left %d keys", n)
	}
	if got := f.s.rdb.ZRange(ctx, f.s.listedEndsKey(), 0, -1).Val(); slices.Contains(got, occ[0].ID) || slices.Contains(got, occ[1].ID) {
		t.Fatalf("the home page's index by end after the series: %v, want neither occurrence", got)
	}
	past, _ := f.s.GroupPast(ctx, f.group, 10)
	mine, _ := f.s.UserSessions(ctx, people[0], time.Time{}, time.Time{}, 10)
	if len(past) != 1 || past[0].ID != single.ID || len(mine) != 1 || mine[0].Event.ID != single.ID {
		t.Fatalf("kept: group past %v, person's list %v; want the single session only", past, mine)
	}

	// Running it again, as another instance would, changes nothing.
	if res := sweepAt(f.clock.Now()); res != (SweepResult{}) {
		t.Fatalf("second sweep: %+v", res)
	}
	if _, err := f.s.Get(ctx, single.ID); err != nil {
		t.Fatalf("single session within retention: %v", err)
	}
}

// A prune cut short after the session's record was deleted (an instance
// died) is finished by the next sweep.
func TestSweepFinishesAPruneCutShort(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, nil)
	f.s.rdb.Del(ctx, f.s.eventKeys(ev.ID)...)
	res, err := f.s.Sweep(ctx, ev.End.Add(f.s.Retention+time.Hour))
	if err != nil || res.Pruned != 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	if n := f.s.rdb.ZCard(ctx, f.s.endsKey()).Val(); n != 0 {
		t.Fatalf("%d sessions left in the sweep's schedule", n)
	}
}
