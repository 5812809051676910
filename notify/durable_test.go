package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/mail"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/notices"
	"github.com/focusgroups/focusgroups/notify"
)

// restarted is a second process on the same Redis: fresh stores, a
// working notifier, and a relay whose clock is later by offset.
func (f *fixture) restarted(offset time.Duration) (*events.Store, *notices.Relay) {
	es := events.NewStore(f.rdb, f.prefix)
	n := &notify.Notifier{Users: f.users, Groups: f.groups, Events: es, Mail: f.mail, BaseURL: "https://fg.example",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	es.Notify = n.EventNotice
	r := notices.New(f.rdb, f.prefix)
	r.Now = func() time.Time { return time.Now().Add(offset) }
	es.RegisterNotices(r)
	return es, r
}

// The process stops between the script that promotes someone and the
// relay that mails them, either before the mail is queued or after it was
// queued but before the notice was forgotten. A fresh process's sweep
// sends the mail, and sends it once.
func TestPromotionMailSurvivesAStopBetweenScriptAndRelay(t *testing.T) {
	cases := []struct {
		name string
		// dying is the first process's Notify: it stops before or after
		// the real one.
		dying func(real func(context.Context, events.Notice) error) func(context.Context, events.Notice) error
	}{
		{"before the mail is queued", func(func(context.Context, events.Notice) error) func(context.Context, events.Notice) error {
			return func(context.Context, events.Notice) error { return errors.New("process killed") }
		}},
		{"after the mail is queued", func(real func(context.Context, events.Notice) error) func(context.Context, events.Notice) error {
			return func(ctx context.Context, n events.Notice) error {
				if err := real(ctx, n); err != nil {
					return err
				}
				return errors.New("process killed before forgetting the notice")
			}
		}},
		{"with its context cancelled", func(real func(context.Context, events.Notice) error) func(context.Context, events.Notice) error {
			return func(ctx context.Context, n events.Notice) error {
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				return real(ctx, n)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ada, bo := f.member("Ada", "UTC"), f.member("Bo", "Europe/Berlin")
			ev := f.session("1", 48*time.Hour)
			for _, u := range []string{ada.ID, bo.ID} {
				if _, err := f.events.RSVP(f.ctx, ev.ID, u, true); err != nil {
					t.Fatal(err)
				}
			}
			first := notices.New(f.rdb, f.prefix)
			f.events.RegisterNotices(first)
			f.events.Notify = tc.dying(f.n.EventNotice)

			res, err := f.events.RSVP(f.ctx, ev.ID, ada.ID, false)
			if err != nil {
				t.Fatalf("dropping out must succeed even when the mail cannot be queued: %v", err)
			}
			if len(res.Promoted) != 1 || res.Promoted[0] != bo.ID {
				t.Fatalf("promoted %v, want Bo", res.Promoted)
			}
			if st, _ := f.events.StatusOf(f.ctx, ev.ID, bo.ID); st.Status != events.RSVPGoing {
				t.Fatalf("Bo is %q, want going", st.Status)
			}

			// A new process that sweeps before the lease is over leaves the
			// notice to the request that may still be relaying it.
			_, early := f.restarted(0)
			if n, err := early.Sweep(f.ctx); err != nil || n != 0 {
				t.Fatalf("sweep within the lease drained %d (%v), want 0", n, err)
			}
			// After the lease it takes over.
			_, late := f.restarted(notices.DefaultLease + time.Second)
			if n, err := late.Sweep(f.ctx); err != nil || n != 1 {
				t.Fatalf("sweep after the lease drained %d (%v), want 1", n, err)
			}
			if n, err := late.Sweep(f.ctx); err != nil || n != 0 {
				t.Fatalf("second sweep drained %d (%v), want 0: the notice is forgotten", n, err)
			}
			if n, err := late.Pending(f.ctx); err != nil || n != 0 {
				t.Fatalf("%d marks left (%v), want 0", n, err)
			}
			f.drained()
			got := f.mailsTo("bo@example.com", 1)
			if got[0].Subject != "You have a seat: Profiling Go" {
				t.Fatalf("Bo got %q", got[0].Subject)
			}
			if keys, err := f.rdb.Keys(f.ctx, f.prefix+"event:{"+ev.ID+"}:notices").Result(); err != nil || len(keys) != 0 {
				t.Fatalf("notices stream left behind: %v (%v)", keys, err)
			}
		})
	}
}

// An approval whose mail could not be queued (Redis reads failed in the
// relay) is mailed by the sweep, once.
func TestJoinOutcomeMailSurvivesAFailedRelay(t *testing.T) {
	f := newFixture(t)
	g, err := f.groups.Create(f.ctx, f.owner.ID, groups.Input{Name: "Reviewed Circle", Slug: "reviewed-circle", Online: true,
		JoinPolicy: groups.Approval})
	if err != nil {
		t.Fatal(err)
	}
	cy := f.person("Cy", "Asia/Tokyo")
	first := notices.New(f.rdb, f.prefix)
	f.groups.RegisterNotices(first)
	f.groups.Notify = func(context.Context, groups.Notice) error { return errors.New("redis read timed out") }
	if err := f.groups.Apply(f.ctx, g.ID, cy.ID, "", cy.VerifiedEmails()); err != nil {
		t.Fatal(err)
	}
	if err := f.groups.Approve(f.ctx, g.ID, f.owner.ID, cy.ID); err != nil {
		t.Fatalf("approving must not fail because the mail could not be queued: %v", err)
	}

	f.groups.Notify = f.n.GroupNotice
	later := notices.New(f.rdb, f.prefix)
	later.Now = func() time.Time { return time.Now().Add(notices.DefaultLease + time.Second) }
	f.groups.RegisterNotices(later)
	for range 2 {
		if _, err := later.Sweep(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.drained()
	if got := f.mailsTo("cy@example.com", 1); got[0].Subject != "Your request to join Reviewed Circle was approved" {
		t.Fatalf("Cy got %q", got[0].Subject)
	}
	f.mailsTo("owner@example.com", 1) // the join request, once
}

// The crash test of issue 10, in one process: 200 people going and 200
// waiting; the 200 going cancel, 50 at a time; the process dies after 60
// relays. A fresh process's sweep mails everyone who got a seat, once.
func TestPromotionStormWithACrashLosesNoMail(t *testing.T) {
	f := newFixture(t)
	const n = 200
	ev := f.session(strconv.Itoa(n), 72*time.Hour)
	people := make([]*auth.User, 2*n)
	for i := range people {
		people[i] = f.member(fmt.Sprintf("p%03d", i), "UTC")
		if _, err := f.events.RSVP(f.ctx, ev.ID, people[i].ID, true); err != nil {
			t.Fatal(err)
		}
	}
	f.events.RegisterNotices(notices.New(f.rdb, f.prefix))
	var relayed atomic.Int64
	f.events.Notify = func(ctx context.Context, note events.Notice) error {
		if relayed.Add(1) > 60 {
			return errors.New("process killed")
		}
		return f.n.EventNotice(ctx, note)
	}
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, u := range people[:n] {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := f.events.RSVP(f.ctx, ev.ID, u.ID, false); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	_, relay := f.restarted(notices.DefaultLease + time.Second)
	if _, err := relay.Sweep(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.drained()
	list, err := f.mail.Mailbox.List(f.ctx, 500)
	if err != nil {
		t.Fatal(err)
	}
	seats := map[string]int{}
	for _, m := range list {
		if m.Kind == mail.KindPromoted {
			seats[m.To]++
		}
	}
	for _, u := range people[n:] {
		if got := seats[u.PrimaryEmail()]; got != 1 {
			t.Errorf("%s got %d 'you have a seat' mails, want 1", u.Name, got)
		}
	}
	if len(seats) != n {
		t.Fatalf("%d people got a seat mail, want %d", len(seats), n)
	}
}
