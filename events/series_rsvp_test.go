package events

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestManyPeopleGoingToAllKeepEachDatesSeatsExact(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	in := seriesInput("Europe/Berlin", "2026-01-20T18:30")
	in.Capacity = "5"
	sr, occ, err := f.s.CreateSeries(ctx, f.org, f.group, in, Recurrence{Frequency: "weekly", Count: "4"})
	if err != nil {
		t.Fatal(err)
	}
	people := users(20)
	answers := make([][]SeriesAnswer, len(people))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, u := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a, follow, err := f.s.RSVPSeries(ctx, sr.ID, u)
			if err != nil {
				t.Errorf("going to all %d: %v", i, err)
				return
			}
			if err := runFollowUp(ctx, f.s.rdb, follow); err != nil {
				t.Errorf("follow-up %d: %v", i, err)
			}
			answers[i] = a
		}()
	}
	close(start)
	wg.Wait()

	for d, ev := range occ {
		going, positions := 0, map[int]bool{}
		for i := range people {
			a := answers[i][d]
			if a.Event.ID != ev.ID || a.Err != nil {
				t.Fatalf("person %d, date %d: %+v", i, d, a)
			}
			switch a.Result.Status {
			case RSVPGoing:
				going++
			case RSVPWaitlisted:
				if positions[a.Result.Position] || a.Result.Position < 1 || a.Result.Position > 15 {
					t.Fatalf("date %d: waitlist position %d twice or out of range", d, a.Result.Position)
				}
				positions[a.Result.Position] = true
			default:
				t.Fatalf("date %d: status %q", d, a.Result.Status)
			}
		}
		att, err := f.s.Attendees(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		wl, err := f.s.Waitlist(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if going != 5 || len(att) != 5 || len(wl) != 15 {
			t.Fatalf("date %d: %d told going, %d seated, %d waitlisted; want 5, 5, 15", d, going, len(att), len(wl))
		}
	}
	mine, err := f.s.rdb.ZCard(ctx, f.s.userEventsKey(people[0])).Result()
	if err != nil || mine != 4 {
		t.Fatalf("the person's own index holds %d dates, want 4 (%v)", mine, err)
	}
}

func TestGoingToAllSkipsCancelledAndPastDatesAndReportsRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	in := seriesInput("Europe/Berlin", "2026-01-20T18:30")
	sr, occ, err := f.s.CreateSeries(ctx, f.org, f.group, in, Recurrence{Frequency: "weekly", Count: "4"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Cancel(ctx, f.org, occ[2].ID); err != nil {
		t.Fatal(err)
	}
	u := users(1)[0]
	if _, err := f.s.RSVP(ctx, occ[3].ID, u, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Remove(ctx, f.org, occ[3].ID, u); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(occ[0].Start.Add(time.Minute)) // the first date has started

	answers, _, err := f.s.RSVPSeries(ctx, sr.ID, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 2 || answers[0].Event.ID != occ[1].ID || answers[1].Event.ID != occ[3].ID {
		t.Fatalf("answered %d dates, want the second and the fourth: %+v", len(answers), answers)
	}
	if answers[0].Result.Status != RSVPGoing || !errors.Is(answers[1].Err, ErrRemoved) {
		t.Fatalf("second date %+v, fourth %+v; want going and removed", answers[0], answers[1])
	}
	if _, _, err := f.s.RSVPSeries(ctx, "nosuchseries0000", u); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown series: %v, want ErrNotFound", err)
	}
}

func TestGoingToAllAsksForApprovalWhereNeeded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	in := seriesInput("Europe/Berlin", "2026-01-20T18:30")
	in.ApprovalRequired = true
	sr, _, err := f.s.CreateSeries(ctx, f.org, f.group, in, Recurrence{Frequency: "weekly", Count: "2"})
	if err != nil {
		t.Fatal(err)
	}
	answers, _, err := f.s.RSVPSeries(ctx, sr.ID, users(1)[0])
	if err != nil || len(answers) != 2 {
		t.Fatalf("%d answers, %v", len(answers), err)
	}
	for _, a := range answers {
		if a.Result.Status != RSVPPending {
			t.Fatalf("approval-needed date answered %q, want pending", a.Result.Status)
		}
	}
}
