package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// The RSVP POST benchmark of issue 12: rsvpPeople distinct signed-in
// people, none yet a member, each say once that they are going to a
// session of an open public group with rsvpSeats seats, so every answer
// also joins the group. Afterwards exactly rsvpSeats must be going and the
// rest waitlisted in the order the app told them.
const (
	rsvpPeople = 10_000
	rsvpSeats  = 1_000
)

// newSecret is the app's SESSION_SECRET for the run; the benchmark signs
// its RSVP people in with the same one (see rsvpSessions).
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// rsvpPerson is one person of the RSVP benchmark and their session of the
// current round.
type rsvpPerson struct {
	id, cookie, token string
}

// parallel runs f for 0..n-1 on 16 goroutines and returns the first error.
func parallel(n int, f func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for w := range errs {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := f(i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// rsvpPeople creates the people through the app's own user store, with a
// verified address each, so their answers schedule reminders.
func (b *bench) rsvpPeople(ctx context.Context) ([]rsvpPerson, error) {
	users := auth.NewStore(b.rdb, "fg:")
	people := make([]rsvpPerson, rsvpPeople)
	err := parallel(rsvpPeople, func(i int) error {
		name := fmt.Sprintf("Bench Guest %05d", i)
		sub := auth.DevSubject(name)
		u, _, err := users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: sub, Login: sub, Name: name,
			Emails: []auth.Email{{Address: sub + "@bench.example", Verified: true}}})
		if err != nil {
			return err
		}
		people[i].id = u.ID
		return nil
	})
	return people, err
}

// rsvpSession creates round's open public group and its session with
// rsvpSeats seats, hosted by host.
func rsvpSession(ctx context.Context, b *bench, host string, round int) (events.Event, error) {
	gs, es := groups.NewStore(b.rdb, "fg:"), events.NewStore(b.rdb, "fg:")
	g, err := gs.Create(ctx, host, groups.Input{Name: "Bench RSVP round " + strconv.Itoa(round+1),
		Slug: "bench-rsvp-" + strconv.Itoa(round+1), Description: "Ten thousand people, a thousand seats.",
		Topics: []string{"go", "benchmarks"}, City: "Berlin", Online: true})
	if err != nil {
		return events.Event{}, err
	}
	at := time.Now().UTC().AddDate(0, 0, 14).Truncate(time.Hour)
	return es.Create(ctx, events.Actor{UserID: host, Organizer: true}, g.ID, events.Input{
		Title: "A thousand seats", Description: "First come, first seated.", Format: "talk",
		Start: at.Format("2006-01-02T15:04"), End: at.Add(2 * time.Hour).Format("2006-01-02T15:04"),
		TimeZone: "Europe/Berlin", Venue: "Betahaus, Berlin", Capacity: strconv.Itoa(rsvpSeats), Listed: true})
}

// rsvpSessions signs every person in afresh, through the app's own session
// store and the app's secret, so each round starts from new sessions, and
// writes "cookie<TAB>token" lines for the load
// generator. Signing 10,000 people in through the development form would
// meet its per-IP rate limit.
func (b *bench) rsvpSessions(ctx context.Context, people []rsvpPerson, path string) error {
	sessions := auth.NewSessions(auth.NewStore(b.rdb, "fg:"), false, []byte(b.secret))
	err := parallel(len(people), func(i int) error {
		s, _, err := sessions.Load(ctx, "")
		if err != nil {
			return err
		}
		s.SignIn(people[i].id)
		cookie, _, _, err := sessions.Save(ctx, s)
		if err != nil {
			return err
		}
		people[i].cookie, people[i].token = cookie, sessions.CSRFToken(s)
		return nil
	})
	if err != nil {
		return err
	}
	var sb strings.Builder
	for _, p := range people {
		sb.WriteString(p.cookie + "\t" + p.token + "\n")
	}
	return os.WriteFile(path, []byte(sb.String()), 0o600)
}

// checkToken makes sure the app hands person the CSRF token the benchmark
// computed, on the session page they would press the button on.
func (b *bench) checkToken(p rsvpPerson, sessionID string) error {
	req, _ := http.NewRequest(http.MethodGet, b.appURL+"/s/"+sessionID, nil)
	req.Header.Set("Cookie", auth.SessionCookie(false)+"="+p.cookie)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	m := csrfField.FindSubmatch(body)
	if r.StatusCode != http.StatusOK || m == nil || string(m[1]) != p.token {
		return fmt.Errorf("the session page (%d) does not carry the CSRF token the benchmark computed", r.StatusCode)
	}
	return nil
}

var waitlistPlace = regexp.MustCompile(`You are number (\d+) on the waitlist`)

// checkRSVP checks that the round was exact: every person was told
// either "going" or a waitlist place (in the flash cookie of their answer,
// which the load generator wrote to flashes, one line per person, signed
// by the app), exactly rsvpSeats are going in Redis and they are the
// people told so, the places told are 1..n once each, and the stored
// waitlist holds everyone else in exactly that order.
func (b *bench) checkRSVP(ctx context.Context, people []rsvpPerson, ev events.Event, flashes string) (string, error) {
	es, gs := events.NewStore(b.rdb, "fg:"), groups.NewStore(b.rdb, "fg:")
	sessions := auth.NewSessions(auth.NewStore(b.rdb, "fg:"), false, []byte(b.secret))
	raw, err := os.ReadFile(flashes)
	if err != nil {
		return "", err
	}
	sealed := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(sealed) != len(people) {
		return "", fmt.Errorf("%d answers recorded for %d people", len(sealed), len(people))
	}
	told := make([]int, len(people)) // 0 going, n waitlist place
	err = parallel(len(people), func(i int) error {
		_, msg, ok := sessions.OpenFlash(sealed[i])
		if !ok {
			return fmt.Errorf("%s was told nothing the app signed", people[i].id)
		}
		switch m := waitlistPlace.FindStringSubmatch(msg); {
		case strings.Contains(msg, "You are going."):
			told[i] = 0
		case m != nil:
			told[i], _ = strconv.Atoi(m[1])
		default:
			return fmt.Errorf("%s was told %q", people[i].id, msg)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	going, err := es.Attendees(ctx, ev.ID)
	if err != nil {
		return "", err
	}
	waitlist, err := es.Waitlist(ctx, ev.ID)
	if err != nil {
		return "", err
	}
	place := map[string]int{}
	for i, p := range people {
		place[p.id] = told[i]
	}
	if len(going) != rsvpSeats || len(waitlist) != len(people)-rsvpSeats {
		return "", fmt.Errorf("%d going and %d waitlisted, want %d and %d", len(going), len(waitlist), rsvpSeats, len(people)-rsvpSeats)
	}
	for _, a := range going {
		if p, ok := place[a.UserID]; !ok || p != 0 {
			return "", fmt.Errorf("%s is going but was told %d", a.UserID, p)
		}
	}
	for i, uid := range waitlist {
		if place[uid] != i+1 {
			return "", fmt.Errorf("waitlist place %d holds %s, who was told %d", i+1, uid, place[uid])
		}
	}
	g, err := gs.Get(ctx, ev.GroupID)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("exact: %d going, %d waitlisted in the order they were told (1..%d), the group has %d members",
		len(going), len(waitlist), len(waitlist), g.MemberCount), nil
}

// measureRSVP runs, rounds times, the floor and then every person's RSVP
// POST, checks each round, and formats the row with the medians.
func (b *bench) measureRSVP(ctx context.Context, o options) (string, []string, error) {
	users := auth.NewStore(b.rdb, "fg:")
	sub := auth.DevSubject("Bench RSVP Host")
	host, _, err := users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: sub, Login: sub, Name: "Bench RSVP Host",
		Emails: []auth.Email{{Address: sub + "@bench.example", Verified: true}}})
	if err != nil {
		return "", nil, err
	}
	people, err := b.rsvpPeople(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("people: %w", err)
	}
	before, beforeN, err := b.trips(http.MethodPost, "/s/:id/rsvp")
	if err != nil {
		return "", nil, err
	}
	pairs := filepath.Join(b.tmp, "rsvp-pairs")
	var floors, posts []result
	var checks []string
	var cmds int64 // Redis commands run during the posts
	for round := range o.rounds {
		ev, err := rsvpSession(ctx, b, host.ID, round)
		if err != nil {
			return "", nil, err
		}
		if err := b.rsvpSessions(ctx, people, pairs); err != nil {
			return "", nil, fmt.Errorf("sessions: %w", err)
		}
		if err := b.checkToken(people[0], ev.ID); err != nil {
			return "", nil, err
		}
		f, err := b.wrk(b.floorURL+"/", "", b.floorPid, o)
		if err != nil {
			return "", nil, err
		}
		var profiled chan error
		if o.profile != "" && round == o.rounds-1 {
			// The posts take a few seconds: profile the first three.
			profiled = make(chan error, 1)
			go func() { profiled <- b.profiles(filepath.Join(o.profile, "rsvp.pprof"), 4*time.Second) }()
		}
		cmdsBefore, err := b.commands()
		if err != nil {
			return "", nil, err
		}
		cpuBefore, err := cpuTime(b.appPid, b.redisPid)
		if err != nil {
			return "", nil, err
		}
		redisBefore, err := cpuTime(b.redisPid)
		if err != nil {
			return "", nil, err
		}
		r, err := b.loadgen(pairs, b.appURL+"/s/"+ev.ID+"/rsvp", o.conns)
		if err != nil {
			return "", nil, err
		}
		cpuAfter, err := cpuTime(b.appPid, b.redisPid)
		if err != nil {
			return "", nil, err
		}
		redisAfter, err := cpuTime(b.redisPid)
		if err != nil {
			return "", nil, err
		}
		r.cpu = float64((cpuAfter - cpuBefore).Microseconds()) / float64(len(people))
		r.redisCPU = float64((redisAfter - redisBefore).Microseconds()) / float64(len(people))
		cmdsAfter, err := b.commands()
		if err != nil {
			return "", nil, err
		}
		cmds += cmdsAfter - cmdsBefore
		if profiled != nil {
			if err := <-profiled; err != nil {
				return "", nil, err
			}
		}
		check, err := b.checkRSVP(ctx, people, ev, pairs+".told")
		if err != nil {
			return "", nil, fmt.Errorf("round %d is not exact: %w", round+1, err)
		}
		floors, posts = append(floors, f), append(posts, r)
		checks = append(checks, fmt.Sprintf("round %d: %s", round+1, check))
	}
	after, afterN, err := b.trips(http.MethodPost, "/s/:id/rsvp")
	if err != nil {
		return "", nil, err
	}
	trips, perRequest := "?", "?"
	if afterN > beforeN {
		trips = strconv.FormatFloat((after-before)/(afterN-beforeN), 'f', 1, 64)
		perRequest = strconv.FormatFloat(float64(cmds)/(afterN-beforeN), 'f', 1, 64)
	}
	fl, pg := median(floors), median(posts)
	row := fmt.Sprintf("| RSVP POST (%d people, %d seats) | %.0f | %s | %s | %.0f | %s | %.0f %% | %.0f / %.0f µs (%.0f %%) | %.0f / %.0f µs | %s | %s | redirect |", rsvpPeople, rsvpSeats,
		pg.rps, ms(pg.p50), ms(pg.p99), fl.rps, ms(fl.p99), 100*pg.rps/fl.rps, pg.cpu, fl.cpu, 100*fl.cpu/pg.cpu, pg.redisCPU, fl.redisCPU, trips, perRequest)
	return row, checks, nil
}

// loadgen posts every line of pairs once to target, through this same
// program in -loadgen mode on core 1 (like wrk), and reads its result.
func (b *bench) loadgen(pairs, target string, conns int) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	name, args := self, []string{"-loadgen", pairs, "-target", target, "-conns", strconv.Itoa(conns)}
	if b.pin {
		name, args = "taskset", append([]string{"-c", "1", self}, args...)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return result{}, fmt.Errorf("load generator: %w\n%s", err, ee.Stderr)
		}
		return result{}, fmt.Errorf("load generator: %w", err)
	}
	var r result
	var p50, p99 int64
	if _, err := fmt.Sscan(string(out), &r.rps, &p50, &p99); err != nil {
		return result{}, fmt.Errorf("load generator said %q: %w", out, err)
	}
	r.p50, r.p99 = time.Duration(p50), time.Duration(p99)
	return r, nil
}

// runLoadgen is the -loadgen mode: conns connections post the RSVP of
// every "cookie<TAB>token" line of pairs to target once, each line by one
// request, as fast as the server answers. It prints "req/s p50 p99" (the
// latencies in nanoseconds), writes each answer's flash cookie (what the
// person is told) to pairs+".told", a line each in the order of pairs,
// and fails when any answer is not the 303 of a recorded RSVP.
func runLoadgen(pairs, target string, conns int) error {
	f, err := os.Open(pairs)
	if err != nil {
		return err
	}
	var lines [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cookie, token, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return fmt.Errorf("bad line %q", sc.Text())
		}
		lines = append(lines, [2]string{cookie, token})
	}
	_ = f.Close() // read only
	if err := sc.Err(); err != nil {
		return err
	}
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	client := &fasthttp.HostClient{Addr: u.Host, MaxConns: conns, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	lat := make([]time.Duration, len(lines))
	told := make([]string, len(lines))
	var next atomic.Int64
	var bad atomic.Int64
	var firstBad atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Go(func() {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for i := int(next.Add(1)) - 1; i < len(lines); i = int(next.Add(1)) - 1 {
				req.Reset()
				req.SetRequestURI(target)
				req.Header.SetMethod(fasthttp.MethodPost)
				req.Header.SetContentType("application/x-www-form-urlencoded")
				req.Header.Set("Cookie", auth.SessionCookie(false)+"="+lines[i][0])
				// As the session page's button posts it: with the one-time
				// value every form carries (see web's once).
				req.SetBodyString("_csrf=" + url.QueryEscape(lines[i][1]) + "&_once=" + ids.New() + "&going=yes")
				t := time.Now()
				err := client.Do(req, resp)
				lat[i] = time.Since(t)
				var flash fasthttp.Cookie
				flash.SetKey(auth.FlashCookie(false))
				if resp.Header.Cookie(&flash) {
					told[i] = string(flash.Value())
				}
				if err != nil || resp.StatusCode() != fasthttp.StatusSeeOther {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, fmt.Sprintf("%d %v", resp.StatusCode(), err))
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if n := bad.Load(); n > 0 {
		return fmt.Errorf("%d of %d answers were not a 303 (first: %v)", n, len(lines), firstBad.Load())
	}
	if err := os.WriteFile(pairs+".told", []byte(strings.Join(told, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	slices.Sort(lat)
	fmt.Printf("%f %d %d\n", float64(len(lines))/elapsed.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100])
	return nil
}
