package mentors

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// fixture is a Store on a private key prefix with a settable clock and a
// record of its notices.
type fixture struct {
	*Store
	rdb redis.UniversalClient
	ctx context.Context

	mu      sync.Mutex
	clock   time.Time
	notices []Notice
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	f := &fixture{Store: NewStore(rdb, prefix), rdb: rdb, ctx: context.Background(),
		clock: time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)}
	f.Now = func() time.Time {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.clock
	}
	f.Notify = func(_ context.Context, n Notice) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.notices = append(f.notices, n)
		return nil
	}
	return f
}

func (f *fixture) advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = f.clock.Add(d)
	return f.clock
}

// noticesTo returns the kinds of notices sent to a user, in order.
func (f *fixture) noticesTo(user string) []NoticeKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []NoticeKind
	for _, n := range f.notices {
		if n.To == user {
			out = append(out, n.Kind)
		}
	}
	return out
}

// mentor stores a mentor profile for a new user; change adjusts it first.
func (f *fixture) mentor(t *testing.T, change func(*match.MentorProfile)) string {
	t.Helper()
	p := match.MentorProfile{UserID: ids.New(), Skills: []match.Skill{{Name: "go", Level: 4}, {Name: "kubernetes", Level: 3}},
		Paths: []string{"devops"}, Years: 8, Languages: []string{"en"}, TimeZone: "Europe/Berlin", Capacity: 2,
		Availability: match.Availability{HoursPerWeek: 2}}
	if change != nil {
		change(&p)
	}
	if _, err := f.SaveMentorProfile(f.ctx, p); err != nil {
		t.Fatalf("save mentor: %v", err)
	}
	return p.UserID
}

// mentee stores a mentee profile for a new user; change adjusts it first.
func (f *fixture) mentee(t *testing.T, change func(*match.MenteeProfile)) string {
	t.Helper()
	p := match.MenteeProfile{UserID: ids.New(), Goals: "run Kubernetes clusters well", Path: "devops",
		WantSkills: []string{"go"}, Languages: []string{"en"}, TimeZone: "Europe/Lisbon"}
	if change != nil {
		change(&p)
	}
	if _, err := f.SaveMenteeProfile(f.ctx, p); err != nil {
		t.Fatalf("save mentee: %v", err)
	}
	return p.UserID
}

// keyCount counts the keys under the fixture's prefix.
func (f *fixture) keyCount(t *testing.T) int {
	t.Helper()
	keys, err := f.rdb.Keys(f.ctx, f.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}
