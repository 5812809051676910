package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/redisconn"
	"github.com/focusgroups/focusgroups/internal/speculate"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// outageClient talks to a Redis the test stops: short timeouts, so a
// frozen server costs a test a second, not a minute.
func outageClient(t *testing.T, addr string, hooks ...redis.Hook) redis.UniversalClient {
	opts := &redis.Options{Addr: addr, DialTimeout: 300 * time.Millisecond,
		ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond,
		PoolSize: 8, PoolTimeout: 300 * time.Millisecond, ContextTimeoutEnabled: true}
	redisconn.Client(opts) // as the server dials, pipelines on a shared connection
	rdb := redisconn.NewShared(opts)
	rdb.AddHook(speculate.Hook{}) // as the server's client: guesses meet the outage too
	for _, h := range hooks {
		rdb.AddHook(h)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// assertUnavailable checks the answer people get while Redis is away.
func assertUnavailable(t *testing.T, what string, r *apptest.Response) {
	t.Helper()
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%s: status %d (Location %q), want 503\n%s", what, r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("%s: no Retry-After header", what)
	}
	if !strings.Contains(r.Body, "briefly unavailable") || !strings.Contains(r.Body, "Nothing you did was lost") {
		t.Errorf("%s: the page does not say what happened:\n%s", what, r.Body)
	}
	if c := r.Header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("%s: cookies changed during the outage: %q", what, c)
	}
}

// untilRedisAnswers asks for path until the app stops answering 503 and
// returns that first other answer; every 503 on the way must be the
// outage page (go-redis retries a refused dial only once a second).
func untilRedisAnswers(t *testing.T, c *apptest.Client, path string) *apptest.Response {
	t.Helper()
	return untilAnswered(t, "GET "+path, func() *apptest.Response { return c.Get(path) })
}

// untilAnswered sends a request until the app stops answering 503, as
// untilRedisAnswers. A request that reads more of Redis than the one
// before may still meet the outage: go-redis keeps pipelines on a pool of
// their own, and each pool retries a refused dial once a second, so one
// can answer while the other does not yet.
func untilAnswered(t *testing.T, what string, send func() *apptest.Response) *apptest.Response {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		r := send()
		if r.StatusCode != http.StatusServiceUnavailable {
			return r
		}
		assertUnavailable(t, what+" while Redis comes back", r)
	}
	t.Fatalf("%s: still 503 ten seconds after Redis came back", what)
	return nil
}

func profileForm(token string) url.Values {
	return url.Values{"_csrf": {token}, "name": {"Grace H."}, "tz": {"Europe/Berlin"}, "reminder_hours": {"24"}}
}

func TestRedisStoppedMeansUnavailableNotSignedOut(t *testing.T) {
	t.Parallel()
	srv := testenv.StartOwnRedis(t)
	app := apptest.Start(t, apptest.Options{Redis: outageClient(t, srv.Addr)})
	c := app.NewClient(t)
	c.DevSignIn("Grace Hopper", "grace@navy.example")
	token := c.CSRF("/profile")
	session := c.Cookie("fg_session")

	srv.Stop()
	assertUnavailable(t, "GET /profile", c.Get("/profile"))
	assertUnavailable(t, "GET /", c.Get("/"))
	assertUnavailable(t, "POST /profile with its CSRF token", c.Post("/profile", profileForm(token)))
	assertUnavailable(t, "POST /signout", c.Post("/signout", url.Values{"_csrf": {token}}))
	assertUnavailable(t, "GET /groups/new", c.Get("/groups/new"))
	// The page offers itself again, not the home page, which needs Redis too.
	if r := c.Get("/groups?q=go"); !strings.Contains(r.Body, `href="/groups?q=go">Try again</a>`) {
		t.Errorf("the 503 page does not offer the page again:\n%s", r.Body)
	}
	if r := c.Get("/readyz"); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the outage: %d", r.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodGet, app.URL+"/profile", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Status int    `json:"status"`
		Error  string `json:"error"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable || body.Status != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body.Error, "Nothing you did was lost") {
		t.Errorf("JSON during the outage: status %d, Retry-After %q, body %+v, %v", resp.StatusCode, resp.Header.Get("Retry-After"), body, err)
	}
	if got := c.Cookie("fg_session"); got != session {
		t.Fatalf("the session cookie changed during the outage: %q -> %q", session, got)
	}

	srv.Start()
	r := untilRedisAnswers(t, c, "/profile")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Grace Hopper") {
		t.Fatalf("first page after Redis came back: status %d (Location %q), want her profile", r.StatusCode, r.Header.Get("Location"))
	}
	if r := untilAnswered(t, "POST /profile", func() *apptest.Response { return c.Post("/profile", profileForm(token)) }); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the form from before the outage, sent again: status %d\n%s", r.StatusCode, r.Body)
	}
	if r := c.Get("/profile"); !strings.Contains(r.Body, "Grace H.") {
		t.Fatalf("the profile was not saved after the outage:\n%s", r.Body)
	}
}

func TestFrozenRedisAnswersUnavailableWithinTheDeadline(t *testing.T) {
	t.Parallel()
	srv := testenv.StartOwnRedis(t)
	app := apptest.Start(t, apptest.Options{Redis: outageClient(t, srv.Addr), RequestTimeout: time.Second})
	c := app.NewClient(t)
	c.DevSignIn("Edsger Dijkstra", "ewd@utexas.example")
	token := c.CSRF("/profile")

	srv.Pause()
	assertUnavailable(t, "GET /profile", c.Get("/profile"))
	assertUnavailable(t, "POST /profile", c.Post("/profile", profileForm(token)))
	srv.Resume()

	r := untilRedisAnswers(t, c, "/profile")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Edsger Dijkstra") {
		t.Fatalf("after Redis woke up: status %d (Location %q)", r.StatusCode, r.Header.Get("Location"))
	}
}

// sessionReadFaults fails chosen reads of session data with a reset
// connection, as a Redis that drops between two commands of one request.
type sessionReadFaults struct {
	mu         sync.Mutex
	pass, fail int
}

// arm lets the next pass session reads through, then fails fail of them.
func (f *sessionReadFaults) arm(pass, fail int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pass, f.fail = pass, fail
}

func (f *sessionReadFaults) strike(cmd redis.Cmder) bool {
	args := cmd.Args()
	if cmd.Name() != "get" || len(args) < 2 || !strings.Contains(fmt.Sprint(args[1]), "sess:") {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pass > 0 {
		f.pass--
		return false
	}
	if f.fail > 0 {
		f.fail--
		return true
	}
	return false
}

func (f *sessionReadFaults) DialHook(next redis.DialHook) redis.DialHook { return next }

func (f *sessionReadFaults) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if f.strike(cmd) {
			err := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (f *sessionReadFaults) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if f.strike(cmd) {
				err := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
				for _, c := range cmds {
					c.SetErr(err)
				}
				return err
			}
		}
		return next(ctx, cmds)
	}
}

// The CSRF check needs the session; Redis failing while it is read must be
// a 503, never "This form has expired", while a token that is really wrong
// stays a 403.
func TestCSRFCheckDuringARedisFaultIsNotAnExpiredForm(t *testing.T) {
	t.Parallel()
	srv := testenv.StartOwnRedis(t)
	faults := &sessionReadFaults{}
	app := apptest.Start(t, apptest.Options{Redis: outageClient(t, srv.Addr, faults)})
	c := app.NewClient(t)
	c.DevSignIn("Frances Allen", "fran@ibm.example")
	token := c.CSRF("/profile")

	cases := []struct {
		name       string
		pass, fail int
		token      string
		want       int
	}{
		{"redis drops while the session is read", 0, 1, token, http.StatusServiceUnavailable},
		{"redis drops and stays away", 0, 5, token, http.StatusServiceUnavailable},
		{"a wrong token with redis up", 0, 0, "forged" + token, http.StatusForbidden},
		{"the right token with redis up", 0, 0, token, http.StatusSeeOther},
	}
	for _, tc := range cases {
		faults.arm(tc.pass, tc.fail)
		r := c.Post("/profile", profileForm(tc.token))
		if r.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d\n%s", tc.name, r.StatusCode, tc.want, r.Body)
		}
		if tc.want == http.StatusServiceUnavailable {
			assertUnavailable(t, tc.name, r)
		}
	}
	if r := c.Get("/profile"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Grace H.") {
		t.Fatalf("after the faults: status %d", r.StatusCode)
	}
}

// A storm of signed-in people answering RSVPs while Redis is stopped and
// started again: every answer is a page (200), a redirect after the
// answer was recorded (303) or the outage page (503); never "please sign
// in", "this form has expired" or a 500.
func TestRSVPStormThroughARedisRestart(t *testing.T) {
	t.Parallel()
	srv := testenv.StartOwnRedis(t)
	app := apptest.Start(t, apptest.Options{Redis: outageClient(t, srv.Addr)})
	org := sesSignIn(t, app, "Olga Organiser", "")
	g := sesGroup(t, app, org, "storm", nil)
	form := sesForm("Storm")
	form.Set("capacity", "3")
	id := sesCreate(t, org, g, form)
	const n = 8
	people := make([]sesPerson, n)
	tokens := make([]string, n)
	for i := range people {
		people[i] = sesSignIn(t, app, fmt.Sprintf("Person %c", 'A'+i), "")
		sesJoin(t, app, g, people[i])
		tokens[i] = people[i].CSRF("/s/" + id)
	}

	const before, during, after = 0, 1, 2
	var phase atomic.Int32
	var answered [3][n]atomic.Int64 // answers per phase and person
	var mu sync.Mutex
	statuses := map[int]int{}
	var wrong []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range people {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				ph := phase.Load()
				var req *http.Request
				if k%2 == 0 {
					req, _ = http.NewRequest(http.MethodGet, app.URL+"/s/"+id, nil)
				} else {
					v := url.Values{"_csrf": {tokens[i]}, "_once": {ids.New()}, "going": {[]string{"yes", "no"}[k/2%2]}}
					req, _ = http.NewRequest(http.MethodPost, app.URL+"/s/"+id+"/rsvp", strings.NewReader(v.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("Accept", "text/html")
				resp, err := people[i].Client.Client.Do(req)
				mu.Lock()
				switch {
				case err != nil:
					wrong = append(wrong, fmt.Sprintf("%s %s: %v", req.Method, req.URL.Path, err))
				default:
					resp.Body.Close()
					statuses[resp.StatusCode]++
					ok := (req.Method == http.MethodGet && resp.StatusCode == http.StatusOK) ||
						(req.Method == http.MethodPost && resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/s/"+id) ||
						resp.StatusCode == http.StatusServiceUnavailable
					if !ok {
						wrong = append(wrong, fmt.Sprintf("%s %s: %d (Location %q)", req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Location")))
					}
					if ph != after || resp.StatusCode != http.StatusServiceUnavailable {
						answered[ph][i].Add(1)
					}
				}
				mu.Unlock()
			}
		}(i)
	}
	// everyone waits until each person has had min answers in phase ph
	// (after the restart, only answers that were not 503 count).
	everyone := func(ph int, min int64) {
		t.Helper()
		for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			all := true
			for i := range people {
				all = all && answered[ph][i].Load() >= min
			}
			if all {
				return
			}
		}
		close(stop)
		t.Fatalf("phase %d: not everyone got %d answers in 20s", ph, min)
	}
	everyone(before, 4)
	srv.Stop()
	phase.Store(during)
	everyone(during, 4)
	srv.Start()
	phase.Store(after)
	everyone(after, 4)
	close(stop)
	wg.Wait()

	t.Logf("answers: %v", statuses)
	if len(wrong) > 0 {
		t.Fatalf("%d wrong answers, e.g. %q", len(wrong), wrong[:min(len(wrong), 5)])
	}
	if statuses[http.StatusServiceUnavailable] == 0 {
		t.Fatal("no 503 at all: Redis was not really away")
	}
	going, err := app.Events.Attendees(context.Background(), id)
	if err != nil || len(going) > 3 {
		t.Fatalf("after the storm: %d going for 3 seats, %v", len(going), err)
	}
}

// downAfterClaim lets a form post claim its double-submit guard, then
// fails every later command, as a Redis that goes away mid-request; the
// claim cannot be forgotten.
type downAfterClaim struct {
	mu          sync.Mutex
	armed, down bool
}

func (d *downAfterClaim) set(armed, down bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.armed, d.down = armed, down
}

func (d *downAfterClaim) DialHook(next redis.DialHook) redis.DialHook { return next }

func (d *downAfterClaim) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		d.mu.Lock()
		down := d.down
		claim := d.armed && cmd.Name() == "set" && strings.Contains(fmt.Sprint(cmd.Args()[1]), "once:")
		if claim {
			d.down = true
		}
		d.mu.Unlock()
		if down {
			err := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (d *downAfterClaim) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		d.mu.Lock()
		down := d.down
		claim := false
		for _, cmd := range cmds {
			claim = claim || (d.armed && cmd.Name() == "set" && strings.Contains(fmt.Sprint(cmd.Args()[1]), "once:"))
		}
		if claim {
			// The claim goes with the session's read: that pipeline
			// passes, everything after it fails.
			d.down = true
		}
		d.mu.Unlock()
		if down {
			err := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		return next(ctx, cmds)
	}
}

// The outage page says "try again in a moment": sending the same form
// again (same one-time value) after Redis came back must work, not be
// "Already on its way" for the hour the guard remembers posts.
func TestSameFormSentAgainAfterAnOutageIsHandled(t *testing.T) {
	t.Parallel()
	srv := testenv.StartOwnRedis(t)
	fault := &downAfterClaim{}
	app := apptest.Start(t, apptest.Options{Redis: outageClient(t, srv.Addr, fault), RequestTimeout: 500 * time.Millisecond})
	c := app.NewClient(t)
	c.DevSignIn("Radia Perlman", "radia@dec.example")
	form := profileForm(c.CSRF("/profile"))
	form.Set("_once", ids.New())

	fault.set(true, false)
	assertUnavailable(t, "POST /profile as Redis goes away", c.Post("/profile", form))
	fault.set(false, false)

	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		r := c.Post("/profile", form)
		if r.StatusCode == http.StatusConflict {
			continue // the claim of the failed post, until it lapses
		}
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the same form again: status %d\n%s", r.StatusCode, r.Body)
		}
		if p := c.Get("/profile"); !strings.Contains(p.Body, "Grace H.") {
			t.Fatal("the form sent again was not saved")
		}
		return
	}
	t.Fatal("the same form is still refused as already on its way 5s after Redis came back")
}
