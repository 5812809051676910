package groups

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestArrivalOrderWithinOneMillisecond freezes the clock, so every request
// and every join lands in the same millisecond: the lists still come back
// in the order the requests arrived, and the join time is the clock's.
func TestArrivalOrderWithinOneMillisecond(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	s.Now = func() time.Time { return at }
	owner := newUser()
	in := goodInput("same-ms")
	in.JoinPolicy = Approval
	g := mustCreate(t, s, owner, in)

	applicants := make([]string, 12)
	for i := range applicants {
		applicants[i] = newUser()
		must(t, s.Apply(ctx, g.ID, applicants[i], "me", nil))
	}
	reqs, err := s.PendingRequests(ctx, g.ID, owner)
	if err != nil || len(reqs) != len(applicants) {
		t.Fatalf("pending: %d %v", len(reqs), err)
	}
	for i, r := range reqs {
		if r.UserID != applicants[i] || !r.AppliedAt.Equal(at) {
			t.Fatalf("request %d: %s at %s, want %s at %s", i, r.UserID, r.AppliedAt, applicants[i], at)
		}
	}
	// Approved in reverse: members are ordered by when they became members.
	for i := len(applicants) - 1; i >= 0; i-- {
		must(t, s.Approve(ctx, g.ID, owner, applicants[i]))
	}
	members, total, err := s.Members(ctx, g.ID, 1, MaxPerPage)
	if err != nil || total != len(applicants)+1 {
		t.Fatalf("members: %d %v", total, err)
	}
	if members[0].UserID != owner || members[0].Role != RoleOwner {
		t.Fatalf("first member %+v, want the owner", members[0])
	}
	for i, m := range members[1:] {
		if want := applicants[len(applicants)-1-i]; m.UserID != want || !m.JoinedAt.Equal(at) {
			t.Fatalf("member %d: %s joined %s, want %s joined %s", i+1, m.UserID, m.JoinedAt, want, at)
		}
	}
}

// TestMembersFromBeforeTheArrivalCounter covers a group stored when member
// scores were join times in milliseconds: those members keep their join
// time and stay ahead of everyone who joins later.
func TestMembersFromBeforeTheArrivalCounter(t *testing.T) {
	t.Parallel()
	s, rdb, _ := newStore(t)
	ctx := context.Background()
	owner, old, later, newer := newUser(), newUser(), newUser(), newUser()
	g := mustCreate(t, s, owner, goodInput("legacy-scores"))
	keys := s.groupKeys(g.ID)
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	joined := created.Add(time.Hour)
	// The layout before the counter: scores are join times, no join-times
	// hash, no counter.
	must(t, rdb.Del(ctx, keys[kJoined]).Err())
	must(t, rdb.HDel(ctx, keys[kGroup], "arrivals").Err())
	must(t, rdb.ZAdd(ctx, keys[kMembers],
		redis.Z{Score: float64(created.UnixMilli()), Member: owner},
		redis.Z{Score: float64(joined.UnixMilli()), Member: old}).Err())

	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	mustJoin(t, s, g.ID, later)
	// A clock behind the old scores must not put a newcomer first.
	s.Now = func() time.Time { return created.Add(-time.Hour) }
	mustJoin(t, s, g.ID, newer)

	members, _, err := s.Members(ctx, g.ID, 1, MaxPerPage)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id string
		at time.Time
	}{{owner, created}, {old, joined}, {later, now}, {newer, created.Add(-time.Hour)}}
	if len(members) != len(want) {
		t.Fatalf("members: %+v", members)
	}
	for i, w := range want {
		if members[i].UserID != w.id || !members[i].JoinedAt.Equal(w.at) {
			t.Fatalf("member %d: %s joined %s, want %s joined %s", i, members[i].UserID, members[i].JoinedAt, w.id, w.at)
		}
	}
	orgs, err := s.Organizers(ctx, g.ID)
	if err != nil || len(orgs) != 1 || !orgs[0].JoinedAt.Equal(created) {
		t.Fatalf("organizers: %+v %v", orgs, err)
	}
}
