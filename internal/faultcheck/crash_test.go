//go:build faults

package faultcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
)

const (
	crashSeats       = 200
	crashConcurrency = 50
	crashKillAfter   = 60
	seatSubject      = "You have a seat"
)

// crashDuringPromotions: 200 people going and 200 waiting for one session.
// The 200 going give their seats back through the emailed RSVP link, 50 at
// a time; the app is SIGKILLed after the 60th successful answer, started
// again, and all 200 answers are sent again (they are idempotent). Every
// one of the 200 waiting people must get exactly one "You have a seat".
func crashDuringPromotions(t *testing.T, r *report) {
	ctx := context.Background()
	e := newEnv(t)
	s := newSeeder(e.RDB)
	org, err := s.person(ctx, "Crash Organizer", "organizer@faults.test")
	if err != nil {
		t.Fatal(err)
	}
	var going, waiting []*auth.User
	for i := range 2 * crashSeats {
		u, err := s.person(ctx, fmt.Sprintf("Crash Person %03d", i), fmt.Sprintf("crash%03d@faults.test", i))
		if err != nil {
			t.Fatal(err)
		}
		if i < crashSeats {
			going = append(going, u)
		} else {
			waiting = append(waiting, u)
		}
	}
	g, err := s.group(ctx, org, "Crash Check Group", append(append([]*auth.User{}, going...), waiting...))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.session(ctx, org, g, "Crash check session", fmt.Sprint(crashSeats))
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range append(append([]*auth.User{}, going...), waiting...) {
		res, err := s.events.RSVP(ctx, ev.ID, u.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]events.RSVPStatus{true: events.RSVPGoing, false: events.RSVPWaitlisted}[i < crashSeats]; res.Status != want {
			t.Fatalf("seeding: person %d is %s, want %s", i, res.Status, want)
		}
	}
	ids := make([]string, len(going))
	for i, u := range going {
		ids[i] = u.ID
	}
	tokens, err := s.events.IssueRSVPTokens(ctx, ev, ids)
	if err != nil {
		t.Fatal(err)
	}
	people := make([]*person, len(going))
	for i, u := range going {
		people[i] = newPerson(e.App.Base, u.Name, u.PrimaryEmail(), i)
	}
	cancel := func(ctx context.Context, i int) reply {
		return people[i].do(ctx, http.MethodPost, "/rsvp/"+tokens[going[i].ID], url.Values{"answer": {"not-going"}})
	}

	// Round 1: cancel 50 at a time; SIGKILL the app after 60 successes.
	var ok1 atomic.Int64
	var killOnce sync.Once
	killed := make(chan struct{})
	crash := func() { close(killed); e.App.kill() }
	first := tally{}
	var mu sync.Mutex
	forEach(crashSeats, crashConcurrency, func(i int) {
		select {
		case <-killed:
			return // the app is gone; nobody else gets an answer
		default:
		}
		rep := cancel(ctx, i)
		mu.Lock()
		first.add(rep)
		mu.Unlock()
		if rep.Err == nil && rep.Status == http.StatusOK && ok1.Add(1) == crashKillAfter {
			killOnce.Do(crash)
		}
	})
	killOnce.Do(crash) // fewer than 60 succeeded: crash all the same
	seatsBeforeRestart := len(e.SMTP.received(seatSubject))
	r.info("round 1 answers (SIGKILL after the 60th 200)", "%s", first)
	r.info("seat mails delivered before the restart", "%d", seatsBeforeRestart)

	if err := e.App.start(); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()

	// Round 2: every one of the 200 answers again, as people retry.
	second := tally{}
	forEach(crashSeats, crashConcurrency, func(i int) {
		rep := cancel(ctx, i)
		mu.Lock()
		second.add(rep)
		mu.Unlock()
	})
	r.check(t, "round 2 answers (all 200 retried)", "all 200", second.count(200) == crashSeats, "%s", second)

	// Seats: every waiting person must now be going.
	promoted := 0
	for _, u := range waiting {
		st, err := s.events.StatusOf(ctx, ev.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status == events.RSVPGoing {
			promoted++
		}
	}
	r.check(t, "waiting people who got a seat", "200", promoted == crashSeats, "%d of %d", promoted, crashSeats)

	// Mail: wait, bounded, for every promoted person's "You have a seat".
	want := map[string]bool{}
	for _, u := range waiting {
		want[strings.ToLower(u.PrimaryEmail())] = true
	}
	got := waitMails(t, e.SMTP, seatSubject, want, restarted.Add(*promoteWait))
	lost, dups, strays := 0, 0, 0
	for addr := range want {
		if got[addr] == 0 {
			lost++
		}
	}
	for addr, n := range got {
		if !want[addr] {
			strays += n
			continue
		}
		dups += n - 1
	}
	r.info("waited after restart", "%s (bound %s)", time.Since(restarted).Round(time.Second), *promoteWait)
	var last time.Time
	for _, m := range e.SMTP.mailsWith(seatSubject) {
		if m.At.After(last) {
			last = m.At
		}
	}
	if last.After(restarted) {
		r.info("last \"You have a seat\" arrived at", "restart +%s", last.Sub(restarted).Round(time.Second))
	}
	r.check(t, "promoted people without \"You have a seat\"", "0", lost == 0, "lost %d of %d", lost, crashSeats)
	// SMTP has no two-phase commit: a mail the server accepted just before
	// the SIGKILL, but that was not yet recorded as sent, goes out again
	// after the reclaim. That is at most one per mail worker (4).
	r.check(t, "duplicate \"You have a seat\" mails", "at most 4 (in flight at the SIGKILL)", dups <= mailWorkers, "%d", dups)
	r.check(t, "\"You have a seat\" to people never waiting", "0", strays == 0, "%d", strays)
}

// forEach runs fn for 0..n-1 on width goroutines.
func forEach(n, width int, fn func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range width {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// waitMails polls the sink until every address in want has a mail whose
// subject starts with subject, or until deadline; it logs progress every
// 30 s and returns the per-address counts.
func waitMails(t *testing.T, s *sink, subject string, want map[string]bool, deadline time.Time) map[string]int {
	lastLog := time.Now()
	for {
		got := s.received(subject)
		have := 0
		for addr := range want {
			if got[addr] > 0 {
				have++
			}
		}
		if have == len(want) || !time.Now().Before(deadline) {
			return got
		}
		if time.Since(lastLog) >= 30*time.Second {
			t.Logf("%q: %d of %d arrived; waiting until %s", subject, have, len(want), deadline.Format("15:04:05"))
			lastLog = time.Now()
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// tally counts answers by status code (and transport errors).
type tally map[string]int

func (t tally) add(r reply) {
	if r.Err != nil {
		t["error"]++
		return
	}
	t[fmt.Sprint(r.Status)]++
}

func (t tally) count(status int) int { return t[fmt.Sprint(status)] }

func (t tally) String() string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s:%d", k, t[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
