package events

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// testNow is the test clock's starting instant.
var testNow = time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for Store.Now.
type clock = testenv.Clock

// recorder collects the notices a Store sends.
type recorder struct {
	mu      sync.Mutex
	notices []Notice
}

func (r *recorder) notify(_ context.Context, n Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, n)
	return nil
}

func (r *recorder) of(kind NoticeKind) [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]string
	for _, n := range r.notices {
		if n.Kind == kind {
			out = append(out, n.UserIDs)
		}
	}
	return out
}

type fixture struct {
	s     *Store
	clock *clock
	rec   *recorder
	org   Actor
	group string
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	c := testenv.NewClock(testNow)
	rec := &recorder{}
	s.Now = c.Now
	s.Notify = rec.notify
	return fixture{s: s, clock: c, rec: rec, org: Actor{UserID: ids.New(), Organizer: true}, group: ids.New()}
}

// goodInput is a valid session a week after testNow in Berlin.
func goodInput() Input {
	return Input{
		Title:       "Intro to eBPF",
		Description: "We look at **eBPF** together.",
		Format:      "workshop",
		Start:       "2026-01-17T18:30",
		End:         "2026-01-17T20:30",
		TimeZone:    "Europe/Berlin",
		Venue:       "Betahaus, Berlin",
		OnlineURL:   "https://meet.example.com/ebpf",
	}
}

func (f fixture) create(t testing.TB, mutate func(*Input)) Event {
	t.Helper()
	in := goodInput()
	if mutate != nil {
		mutate(&in)
	}
	ev, err := f.s.Create(context.Background(), f.org, f.group, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return ev
}

func users(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = ids.New()
	}
	return out
}
