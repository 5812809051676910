//go:build faults

package faultcheck

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
)

// redisOutageDuringStorm: signed-in people load the session page and press
// Going / Not going as fast as they can for -storm; in its middle Redis is
// unavailable for -redis-outage, once per variant. Every answer must be a
// 2xx, a 3xx that is not "sign in", or a 503 with Retry-After; afterwards
// everyone must still be signed in.
func redisOutageDuringStorm(t *testing.T, r *report) {
	ctx := context.Background()
	e := newEnv(t)
	s := newSeeder(e.RDB)
	org, err := s.person(ctx, "Storm Organizer", "organizer@faults.test")
	if err != nil {
		t.Fatal(err)
	}
	for v, variant := range strings.Split(*redisVariant, ",") {
		var stop, start func() error
		switch variant {
		case "shutdown":
			stop, start = e.Redis.shutdown, e.Redis.start
		case "sigstop":
			stop, start = e.Redis.pause, e.Redis.resume
		default:
			t.Fatalf("unknown -redis-variants entry %q: use shutdown or sigstop", variant)
		}
		var users []*auth.User
		for i := range *stormPeople {
			u, err := s.person(ctx, fmt.Sprintf("Storm %s %02d", variant, i), fmt.Sprintf("storm-%s-%02d@faults.test", variant, i))
			if err != nil {
				t.Fatal(err)
			}
			users = append(users, u)
		}
		g, err := s.group(ctx, org, "Storm Check "+variant, users)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := s.session(ctx, org, g, "Storm check "+variant, "10")
		if err != nil {
			t.Fatal(err)
		}
		people := make([]*person, len(users))
		var signErr error
		var mu sync.Mutex
		forEach(len(users), 10, func(i int) {
			p := newPerson(e.App.Base, users[i].Name, users[i].PrimaryEmail(), 1000*(v+1)+i)
			if err := p.devSignIn(ctx); err != nil {
				mu.Lock()
				signErr = err
				mu.Unlock()
			}
			people[i] = p
		})
		if signErr != nil {
			t.Fatal(signErr)
		}
		st := storm(t, people, "/s/"+ev.ID, *stormFor, *redisOutage, stop, start,
			func() error { return e.App.waitReady(30 * time.Second) })
		if err := e.App.waitReady(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		profile := tally{}
		forEach(len(people), 10, func(i int) {
			c := classify(people[i].do(ctx, http.MethodGet, "/profile", nil))
			mu.Lock()
			profile[c]++
			mu.Unlock()
		})

		name := variant + ": "
		r.info(name+"outage", "%s: %s stopping, %s down, %s starting (%s)", st.outage.Round(time.Millisecond),
			st.stopTook.Round(time.Millisecond), *redisOutage, st.startTook.Round(time.Millisecond), map[string]string{
				"shutdown": "SHUTDOWN, AOF flushed, restarted on the same port", "sigstop": "SIGSTOP, then SIGCONT"}[variant])
		r.info(name+"requests", "%d in %s by %d people; slowest %s", st.requests, st.took.Round(100*time.Millisecond), len(people), st.slowest.Round(time.Millisecond))
		r.info(name+"app ready again after Redis answers", "%s (go-redis probes a server it failed to reach once a second; 503 until then)",
			st.recoverTook.Round(time.Millisecond))
		r.info(name+"answers overlapping the outage", "%s", st.during)
		r.info(name+"answers before or after it", "%s", st.outside)
		bad := tally{}
		for _, tl := range []tally{st.during, st.outside} {
			for k, n := range tl {
				if !acceptable(k) {
					bad[k] += n
				}
			}
		}
		r.check(t, name+"answers other than 2xx, 3xx or 503+Retry-After", "none", len(bad) == 0, "%s", bad)
		r.check(t, name+"503s without Retry-After", "0", st.during["503 without Retry-After"]+st.outside["503 without Retry-After"] == 0,
			"%d", st.during["503 without Retry-After"]+st.outside["503 without Retry-After"])
		r.check(t, name+"first request of each person once the app is ready again", fmt.Sprintf("%d signed in", len(people)),
			st.firstAfter["2xx"]+st.firstAfter["3xx"] == len(people), "%s", st.firstAfter)
		r.check(t, name+"still signed in afterwards (GET /profile 200)", fmt.Sprintf("%d of %d", len(people), len(people)),
			profile["2xx"] == len(people), "%d of %d (%s)", profile["2xx"], len(people), profile)
	}
}

// stormResult is what one storm saw, by when each request started.
type stormResult struct {
	during, outside tally
	// firstAfter is each person's first request once the app is ready
	// again (/readyz 200) after Redis is back.
	firstAfter    tally
	requests      int
	took, slowest time.Duration
	// outage is from the stop to the first PING answered after the start;
	// stopping and starting (AOF replay) take part of it. recoverTook is
	// from then until the app's /readyz answers 200.
	outage, stopTook, startTook, recoverTook time.Duration
}

// storm has every person load page and answer its RSVP form, again and
// again, for d and until they have made a request once the app is ready
// again; stop and start make Redis unavailable for outage in the middle of
// d, and ready waits until the app answers /readyz again.
func storm(t *testing.T, people []*person, page string, d, outage time.Duration, stop, start, ready func() error) stormResult {
	ctx := context.Background()
	res := stormResult{during: tally{}, outside: tally{}, firstAfter: tally{}}
	var mu sync.Mutex
	var from, to time.Time // the outage window; zero until it happens
	began := time.Now()
	end := began.Add(d)
	// A request overlaps the outage when it ends after Redis went away and
	// starts before Redis is back.
	record := func(at time.Time, rep reply, seenAfter *bool) {
		done := time.Now()
		mu.Lock()
		defer mu.Unlock()
		if !to.IsZero() && at.After(to) && !*seenAfter {
			*seenAfter = true
			res.firstAfter[classify(rep)]++
		}
		res.requests++
		res.slowest = max(res.slowest, done.Sub(at))
		tl := res.outside
		if !from.IsZero() && done.After(from) && (to.IsZero() || at.Before(to)) {
			tl = res.during
		}
		tl[classify(rep)]++
	}
	var wg sync.WaitGroup
	for _, p := range people {
		wg.Go(func() {
			seenAfter := false
			for {
				// Go on past the end until this person has made a request
				// after Redis is back (bounded, should Redis never return).
				mu.Lock()
				stop := !time.Now().Before(end) && (seenAfter || time.Now().After(end.Add(30*time.Second)))
				mu.Unlock()
				if stop {
					break
				}
				at := time.Now()
				show := p.do(ctx, http.MethodGet, page, nil)
				if show.Err == nil && show.Status == http.StatusOK && !strings.Contains(show.Body, `action="/signout"`) {
					show.Status = 0 // the page shows a signed-out visitor
					show.Err = errSignedOut
				}
				record(at, show, &seenAfter)
				form, ok := formFields(show.Body)
				if show.Err != nil || show.Status != http.StatusOK || !ok {
					continue
				}
				form.Set("going", "no")
				if strings.Contains(show.Body, `name="going" value="yes"`) {
					form.Set("going", "yes")
				}
				at = time.Now()
				rep := p.do(ctx, http.MethodPost, page+"/rsvp", form)
				record(at, rep, &seenAfter)
			}
		})
	}
	time.Sleep(d/2 - outage/2)
	mu.Lock()
	from = time.Now()
	mu.Unlock()
	if err := stop(); err != nil {
		t.Errorf("stop Redis: %v", err)
	}
	res.stopTook = time.Since(from)
	time.Sleep(outage)
	restart := time.Now()
	if err := start(); err != nil {
		t.Fatalf("start Redis again: %v", err)
	}
	back := time.Now()
	if err := ready(); err != nil {
		t.Fatalf("the app did not get ready after Redis came back: %v", err)
	}
	mu.Lock()
	to = time.Now()
	res.startTook, res.outage, res.recoverTook = back.Sub(restart), back.Sub(from), to.Sub(back)
	mu.Unlock()
	wg.Wait()
	res.took = time.Since(began)
	return res
}

type signedOutError struct{}

func (signedOutError) Error() string { return "page shows a signed-out visitor" }

var errSignedOut error = signedOutError{}

// classify names the kind of answer a reply is, for the tallies.
func classify(rep reply) string {
	switch {
	case rep.Err == errSignedOut:
		return "page signed out"
	case rep.Err != nil:
		return "transport error"
	case rep.Status >= 200 && rep.Status < 300:
		return "2xx"
	case rep.Status >= 300 && rep.Status < 400:
		if strings.HasPrefix(rep.Header.Get("Location"), "/signin") {
			return "3xx to /signin"
		}
		return "3xx"
	case rep.Status == http.StatusServiceUnavailable:
		if rep.Header.Get("Retry-After") == "" {
			return "503 without Retry-After"
		}
		return "503+Retry-After"
	}
	return fmt.Sprint(rep.Status)
}

// acceptable says whether an answer of this kind is right during an outage.
func acceptable(kind string) bool {
	return kind == "2xx" || kind == "3xx" || kind == "503+Retry-After"
}
