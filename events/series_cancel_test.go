package events

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCancelSeriesCoversThisFollowingOrAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		scope CancelScope
		at    int
		want  []bool // cancelled per date; date 0 has started
	}{
		{CancelThis, 2, []bool{false, false, true, false, false}},
		{CancelFollowing, 2, []bool{false, false, true, true, true}},
		{CancelAll, 3, []bool{false, true, true, true, true}},
	} {
		t.Run(string(tc.scope), func(t *testing.T) {
			f := newFixture(t)
			_, occ, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("Europe/Berlin", "2026-01-20T18:30"), Recurrence{Frequency: "weekly", Count: "5"})
			if err != nil {
				t.Fatal(err)
			}
			going := users(1)[0]
			for _, o := range occ {
				if _, err := f.s.RSVP(ctx, o.ID, going, true); err != nil {
					t.Fatal(err)
				}
			}
			f.clock.Set(occ[0].Start.Add(time.Minute)) // the first date has started
			done, err := f.s.CancelSeries(ctx, f.org, occ[tc.at].ID, tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for i, o := range occ {
				got, err := f.s.Get(ctx, o.ID)
				if err != nil {
					t.Fatal(err)
				}
				if (got.Status == StatusCancelled) != tc.want[i] {
					t.Errorf("date %d: %s, want cancelled %v", i, got.Status, tc.want[i])
				}
				if tc.want[i] {
					n++
				}
			}
			if len(done) != n {
				t.Errorf("reported %d cancelled dates, want %d", len(done), n)
			}
			if told := len(f.rec.of(NoticeCancelled)); told != n {
				t.Errorf("%d cancel notices, want one per cancelled date (%d)", told, n)
			}
		})
	}
}

func TestCancelSeriesRefusesOutsidersAndUnknownScopes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	_, occ, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("Europe/Berlin", "2026-01-20T18:30"), Recurrence{Frequency: "weekly", Count: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CancelSeries(ctx, Actor{UserID: "someone"}, occ[0].ID, CancelAll); !errors.Is(err, ErrForbidden) {
		t.Errorf("a member cancelling: %v", err)
	}
	if _, err := f.s.CancelSeries(ctx, f.org, occ[0].ID, "some"); !errors.Is(err, ErrBadScope) {
		t.Errorf("unknown scope: %v", err)
	}
	if _, err := f.s.CancelSeries(ctx, f.org, "nosuchsession000", CancelAll); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}
	for _, o := range occ {
		if got, _ := f.s.Get(ctx, o.ID); got.Status != StatusScheduled {
			t.Errorf("a refused cancel changed date %s to %s", o.ID, got.Status)
		}
	}
}
