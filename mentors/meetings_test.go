package mentors

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// meetingShip starts a mentorship between a mentor in Berlin free on
// Tuesdays 18:00-20:00 and a mentee in New York free on Tuesdays
// 12:00-14:00: both are free 17:00-19:00 UTC. The clock is Monday
// 7 December 2026, 09:00 UTC.
func (f *fixture) meetingShip(t *testing.T) (mentor, mentee string, ship Mentorship) {
	t.Helper()
	f.mu.Lock()
	f.clock = time.Date(2026, time.December, 7, 9, 0, 0, 0, time.UTC)
	f.mu.Unlock()
	mentor = f.mentor(t, func(p *match.MentorProfile) {
		p.Availability.Slots = []match.Slot{{Day: time.Tuesday, StartMin: 18 * 60, EndMin: 19 * 60}, {Day: time.Tuesday, StartMin: 19 * 60, EndMin: 20 * 60}}
	})
	mentee = f.mentee(t, func(p *match.MenteeProfile) {
		p.TimeZone = "America/New_York"
		p.Availability = match.Availability{HoursPerWeek: 2, Slots: []match.Slot{{Day: time.Tuesday, StartMin: 12 * 60, EndMin: 14 * 60}}}
	})
	r, err := f.Ask(f.ctx, mentee, mentor, "Please")
	if err != nil {
		t.Fatal(err)
	}
	if ship, err = f.Accept(f.ctx, mentor, r.ID); err != nil {
		t.Fatal(err)
	}
	return mentor, mentee, ship
}

// meetingNotices returns the meeting notices recorded so far.
func (f *fixture) meetingNotices() []Notice {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Notice
	for _, n := range f.notices {
		if n.Kind == NoticeMeeting {
			out = append(out, n)
		}
	}
	return out
}

var tue = func(day, hour, min int) time.Time {
	return time.Date(2026, time.December, day, hour, min, 0, 0, time.UTC)
}

// Offers are the hours inside both weekly times over the next three
// weeks, whichever zones the two live in, at most three a day.
func TestMeetingOffersAreWhereBothAreFree(t *testing.T) {
	f := newFixture(t)
	_, _, ship := f.meetingShip(t)
	who, err := f.MentorshipParties(f.ctx, ship.ID)
	if err != nil {
		t.Fatal(err)
	}
	av, err := f.Availabilities(f.ctx, who)
	if err != nil {
		t.Fatal(err)
	}
	got := av.Offers(f.Now())
	var want []time.Time
	for _, d := range []int{8, 15, 22} {
		want = append(want, tue(d, 17, 0), tue(d, 18, 0))
	}
	if len(got) != len(want) {
		t.Fatalf("offers %v, want %v", got, want)
	}
	for k := range want {
		if !got[k].Equal(want[k]) {
			t.Fatalf("offer %d: %v, want %v", k, got[k], want[k])
		}
	}
	if av.Fits(tue(8, 18, 30)) || !av.Fits(tue(8, 18, 0)) {
		t.Fatal("a meeting running past 19:00 UTC fits, or one ending at 19:00 does not")
	}
}

// A meeting is proposed, accepted (both get an invitation), moved (an
// update with the same UID and SEQUENCE+1) and cancelled (METHOD:CANCEL).
func TestMeetingLifecycleSendsCalendarNotices(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.meetingShip(t)
	m, err := f.ProposeMeeting(f.ctx, mentee, ship.ID, tue(8, 17, 0), false)
	if err != nil || m.Outside || m.State != MeetingProposed {
		t.Fatalf("propose: %v %+v", err, m)
	}
	if err := f.AnswerMeeting(f.ctx, mentee, ship.ID, m.ID, true); !errors.Is(err, ErrOwnProposal) {
		t.Fatalf("accepting one's own proposal: %v", err)
	}
	if len(f.meetingNotices()) != 0 {
		t.Fatal("a proposal sent calendar notices")
	}
	if err := f.AnswerMeeting(f.ctx, mentor, ship.ID, m.ID, true); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	if err := f.MoveMeeting(f.ctx, mentor, ship.ID, m.ID, tue(15, 18, 0)); err != nil {
		t.Fatal(err)
	}
	if err := f.MoveMeeting(f.ctx, mentor, ship.ID, m.ID, tue(15, 20, 0)); !errors.Is(err, ErrMoveOutside) {
		t.Fatalf("moving outside the usual times: %v", err)
	}
	f.advance(time.Minute)
	if err := f.CancelMeeting(f.ctx, mentee, ship.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.AnswerMeeting(f.ctx, mentor, ship.ID, m.ID, true); !errors.Is(err, ErrClosed) {
		t.Fatalf("accepting a cancelled meeting: %v", err)
	}
	got := f.meetingNotices()
	if len(got) != 6 {
		t.Fatalf("%d calendar notices, want 6: %+v", len(got), got)
	}
	want := []struct {
		method string
		seq    int
		start  time.Time
	}{{"REQUEST", 0, tue(8, 17, 0)}, {"REQUEST", 1, tue(15, 18, 0)}, {"CANCEL", 2, tue(15, 18, 0)}}
	keys := map[string]bool{}
	for k, n := range got {
		w := want[k/2]
		start, end := n.MeetingTimes()
		if n.Method != w.method || n.Sequence != w.seq || !start.Equal(w.start) || end.Sub(start) != MeetingLength || n.MeetingID != m.ID {
			t.Errorf("notice %d: %s seq %d at %v, want %s seq %d at %v", k, n.Method, n.Sequence, start, w.method, w.seq, w.start)
		}
		if (k%2 == 0) != (n.To == mentor) || (n.To != mentor && n.To != mentee) {
			t.Errorf("notice %d went to %s", k, n.To)
		}
		keys[n.Key] = true
		ics := string(MeetingICS(n, MeetingInvite{Summary: "Mentoring", Organizer: "mailto:noreply@example.com", Attendees: []string{"a@example.com", "b@example.com"}}))
		for _, line := range []string{"METHOD:" + w.method, "UID:" + m.ID + "@focusgroups", "SEQUENCE:" + string(rune('0'+w.seq)),
			"DTSTART:" + w.start.Format("20060102T150405Z"), "ATTENDEE", "ORGANIZER:mailto:noreply@example.com"} {
			if !strings.Contains(ics, line) {
				t.Errorf("notice %d's calendar lacks %q:\n%s", k, line, ics)
			}
		}
		if (w.method == "CANCEL") != strings.Contains(ics, "STATUS:CANCELLED") {
			t.Errorf("notice %d's calendar status is wrong:\n%s", k, ics)
		}
	}
	if len(keys) != 6 {
		t.Fatalf("notice keys are not unique: %v", keys)
	}
	pg := f.page(t, ship.ID)
	if len(pg.Meetings) != 1 || pg.Meetings[0].State != MeetingCancelled || pg.Meetings[0].Sequence != 2 {
		t.Fatalf("meetings on the page %+v", pg.Meetings)
	}
}

// A time outside both weekly times needs the proposer's explicit tick and
// the other's acceptance; the past, unknown meetings and outsiders are
// refused.
func TestMeetingRules(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.meetingShip(t)
	stranger := f.mentee(t, nil)
	if _, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, tue(9, 9, 0), false); !errors.Is(err, ErrOutsideTimes) {
		t.Fatalf("outside without the tick: %v", err)
	}
	out, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, tue(9, 9, 0), true)
	if err != nil || !out.Outside {
		t.Fatalf("outside with the tick: %v %+v", err, out)
	}
	in, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, tue(8, 17, 30), true)
	if err != nil || in.Outside {
		t.Fatalf("a tick on a usual time: %v %+v", err, in)
	}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"in the past", func() error { _, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, tue(7, 8, 0), true); return err }(), ErrMeetingInPast},
		{"no time", func() error { _, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, time.Time{}, true); return err }(), ErrMeetingInPast},
		{"too far ahead", func() error {
			_, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, tue(7, 8, 0).AddDate(1, 0, 0), true)
			return err
		}(), ErrMeetingTooFar},
		{"stranger proposes", func() error { _, err := f.ProposeMeeting(f.ctx, stranger, ship.ID, tue(8, 17, 0), false); return err }(), ErrNotFound},
		{"stranger accepts", f.AnswerMeeting(f.ctx, stranger, ship.ID, out.ID, true), ErrNotFound},
		{"unknown meeting", f.AnswerMeeting(f.ctx, mentee, ship.ID, ids.New(), true), ErrNoMeeting},
		{"malformed meeting", f.CancelMeeting(f.ctx, mentee, ship.ID, "../x"), ErrNoMeeting},
		{"unknown mentorship", f.CancelMeeting(f.ctx, mentee, ids.New(), out.ID), ErrNotFound},
		{"the other moves a proposal", f.MoveMeeting(f.ctx, mentee, ship.ID, out.ID, tue(8, 18, 0)), ErrClosed},
		{"move into the past", f.MoveMeeting(f.ctx, mentor, ship.ID, out.ID, tue(1, 18, 0)), ErrMeetingInPast},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
	if err := f.AnswerMeeting(f.ctx, mentee, ship.ID, out.ID, true); err != nil {
		t.Fatalf("the other agrees to the outside time: %v", err)
	}
	if err := f.AnswerMeeting(f.ctx, mentee, ship.ID, in.ID, false); err != nil {
		t.Fatal(err)
	}
	late, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, tue(15, 17, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	f.advance(9 * 24 * time.Hour)
	if err := f.AnswerMeeting(f.ctx, mentee, ship.ID, late.ID, true); !errors.Is(err, ErrMeetingInPast) {
		t.Fatalf("accepting once the time has passed: %v", err)
	}
	states := map[string]MeetingState{}
	for _, m := range f.page(t, ship.ID).Meetings {
		states[m.ID] = m.State
	}
	if states[out.ID] != MeetingAccepted || states[in.ID] != MeetingDeclined || states[late.ID] != MeetingProposed {
		t.Fatalf("states %v", states)
	}
	if len(f.meetingNotices()) != 2 {
		t.Fatalf("%d calendar notices, want the 2 of the one acceptance", len(f.meetingNotices()))
	}
}

// At most MaxOpenMeetings meetings can be planned at once.
func TestMeetingsAreBounded(t *testing.T) {
	f := newFixture(t)
	mentor, _, ship := f.meetingShip(t)
	for k := range MaxOpenMeetings {
		if _, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, tue(8, 17, 0).Add(time.Duration(k)*time.Hour), true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.ProposeMeeting(f.ctx, mentor, ship.ID, tue(20, 17, 0), true); !errors.Is(err, ErrTooManyMeetings) {
		t.Fatalf("one meeting too many: %v", err)
	}
}

// A meeting's time reads in both people's zones.
func TestBothZones(t *testing.T) {
	berlin, ny, tokyo := time.FixedZone("x", 0), time.FixedZone("y", 0), time.FixedZone("z", 0)
	var err error
	for name, loc := range map[string]**time.Location{"Europe/Berlin": &berlin, "America/New_York": &ny, "Asia/Tokyo": &tokyo} {
		if *loc, err = time.LoadLocation(name); err != nil {
			t.Fatal(err)
		}
	}
	at := tue(8, 17, 0)
	for _, c := range []struct {
		a, b *time.Location
		want string
	}{
		{berlin, ny, "Tue 8 Dec 18:00 in Berlin · 12:00 in New York"},
		{berlin, tokyo, "Tue 8 Dec 18:00 in Berlin · Wed 9 Dec 02:00 in Tokyo"},
		{berlin, berlin, "Tue 8 Dec 18:00 in Berlin"},
		{time.UTC, ny, "Tue 8 Dec 17:00 in UTC · 12:00 in New York"},
	} {
		if got := BothZones(at, c.a, c.b); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}

// Where both are free all day, offers spread over the days: three a day,
// at most MaxOffers.
func TestMeetingOffersSpreadOverDays(t *testing.T) {
	var all []match.Slot
	for d := time.Sunday; d <= time.Saturday; d++ {
		all = append(all, match.Slot{Day: d, StartMin: 0, EndMin: 24 * 60})
	}
	av := Availabilities{Mentor: match.Availability{Slots: all}, Mentee: match.Availability{Slots: all}, MentorZone: "UTC", MenteeZone: "Asia/Tokyo"}
	got := av.Offers(tue(8, 9, 30))
	if len(got) != MaxOffers || !got[0].Equal(tue(8, 10, 0)) || !got[2].Equal(tue(8, 12, 0)) || !got[3].Equal(tue(9, 0, 0)) {
		t.Fatalf("offers %v", got)
	}
}

// Ending a mentorship cancels its planned meetings: an accepted one
// leaves both calendars, a proposal just goes.
func TestEndingCancelsPlannedMeetings(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.meetingShip(t)
	accepted, err := f.ProposeMeeting(f.ctx, mentee, ship.ID, tue(8, 17, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AnswerMeeting(f.ctx, mentor, ship.ID, accepted.ID, true); err != nil {
		t.Fatal(err)
	}
	proposed, err := f.ProposeMeeting(f.ctx, mentee, ship.ID, tue(15, 17, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.End(f.ctx, mentee, ship.ID, Ending{}); err != nil {
		t.Fatal(err)
	}
	got := f.meetingNotices()
	if len(got) != 4 {
		t.Fatalf("%d calendar notices, want 2 invitations and 2 cancellations", len(got))
	}
	for _, n := range got[2:] {
		if n.Method != "CANCEL" || n.Sequence != 1 || n.MeetingID != accepted.ID {
			t.Errorf("cancellation %+v", n)
		}
	}
	for _, m := range f.page(t, ship.ID).Meetings {
		if m.State != MeetingCancelled {
			t.Errorf("meeting %s (proposal: %v) is %s after the end", m.ID, m.ID == proposed.ID, m.State)
		}
	}
}
