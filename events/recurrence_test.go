package events

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
)

func seriesInput(zone, start string) Input {
	in := goodInput()
	in.TimeZone, in.Start = zone, start
	in.End = start[:11] + "20:00"
	return in
}

func TestWeeklySeriesKeepsWallClockAcrossDST(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		zone, start string
		// UTC hour of the 18:30 start on sample dates around both changes.
		want map[string]int
	}{
		{"America/New_York", "2026-02-03T18:30", map[string]int{
			"2026-03-03": 23, "2026-03-10": 22, "2026-10-27": 22, "2026-11-03": 23,
		}},
		{"Europe/Berlin", "2026-02-03T18:30", map[string]int{
			"2026-03-24": 17, "2026-03-31": 16, "2026-10-20": 16, "2026-10-27": 17,
		}},
	}
	for _, tc := range cases {
		sr, evs, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput(tc.zone, tc.start), Recurrence{Frequency: "weekly", Count: "52"})
		if err != nil {
			t.Fatalf("%s: %v", tc.zone, err)
		}
		if len(evs) != 52 || sr.Rule != "FREQ=WEEKLY;INTERVAL=1;COUNT=52" {
			t.Fatalf("%s: %d occurrences, rule %q", tc.zone, len(evs), sr.Rule)
		}
		loc, _ := time.LoadLocation(tc.zone)
		seen := 0
		for _, ev := range evs {
			l, e := ev.Start.In(loc), ev.End.In(loc)
			if l.Hour() != 18 || l.Minute() != 30 || e.Hour() != 20 || e.Minute() != 0 || l.Weekday() != time.Tuesday {
				t.Fatalf("%s: occurrence at %v–%v local", tc.zone, l, e)
			}
			if ev.SeriesID != sr.ID || !ev.RecurrenceID.Equal(ev.Start) {
				t.Fatalf("%s: occurrence not tied to series: %+v", tc.zone, ev)
			}
			if h, ok := tc.want[l.Format("2006-01-02")]; ok {
				seen++
				if ev.Start.UTC().Hour() != h || ev.Start.Location() != time.UTC {
					t.Errorf("%s %s: UTC %v, want hour %d", tc.zone, l.Format("2006-01-02"), ev.Start, h)
				}
			}
		}
		if seen != len(tc.want) {
			t.Fatalf("%s: checked %d sample dates of %d", tc.zone, seen, len(tc.want))
		}
	}
}

func TestMonthlySeries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// 2026-02-03 is the first Tuesday of February; 2026-02-26 the last Thursday.
	_, first, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("America/New_York", "2026-02-03T18:30"),
		Recurrence{Frequency: "monthly-weekday", Until: "2026-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-02-03", "2026-03-03", "2026-04-07", "2026-05-05", "2026-06-02", "2026-07-07",
		"2026-08-04", "2026-09-01", "2026-10-06", "2026-11-03", "2026-12-01"}
	checkDates(t, "first Tuesday", first, want)

	_, last, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("Europe/Berlin", "2026-02-26T18:30"),
		Recurrence{Frequency: "monthly-last-weekday", Count: "4"})
	if err != nil {
		t.Fatal(err)
	}
	checkDates(t, "last Thursday", last, []string{"2026-02-26", "2026-03-26", "2026-04-30", "2026-05-28"})

	_, byDate, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("Europe/Berlin", "2026-01-15T18:30"),
		Recurrence{Frequency: "monthly-date", Count: "3"})
	if err != nil {
		t.Fatal(err)
	}
	checkDates(t, "the 15th", byDate, []string{"2026-01-15", "2026-02-15", "2026-03-15"})

	_, biweekly, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("Europe/Berlin", "2026-01-15T18:30"),
		Recurrence{Frequency: "biweekly", Until: "2026-02-12"})
	if err != nil {
		t.Fatal(err)
	}
	checkDates(t, "every two weeks", biweekly, []string{"2026-01-15", "2026-01-29", "2026-02-12"})
}

func checkDates(t *testing.T, name string, evs []Event, want []string) {
	t.Helper()
	if len(evs) != len(want) {
		t.Fatalf("%s: %d occurrences, want %d", name, len(evs), len(want))
	}
	for i, ev := range evs {
		l := ev.Start.In(ev.Location())
		if got := l.Format("2006-01-02"); got != want[i] || l.Format("15:04") != "18:30" {
			t.Errorf("%s #%d: %s, want %s 18:30", name, i, l.Format("2006-01-02 15:04"), want[i])
		}
	}
}

func TestSeriesRefusesBadRecurrence(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		start string
		rec   Recurrence
		field string
	}{
		{"unknown frequency", "2026-02-03T18:30", Recurrence{Frequency: "daily", Count: "3"}, "recurrence"},
		{"no end", "2026-02-03T18:30", Recurrence{Frequency: "weekly"}, "recurrence_count"},
		{"both ends", "2026-02-03T18:30", Recurrence{Frequency: "weekly", Count: "3", Until: "2026-05-01"}, "recurrence_until"},
		{"count of one", "2026-02-03T18:30", Recurrence{Frequency: "weekly", Count: "1"}, "recurrence_count"},
		{"count above cap", "2026-02-03T18:30", Recurrence{Frequency: "weekly", Count: "53"}, "recurrence_count"},
		{"count not a number", "2026-02-03T18:30", Recurrence{Frequency: "weekly", Count: "many"}, "recurrence_count"},
		{"malformed until", "2026-02-03T18:30", Recurrence{Frequency: "weekly", Until: "May"}, "recurrence_until"},
		{"until before start", "2026-02-03T18:30", Recurrence{Frequency: "weekly", Until: "2026-02-01"}, "recurrence_until"},
		{"until allows only one", "2026-02-03T18:30", Recurrence{Frequency: "weekly", Until: "2026-02-05"}, "recurrence_until"},
		{"until beyond 52", "2026-02-03T18:30", Recurrence{Frequency: "weekly", Until: "2028-01-01"}, "recurrence_until"},
		{"fifth weekday", "2026-03-31T18:30", Recurrence{Frequency: "monthly-weekday", Count: "3"}, "recurrence"},
		{"last weekday that is not last", "2026-02-03T18:30", Recurrence{Frequency: "monthly-last-weekday", Count: "3"}, "recurrence"},
		{"past start", "2026-01-03T18:30", Recurrence{Frequency: "weekly", Count: "3"}, "start"},
	}
	for _, tc := range cases {
		_, _, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("Europe/Berlin", tc.start), tc.rec)
		var errs valid.Errors
		if !errors.As(err, &errs) || errs[tc.field] == "" {
			t.Errorf("%s: err = %v, want a message for %q", tc.name, err, tc.field)
		}
	}
	if evs, _ := f.s.GroupUpcoming(ctx, f.group, 100); len(evs) != 0 {
		t.Fatalf("bad series stored %d sessions", len(evs))
	}
}

func TestSeriesEditedFromADateOnward(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	sr, evs, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("America/New_York", "2026-02-03T18:30"),
		Recurrence{Frequency: "weekly", Count: "8"})
	if err != nil {
		t.Fatal(err)
	}
	u := users(1)[0]
	f.s.RSVP(ctx, evs[5].ID, u, true)

	// One occurrence cancelled, one moved by a day: the others untouched.
	if _, err := f.s.Cancel(ctx, f.org, evs[1].ID); err != nil {
		t.Fatal(err)
	}
	moved := seriesInput("America/New_York", "2026-02-18T18:30")
	if _, err := f.s.Update(ctx, f.org, evs[2].ID, moved); err != nil {
		t.Fatal(err)
	}

	// From 3 March (across the DST change on 8 March) everything moves to
	// 19:00–21:00 under a new title.
	edit := seriesInput("America/New_York", "2026-03-03T19:00")
	edit.End, edit.Title = "2026-03-03T21:00", "Go study group"
	changed, err := f.s.UpdateSeriesFrom(ctx, f.org, sr.ID, edit)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 4 {
		t.Fatalf("changed %d occurrences, want 4 (3 March onward)", len(changed))
	}
	_, after, err := f.s.Series(ctx, sr.ID)
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	for i, ev := range after {
		l := ev.Start.In(ny)
		switch {
		case i == 1:
			if ev.Status != StatusCancelled || ev.Title != "Intro to eBPF" {
				t.Errorf("cancelled occurrence changed: %+v", ev)
			}
		case i == 2:
			if l.Format("01-02 15:04") != "02-18 18:30" || ev.Sequence != 1 {
				t.Errorf("moved occurrence: %v seq %d", l, ev.Sequence)
			}
		case i < 4:
			if l.Format("15:04") != "18:30" || ev.Title != "Intro to eBPF" || ev.Sequence != 0 {
				t.Errorf("#%d before the date changed: %v %q", i, l, ev.Title)
			}
		default:
			if l.Format("15:04") != "19:00" || ev.End.In(ny).Format("15:04") != "21:00" || ev.Title != "Go study group" || ev.Sequence != 1 {
				t.Errorf("#%d after the date: %v %q seq %d", i, l, ev.Title, ev.Sequence)
			}
			if !ev.RecurrenceID.Equal(evs[i].RecurrenceID) {
				t.Errorf("#%d lost its recurrence id", i)
			}
		}
	}
	if n := f.rec.of(NoticeChanged); len(n) != 1 || n[0][0] != u {
		t.Fatalf("changed notices %v, want one to the person going to #5", n)
	}
}
