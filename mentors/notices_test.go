package mentors

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/notices"
)

// A mentoring decision whose mail could not be handed over right away
// (the process stopped, Redis reads failed) is not lost: the relay's sweep
// hands it over later, once, and nothing else is sent again.
func TestADecisionIsToldOnceEvenWhenTheFirstRelayFails(t *testing.T) {
	f := newFixture(t)
	relay := notices.New(f.rdb, f.prefix)
	relay.Now = f.Now
	f.RegisterNotices(relay)
	record := f.Notify
	f.Notify = func(context.Context, Notice) error { return errors.New("process stopped") }

	mentor, mentee := f.mentor(t, nil), f.mentee(t, nil)
	req, err := f.Ask(f.ctx, mentee, mentor, "Could you help me with Go?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accept(f.ctx, mentor, req.ID); err != nil {
		t.Fatalf("accepting must not fail because the mail could not be queued: %v", err)
	}
	if got := f.noticesTo(mentee); len(got) != 0 {
		t.Fatalf("notices handed over while Notify failed: %v", got)
	}

	f.Notify = record
	if n, err := relay.Sweep(f.ctx); n != 0 || err != nil {
		t.Fatalf("sweep within the lease drained %d (%v)", n, err)
	}
	f.advance(notices.DefaultLease + time.Second)
	if n, err := relay.Sweep(f.ctx); n != 1 || err != nil {
		t.Fatalf("sweep drained %d (%v), want the mentor's stream", n, err)
	}
	if got := f.noticesTo(mentee); !slices.Equal(got, []NoticeKind{NoticeRequestAccepted}) {
		t.Fatalf("mentee was told %v, want the acceptance once", got)
	}
	if got := f.noticesTo(mentor); !slices.Equal(got, []NoticeKind{NoticeRequestReceived}) {
		t.Fatalf("mentor was told %v, want the request once", got)
	}
	f.advance(notices.DefaultLease + time.Second)
	if n, err := relay.Sweep(f.ctx); n != 0 || err != nil {
		t.Fatalf("second sweep drained %d (%v), want nothing left", n, err)
	}
	if len(f.noticesTo(mentee))+len(f.noticesTo(mentor)) != 2 {
		t.Fatal("a notice was handed over twice")
	}
}
