package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// receiver is a local endpoint that records what it got and answers with
// the status its script gives for each request in turn (200 after it).
type receiver struct {
	srv    *httptest.Server
	got    chan received
	script []int
	n      atomic.Int32
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{got: make(chan received, 64), script: script}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		i := int(r.n.Add(1)) - 1
		status := http.StatusOK
		if i < len(r.script) {
			status = r.script[i]
		}
		r.got <- received{header: req.Header.Clone(), body: body}
		w.WriteHeader(status)
		_, _ = w.Write([]byte("answer " + http.StatusText(status)))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case got := <-r.got:
		return got
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery arrived")
		return received{}
	}
}

func newTestStore(t *testing.T) *Store {
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix, Guard{AllowLocal: true})
	s.Logger = slog.New(slog.DiscardHandler)
	s.Retry = Retry{Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Poll: 5 * time.Millisecond, Attempts: 4}
	return s
}

func runWorkers(t *testing.T, s *Store) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

var allEvents = []string{string(SessionScheduled), string(SessionChanged), string(SessionCancelled), string(SeatsFreed), string(ProposalCreated)}

func sessionEvent(groupID string) Event {
	start := time.Date(2026, 12, 8, 17, 0, 0, 0, time.UTC)
	return Event{ID: ids.New(), Type: SessionScheduled, At: start.Add(-48 * time.Hour),
		Group: Group{ID: groupID, Slug: "go-berlin", Name: "Go Berlin", URL: "https://fg.example/g/go-berlin"},
		Session: &Session{ID: "s1", Title: "Profiling <!channel> @everyone", URL: "https://fg.example/s/s1", Start: start,
			End: start.Add(2 * time.Hour), TimeZone: "Europe/Berlin", Venue: "c-base", Capacity: 40, SeatsLeft: 12, Status: "scheduled"}}
}

func TestAddChecksTheEndpoint(t *testing.T) {
	s := newTestStore(t)
	s.Guard = Guard{}
	ctx := context.Background()
	gid := ids.New()
	cases := []struct {
		in    Input
		field string
		want  string
	}{
		{Input{Kind: "teams", URL: "https://93.184.216.34/x", Events: allEvents}, "kind", "Choose Slack, Discord or JSON"},
		{Input{Kind: "json", URL: "https://93.184.216.34/x"}, "events", "at least one"},
		{Input{Kind: "json", URL: "https://93.184.216.34/x", Events: []string{"everything"}}, "events", "from the list"},
		{Input{Kind: "json", URL: "https://10.0.0.1/x", Events: allEvents}, "url", "private network"},
		{Input{Kind: "json", URL: "http://93.184.216.34/x", Events: allEvents}, "url", "Only https"},
		{Input{Kind: "slack", URL: "https://93.184.216.34/services/x", Events: allEvents}, "url", "hooks.slack.com"},
		{Input{Kind: "discord", URL: "https://93.184.216.34/api/webhooks/1/x", Events: allEvents}, "url", "discord.com"},
		{Input{Kind: "json", URL: "https://93.184.216.34/" + strings.Repeat("x", 2001), Events: allEvents}, "url", "too long"},
	}
	for _, tc := range cases {
		_, err := s.Add(ctx, gid, "u1", tc.in)
		var errs valid.Errors
		if !errors.As(err, &errs) || !strings.Contains(errs[tc.field], tc.want) {
			t.Errorf("%+v: %v, want %s: %q", tc.in.Kind, err, tc.field, tc.want)
		}
	}
	if eps, _ := s.List(ctx, gid); len(eps) != 0 {
		t.Fatalf("refused endpoints were stored: %v", eps)
	}
	e, err := s.Add(ctx, gid, "u1", Input{Kind: "json", URL: " https://93.184.216.34/hooks/abcdef ", Events: []string{string(SeatsFreed), string(SeatsFreed)}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Secret, "whsec_") || len(e.Events) != 1 || e.URL != "https://93.184.216.34/hooks/abcdef" {
		t.Errorf("added %+v", e)
	}
	if e.Display() != "https://93.184.216.34/…cdef" {
		t.Errorf("display %q", e.Display())
	}
}

// However many organizers add at once, a group keeps MaxEndpoints.
func TestAGroupKeepsAtMostTenEndpoints(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	gid := ids.New()
	var wg sync.WaitGroup
	var added, refused atomic.Int32
	for range 30 {
		wg.Go(func() {
			_, err := s.Add(ctx, gid, "u1", Input{Kind: "json", URL: "http://127.0.0.1:9/hook", Events: allEvents})
			switch {
			case err == nil:
				added.Add(1)
			case errors.Is(err, ErrTooMany):
				refused.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if added.Load() != MaxEndpoints || refused.Load() != 30-MaxEndpoints {
		t.Fatalf("added %d, refused %d", added.Load(), refused.Load())
	}
	if eps, _ := s.List(ctx, gid); len(eps) != MaxEndpoints {
		t.Fatalf("%d endpoints stored", len(eps))
	}
}

// A JSON endpoint gets the event signed over the timestamp and the body;
// the same event emitted twice is delivered once; the log records it.
func TestJSONDeliveriesAreSignedAndDeliveredOnce(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	rcv := newReceiver(t)
	gid := ids.New()
	e, err := s.Add(ctx, gid, "u1", Input{Kind: "json", URL: rcv.srv.URL + "/hook", Events: allEvents})
	if err != nil {
		t.Fatal(err)
	}
	ev := sessionEvent(gid)
	for range 2 {
		if n, err := s.Emit(ctx, ev); err != nil || n != 1 {
			t.Fatalf("emit: %d %v", n, err)
		}
	}
	runWorkers(t, s)
	got := rcv.next(t)
	if err := Verify(e.Secret, got.header.Get(SignatureHeader), got.body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature: %v (%s)", err, got.header.Get(SignatureHeader))
	}
	if err := Verify("whsec_other", got.header.Get(SignatureHeader), got.body, time.Now(), 5*time.Minute); err == nil {
		t.Fatal("another secret verifies the signature")
	}
	if err := Verify(e.Secret, got.header.Get(SignatureHeader), append(got.body, ' '), time.Now(), 5*time.Minute); err == nil {
		t.Fatal("a changed body verifies")
	}
	if got.header.Get("X-Focusgroups-Event") != "session.scheduled" || got.header.Get("X-Focusgroups-Delivery") != ev.ID+":"+e.ID {
		t.Errorf("headers %v", got.header)
	}
	var back Event
	if err := json.Unmarshal(got.body, &back); err != nil || back.ID != ev.ID || back.Session.SeatsLeft != 12 {
		t.Fatalf("body %s: %v", got.body, err)
	}
	waitFor(t, func() bool { return len(logOf(t, s, gid)) == 1 })
	if r := logOf(t, s, gid)[0]; !r.OK || r.Status != 200 || r.Try != 1 || r.Event != SessionScheduled {
		t.Errorf("log %+v", r)
	}
	waitFor(t, func() bool { n, _ := s.Pending(ctx); return n == 0 })
	select {
	case again := <-rcv.got:
		t.Fatalf("delivered twice: %s", again.body)
	default:
	}
}

// A Slack endpoint that fails for a while gets the message once it
// recovers; the log shows each failed try with when the next one comes.
func TestFailingEndpointsAreRetriedUntilTheyRecover(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	rcv := newReceiver(t, 500, 503, 429)
	gid := ids.New()
	if _, err := s.Add(ctx, gid, "u1", Input{Kind: "slack", URL: rcv.srv.URL + "/services/T/B/x", Events: allEvents}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Emit(ctx, sessionEvent(gid)); err != nil {
		t.Fatal(err)
	}
	runWorkers(t, s)
	var last received
	for range 4 {
		last = rcv.next(t)
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string                `json:"type"`
			Text struct{ Text string } `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(last.body, &msg); err != nil || len(msg.Blocks) != 3 || msg.Blocks[0].Type != "section" {
		t.Fatalf("slack body %s: %v", last.body, err)
	}
	section := msg.Blocks[0].Text.Text
	for _, want := range []string{"<https://fg.example/s/s1|Profiling &lt;!channel&gt; @everyone>", "<!date^", "c-base", "12 of 40 seats left"} {
		if !strings.Contains(section, want) {
			t.Errorf("the section lacks %q:\n%s", want, section)
		}
	}
	if strings.Contains(string(last.body), "<!channel>") {
		t.Error("the title can ping the channel")
	}
	waitFor(t, func() bool { return len(logOf(t, s, gid)) == 4 })
	log := logOf(t, s, gid)
	if !log[0].OK || log[0].Try != 4 {
		t.Errorf("newest result %+v", log[0])
	}
	for _, r := range log[1:] {
		if r.OK || r.GivenUp || r.NextTry.IsZero() || r.Status < 429 {
			t.Errorf("failed try %+v", r)
		}
	}
}

// An endpoint that says the hook is gone (404) is given up on at once;
// one that keeps failing, after the last attempt; both land in the dead
// letters.
func TestHopelessDeliveriesAreGivenUp(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	gone := newReceiver(t, 404)
	broken := newReceiver(t, 500, 500, 500, 500, 500)
	gid := ids.New()
	for _, r := range []*receiver{gone, broken} {
		if _, err := s.Add(ctx, gid, "u1", Input{Kind: "discord", URL: r.srv.URL + "/api/webhooks/1/x", Events: allEvents}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Emit(ctx, sessionEvent(gid)); err != nil || n != 2 {
		t.Fatalf("emit: %d %v", n, err)
	}
	runWorkers(t, s)
	body := gone.next(t).body
	if !strings.Contains(string(body), `"allowed_mentions":{"parse":[]}`) || !strings.Contains(string(body), `"embeds"`) {
		t.Errorf("discord body %s", body)
	}
	for range s.Retry.Attempts {
		broken.next(t)
	}
	waitFor(t, func() bool { n, _ := s.Pending(ctx); return n == 0 })
	dead, err := s.rdb.LLen(ctx, s.deadKey()).Result()
	if err != nil || dead != 2 {
		t.Fatalf("%d dead letters: %v", dead, err)
	}
	waitFor(t, func() bool { return len(logOf(t, s, gid)) == 1+s.Retry.Attempts })
	given := 0
	for _, r := range logOf(t, s, gid) {
		if r.GivenUp {
			given++
		}
	}
	if given != 2 {
		t.Errorf("%d results say given up, want 2", given)
	}
	if gone.n.Load() != 1 {
		t.Errorf("the gone endpoint was tried %d times", gone.n.Load())
	}
}

func TestATestEventReachesOnlyItsEndpoint(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a, b := newReceiver(t), newReceiver(t)
	gid := ids.New()
	ea, err := s.Add(ctx, gid, "u1", Input{Kind: "json", URL: a.srv.URL, Events: []string{string(SeatsFreed)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, gid, "u1", Input{Kind: "json", URL: b.srv.URL, Events: allEvents}); err != nil {
		t.Fatal(err)
	}
	if err := s.Test(ctx, Group{ID: gid, Name: "Go Berlin"}, "nope", ids.New()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("testing an unknown endpoint: %v", err)
	}
	if err := s.Test(ctx, Group{ID: gid, Name: "Go Berlin"}, ea.ID, ids.New()); err != nil {
		t.Fatal(err)
	}
	runWorkers(t, s)
	if got := a.next(t); got.header.Get("X-Focusgroups-Event") != "ping" {
		t.Errorf("event %q", got.header.Get("X-Focusgroups-Event"))
	}
	waitFor(t, func() bool { return len(logOf(t, s, gid)) == 1 })
	if b.n.Load() != 0 {
		t.Error("the other endpoint got the test event")
	}
}

func logOf(t *testing.T, s *Store, gid string) []Result {
	t.Helper()
	p := s.rdb.Pipeline()
	get := s.QueueLog(context.Background(), p, gid, 50)
	if _, err := p.Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	out, err := get()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitFor polls cond, which reads state the workers change, until it holds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
