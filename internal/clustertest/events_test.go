package clustertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/redis/go-redis/v9"
)

// eventsStart is the events tests' clock start: tomorrow at noon UTC. It
// follows the real date because Redis expires RSVP tokens by its own clock.
var eventsStart = time.Now().UTC().Truncate(24 * time.Hour).Add(36 * time.Hour)

// day is the local date n days after eventsStart, as a form writes it.
func day(n int) string { return eventsStart.AddDate(0, 0, n).Format("2006-01-02") }

// noticeLog records the notices an events.Store sends.
type noticeLog struct {
	mu      sync.Mutex
	notices []events.Notice
}

func (l *noticeLog) notify(_ context.Context, n events.Notice) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notices = append(l.notices, n)
	return nil
}

// users returns the sorted recipients of every notice of kind, and clears
// the log.
func (l *noticeLog) take(kind events.NoticeKind) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	rest := l.notices[:0]
	for _, n := range l.notices {
		if n.Kind == kind {
			out = append(out, n.UserIDs...)
		} else {
			rest = append(rest, n)
		}
	}
	l.notices = rest
	slices.Sort(out)
	return out
}

type eventsFixture struct {
	t      *testing.T
	ctx    context.Context
	rdb    redis.UniversalClient
	prefix string
	s      *events.Store
	clk    *clock
	log    *noticeLog
	org    events.Actor
	group  string
}

func newEventsFixture(t *testing.T) *eventsFixture {
	rdb, prefix := cluster(t)
	f := &eventsFixture{t: t, ctx: context.Background(), rdb: rdb, prefix: prefix, s: events.NewStore(rdb, prefix), clk: newClock(eventsStart),
		log: &noticeLog{}, org: events.Actor{UserID: ids.New(), Organizer: true}, group: ids.New()}
	f.s.Now = f.clk.Now
	f.s.Notify = f.log.notify
	return f
}

// input is a valid session on the given local day in Berlin, 18:30–20:30.
func input(day string) events.Input {
	return events.Input{Title: "Intro to eBPF", Description: "We look at **eBPF**.", Format: "workshop",
		Start: day + "T18:30", End: day + "T20:30", TimeZone: "Europe/Berlin",
		Venue: "Betahaus, Berlin", OnlineURL: "https://meet.example.com/ebpf"}
}

func (f *eventsFixture) create(in events.Input) events.Event {
	f.t.Helper()
	ev, err := f.s.Create(f.ctx, f.org, f.group, in)
	if err != nil {
		f.t.Fatalf("create %s: %v", in.Start, err)
	}
	return ev
}

func eventIDs(evs []events.Event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestEventsRSVPsOnCluster(t *testing.T) {
	t.Parallel()
	f := newEventsFixture(t)
	ctx, s := f.ctx, f.s
	in := input(day(7))
	in.Capacity = "10"
	in.Listed = true
	ev := f.create(in)

	// 50 people answer at once for 10 seats.
	const n = 50
	people := make([]string, n)
	results := make([]events.RSVPResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		people[i] = ids.New()
		wg.Go(func() { results[i], errs[i] = s.RSVP(ctx, ev.ID, people[i], true) })
	}
	wg.Wait()
	var going, waiting []string
	positions := map[int]bool{}
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("rsvp %d: %v", i, errs[i])
		}
		switch r.Status {
		case events.RSVPGoing:
			going = append(going, people[i])
		case events.RSVPWaitlisted:
			waiting = append(waiting, people[i])
			positions[r.Position] = true
		default:
			t.Fatalf("rsvp %d: status %q", i, r.Status)
		}
	}
	if len(going) != 10 || len(waiting) != 40 || len(positions) != 40 || positions[0] || positions[41] {
		t.Fatalf("going %d, waitlisted %d, distinct positions %d; want 10, 40, 40 (1..40)", len(going), len(waiting), len(positions))
	}
	att, err := s.Attendees(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := sorted(attendeeIDs(att)); !slices.Equal(got, sorted(going)) {
		t.Fatalf("attendees = %v, want %v", got, going)
	}
	wl, err := s.Waitlist(ctx, ev.ID)
	if err != nil || len(wl) != 40 {
		t.Fatalf("waitlist: %d %v", len(wl), err)
	}
	if st, _ := s.StatusOf(ctx, ev.ID, wl[3]); st.Status != events.RSVPWaitlisted || st.Position != 4 || st.SeatsLeft != 0 {
		t.Fatalf("status of the 4th waiting = %+v", st)
	}
	for _, who := range []string{going[0], wl[0]} {
		us, err := s.UserSessions(ctx, who, eventsStart, time.Time{}, 10)
		if err != nil || len(us) != 1 || us[0].Event.ID != ev.ID {
			t.Fatalf("sessions of %s: %+v %v", who, us, err)
		}
	}

	// Dropping out gives the seat to the head of the waitlist.
	res, err := s.RSVP(ctx, ev.ID, going[0], false)
	if err != nil || res.Status != events.RSVPNotGoing || !slices.Equal(res.Promoted, wl[:1]) {
		t.Fatalf("not going: %+v %v, want %s promoted", res, err, wl[0])
	}
	if got := f.log.take(events.NoticePromoted); !slices.Equal(got, wl[:1]) {
		t.Fatalf("promoted notices to %v", got)
	}
	if us, _ := s.UserSessions(ctx, going[0], eventsStart, time.Time{}, 10); len(us) != 0 {
		t.Fatalf("the person who dropped out still lists %+v", us)
	}

	// More seats promote in order.
	if _, err := s.SetCapacity(ctx, f.org, ev.ID, 12); err != nil {
		t.Fatal(err)
	}
	if got := f.log.take(events.NoticePromoted); !slices.Equal(got, sorted(wl[1:3])) {
		t.Fatalf("promoted by the raise: %v, want %v", got, wl[1:3])
	}
	if st, _ := s.StatusOf(ctx, ev.ID, wl[2]); st.Status != events.RSVPGoing || st.SeatsLeft != 0 {
		t.Fatalf("status after the raise = %+v", st)
	}

	// Removing someone promotes the next and keeps them out.
	res, err = s.Remove(ctx, f.org, ev.ID, going[1])
	if err != nil || res.Status != events.RSVPRemoved || !slices.Equal(res.Promoted, wl[3:4]) {
		t.Fatalf("remove: %+v %v", res, err)
	}
	if got := f.log.take(events.NoticeRemoved); !slices.Equal(got, going[1:2]) {
		t.Fatalf("removed notices to %v", got)
	}
	if _, err := s.RSVP(ctx, ev.ID, going[1], true); !errors.Is(err, events.ErrRemoved) {
		t.Fatalf("rsvp after removal: %v", err)
	}

	// A move tells everyone going or waiting.
	att, _ = s.Attendees(ctx, ev.ID)
	wl, _ = s.Waitlist(ctx, ev.ID)
	f.log.take(events.NoticePromoted)
	moved := in
	moved.Venue = "c-base, Berlin"
	moved.Capacity = "12"
	upd, err := s.Update(ctx, f.org, ev.ID, moved)
	if err != nil || upd.Venue != "c-base, Berlin" || upd.Sequence != ev.Sequence+2 {
		t.Fatalf("update: %+v %v", upd, err)
	}
	if got, want := f.log.take(events.NoticeChanged), sorted(append(attendeeIDs(att), wl...)); !slices.Equal(got, want) {
		t.Fatalf("changed notices to %d people, want %d", len(got), len(want))
	}

	// RSVP links.
	tok, err := s.IssueRSVPToken(ctx, upd, wl[0])
	if err != nil {
		t.Fatal(err)
	}
	if e, u, err := s.RSVPTokenOwner(ctx, tok); err != nil || e != ev.ID || u != wl[0] {
		t.Fatalf("token owner: %s %s %v", e, u, err)
	}
	if _, _, err := s.RSVPTokenOwner(ctx, tok[:len(tok)-1]+"x"); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("tampered token: %v", err)
	}

	// Check-in opens an hour before the start.
	if err := s.CheckIn(ctx, f.org, ev.ID, att[0].UserID, true); !errors.Is(err, events.ErrCheckInTooEarly) {
		t.Fatalf("early check-in: %v", err)
	}
	f.clk.Set(upd.Start.Add(-30 * time.Minute))
	if err := s.CheckIn(ctx, f.org, ev.ID, att[0].UserID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckIn(ctx, f.org, ev.ID, wl[0], true); !errors.Is(err, events.ErrNotGoing) {
		t.Fatalf("check-in of someone waiting: %v", err)
	}
	if a, _ := s.Attendees(ctx, ev.ID); !a[0].CheckedIn || a[1].CheckedIn {
		t.Fatalf("attendance = %+v", a[:2])
	}

	// Cancelling tells everyone and takes it off the home page.
	if l, _ := s.ListedUpcoming(ctx, 10); !slices.Equal(eventIDs(l), []string{ev.ID}) {
		t.Fatalf("listed before cancel = %v", eventIDs(l))
	}
	cancelled, err := s.Cancel(ctx, f.org, ev.ID)
	if err != nil || cancelled.Status != events.StatusCancelled {
		t.Fatalf("cancel: %+v %v", cancelled, err)
	}
	if got := f.log.take(events.NoticeCancelled); len(got) != len(att)+len(wl) {
		t.Fatalf("cancelled notices to %d people, want %d", len(got), len(att)+len(wl))
	}
	if l, _ := s.ListedUpcoming(ctx, 10); len(l) != 0 {
		t.Fatalf("listed after cancel = %v", eventIDs(l))
	}
	if up, _ := s.GroupUpcoming(ctx, f.group, 10); len(up) != 1 || up[0].Status != events.StatusCancelled {
		t.Fatalf("group upcoming after cancel = %+v", up)
	}
	if _, err := s.RSVP(ctx, ev.ID, ids.New(), true); !errors.Is(err, events.ErrCancelled) {
		t.Fatalf("rsvp to a cancelled session: %v", err)
	}
}

func attendeeIDs(as []events.Attendee) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.UserID)
	}
	return out
}

func TestEventsApprovalListsAndFeedsOnCluster(t *testing.T) {
	t.Parallel()
	f := newEventsFixture(t)
	ctx, s := f.ctx, f.s
	u1, u2, u3 := ids.New(), ids.New(), ids.New()

	in := input(day(7))
	in.Capacity = "1"
	in.ApprovalRequired = true
	in.Listed = true
	reviewed := f.create(in)
	soon := input(day(2))
	soon.Listed = true
	early := f.create(soon)
	late := f.create(input(day(10)))

	for _, u := range []string{u1, u2} {
		if r, err := s.RSVP(ctx, reviewed.ID, u, true); err != nil || r.Status != events.RSVPPending {
			t.Fatalf("rsvp to a reviewed session: %+v %v", r, err)
		}
	}
	if p, _ := s.Pending(ctx, reviewed.ID); !slices.Equal(p, []string{u1, u2}) {
		t.Fatalf("pending = %v", p)
	}
	if r, err := s.Approve(ctx, f.org, reviewed.ID, u1); err != nil || r.Status != events.RSVPGoing {
		t.Fatalf("approve u1: %+v %v", r, err)
	}
	if r, err := s.Approve(ctx, f.org, reviewed.ID, u2); err != nil || r.Status != events.RSVPWaitlisted || r.Position != 1 {
		t.Fatalf("approve u2: %+v %v", r, err)
	}
	if _, err := s.Approve(ctx, f.org, reviewed.ID, u3); !errors.Is(err, events.ErrNotPending) {
		t.Fatalf("approve someone who never asked: %v", err)
	}
	if p, _ := s.Pending(ctx, reviewed.ID); len(p) != 0 {
		t.Fatalf("pending after approvals = %v", p)
	}

	check := func(what string, got []events.Event, err error, want ...events.Event) {
		t.Helper()
		if err != nil || !slices.Equal(eventIDs(got), eventIDs(want)) {
			t.Fatalf("%s = %v (%v), want %v", what, eventIDs(got), err, eventIDs(want))
		}
	}
	up, err := s.GroupUpcoming(ctx, f.group, 10)
	check("group upcoming", up, err, early, reviewed, late)
	listed, err := s.ListedUpcoming(ctx, 10)
	check("listed upcoming", listed, err, early, reviewed)
	if next, err := s.NextForGroup(ctx, f.group); err != nil || !next.Equal(early.Start) {
		t.Fatalf("next for group = %v %v, want %v", next, err, early.Start)
	}
	us, err := s.UserSessions(ctx, u2, eventsStart, time.Time{}, 10)
	if err != nil || len(us) != 1 || us[0].Status != events.RSVPWaitlisted {
		t.Fatalf("sessions of u2 = %+v %v", us, err)
	}

	f.clk.Set(early.End.Add(time.Minute))
	past, err := s.GroupPast(ctx, f.group, 10)
	check("group past", past, err, early)
	up, err = s.GroupUpcoming(ctx, f.group, 10)
	check("group upcoming later", up, err, reviewed, late)
	if next, _ := s.NextForGroup(ctx, f.group); !next.Equal(reviewed.Start) {
		t.Fatalf("next for group later = %v", next)
	}

	// Personal calendar feed tokens: only the newest one works.
	tok1, err := s.ResetFeedToken(ctx, u1)
	if err != nil {
		t.Fatal(err)
	}
	if who, err := s.FeedUser(ctx, tok1); err != nil || who != u1 {
		t.Fatalf("feed user: %s %v", who, err)
	}
	tok2, err := s.ResetFeedToken(ctx, u1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.FeedUser(ctx, tok1); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("old feed token: %v", err)
	}
	if who, err := s.FeedUser(ctx, tok2); err != nil || who != u1 {
		t.Fatalf("new feed token: %s %v", who, err)
	}

	ics := events.ICS(events.MethodPublish, reviewed)
	for _, want := range []string{"BEGIN:VCALENDAR", "METHOD:PUBLISH", "UID:" + reviewed.ID + "@focusgroups", "SUMMARY:Intro to eBPF", "TZID:Europe/Berlin", "BEGIN:VTIMEZONE"} {
		if !strings.Contains(ics, want) {
			t.Errorf("ICS lacks %q:\n%s", want, ics)
		}
	}
}

func TestEventsSeriesAndProposalsOnCluster(t *testing.T) {
	t.Parallel()
	f := newEventsFixture(t)
	ctx, s := f.ctx, f.s

	sr, occ, err := s.CreateSeries(ctx, f.org, f.group, input(day(10)), events.Recurrence{Frequency: string(events.FreqWeekly), Count: "4"})
	if err != nil || len(occ) != 4 {
		t.Fatalf("create series: %d occurrences, %v", len(occ), err)
	}
	_, stored, err := s.Series(ctx, sr.ID)
	if err != nil || !slices.Equal(eventIDs(stored), eventIDs(occ)) {
		t.Fatalf("series = %v %v", eventIDs(stored), err)
	}
	if up, _ := s.GroupUpcoming(ctx, f.group, 10); len(up) != 4 {
		t.Fatalf("group upcoming = %d sessions, want 4", len(up))
	}
	from := input(day(24)) // the third occurrence
	from.Start, from.End = day(24)+"T19:00", day(24)+"T21:00"
	changed, err := s.UpdateSeriesFrom(ctx, f.org, sr.ID, from)
	if err != nil || !slices.Equal(eventIDs(changed), eventIDs(occ[2:])) {
		t.Fatalf("update from the third: %v %v", eventIDs(changed), err)
	}
	_, stored, _ = s.Series(ctx, sr.ID)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for i, ev := range stored {
		want := 18
		if i >= 2 {
			want = 19
		}
		if h := ev.Start.In(berlin).Hour(); h != want {
			t.Errorf("occurrence %d starts at %d:xx, want %d", i, h, want)
		}
	}
	if ics := (events.CalendarOptions{}).SeriesICS(events.MethodPublish, sr, stored); !strings.Contains(ics, "RRULE:FREQ=WEEKLY") ||
		!strings.Contains(ics, "RECURRENCE-ID") {
		t.Errorf("series ICS lacks the rule or the overrides:\n%s", ics)
	}

	// Call for sessions.
	proposer, v1, v2 := ids.New(), ids.New(), ids.New()
	p1, err := s.Propose(ctx, f.group, proposer, events.ProposalInput{Title: "Fuzzing Go", Kind: "learn"})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s.Propose(ctx, f.group, proposer, events.ProposalInput{Title: "eBPF deep dive", Details: "I can show it.", Kind: "teach"})
	if err != nil {
		t.Fatal(err)
	}
	for _, vote := range []struct {
		pid, user string
		votes     int
		counted   bool
	}{{p2.ID, v1, 1, true}, {p2.ID, v2, 2, true}, {p2.ID, v1, 2, false}, {p1.ID, v1, 1, true}} {
		n, counted, err := s.Upvote(ctx, f.group, vote.pid, vote.user)
		if err != nil || n != vote.votes || counted != vote.counted {
			t.Fatalf("upvote %s by %s: %d %v %v", vote.pid, vote.user, n, counted, err)
		}
	}
	if _, _, err := s.Upvote(ctx, f.group, ids.New(), v1); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("upvote of an unknown proposal: %v", err)
	}
	ps, err := s.Proposals(ctx, f.group, 10)
	if err != nil || len(ps) != 2 || ps[0].ID != p2.ID || ps[0].Votes != 2 || ps[1].ID != p1.ID {
		t.Fatalf("proposals = %+v %v", ps, err)
	}
	ev, err := s.ScheduleProposal(ctx, f.org, f.group, p2.ID, input(day(40)))
	if err != nil || ev.ProposalID != p2.ID || ev.ProposerID != proposer {
		t.Fatalf("schedule proposal: %+v %v", ev, err)
	}
	if p, _ := s.Proposal(ctx, f.group, p2.ID); p.EventID != ev.ID {
		t.Fatalf("proposal records event %q, want %q", p.EventID, ev.ID)
	}
	if _, err := s.ScheduleProposal(ctx, f.org, f.group, p2.ID, input(day(41))); !errors.Is(err, events.ErrAlreadyScheduled) {
		t.Fatalf("schedule twice: %v", err)
	}
	if got, err := s.Get(ctx, ev.ID); err != nil || got.Title != "Intro to eBPF" {
		t.Fatalf("get scheduled proposal: %+v %v", got, err)
	}
}

// The sweep deletes a session past its retention across the cluster: its
// own keys, and its entries in the group's and people's lists.
func TestEventsSweepOnCluster(t *testing.T) {
	rdb, prefix := cluster(t)
	ctx := context.Background()
	s := events.NewStore(rdb, prefix)
	s.Now = newClock(eventsStart).Now
	org, group := events.Actor{UserID: ids.New(), Organizer: true}, ids.New()
	in := input(day(1))
	in.Listed = true
	ev, err := s.Create(ctx, org, group, in)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := s.Create(ctx, org, group, input(day(40)))
	if err != nil {
		t.Fatal(err)
	}
	people := []string{ids.New(), ids.New()}
	for _, e := range []events.Event{ev, kept} {
		for _, u := range people {
			if _, err := s.RSVP(ctx, e.ID, u, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.Retention = 30 * 24 * time.Hour
	res, err := s.Sweep(ctx, ev.End.Add(s.Retention+time.Hour))
	if err != nil || res.Pruned != 1 || res.Unlisted != 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	if _, err := s.Get(ctx, ev.ID); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("pruned session: %v", err)
	}
	for _, u := range people {
		mine, err := s.UserSessions(ctx, u, time.Time{}, time.Time{}, 10)
		if err != nil || len(mine) != 1 || mine[0].Event.ID != kept.ID {
			t.Fatalf("%s's sessions after the sweep: %v %v", u, mine, err)
		}
	}
	if past, err := s.GroupPast(ctx, group, 10); err != nil || len(past) != 0 {
		t.Fatalf("group's past sessions after the sweep: %v %v", past, err)
	}
	for _, k := range keysUnder(t, rdb, prefix) {
		if strings.Contains(k, ev.ID) {
			t.Fatalf("the pruned session left %s", k)
		}
	}
}

// On a busy day the home page finds the running listed sessions by their
// end, in a script over two keys of one slot: legal on a cluster.
func TestEventsBusyHomePageOnCluster(t *testing.T) {
	f := newEventsFixture(t)
	var running []string
	for i := range 8 {
		in := input(day(1))
		in.Listed, in.Title = true, fmt.Sprintf("Running %d", i)
		in.Start = day(1) + fmt.Sprintf("T10:%02d", i)
		in.End = day(1) + "T20:00"
		running = append(running, f.create(in).ID)
	}
	ended := input(day(1))
	ended.Listed, ended.Start, ended.End = true, day(1)+"T10:30", day(1)+"T11:00"
	f.create(ended)
	f.clk.Set(eventsStart.AddDate(0, 0, 1).Add(2 * time.Hour)) // 14:00 UTC, 15:00 in Berlin
	// The first read finds the day busy, the second runs the script.
	for read := range 2 {
		l, err := f.s.ListedUpcoming(f.ctx, 6)
		if err != nil || !slices.Equal(eventIDs(l), running[:6]) {
			t.Fatalf("read %d: listed = %v, %v; want the first six running", read+1, eventIDs(l), err)
		}
	}
}
