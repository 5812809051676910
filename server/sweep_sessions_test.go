package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// usage counts the keys under prefix and the memory they use.
func usage(t *testing.T, rdb redis.UniversalClient, prefix string) (keys int, bytes int64) {
	t.Helper()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys++
		n, err := rdb.MemoryUsage(ctx, iter.Val(), 0).Result()
		if err != nil && err != redis.Nil {
			t.Fatal(err)
		}
		bytes += n
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return keys, bytes
}

// A year of weekly sessions in 20 groups, each scheduled two weeks ahead
// with people answering, on an injected clock: the sweep keeps every
// group's "next session" right as sessions pass, and Redis holds no more
// keys or memory in week 52 than once the retention time has filled.
func TestAYearOfWeeklySessionsStaysBounded(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	const (
		groupCount = 20
		weeks      = 52
		people     = 30
		retention  = 8 // weeks
		week       = 7 * 24 * time.Hour
	)
	cfg := &Config{RedisPrefix: prefix, SessionSecret: defaultDevSecret, BaseURL: "http://localhost:8080",
		MailFrom: "fg <fg@localhost>", SessionRetention: retention * week}
	st, err := newStores(cfg, rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t0 := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC) // a Monday
	clock := t0
	now := func() time.Time { return clock }
	st.events.Now, st.groups.Now = now, now
	// Session k of every group starts on Monday of week k at 18:00.
	start := func(k int) time.Time { return t0.Add(time.Duration(k)*week + 18*time.Hour) }

	gids := make([]string, groupCount)
	for g := range gids {
		grp, err := st.groups.Create(ctx, fmt.Sprint("owner", g), groups.Input{Name: fmt.Sprint("Weekly group ", g), Slug: fmt.Sprint("weekly-", g),
			Description: "Meets every week.", Topics: []string{"go"}, Online: true})
		if err != nil {
			t.Fatal(err)
		}
		gids[g] = grp.ID
	}
	schedule := func(g, k int) {
		t.Helper()
		s := start(k)
		ev, err := st.events.Create(ctx, events.Actor{UserID: fmt.Sprint("owner", g), Organizer: true}, gids[g], events.Input{
			Title: fmt.Sprintf("Week %d", k), Format: "talk", TimeZone: "UTC", OnlineURL: "https://meet.example/w",
			Start: s.Format("2006-01-02T15:04"), End: s.Add(2 * time.Hour).Format("2006-01-02T15:04"), Capacity: "5", Listed: true})
		if err != nil {
			t.Fatalf("group %d week %d: %v", g, k, err)
		}
		for p := range people {
			if (p*7+g+k)%4 == 0 { // about 8 answers for 5 seats: some wait
				if _, err := st.events.RSVP(ctx, ev.ID, fmt.Sprint("person", p), true); err != nil {
					t.Fatal(err)
				}
			}
		}
		// What the web app does after scheduling a session.
		next, err := st.events.NextForGroup(ctx, gids[g])
		if err == nil {
			err = st.groups.SetNextSession(ctx, gids[g], next)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	sweep := func() {
		t.Helper()
		if _, _, err := sweepSessionsOnce(ctx, st, clock); err != nil {
			t.Fatalf("sweep at %v: %v", clock, err)
		}
	}
	nextIs := func(k int) {
		t.Helper()
		for g, gid := range gids {
			grp, err := st.groups.Get(ctx, gid)
			if err != nil || !grp.NextSessionAt.Equal(start(k)) {
				t.Fatalf("%v: group %d's next session %v (%v), want %v", clock, g, grp.NextSessionAt, err, start(k))
			}
		}
	}

	for g := range gids {
		schedule(g, 0)
		schedule(g, 1)
	}
	baseKeys, _ := usage(t, rdb, prefix)
	var steadyKeys int
	var steadyBytes int64
	for w := range weeks {
		clock = t0.Add(time.Duration(w) * week)
		for g := range gids {
			schedule(g, w+2)
		}
		sweep()
		nextIs(w)
		clock = start(w).Add(3 * time.Hour) // session w is over
		sweep()
		nextIs(w + 1)

		keys, bytes := usage(t, rdb, prefix)
		if w == retention+2 {
			steadyKeys, steadyBytes = keys, bytes
			t.Logf("week %d (retention filled): %d keys, %d bytes", w, keys, bytes)
		}
		// Kept: the sessions within retention, the one that just ended and
		// two ahead, each with its record, answers, seats and waitlist.
		if bound := baseKeys + groupCount*(retention+3)*4; keys > bound {
			t.Fatalf("week %d: %d keys, bound %d", w, keys, bound)
		}
		if w > retention+2 && (keys > steadyKeys || float64(bytes) > 1.05*float64(steadyBytes)) {
			t.Fatalf("week %d: %d keys and %d bytes, more than at week %d (%d keys, %d bytes)",
				w, keys, bytes, retention+2, steadyKeys, steadyBytes)
		}
		if w == weeks-1 {
			t.Logf("week %d: %d keys, %d bytes", w, keys, bytes)
		}
	}
	// Every list is bounded by time too, not only the key count.
	if up, err := st.events.ListedUpcoming(ctx, 1000); err != nil || len(up) != 2*groupCount {
		t.Fatalf("home page lists %d sessions (%v), want the %d upcoming", len(up), err, 2*groupCount)
	}
	for g, gid := range gids {
		past, err := st.events.GroupPast(ctx, gid, 100)
		if err != nil || len(past) < retention || len(past) > retention+1 {
			t.Fatalf("group %d keeps %d past sessions (%v), want the last %d weeks", g, len(past), err, retention)
		}
	}
	mine, err := st.events.UserSessions(ctx, "person0", time.Time{}, time.Time{}, 1000)
	if err != nil || len(mine) > groupCount*(retention+3) {
		t.Fatalf("person0 lists %d sessions (%v)", len(mine), err)
	}
}
