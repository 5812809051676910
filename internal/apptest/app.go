// Package apptest runs the real app on a loopback port against a real
// Redis, with fake sign-in providers, for HTTP and browser tests.
package apptest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/notices"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/redisconn"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/speculate"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/moderation"
	"github.com/focusgroups/focusgroups/notify"
	"github.com/focusgroups/focusgroups/skills"
	"github.com/focusgroups/focusgroups/web"
	"github.com/focusgroups/focusgroups/webhooks"
)

// Options change how the app under test is built.
type Options struct {
	// Production turns development mode off (no dev sign-in).
	Production bool
	// Providers are the sign-in providers; see GitHub and OIDC helpers.
	Providers []auth.ProviderConfig
	// AuthRateLimit overrides the sign-in rate limit per IP.
	AuthRateLimit ratelimit.Limit
	// LinkTokenLimit and LinkIPLimit override the emailed-link limits (per
	// link, and per IP across links).
	LinkTokenLimit, LinkIPLimit ratelimit.Limit
	// VerifyLimit overrides the per-person limit on adding addresses.
	VerifyLimit ratelimit.Limit
	// Share runs this app as a second instance of an app already started:
	// on its Redis and key prefix.
	Share *App
	// ProviderTimeout bounds each call to a provider (default 3s).
	ProviderTimeout time.Duration
	// SMTPURL sends mail to a real SMTP server; empty uses the dev mailbox.
	SMTPURL string
	// TrustProxy makes the app read client IPs from X-Forwarded-For.
	TrustProxy bool
	// RedisHooks are added to the test's own Redis client, after the
	// round-trip counter, to watch what the app sends; Start refuses them
	// with Redis or Share (a client the test does not own).
	RedisHooks []redis.Hook
	// NoNearCache reads everything from Redis, as on a cluster (see
	// internal/nearcache): for tests of what a page reads and guesses,
	// which the cache would answer from memory. Only on the test's own
	// client (neither Redis nor Share), which has the cache otherwise.
	NoNearCache bool
	// Redis replaces the shared test server, for tests that stop their own
	// (testenv.StartOwnRedis); keys still get a prefix of their own.
	Redis redis.UniversalClient
	// RequestTimeout overrides the app's deadline for one request.
	RequestTimeout time.Duration
	// Logs receives the app's log lines at LogLevel and above (discarded
	// when nil); it must be safe for concurrent writes.
	Logs     io.Writer
	LogLevel slog.Level
	// AdminEmails are the instance admins' addresses (ADMIN_EMAILS).
	AdminEmails []string
	// Clock, when set, is the events store's clock, as EventClock (it
	// wins over it), so a test can move past a skill-sharing session's
	// end; SessionClock is the visitors' sessions'.
	Clock *Clock
	// SessionClock, when set, is the clock of the visitors' sessions
	// (auth.Sessions), so a test can move past their expiry.
	SessionClock *Clock
	// TokenClock, when set, is the API token store's clock, so a test can
	// move past a token's expiry.
	TokenClock *Clock
	// EventClock, when set, is the events store's clock, so a test can
	// schedule skill-sharing sessions and then stand while they run.
	EventClock *Clock
	// GroupClock, when set, is the groups store's clock, so a test can
	// age what an instance remembers of a group.
	GroupClock *Clock
	// MentorClock, when set, is the mentoring store's clock (which the
	// suggestions page's minute follows too).
	MentorClock *Clock
	// APIRateLimit overrides the API's limit per token.
	APIRateLimit ratelimit.Limit
}

// Clock is a settable clock, safe to read from the app's goroutines.
type Clock = testenv.Clock

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return testenv.NewClock(t) }

// App is a running app under test.
type App struct {
	URL    string
	Mail   *mail.Service
	Notify *notify.Notifier
	// Notices is the relay whose Sweep a test runs to stand in for the
	// periodic sweep of a running instance.
	Notices *notices.Relay
	metrics *prometheus.Registry
	routes  []fiber.Route
	Redis   redis.UniversalClient
	Prefix  string
	Users   *auth.Store
	Tokens  *auth.Tokens
	Groups  *groups.Store
	Events  *events.Store
	Mentors *mentors.Store
	// Hooks are the groups' webhooks; their workers run with the app,
	// retrying within milliseconds, and local receivers are allowed.
	Hooks *webhooks.Store
	// Moderation keeps codes of conduct, reports and blocks.
	Moderation *moderation.Store
	// Skills keeps people's skills and the groups' skill maps.
	Skills *skills.Store
	// NearCache is the app's memory of its reads (nil with NoNearCache,
	// Redis or Share).
	NearCache *nearcache.Cache
}

// Start runs the app until the test ends.
func Start(t testing.TB, opts Options) *App {
	t.Helper()
	var rdb redis.UniversalClient
	var prefix string
	if len(opts.RedisHooks) > 0 && (opts.Share != nil || opts.Redis != nil) {
		t.Fatal("apptest: RedisHooks need the test's own client, not Redis or Share")
	}
	var near *nearcache.Cache
	switch {
	case opts.Share != nil:
		rdb, prefix = opts.Share.Redis, opts.Share.Prefix
	case opts.Redis != nil:
		rdb, prefix = opts.Redis, "t"+testenv.RandomHex(6)+":"
	default:
		var plain redis.UniversalClient
		plain, prefix = testenv.Redis(t)
		// The test's own client, as the server's (server.newRedis): count
		// its round trips (a shared one would count them once per app).
		shared := redisconn.NewShared(plain.(*redis.Client).Options())
		t.Cleanup(func() { _ = shared.Close() })
		rdb = shared
		if !opts.NoNearCache {
			near = nearcache.New(shared.Client, nearcache.Prefixes(prefix, web.CachedKeyFamilies))
			near.NoNil = nearcache.Prefixes(prefix, web.UnkeptNilFamilies)
			near.Broadcast = []string{prefix}
		}
		rdb.AddHook(speculate.Hook{}) // as the server's client (server.newRedis)
		rdb.AddHook(near.Hook())
		rdb.AddHook(roundtrips.Hook{})
		for _, hook := range opts.RedisHooks {
			rdb.AddHook(hook)
		}
		if near != nil {
			runNearCache(t, near)
		}
	}
	metrics := prometheus.NewRegistry()
	if near != nil {
		metrics.MustRegister(near.Collector())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	users := auth.NewStore(rdb, prefix)
	if opts.ProviderTimeout == 0 {
		opts.ProviderTimeout = 3 * time.Second
	}
	gs := groups.NewStore(rdb, prefix)
	if opts.GroupClock != nil {
		gs.Now = opts.GroupClock.Now
	}
	es := events.NewStore(rdb, prefix)
	if opts.EventClock != nil {
		es.Now = opts.EventClock.Now
	}
	if opts.Clock != nil {
		es.Now = opts.Clock.Now
	}
	ms := mentors.NewStore(rdb, prefix)
	if opts.MentorClock != nil {
		ms.Now = opts.MentorClock.Now
	}
	sessions := auth.NewSessions(users, false, []byte("test-secret-test-secret-test-secret"))
	if opts.SessionClock != nil {
		sessions.Now = opts.SessionClock.Now
	}
	tokens := auth.NewTokens(rdb, prefix)
	if opts.TokenClock != nil {
		tokens.Now = opts.TokenClock.Now
	}
	logs := opts.Logs
	if logs == nil {
		logs = io.Discard
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: opts.LogLevel}))
	mailSvc, err := mail.New(rdb, prefix, mail.Config{SMTPURL: opts.SMTPURL, From: "focusgroups <noreply@focusgroups.test>",
		Secret: []byte("test-secret-test-secret-test-secret"), Workers: 2, Poll: 50 * time.Millisecond,
		SendTimeout: 2 * time.Second, Logger: logger})
	if err != nil {
		t.Fatalf("apptest: mail: %v", err)
	}
	notifier := &notify.Notifier{Users: users, Groups: gs, Events: es, Mail: mailSvc, BaseURL: base, Logger: logger}
	es.Notify = notifier.EventNotice
	es.Logger = logger
	ms.Notify = notifier.MentorNotice
	relay := notices.New(rdb, prefix)
	relay.Logger = logger
	es.RegisterNotices(relay)
	ms.Logger = logger
	ms.RegisterNotices(relay)
	gs.Notify = notifier.GroupNotice
	gs.Logger = logger
	gs.RegisterNotices(relay)
	hooks := webhooks.NewStore(rdb, prefix, webhooks.Guard{AllowLocal: true})
	hooks.Logger = logger
	hooks.Retry = webhooks.Retry{Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Poll: 20 * time.Millisecond}
	es.Changed = (&webhooks.Emitter{Hooks: hooks, Events: es, Groups: gs, BaseURL: base}).Changed
	mod := moderation.NewStore(rdb, prefix)
	notifier.Blocked = mod.EitherBlocked
	mailSvc.Reminders.Wanted = notifier.RemindersWanted
	mailSvc.Reminders.Compose = notifier.ComposeReminders
	sk := skills.NewStore(rdb, prefix)
	skillSync := &skills.Sync{Skills: sk, Mentors: ms, Groups: gs, Logger: logger}
	gs.MembersChanged = skillSync.MemberChanged
	gs.Deleted = groups.DropAll(logger, sk.DropGroup, hooks.DropGroup, mod.DropGroup)
	gs.MemberJoined = skillSync.MemberJoined
	workCtx, stopWork := context.WithCancel(context.Background())
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		var wg sync.WaitGroup
		wg.Go(func() { hooks.Run(workCtx) })
		wg.Go(func() { gs.RunRecount(workCtx) })
		_ = mailSvc.Run(workCtx)
		wg.Wait()
	}()
	app, err := web.New(web.Deps{
		Dev:            !opts.Production,
		BaseURL:        base,
		Redis:          rdb,
		NearCache:      near,
		Prefix:         prefix,
		Users:          users,
		Groups:         gs,
		Events:         es,
		Mentors:        ms,
		Mail:           mailSvc,
		Notify:         notifier,
		Hooks:          hooks,
		Moderation:     mod,
		AdminEmails:    opts.AdminEmails,
		Skills:         sk,
		SkillSync:      skillSync,
		Providers:      auth.NewProviders(base, opts.Providers, &http.Client{Timeout: opts.ProviderTimeout}),
		Sessions:       sessions,
		Tokens:         tokens,
		APIRateLimit:   opts.APIRateLimit,
		Logger:         logger,
		AuthRateLimit:  opts.AuthRateLimit,
		LinkTokenLimit: opts.LinkTokenLimit,
		LinkIPLimit:    opts.LinkIPLimit,
		VerifyLimit:    opts.VerifyLimit,
		TrustProxy:     opts.TrustProxy,
		RequestTimeout: opts.RequestTimeout,
		Metrics:        metrics,
	})
	if err != nil {
		t.Fatalf("apptest: build app: %v", err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		stopWork()
		<-workDone
	})
	return &App{URL: base, Redis: rdb, Prefix: prefix, Users: users, Tokens: tokens, Groups: gs, Events: es, Mentors: ms, Mail: mailSvc,
		Notify: notifier, Notices: relay, metrics: metrics, Hooks: hooks, Moderation: mod, Skills: sk, NearCache: near, routes: app.GetRoutes(true)}
}

// WaitMailDrained waits until the outbox holds nothing queued or waiting
// for a retry, so every mail queued so far has reached the SMTP server or
// the dev mailbox: a test can then check that some mail was not sent.
func (a *App) WaitMailDrained(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		queued, retrying, err := a.Mail.Outbox.Backlog(context.Background())
		if err != nil {
			t.Fatalf("apptest: outbox backlog: %v", err)
		}
		if queued == 0 && retrying == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("apptest: outbox not drained after 10s: %d queued, %d retrying", queued, retrying)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Client is a browser-like HTTP client: it keeps cookies and does not
// follow redirects, so tests can check every step.
type Client struct {
	*http.Client
	t   testing.TB
	app *App
}

// NewClient returns a fresh visitor with an empty cookie jar.
func (a *App) NewClient(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{
		Client: &http.Client{
			Jar:     jar,
			Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		t: t, app: a,
	}
}

// Response is a finished request with its body read.
type Response struct {
	*http.Response
	Body string
}

// Get fetches path (relative to the app, or an absolute URL).
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Do(http.MethodGet, path, nil)
}

// Post submits form values as a browser form would.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	return c.Do(http.MethodPost, path, form)
}

// Do sends one request.
func (c *Client) Do(method, path string, form url.Values) *Response {
	c.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = c.app.URL + path
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.send(req)
}

// PostFile posts form as multipart/form-data with content as the file
// field (named filename), as a browser uploads a file.
func (c *Client) PostFile(path string, form url.Values, field, filename string, content []byte) *Response {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	fw, err := w.CreateFormFile(field, filename)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		c.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.app.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.send(req)
}

func (c *Client) send(req *http.Request) *Response {
	c.t.Helper()
	method, path := req.Method, req.URL.Path
	req.Header.Set("Accept", "text/html")
	resp, err := c.Client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Response: resp, Body: string(b)}
}

// Follow keeps following redirects from r, across hosts, and returns the
// last response.
func (c *Client) Follow(r *Response) *Response {
	c.t.Helper()
	for i := 0; i < 10 && r.StatusCode >= 300 && r.StatusCode < 400; i++ {
		loc, err := r.Request.URL.Parse(r.Header.Get("Location"))
		if err != nil {
			c.t.Fatal(err)
		}
		r = c.Get(loc.String())
	}
	return r
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// CSRF loads path and returns the CSRF token from its forms.
func (c *Client) CSRF(path string) string {
	c.t.Helper()
	r := c.Get(path)
	m := csrfInput.FindStringSubmatch(r.Body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s (status %d)", path, r.StatusCode)
	}
	return m[1]
}

// PostForm posts form to path with the CSRF token taken from page.
func (c *Client) PostForm(page, path string, form url.Values) *Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", c.CSRF(page))
	return c.Post(path, form)
}

// DevSignIn signs the client in through development sign-in.
func (c *Client) DevSignIn(name, email string) {
	c.t.Helper()
	r := c.PostForm("/dev/signin", "/dev/signin", url.Values{"name": {name}, "email": {email}})
	if r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("dev sign-in as %q: status %d: %s", name, r.StatusCode, r.Body)
	}
}

// Cookie returns the value of the named cookie for the app, or "".
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.app.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// SetCookie plants a cookie for the app, as an attacker might.
func (c *Client) SetCookie(name, value string) {
	u, _ := url.Parse(c.app.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// Routes lists the paths the app serves to method, in the route table's
// spelling ("/s/:id"), each once.
func (a *App) Routes(method string) []string {
	var out []string
	for _, r := range a.routes {
		if r.Method == method && !slices.Contains(out, r.Path) {
			out = append(out, r.Path)
		}
	}
	return out
}

// Writes returns the Redis commands that may write (scripts included)
// sent by requests to route so far.
func (a *App) Writes(t testing.TB, method, route string) float64 {
	t.Helper()
	if m := a.metric(t, "http_request_redis_writes_total", method, route); m != nil {
		return m.GetCounter().GetValue()
	}
	return 0
}

// RoundTrips returns the Redis round trips the app recorded for requests
// to route (the pattern, e.g. "/s/:id") with method: their sum and how
// many requests they were counted over.
func (a *App) RoundTrips(t testing.TB, method, route string) (sum float64, requests uint64) {
	t.Helper()
	if m := a.metric(t, "http_request_redis_roundtrips", method, route); m != nil {
		return m.GetHistogram().GetSampleSum(), m.GetHistogram().GetSampleCount()
	}
	return 0, 0
}

// Counter returns the app's counter called name, summed over its series
// (0 before it counted anything).
func (a *App) Counter(t testing.TB, name string) float64 {
	t.Helper()
	var sum float64
	for _, m := range a.series(t, name) {
		sum += m.GetCounter().GetValue()
	}
	return sum
}

// CounterOf returns the app's counter called name in the series with
// the labels given as name, value pairs (0 before it counted anything).
func (a *App) CounterOf(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	return a.seriesWith(t, name, labels...).GetCounter().GetValue()
}

// series are the app's series of the metric called name.
func (a *App) series(t testing.TB, name string) []*dto.Metric {
	t.Helper()
	families, err := a.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()
		}
	}
	return nil
}

// metric is the app's metric called name for method and route, or nil
// before any such request.
func (a *App) metric(t testing.TB, name, method, route string) *dto.Metric {
	t.Helper()
	return a.seriesWith(t, name, "route", route, "method", method)
}

// seriesWith is the app's series of the metric called name with the
// labels given as name, value pairs, or nil before it has one.
func (a *App) seriesWith(t testing.TB, name string, labels ...string) *dto.Metric {
	t.Helper()
	for _, m := range a.series(t, name) {
		has := map[string]string{}
		for _, l := range m.GetLabel() {
			has[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			match = match && has[labels[i]] == labels[i+1]
		}
		if match {
			return m
		}
	}
	return nil
}

// runNearCache runs near until the test ends, and returns once it tracks,
// so that every request of the test meets it the same way.
func runNearCache(t testing.TB, near *nearcache.Cache) {
	t.Cleanup(near.Start())
	select {
	case <-near.Tracking():
	case <-time.After(10 * time.Second):
		t.Fatal("apptest: the near cache's tracking connection did not come up")
	}
}

// SettleNearCache returns once the app's near cache has heard of every
// change finished so far, so that what the next view reads is kept: a
// reply read while a change's notice is on its way is not. For tests
// that count what a repeat view reads.
func (a *App) SettleNearCache(t testing.TB) {
	t.Helper()
	if err := a.NearCache.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}
