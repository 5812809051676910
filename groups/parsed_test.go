package groups

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A group a Store has parsed before comes back from memory while its
// content revision holds, and every kind of change, made through this
// instance or another one, shows at the next read.
func TestGroupsParsedOnceStayCurrent(t *testing.T) {
	ctx := context.Background()
	here, rdb, prefix := newStore(t)
	there := NewStore(rdb, prefix) // another app instance
	owner, member := newUser(), newUser()
	g := mustCreate(t, here, owner, goodInput("parsed-once"))

	read := func(when string) *Group {
		t.Helper()
		got, err := here.Get(ctx, g.ID)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		return got
	}
	read("first")
	if _, ok := here.parsed.Get(g.ID); !ok {
		t.Fatal("the group was not remembered after a read")
	}
	// The second read answers with the revision alone: nothing of the
	// hash crosses the wire.
	p := rdb.Pipeline()
	known, _ := here.parsed.Get(g.ID)
	cmd := groupOrRevScript.Eval(ctx, p, []string{here.key(g.ID, kGroup)}, known.crev)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, short := cmd.Val().(string); !short {
		t.Fatalf("an unchanged group was read whole: %T", cmd.Val())
	}

	mustJoin(t, there, g.ID, member)
	if got := read("after a join elsewhere"); got.MemberCount != 2 || got.Name != g.Name {
		t.Fatalf("after a join: %d members, %q", got.MemberCount, got.Name)
	}
	in := g.Input()
	in.Name, in.Visibility = "Renamed elsewhere", Unlisted
	if _, err := there.Update(ctx, g.ID, owner, in); err != nil {
		t.Fatal(err)
	}
	if got := read("after an edit elsewhere"); got.Name != "Renamed elsewhere" || got.Visibility != Unlisted {
		t.Fatalf("after an edit: %q %s", got.Name, got.Visibility)
	}
	next := time.Date(2031, 3, 4, 18, 0, 0, 0, time.UTC)
	if err := there.SetNextSession(ctx, g.ID, next); err != nil {
		t.Fatal(err)
	}
	if got := read("after a session was scheduled"); !got.NextSessionAt.Equal(next) {
		t.Fatalf("next session %v, want %v", got.NextSessionAt, next)
	}
	if err := there.SetSessionZone(ctx, g.ID, "Asia/Tokyo"); err != nil {
		t.Fatal(err)
	}
	if got := read("after the session zone changed"); got.TimeZone != "Asia/Tokyo" {
		t.Fatalf("zone %q", got.TimeZone)
	}
	if err := there.TransferOwnership(ctx, g.ID, owner, member); err != nil {
		t.Fatal(err)
	}
	if got := read("after a transfer"); got.OwnerID != member {
		t.Fatalf("owner %s, want %s", got.OwnerID, member)
	}
	if err := there.Delete(ctx, g.ID, member); err != nil {
		t.Fatal(err)
	}
	if _, err := here.Get(ctx, g.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted group: %v", err)
	}
}

// A group stored before content revisions existed is read whole every
// time and never remembered.
func TestGroupsWithoutRevisionAreReadWhole(t *testing.T) {
	ctx := context.Background()
	s, rdb, _ := newStore(t)
	g := mustCreate(t, s, newUser(), goodInput("old-record"))
	s.parsed.Forget(g.ID)
	if err := rdb.HDel(ctx, s.groupKey(g.ID), "crev").Err(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := s.Get(ctx, g.ID)
		if err != nil || got.Name != g.Name {
			t.Fatalf("%+v %v", got, err)
		}
	}
	if _, ok := s.parsed.Get(g.ID); ok {
		t.Fatal("a group without a content revision was remembered")
	}
	if err := rdb.HSet(ctx, s.groupKey(g.ID), "name", "Changed by hand").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, g.ID); err != nil || got.Name != "Changed by hand" {
		t.Fatalf("%+v %v", got, err)
	}
}

// Reading a group with someone's standing in it gives the same standing
// as reading it alone, for everyone in every position, and a missing
// group is not found either way.
func TestGroupWithStandingAgreesWithStanding(t *testing.T) {
	ctx := context.Background()
	s, rdb, _ := newStore(t)
	c := newCast(t, s)
	must(t, s.Invite(ctx, c.g.ID, c.owner, c.invitee))
	for _, uid := range []string{c.owner, c.co, c.member, c.banned, c.outsider, c.applicant, c.invitee, c.anonymous} {
		p := rdb.Pipeline()
		read := s.QueueGetWithStanding(ctx, p, c.g.ID, uid)
		_, _ = p.Exec(ctx)
		g, got, err := read()
		if err != nil || g.ID != c.g.ID {
			t.Fatalf("%q: %v", uid, err)
		}
		want := standing(t, s, c.g.ID, uid)
		if got.Role != want.Role || got.Banned != want.Banned || got.Invited != want.Invited ||
			(got.Application == nil) != (want.Application == nil) {
			t.Errorf("%q: got %+v, want %+v", uid, got, want)
		}
	}
	p := rdb.Pipeline()
	read := s.QueueGetWithStanding(ctx, p, "no-such-group", c.member)
	_, _ = p.Exec(ctx)
	if _, _, err := read(); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing group: %v", err)
	}
}
