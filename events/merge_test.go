package events

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

func mustRSVP(t testing.TB, f fixture, eventID, uid string, going bool) {
	t.Helper()
	if _, err := f.s.RSVP(context.Background(), eventID, uid, going); err != nil {
		t.Fatalf("rsvp %s: %v", uid, err)
	}
}

func status(t testing.TB, f fixture, eventID, uid string) RSVPStatus {
	t.Helper()
	st, err := f.s.StatusOf(context.Background(), eventID, uid)
	if err != nil {
		t.Fatal(err)
	}
	return st.Status
}

func TestMergeRSVPsKeepsTheBetterStandingAndSeatsExact(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	two := func(in *Input) { in.Capacity = "2" }
	// 1: the guest has a seat, the account nothing: the account takes it.
	// 2: the guest is waitlisted, the account going: the account keeps its
	//    seat and the guest's place goes.
	// 3: both going: one seat frees, and the next waiting person gets it.
	// 4: the account was removed: it stays removed, the seat is handed on.
	e1, e2, e3, e4 := f.create(t, two), f.create(t, two), f.create(t, two), f.create(t, two)
	p := users(6)
	guest, acct, other, waiting := p[0], p[1], p[2], p[3]
	mustRSVP(t, f, e1.ID, guest, true)
	mustRSVP(t, f, e1.ID, other, true)
	mustRSVP(t, f, e1.ID, waiting, true)
	mustRSVP(t, f, e2.ID, acct, true)
	mustRSVP(t, f, e2.ID, other, true)
	mustRSVP(t, f, e2.ID, guest, true)
	mustRSVP(t, f, e3.ID, guest, true)
	mustRSVP(t, f, e3.ID, acct, true)
	mustRSVP(t, f, e3.ID, waiting, true)
	mustRSVP(t, f, e4.ID, acct, true)
	if _, err := f.s.Remove(ctx, f.org, e4.ID, acct); err != nil {
		t.Fatal(err)
	}
	mustRSVP(t, f, e4.ID, guest, true)
	mustRSVP(t, f, e4.ID, other, true)
	mustRSVP(t, f, e4.ID, waiting, true)

	moved, err := f.s.MergeRSVPs(ctx, guest, acct)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		ev            Event
		acct, waiting RSVPStatus
	}{
		{e1, RSVPGoing, RSVPWaitlisted},
		{e2, RSVPGoing, RSVPNone},
		{e3, RSVPGoing, RSVPGoing},
		{e4, RSVPRemoved, RSVPGoing},
	}
	for i, w := range want {
		if got := status(t, f, w.ev.ID, acct); got != w.acct {
			t.Errorf("session %d: account is %q, want %q", i+1, got, w.acct)
		}
		if got := status(t, f, w.ev.ID, guest); got != RSVPNone {
			t.Errorf("session %d: the guest still is %q", i+1, got)
		}
		if w.waiting != RSVPNone {
			if got := status(t, f, w.ev.ID, waiting); got != w.waiting {
				t.Errorf("session %d: the waiting person is %q, want %q", i+1, got, w.waiting)
			}
		}
		going, err := f.s.Attendees(ctx, w.ev.ID)
		if err != nil || len(going) > 2 {
			t.Errorf("session %d: %d going (%v)", i+1, len(going), err)
		}
	}
	if len(moved) != 3 {
		t.Errorf("moved %v, want the three sessions the account now attends", moved)
	}
	if got := f.rec.of(NoticePromoted); len(got) != 2 {
		t.Errorf("promotion notices %v, want one each for sessions 3 and 4", got)
	}
}

func TestMergingManyGuestsAtOnceKeepsOneRSVPPerPerson(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "5" })
	const n = 12
	guests, accts := users(n), users(n)
	for i := range n {
		mustRSVP(t, f, ev.ID, guests[i], true)
	}
	var wg sync.WaitGroup
	for i := range n {
		for range 2 { // the same merge twice at once, as two sign-ins would
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.s.MergeRSVPs(ctx, guests[i], accts[i]); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	going, err := f.s.Attendees(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := f.s.Waitlist(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(going) != 5 || len(waiting) != n-5 {
		t.Fatalf("%d going and %d waiting, want 5 and %d", len(going), len(waiting), n-5)
	}
	for i := range n {
		if st := status(t, f, ev.ID, guests[i]); st != RSVPNone {
			t.Errorf("guest %d still %q", i, st)
		}
		if st := status(t, f, ev.ID, accts[i]); st != RSVPGoing && st != RSVPWaitlisted {
			t.Errorf("account %d is %q", i, st)
		}
	}
}

// BenchmarkMergeGuestWith50RSVPs moves a guest's 50 answers to an account.
func BenchmarkMergeGuestWith50RSVPs(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	evs := make([]Event, 50)
	for i := range evs {
		evs[i] = f.create(b, func(in *Input) { in.Title = fmt.Sprint("Session ", i); in.Capacity = "10" })
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		guest, acct := users(2)[0], users(1)[0]
		for _, ev := range evs {
			mustRSVP(b, f, ev.ID, guest, true)
		}
		b.StartTimer()
		moved, err := f.s.MergeRSVPs(ctx, guest, acct)
		if err != nil || len(moved) != 50 {
			b.Fatalf("moved %d: %v", len(moved), err)
		}
	}
}
