package auth

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/roundtrips"
)

// SaveWith sends the caller's queued writes with the session in one round
// trip, and on their own when the session needs no write or is destroyed.
func TestSaveWithSendsTheQueuedWritesInTheSameRoundTrip(t *testing.T) {
	m, _, u := newSessions(t)
	m.rdb.AddHook(roundtrips.Hook{})
	ctx := context.Background()
	s, _, err := m.Load(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s.SignIn(u.ID)
	cookie, _, _, err := m.Save(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	key := func(name string) string { return m.prefix + "savewith:{" + u.ID + "}:" + name }
	cases := []struct {
		name  string
		touch func(*Session)
	}{
		{"a changed session", func(s *Session) { s.Set("flash_text", "Saved.") }},
		{"an unchanged session", func(*Session) {}},
		{"a destroyed session", func(s *Session) { s.Destroy() }},
	}
	for _, tc := range cases {
		s, _, err := m.Load(ctx, cookie)
		if err != nil {
			t.Fatal(err)
		}
		tc.touch(s)
		counted, trips := roundtrips.With(ctx)
		var set *redis.StatusCmd
		if _, _, _, err := m.SaveWith(counted, s, func(p redis.Pipeliner) { set = p.Set(counted, key(tc.name), "1", 0) }); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n := trips.Count(); n != 1 {
			t.Errorf("%s: saved in %d round trips, want 1", tc.name, n)
		}
		if set.Err() != nil || m.rdb.Exists(ctx, key(tc.name)).Val() != 1 {
			t.Errorf("%s: the queued write is missing (%v)", tc.name, set.Err())
		}
	}
	if n := m.rdb.Exists(ctx, m.key(s.id)).Val(); n != 0 {
		t.Errorf("the destroyed session is still stored")
	}
}
