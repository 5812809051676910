package events

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

func TestIndexes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	later := f.create(t, func(in *Input) {
		in.Start, in.End, in.Listed = "2026-02-10T18:30", "2026-02-10T20:00", true
	})
	soon := f.create(t, func(in *Input) { in.Listed = true })
	unlisted := f.create(t, func(in *Input) { in.Start, in.End = "2026-01-20T18:30", "2026-01-20T20:00" })
	u := users(1)[0]
	f.s.RSVP(ctx, later.ID, u, true)
	f.s.RSVP(ctx, soon.ID, u, true)
	f.s.RSVP(ctx, unlisted.ID, u, true)
	f.s.RSVP(ctx, unlisted.ID, u, false)

	ids := func(evs []Event) []string {
		var out []string
		for _, ev := range evs {
			out = append(out, ev.ID)
		}
		return out
	}
	eq := func(name string, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: %v, want %v", name, got, want)
			}
		}
	}
	up, _ := f.s.GroupUpcoming(ctx, f.group, 10)
	eq("group upcoming", ids(up), []string{soon.ID, unlisted.ID, later.ID})
	home, _ := f.s.ListedUpcoming(ctx, 10)
	eq("home page", ids(home), []string{soon.ID, later.ID})
	mine, _ := f.s.UserSessions(ctx, u, testNow, time.Time{}, 10)
	var mineIDs []string
	for _, m := range mine {
		mineIDs = append(mineIDs, m.Event.ID)
	}
	eq("my sessions", mineIDs, []string{soon.ID, later.ID})
	if next, _ := f.s.NextForGroup(ctx, f.group); !next.Equal(soon.Start) {
		t.Fatalf("next = %v, want %v", next, soon.Start)
	}

	f.s.Cancel(ctx, f.org, soon.ID)
	home, _ = f.s.ListedUpcoming(ctx, 10)
	eq("home page after cancel", ids(home), []string{later.ID})
	if next, _ := f.s.NextForGroup(ctx, f.group); !next.Equal(unlisted.Start) {
		t.Fatalf("next after cancel = %v", next)
	}

	f.clock.Set(unlisted.End.Add(time.Minute))
	past, _ := f.s.GroupPast(ctx, f.group, 10)
	eq("group past", ids(past), []string{unlisted.ID, soon.ID})
	up, _ = f.s.GroupUpcoming(ctx, f.group, 10)
	eq("group upcoming later", ids(up), []string{later.ID})
}

func TestEndedSessionsDoNotHideUpcomingOnes(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Minute).Add(time.Hour)
	s.Now = func() time.Time { return base.Add(-48 * time.Hour) }
	org := Actor{UserID: "org", Organizer: true}
	mk := func(title string, start time.Time, minutes int) Event {
		ev, err := s.Create(ctx, org, "g1", Input{Title: title, Format: "talk", TimeZone: "UTC", OnlineURL: "https://x.example/r",
			Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Duration(minutes) * time.Minute).Format("2006-01-02T15:04"), Listed: true})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	for i := range 20 { // twenty short sessions this morning
		mk(fmt.Sprintf("Morning %02d", i), base.Add(time.Duration(i)*time.Minute), 5)
	}
	running := mk("Long workshop", base.Add(10*time.Minute), 600)
	tomorrow := mk("Tomorrow", base.Add(24*time.Hour), 60)
	s.Now = func() time.Time { return base.Add(2 * time.Hour) } // all the morning ones are over
	for name, list := range map[string]func() ([]Event, error){
		"listed": func() ([]Event, error) { return s.ListedUpcoming(ctx, 6) },
		"group":  func() ([]Event, error) { return s.GroupUpcoming(ctx, "g1", 6) },
	} {
		evs, err := list()
		if err != nil || len(evs) != 2 || evs[0].ID != running.ID || evs[1].ID != tomorrow.ID {
			t.Fatalf("%s upcoming = %v (%v), want the running workshop then tomorrow's", name, titles(evs), err)
		}
	}

	// The home page's list reads only the sessions it may show, once a read
	// found more started than it shows; those the ends index lacks (indexed
	// before it existed) are read and checked.
	home := func() (queued, reads int, titles []string) {
		t.Helper()
		p := rdb.Pipeline()
		l := s.QueueListedSessions(ctx, p, 6)
		queued = p.Len()
		_, _ = p.Exec(ctx)
		p = rdb.Pipeline()
		get, err := l.QueueEvents(ctx, p, "")
		if err != nil {
			t.Fatal(err)
		}
		reads = p.Len()
		_, _ = p.Exec(ctx)
		evs, _, _, err := get()
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			titles = append(titles, ev.Title)
		}
		return queued, reads, titles
	}
	want := fmt.Sprint([]string{running.Title, tomorrow.Title})
	for i := range 2 {
		queued, reads, got := home()
		if fmt.Sprint(got) != want {
			t.Errorf("the home page's list, read %d: %v, want %s", i+1, got, want)
		}
		if i == 1 && (queued != 1 || reads != 4) {
			t.Errorf("the home page's list once known busy: %d index reads, then %d reads; want one script, then 4 (each session and its seats)", queued, reads)
		}
	}
	if evs, err := s.ListedUpcoming(ctx, 1); err != nil || len(evs) != 1 || evs[0].ID != running.ID {
		t.Errorf("the first listed session: %v (%v), want the running workshop", titles(evs), err)
	}
	if err := rdb.Del(ctx, s.listedEndsKey()).Err(); err != nil {
		t.Fatal(err)
	}
	if _, reads, got := home(); fmt.Sprint(got) != want || reads <= 4 {
		t.Errorf("the home page's list without the ends index: %v in %d reads, want %s, the ended ones read and dropped", got, reads, want)
	}
	// Once the morning is out of the window, plain range reads serve again.
	s.Now = func() time.Time { return base.Add(13 * time.Hour) }
	for i, want := range []int{1, 2} {
		if queued, _, got := home(); queued != want || fmt.Sprint(got) != fmt.Sprint([]string{tomorrow.Title}) {
			t.Errorf("a quiet day, read %d: %d index reads for %v, want %d for tomorrow's", i+1, queued, got, want)
		}
	}
}

// minuteFixture is a Store whose clock stands two days before base, a
// minute tomorrow, so sessions can be made around base, and an organizer.
func minuteFixture(t *testing.T) (redis.UniversalClient, *Store, time.Time, Actor) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	base := time.Now().UTC().Truncate(time.Minute).Add(24 * time.Hour)
	s.Now = func() time.Time { return base.Add(-48 * time.Hour) }
	return rdb, s, base, Actor{UserID: "org", Organizer: true}
}

// readLists runs p, holding the index reads of l, then the reads
// l.QueueEvents queues for a signed-out visitor, and returns the lists.
func readLists(t *testing.T, rdb redis.UniversalClient, p redis.Pipeliner, l *SessionLists) (upcoming, past []Event) {
	t.Helper()
	ctx := context.Background()
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	p = rdb.Pipeline()
	get, err := l.QueueEvents(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	upcoming, past, _, err = get()
	if err != nil {
		t.Fatal(err)
	}
	return upcoming, past
}

func titles(evs []Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Title
	}
	return out
}

// A group page's lists: the running session, then the soonest to come, up
// to the upcoming bound; the latest ended ones up to the past bound, the
// running one not among them. Appending to the upcoming list leaves the
// past one as it was.
func TestGroupListsKeepTheirBoundsAndOrder(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Minute)
	s.Now = func() time.Time { return base.Add(-72 * time.Hour) }
	org := Actor{UserID: "org", Organizer: true}
	mk := func(title string, start time.Time, minutes int) {
		if _, err := s.Create(ctx, org, "g1", Input{Title: title, Format: "talk", TimeZone: "UTC", OnlineURL: "https://x.example/r",
			Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Duration(minutes) * time.Minute).Format("2006-01-02T15:04")}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		mk(fmt.Sprintf("Ended %d", i), base.Add(time.Duration(i-5)*time.Hour), 30)
	}
	mk("Running", base.Add(-time.Hour), 180)
	for i := range 3 {
		mk(fmt.Sprintf("Next %d", i), base.Add(time.Duration(i+1)*24*time.Hour), 60)
	}
	s.Now = func() time.Time { return base }
	p := rdb.Pipeline()
	upcoming, past := readLists(t, rdb, p, s.QueueGroupSessions(ctx, p, "g1", 2, 2))
	if got, want := fmt.Sprint(titles(upcoming), titles(past)), fmt.Sprint([]string{"Running", "Next 0"}, []string{"Ended 2", "Ended 1"}); got != want {
		t.Fatalf("upcoming and past: %s, want %s", got, want)
	}
	_ = append(upcoming, Event{Title: "Appended"})
	if titles(past)[0] != "Ended 2" {
		t.Fatalf("appending to the upcoming list changed the past one: %v", titles(past))
	}
}

// A group's lists read by the minute: at every instant of a minute the
// index reads are the same commands (so the near cache answers them all
// minute), and the lists are what the sessions' times say at that instant:
// a session starting on the minute moves from next to running, one ending
// on it from upcoming to past.
func TestGroupListsReadTheSameIndexAllMinuteAndStayExact(t *testing.T) {
	rdb, s, base, org := minuteFixture(t)
	ctx := context.Background()
	var all []Event
	for i := -30; i <= 10; i++ {
		start := base.Add(time.Duration(i) * 30 * time.Minute)
		minutes := []int{1, 30, 60, 720, 31}[(i+30)%5]
		ev, err := s.Create(ctx, org, "g1", Input{Title: fmt.Sprintf("S%+d", i), Format: "talk", TimeZone: "UTC", OnlineURL: "https://x.example/r",
			Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Duration(minutes) * time.Minute).Format("2006-01-02T15:04")})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ev)
	}
	// What the lists should be at now, from every session's times.
	want := func(now time.Time) (upcoming, past, next []string) {
		for _, ev := range all { // in start order
			switch {
			case ev.End.After(now) && len(upcoming) < 3:
				upcoming = append(upcoming, ev.Title)
			case !ev.End.After(now):
				past = append([]string{ev.Title}, past...)
			}
			if ev.Start.Unix() >= now.Unix() && len(next) < 3 {
				next = append(next, ev.Title)
			}
		}
		return upcoming, past[:min(3, len(past))], next
	}
	read := func(now time.Time, timed bool) (upcoming, past, next []string, index string) {
		t.Helper()
		s.Now = func() time.Time { return now }
		p := rdb.Pipeline()
		var l *SessionLists
		if timed {
			l = s.QueueGroupSessionsTimed(ctx, p, "g1", 3)
		} else {
			l = s.QueueGroupSessions(ctx, p, "g1", 3, 3)
		}
		for _, c := range p.Cmds() {
			index += fmt.Sprint(c.Args())
		}
		up, gone := readLists(t, rdb, p, l)
		if timed {
			for _, z := range l.NextStarts() {
				for _, ev := range all {
					if ev.ID == z.Member && float64(ev.Start.Unix()) == z.Score {
						next = append(next, ev.Title)
					}
				}
			}
		}
		return titles(up), titles(gone), next, index
	}
	for _, minute := range []time.Duration{-30 * time.Minute, -time.Minute, 0, time.Minute, 30 * time.Minute, 12 * time.Hour} {
		for _, timed := range []bool{false, true} {
			var first string
			for _, sec := range []time.Duration{0, time.Second, 30 * time.Second, 59*time.Second + 999*time.Millisecond} {
				now := base.Add(minute + sec)
				up, past, next, index := read(now, timed)
				wantUp, wantPast, wantNext := want(now)
				if timed {
					wantPast, past = nil, nil
				} else {
					wantNext = nil
				}
				if got, w := fmt.Sprint(up, past, next), fmt.Sprint(wantUp, wantPast, wantNext); got != w {
					t.Errorf("at %s (timed %v): upcoming, past, next %s, want %s", now.Format(time.TimeOnly), timed, got, w)
				}
				if sec == 0 {
					first = index
				} else if index != first {
					t.Errorf("at %s (timed %v): the index reads %s, not the minute's %s", now.Format(time.TimeOnly), timed, index, first)
				}
			}
		}
	}
}

// The home page's list switches to its script when the minute's first
// read finds more started than it shows, and back when the script finds
// few: both count the same sessions, so within a minute the reads do not
// alternate between the two (a session started exactly 12 hours before
// the minute is counted by both, or by neither).
func TestListedReadsSwitchOnTheSameCount(t *testing.T) {
	rdb, s, base, org := minuteFixture(t)
	ctx := context.Background()
	for i, start := range []time.Time{base.Add(-MaxDuration), base} {
		if _, err := s.Create(ctx, org, "g1", Input{Title: fmt.Sprint("Session ", i), Format: "talk", TimeZone: "UTC", OnlineURL: "https://x.example/r",
			Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Hour).Format("2006-01-02T15:04"), Listed: true}); err != nil {
			t.Fatal(err)
		}
	}
	s.Now = func() time.Time { return base.Add(30 * time.Second) }
	var kinds []string
	for range 4 {
		p := rdb.Pipeline()
		l := s.QueueListedSessions(ctx, p, 1)
		kinds = append(kinds, p.Cmds()[0].Name())
		if evs, _ := readLists(t, rdb, p, l); fmt.Sprint(titles(evs)) != "[Session 1]" {
			t.Fatalf("the listed sessions: %v, want [Session 1]", titles(evs))
		}
	}
	if got := fmt.Sprint(kinds); got != "[zrangebyscore evalsha_ro evalsha_ro evalsha_ro]" {
		t.Errorf("the reads of four views in one minute: %s, want a plain read, then the script", got)
	}
}
