package auth

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/roundtrips"
)

// LoadWith reads what the caller queues for the user the cookie names in
// the session's round trip, and queues nothing for a cookie that names
// nobody (or names nobody valid).
func TestLoadWithReadsForTheCookiesUserInTheSameRoundTrip(t *testing.T) {
	m, _, u := newSessions(t)
	m.rdb.AddHook(roundtrips.Hook{})
	ctx := context.Background()
	s, _, _ := m.Load(ctx, "")
	s.SignIn(u.ID)
	cookie, _, _, err := m.Save(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	m.rdb.Set(ctx, m.prefix+"loadwith:"+u.ID, "hello", 0)
	cases := []struct {
		name, cookie, want string
	}{
		{"the cookie names the user", cookie, u.ID},
		{"the cookie names nobody", s.id, ""},
		{"the cookie names no valid ID", s.id + ".not-an-id", ""},
	}
	for _, tc := range cases {
		counted, trips := roundtrips.With(ctx)
		var got string
		var read *redis.StringCmd
		_, _, err := m.LoadWith(counted, tc.cookie, func(p redis.Pipeliner, uid string) {
			got, read = uid, p.Get(counted, m.prefix+"loadwith:"+uid)
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s: queued for %q, want %q", tc.name, got, tc.want)
		}
		if read != nil && read.Val() != "hello" {
			t.Errorf("%s: the queued read gave %q", tc.name, read.Val())
		}
		if n := trips.Count(); tc.want != "" && n != 1 {
			t.Errorf("%s: %d round trips, want 1", tc.name, n)
		}
	}
}
