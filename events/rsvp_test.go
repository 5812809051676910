package events

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

func TestThousandConcurrentRSVPsForFiftySeats(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "50" })
	people := users(1000)

	results := make([]RSVPResult, len(people))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, u := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := f.s.RSVP(ctx, ev.ID, u, true)
			if err != nil {
				t.Errorf("rsvp %d: %v", i, err)
			}
			results[i] = res
		}()
	}
	close(start)
	wg.Wait()

	// Arrival order as the script assigned it: each waitlisted person got a
	// unique position, and the stored waitlist is in exactly that order.
	byPos := make([]string, 951)
	var going []string
	for i, r := range results {
		switch r.Status {
		case RSVPGoing:
			going = append(going, people[i])
		case RSVPWaitlisted:
			if r.Position < 1 || r.Position > 950 || byPos[r.Position] != "" {
				t.Fatalf("waitlist position %d duplicated or out of range", r.Position)
			}
			byPos[r.Position] = people[i]
		default:
			t.Fatalf("status %q", r.Status)
		}
	}
	if len(going) != 50 {
		t.Fatalf("going = %d, want 50", len(going))
	}
	wl, err := f.s.Waitlist(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(wl, byPos[1:]) {
		t.Fatalf("waitlist order differs from the positions the script handed out")
	}
	att, _ := f.s.Attendees(ctx, ev.ID)
	seen := map[string]bool{}
	for _, a := range att {
		seen[a.UserID] = true
	}
	for _, u := range wl {
		seen[u] = true
	}
	if len(att) != 50 || len(seen) != 1000 {
		t.Fatalf("attendees %d, distinct people %d: someone is listed twice or lost", len(att), len(seen))
	}
	if st, _ := f.s.StatusOf(ctx, ev.ID, byPos[7]); st.Status != RSVPWaitlisted || st.Position != 7 || st.SeatsLeft != 0 {
		t.Fatalf("status of 7th in line: %+v", st)
	}

	// Ten people drop out at once: exactly the next ten get their seats.
	var promoted []string
	var mu sync.Mutex
	for _, u := range going[:10] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.s.RSVP(ctx, ev.ID, u, false)
			if err != nil || res.Status != RSVPNotGoing {
				t.Errorf("drop out: %+v %v", res, err)
			}
			mu.Lock()
			promoted = append(promoted, res.Promoted...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(promoted)
	next10 := slices.Clone(wl[:10])
	slices.Sort(next10)
	if !slices.Equal(promoted, next10) {
		t.Fatalf("promoted %v, want the first ten of the waitlist", promoted)
	}
	var told []string
	for _, u := range f.rec.of(NoticePromoted) {
		told = append(told, u...)
	}
	slices.Sort(told)
	if !slices.Equal(told, next10) {
		t.Fatalf("Notify(promoted) got %v, want %v", told, next10)
	}
	if st, _ := f.s.StatusOf(ctx, ev.ID, wl[10]); st.Position != 1 {
		t.Fatalf("11th in line is now at %d, want 1", st.Position)
	}

	// Raising the capacity to 65 seats the next 15, in order.
	if _, err := f.s.SetCapacity(ctx, f.org, ev.ID, 65); err != nil {
		t.Fatal(err)
	}
	att, _ = f.s.Attendees(ctx, ev.ID)
	if len(att) != 65 {
		t.Fatalf("attendees after raise = %d, want 65", len(att))
	}
	var lastSeated []string
	for _, a := range att[50:] {
		lastSeated = append(lastSeated, a.UserID)
	}
	if !slices.Equal(lastSeated, wl[10:25]) {
		t.Fatalf("capacity raise seated %v, want waitlist[10:25] in order", lastSeated)
	}
	wl2, _ := f.s.Waitlist(ctx, ev.ID)
	if !slices.Equal(wl2, wl[25:]) {
		t.Fatalf("waitlist after raise does not continue at the 26th person")
	}
	if got := f.rec.of(NoticePromoted); !slices.Equal(got[len(got)-1], wl[10:25]) {
		t.Fatalf("Notify after capacity raise got %v", got[len(got)-1])
	}
}

func TestSecondRSVPIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "1" })
	p := users(3)
	for _, u := range p {
		if _, err := f.s.RSVP(ctx, ev.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	again, err := f.s.RSVP(ctx, ev.ID, p[2], true)
	if err != nil || again.Status != RSVPWaitlisted || again.Position != 2 {
		t.Fatalf("second RSVP of 2nd in line: %+v %v", again, err)
	}
	first, _ := f.s.RSVP(ctx, ev.ID, p[0], true)
	if first.Status != RSVPGoing || first.SeatsLeft != 0 {
		t.Fatalf("second RSVP of the seated person: %+v", first)
	}
	wl, _ := f.s.Waitlist(ctx, ev.ID)
	att, _ := f.s.Attendees(ctx, ev.ID)
	if !slices.Equal(wl, p[1:]) || len(att) != 1 || att[0].UserID != p[0] {
		t.Fatalf("after repeats: going %v waitlist %v", att, wl)
	}
	// Not going twice is harmless too, and promotes only once.
	r1, _ := f.s.RSVP(ctx, ev.ID, p[0], false)
	r2, _ := f.s.RSVP(ctx, ev.ID, p[0], false)
	if !slices.Equal(r1.Promoted, []string{p[1]}) || len(r2.Promoted) != 0 {
		t.Fatalf("promoted %v then %v", r1.Promoted, r2.Promoted)
	}
}

func TestRSVPRefusedWhenNotPossible(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	windowed := f.create(t, func(in *Input) {
		in.RSVPOpens, in.RSVPCloses = "2026-01-12T09:00", "2026-01-15T09:00"
	})
	cancelled := f.create(t, nil)
	if _, err := f.s.Cancel(ctx, f.org, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	plain := f.create(t, nil)
	u := users(1)[0]

	cases := []struct {
		name string
		now  time.Time
		id   string
		want error
	}{
		{"cancelled", testNow, cancelled.ID, ErrCancelled},
		{"not yet open", testNow, windowed.ID, ErrNotOpen},
		{"closed by closing time", time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC), windowed.ID, ErrClosed},
		{"started", plain.Start, plain.ID, ErrPast},
		{"ended", plain.End.Add(time.Hour), plain.ID, ErrPast},
		{"unknown session", testNow, "nosuchsessionxxxxxxxxxxx", ErrNotFound},
	}
	for _, tc := range cases {
		f.clock.Set(tc.now)
		if _, err := f.s.RSVP(ctx, tc.id, u, true); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	f.clock.Set(time.Date(2026, 1, 13, 0, 0, 0, 0, time.UTC))
	if res, err := f.s.RSVP(ctx, windowed.ID, u, true); err != nil || res.Status != RSVPGoing {
		t.Fatalf("inside the window: %+v %v", res, err)
	}
	// After closing, dropping out is still possible until the start.
	f.clock.Set(time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC))
	if res, err := f.s.RSVP(ctx, windowed.ID, u, false); err != nil || res.Status != RSVPNotGoing {
		t.Fatalf("drop out after closing: %+v %v", res, err)
	}
	if st, _ := f.s.StatusOf(ctx, cancelled.ID, u); st.Status != RSVPNone {
		t.Fatalf("refused RSVP was stored: %+v", st)
	}
}

func TestApprovalRequired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.ApprovalRequired, in.Capacity = true, "1" })
	p := users(3)
	for _, u := range p {
		res, err := f.s.RSVP(ctx, ev.ID, u, true)
		if err != nil || res.Status != RSVPPending {
			t.Fatalf("rsvp: %+v %v", res, err)
		}
	}
	if pend, _ := f.s.Pending(ctx, ev.ID); !slices.Equal(pend, p) {
		t.Fatalf("pending %v", pend)
	}
	if _, err := f.s.Approve(ctx, f.org, ev.ID, users(1)[0]); !errors.Is(err, ErrNotPending) {
		t.Fatalf("approve a stranger: %v", err)
	}
	a0, _ := f.s.Approve(ctx, f.org, ev.ID, p[2])
	a1, _ := f.s.Approve(ctx, f.org, ev.ID, p[0])
	if a0.Status != RSVPGoing || a1.Status != RSVPWaitlisted || a1.Position != 1 {
		t.Fatalf("approvals: %+v %+v", a0, a1)
	}
	if again, _ := f.s.Approve(ctx, f.org, ev.ID, p[2]); again.Status != RSVPGoing {
		t.Fatalf("second approval: %+v", again)
	}
	if pend, _ := f.s.Pending(ctx, ev.ID); !slices.Equal(pend, p[1:2]) {
		t.Fatalf("pending after approvals %v", pend)
	}
}

func TestOrganizerRemovesAndChecksIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "2" })
	p := users(3)
	for _, u := range p {
		if _, err := f.s.RSVP(ctx, ev.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	res, err := f.s.Remove(ctx, f.org, ev.ID, p[0])
	if err != nil || res.Status != RSVPRemoved || !slices.Equal(res.Promoted, p[2:]) {
		t.Fatalf("remove: %+v %v", res, err)
	}
	if got := f.rec.of(NoticeRemoved); len(got) != 1 || got[0][0] != p[0] {
		t.Fatalf("removed notice %v", got)
	}
	if _, err := f.s.RSVP(ctx, ev.ID, p[0], true); !errors.Is(err, ErrRemoved) {
		t.Fatalf("removed person RSVPs again: %v", err)
	}

	if err := f.s.CheckIn(ctx, f.org, ev.ID, p[1], true); !errors.Is(err, ErrCheckInTooEarly) {
		t.Fatalf("check-in days before: %v", err)
	}
	f.clock.Set(ev.End.Add(24 * time.Hour)) // after the session
	if err := f.s.CheckIn(ctx, f.org, ev.ID, p[1], true); err != nil {
		t.Fatal(err)
	}
	if err := f.s.CheckIn(ctx, f.org, ev.ID, p[0], true); !errors.Is(err, ErrNotGoing) {
		t.Fatalf("check in a removed person: %v", err)
	}
	att, _ := f.s.Attendees(ctx, ev.ID)
	want := []Attendee{{p[1], true}, {p[2], false}}
	if !slices.Equal(att, want) {
		t.Fatalf("attendees %v, want %v", att, want)
	}
	if err := f.s.CheckIn(ctx, f.org, ev.ID, p[1], false); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.s.StatusOf(ctx, ev.ID, p[1]); st.CheckedIn {
		t.Fatal("check-in not undone")
	}
}

func TestEditAndCancelNotifyPeople(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "1" })
	p := users(3)
	f.s.RSVP(ctx, ev.ID, p[0], true)
	f.s.RSVP(ctx, ev.ID, p[1], true)
	f.s.RSVP(ctx, ev.ID, p[2], false)

	retitled := goodInput()
	retitled.Title, retitled.Capacity = "Intro to eBPF, part 1", "1"
	up, err := f.s.Update(ctx, f.org, ev.ID, retitled)
	if err != nil || up.Sequence != 1 || up.Title != retitled.Title {
		t.Fatalf("update: %+v %v", up, err)
	}
	if n := f.rec.of(NoticeChanged); len(n) != 0 {
		t.Fatalf("title change told people: %v", n)
	}
	moved := retitled
	moved.Start, moved.End = "2026-01-17T19:00", "2026-01-17T21:00"
	if up, err = f.s.Update(ctx, f.org, ev.ID, moved); err != nil || up.Sequence != 2 {
		t.Fatalf("move: %+v %v", up, err)
	}
	if n := f.rec.of(NoticeChanged); len(n) != 1 || !slices.Equal(n[0], p[:2]) {
		t.Fatalf("changed notice went to %v, want going+waitlisted %v", n, p[:2])
	}
	cancelled, err := f.s.Cancel(ctx, f.org, ev.ID)
	if err != nil || cancelled.Status != StatusCancelled || cancelled.Sequence != 3 {
		t.Fatalf("cancel: %+v %v", cancelled, err)
	}
	if n := f.rec.of(NoticeCancelled); len(n) != 1 || !slices.Equal(n[0], p[:2]) {
		t.Fatalf("cancelled notice went to %v", n)
	}
	if got, _ := f.s.Get(ctx, ev.ID); got.Status != StatusCancelled {
		t.Fatal("cancelled session not kept as cancelled")
	}
	if _, err := f.s.Update(ctx, f.org, ev.ID, moved); !errors.Is(err, ErrCancelled) {
		t.Fatalf("edit after cancel: %v", err)
	}
	if err := f.s.commitStale(ctx, ev); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale write: %v", err)
	}
}

// commitStale writes an old version of ev, as a concurrent editor would.
func (s *Store) commitStale(ctx context.Context, ev Event) error {
	_, err := s.commit(ctx, ev, ev)
	return err
}

func TestOnlineLinkOnlyForPeopleGoing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "1" })
	p := users(3)
	f.s.RSVP(ctx, ev.ID, p[0], true)
	f.s.RSVP(ctx, ev.ID, p[1], true)
	cases := []struct {
		name   string
		viewer Actor
		want   bool
	}{
		{"going", Actor{UserID: p[0]}, true},
		{"waitlisted", Actor{UserID: p[1]}, false},
		{"never answered", Actor{UserID: p[2]}, false},
		{"signed out", Actor{}, false},
		{"organizer", f.org, true},
	}
	for _, tc := range cases {
		st, err := f.s.StatusOf(ctx, ev.ID, tc.viewer.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if got := CanSeeLink(ev, tc.viewer, st.Status); got != tc.want {
			t.Errorf("%s: CanSeeLink = %v, want %v", tc.name, got, tc.want)
		}
	}
	hosted := ev
	hosted.Hosts = []string{p[2]}
	if !CanSeeLink(hosted, Actor{UserID: p[2]}, RSVPNone) {
		t.Error("a host cannot see the link")
	}
	ev.Status = StatusCancelled
	if CanSeeLink(ev, Actor{UserID: p[0]}, RSVPGoing) {
		t.Error("link shown for a cancelled session")
	}
}

func TestTurningApprovalOffAnswersThoseWaitingForIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.ApprovalRequired, in.Capacity = true, "2" })
	p := users(3)
	for _, u := range p {
		if _, err := f.s.RSVP(ctx, ev.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	in := goodInput()
	in.Capacity = "2"
	if _, err := f.s.Update(ctx, f.org, ev.ID, in); err != nil {
		t.Fatal(err)
	}
	if pend, _ := f.s.Pending(ctx, ev.ID); len(pend) != 0 {
		t.Fatalf("still pending after approval was turned off: %v", pend)
	}
	for i, want := range []RSVPStatus{RSVPGoing, RSVPGoing, RSVPWaitlisted} {
		if st, _ := f.s.StatusOf(ctx, ev.ID, p[i]); st.Status != want {
			t.Errorf("person %d (asked %d.) is %q, want %q", i, i+1, st.Status, want)
		}
	}
	if got := f.rec.of(NoticePromoted); len(got) != 1 || !slices.Equal(got[0], p[:2]) {
		t.Fatalf("told of their seats: %v, want the first two", got)
	}
}

// queueGoing records u's "going" the way a join that goes with it does:
// queued on a pipeline of its own, with its follow-up, which leaves
// nothing to do and the session on u's own list.
func (f fixture) queueGoing(t *testing.T, eventID, u string) RSVPResult {
	t.Helper()
	ctx := context.Background()
	ev, err := f.s.Get(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	p := f.s.rdb.Pipeline()
	get := f.s.QueueGoing(ctx, p, ev, u)
	_, _ = p.Exec(ctx)
	res, follow, err := get(true)
	if err != nil || follow != nil {
		t.Fatalf("queued going of %s: %+v %v, follow-up left %v", u, res, err, follow != nil)
	}
	if _, err := f.s.rdb.ZScore(ctx, f.s.userEventsKey(u), eventID).Result(); err != nil {
		t.Fatalf("the session is not on %s's own list: %v", u, err)
	}
	return res
}

// takeBack retracts res, u's going on eventID, and checks whether it was
// taken back and what u's answer is after it.
func (f fixture) takeBack(t *testing.T, eventID, u string, res RSVPResult, took bool, after RSVPStatus) {
	t.Helper()
	ctx := context.Background()
	got, err := f.s.Retract(ctx, eventID, u, res)
	if err != nil || got != took {
		t.Fatalf("taking back %+v: %v (%v), want %v", res, got, err, took)
	}
	if st, err := f.s.StatusOf(ctx, eventID, u); err != nil || st.Status != after {
		t.Fatalf("after taking back %+v: %q (%v), want %q", res, st.Status, err, after)
	}
}

// mustRSVP answers for u and returns the result.
func (f fixture) mustRSVP(t *testing.T, eventID, u string, going bool) RSVPResult {
	t.Helper()
	res, err := f.s.RSVP(context.Background(), eventID, u, going)
	if err != nil {
		t.Fatalf("RSVP of %s: %v", u, err)
	}
	return res
}

// A "going" whose join failed is taken back: the answer goes back to
// what it was, a seat it took goes to the head of the waitlist, and an
// answer that was the person's already, or that changed since, stays.
func TestRetractTakesBackOnlyWhatTheGoingChanged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "1" })
	p := users(4)

	seat := f.queueGoing(t, ev.ID, p[0])
	if seat.Status != RSVPGoing || seat.Before != RSVPNone {
		t.Fatalf("first going: %+v", seat)
	}
	if res := f.mustRSVP(t, ev.ID, p[1], true); res.Status != RSVPWaitlisted || res.Before != RSVPNone {
		t.Fatalf("second going: %+v", res)
	}
	f.takeBack(t, ev.ID, p[0], seat, true, RSVPNone)
	if st, _ := f.s.StatusOf(ctx, ev.ID, p[1]); st.Status != RSVPGoing {
		t.Fatalf("the seat taken back went to %q, want the head of the waitlist going", st.Status)
	}
	if got := f.rec.of(NoticePromoted); len(got) == 0 || !slices.Equal(got[len(got)-1], p[1:2]) {
		t.Fatalf("promotion notices %v, want %v told", got, p[1])
	}

	// An earlier "not going" comes back; the place on the waitlist goes.
	f.mustRSVP(t, ev.ID, p[2], false)
	wait := f.queueGoing(t, ev.ID, p[2])
	if wait.Status != RSVPWaitlisted || wait.Before != RSVPNotGoing {
		t.Fatalf("going after not going: %+v", wait)
	}
	f.takeBack(t, ev.ID, p[2], wait, true, RSVPNotGoing)
	if wl, _ := f.s.Waitlist(ctx, ev.ID); len(wl) != 0 {
		t.Fatalf("waitlist after taking back: %v", wl)
	}

	// Already waiting before: the going changed nothing, so nothing goes.
	f.mustRSVP(t, ev.ID, p[3], true)
	again := f.queueGoing(t, ev.ID, p[3])
	if again.Status != RSVPWaitlisted || again.Before != RSVPWaitlisted {
		t.Fatalf("second going of someone waiting: %+v", again)
	}
	f.takeBack(t, ev.ID, p[3], again, false, RSVPWaitlisted)

	// Answered again in between: the newer answer stays.
	fresh := f.queueGoing(t, ev.ID, p[2])
	f.mustRSVP(t, ev.ID, p[2], false)
	f.takeBack(t, ev.ID, p[2], fresh, false, RSVPNotGoing)
	if wl, _ := f.s.Waitlist(ctx, ev.ID); !slices.Equal(wl, p[3:4]) {
		t.Fatalf("waitlist at the end: %v, want %v", wl, p[3:4])
	}
}

// A going taken back after a promotion or an approval made it a seat in
// the meantime still goes, and the seat goes on to the next in line.
func TestRetractTakesBackWhatAPromotionOrApprovalMadeOfIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "1" })
	p := users(3) // p[0] seated, p[1] the newcomer, p[2] behind them
	f.mustRSVP(t, ev.ID, p[0], true)
	wait := f.queueGoing(t, ev.ID, p[1])
	f.mustRSVP(t, ev.ID, p[2], true)
	if res := f.mustRSVP(t, ev.ID, p[0], false); !slices.Equal(res.Promoted, p[1:2]) {
		t.Fatalf("dropping out: %+v, want the newcomer promoted", res)
	}
	f.takeBack(t, ev.ID, p[1], wait, true, RSVPNone)
	if st, _ := f.s.StatusOf(ctx, ev.ID, p[2]); st.Status != RSVPGoing {
		t.Fatalf("the next in line: %q, want the seat", st.Status)
	}

	approval := f.create(t, func(in *Input) { in.Capacity, in.ApprovalRequired = "1", true })
	asked := f.queueGoing(t, approval.ID, p[1])
	if asked.Status != RSVPPending {
		t.Fatalf("going to a session that needs approval: %+v", asked)
	}
	if res, err := f.s.Approve(ctx, f.org, approval.ID, p[1]); err != nil || res.Status != RSVPGoing {
		t.Fatalf("approve: %+v %v", res, err)
	}
	f.takeBack(t, approval.ID, p[1], asked, true, RSVPNone)
	if att, _ := f.s.Attendees(ctx, approval.ID); len(att) != 0 {
		t.Fatalf("going after taking back: %v", att)
	}
}

// Taking back a seat the going took frees nothing anyone heard was
// taken, so the world outside hears of no seats freed; taking back one a
// promotion gave since, with nobody left to take it, does free a seat.
func TestRetractTellsOfSeatsFreedOnlyWhenTheyAreNew(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var mu sync.Mutex
	var freed []Change
	f.s.Changed = func(_ context.Context, c Change) {
		if c.Kind == ChangeSeatsFreed {
			mu.Lock()
			defer mu.Unlock()
			freed = append(freed, c)
		}
	}
	seen := func() []Change {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(freed)
	}
	p := users(2)
	open := f.create(t, func(in *Input) { in.Capacity = "2" })
	took := f.queueGoing(t, open.ID, p[0])
	f.takeBack(t, open.ID, p[0], took, true, RSVPNone)
	if got := seen(); len(got) != 0 {
		t.Fatalf("a seat the going took, given back: %+v, want no seats freed", got)
	}

	full := f.create(t, func(in *Input) { in.Capacity = "1" })
	f.mustRSVP(t, full.ID, p[0], true)
	wait := f.queueGoing(t, full.ID, p[1])
	if res := f.mustRSVP(t, full.ID, p[0], false); !slices.Equal(res.Promoted, p[1:2]) || len(seen()) != 0 {
		t.Fatalf("dropping out: %+v, freed %+v; want the newcomer promoted and no seat free", res, seen())
	}
	f.takeBack(t, full.ID, p[1], wait, true, RSVPNone)
	if got := seen(); len(got) != 1 || got[0].EventID != full.ID || got[0].SeatsLeft != 1 {
		t.Fatalf("a promoted seat given back with nobody waiting: %+v, want one seat freed on %s", got, full.ID)
	}
}

// ownSession makes a session on a Redis of the test's own, for tests
// that flush its scripts, and returns its client and store.
func ownSession(t *testing.T) (*redis.Client, *Store, Event) {
	t.Helper()
	own := testenv.StartOwnRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: own.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	f := newFixture(t)
	s := NewStore(rdb, "t:")
	s.Now = f.s.Now
	ev, err := s.Create(context.Background(), f.org, f.group, goodInput())
	if err != nil {
		t.Fatal(err)
	}
	return rdb, s, ev
}

// A going queued while Redis had not loaded the script (after a restart)
// runs in full only when its caller still wants it: not when the join it
// went with failed. (On a server of its own: it flushes the scripts.)
func TestQueuedGoingAfterAScriptFlushRunsOnlyWhenWanted(t *testing.T) {
	rdb, s, ev := ownSession(t)
	ctx := context.Background()
	u := users(2)
	for i, want := range []bool{false, true} {
		if err := rdb.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		p := rdb.Pipeline()
		get := s.QueueGoing(ctx, p, ev, u[i])
		_, _ = p.Exec(ctx)
		res, follow, err := get(want)
		if follow != nil {
			if err := runFollowUp(ctx, rdb, follow); err != nil {
				t.Fatal(err)
			}
		}
		listed := rdb.ZScore(ctx, s.userEventsKey(u[i]), ev.ID).Err() == nil
		if listed != want {
			t.Fatalf("wanted %v: the session is on the person's own list: %v", want, listed)
		}
		st, serr := s.StatusOf(ctx, ev.ID, u[i])
		if serr != nil {
			t.Fatal(serr)
		}
		switch {
		case !want && (err == nil || st.Status != RSVPNone):
			t.Fatalf("not wanted any more: %+v %v, stored %q; want the script's error and nothing stored", res, err, st.Status)
		case want && (err != nil || res.Status != RSVPGoing || st.Status != RSVPGoing):
			t.Fatalf("still wanted: %+v %v, stored %q; want going", res, err, st.Status)
		}
	}
	// Someone going already keeps the session on their list.
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	p := rdb.Pipeline()
	get := s.QueueGoing(ctx, p, ev, u[1])
	_, _ = p.Exec(ctx)
	if _, follow, err := get(false); err == nil || follow != nil {
		t.Fatalf("not wanted any more from someone going: %v, a follow-up %v; want the script's error and none", err, follow != nil)
	}
	if err := rdb.ZScore(ctx, s.userEventsKey(u[1]), ev.ID).Err(); err != nil {
		t.Fatalf("the session left the list of someone going: %v", err)
	}
}

// A queued "going" that is refused, or does not run, leaves the person's
// own list as the answer they had: the session stays there for someone
// going before, and goes for someone who had no answer.
func TestRefusedQueuedGoingPutsTheListRight(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) {
		in.RSVPOpens, in.RSVPCloses = "2026-01-12T09:00", "2026-01-15T09:00"
	})
	p := users(2)
	going, none := p[0], p[1]
	f.clock.Set(time.Date(2026, 1, 13, 0, 0, 0, 0, time.UTC))
	f.queueGoing(t, ev.ID, going)
	f.clock.Set(time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)) // closed
	run := func(u string, want bool) (RSVPResult, error) {
		p := f.s.rdb.Pipeline()
		get := f.s.QueueGoing(ctx, p, ev, u)
		_, _ = p.Exec(ctx)
		res, follow, err := get(want)
		if follow != nil {
			if err := runFollowUp(ctx, f.s.rdb, follow); err != nil {
				t.Fatal(err)
			}
		}
		return res, err
	}
	listed := func(u string) bool {
		err := f.s.rdb.ZScore(ctx, f.s.userEventsKey(u), ev.ID).Err()
		if err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		return err == nil
	}
	for _, u := range []string{going, none} {
		res, err := run(u, true)
		if !errors.Is(err, ErrClosed) || !res.ran {
			t.Fatalf("going after closing: %+v %v, want ErrClosed", res, err)
		}
	}
	if !listed(going) || listed(none) {
		t.Fatalf("after the refusals: listed %v and %v, want true and false", listed(going), listed(none))
	}
}

// failLoneHGet fails every HGET sent alone, as when Redis goes away
// between a pipeline and the read after it.
type failLoneHGet struct{}

func (failLoneHGet) DialHook(next redis.DialHook) redis.DialHook { return next }

func (failLoneHGet) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "hget" {
			cmd.SetErr(errors.New("connection lost"))
			return cmd.Err()
		}
		return next(ctx, cmd)
	}
}

func (failLoneHGet) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// A going that did not run, whose answer before cannot be read either,
// leaves the person's own list as it is: the session stays on the list
// of someone going. (On a server of its own: it flushes the scripts.)
func TestAGoingNotRunWithItsAnswerUnreadableKeepsTheList(t *testing.T) {
	rdb, s, ev := ownSession(t)
	ctx := context.Background()
	u := users(1)[0]
	if _, err := s.RSVP(ctx, ev.ID, u, true); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	failing := redis.NewClient(rdb.Options())
	t.Cleanup(func() { _ = failing.Close() })
	failing.AddHook(failLoneHGet{})
	fs := NewStore(failing, "t:")
	fs.Now = s.Now
	p := failing.Pipeline()
	get := fs.QueueGoing(ctx, p, ev, u)
	_, _ = p.Exec(ctx)
	if _, follow, err := get(false); err == nil || follow != nil {
		t.Fatalf("a going not run, its answer unreadable: %v, a follow-up %v; want the script's error and none", err, follow != nil)
	}
	if err := rdb.ZScore(ctx, s.userEventsKey(u), ev.ID).Err(); err != nil {
		t.Fatalf("the session left the list of someone going: %v", err)
	}
}
