package groups

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/strcache"
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

	rdb.AddHook(roundtrips.Hook{})
	// read reads the group as a page does and says whether it took a
	// second round trip (the whole hash of a changed group).
	read := func(when string) (*Group, bool) {
		t.Helper()
		tctx, trips := roundtrips.With(ctx)
		got, err := here.Get(tctx, g.ID)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		return got, trips.Count() > 1
	}
	read("first")
	if _, ok := here.parsed.Get(g.ID); !ok {
		t.Fatal("the group was not remembered after a read")
	}
	// The second read asks for five fields, the member count among them:
	// the hash does not cross the wire again, and no ZCARD goes with it.
	p := rdb.Pipeline()
	r := here.queueGroupRead(ctx, p, g.ID)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if r.all != nil || len(r.revs.Val()) != 5 || r.members.Read() {
		t.Fatal("an unchanged group was read whole, or counted apart")
	}

	mustJoin(t, there, g.ID, member)
	if got, again := read("after a join elsewhere"); got.MemberCount != 2 || got.Name != g.Name || again {
		t.Fatalf("after a join: %d members, %q, read again %v", got.MemberCount, got.Name, again)
	}
	in := g.Input()
	in.Name, in.Visibility = "Renamed elsewhere", Unlisted
	if _, err := there.Update(ctx, g.ID, owner, in); err != nil {
		t.Fatal(err)
	}
	if got, again := read("after an edit elsewhere"); got.Name != "Renamed elsewhere" || got.Visibility != Unlisted || !again {
		t.Fatalf("after an edit: %q %s, read again %v", got.Name, got.Visibility, again)
	}
	// A session scheduled moves the next session and the zone alone,
	// which come with the revisions: no second round trip.
	next := time.Date(2031, 3, 4, 18, 0, 0, 0, time.UTC)
	if err := there.SetNextSession(ctx, g.ID, next); err != nil {
		t.Fatal(err)
	}
	if got, again := read("after a session was scheduled"); !got.NextSessionAt.Equal(next) || got.Name != "Renamed elsewhere" || again {
		t.Fatalf("next session %v, want %v; read again %v", got.NextSessionAt, next, again)
	}
	if err := there.SetNextSession(ctx, g.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := read("after the last session went"); !got.NextSessionAt.IsZero() {
		t.Fatalf("next session %v after it was cleared", got.NextSessionAt)
	}
	if err := there.SetSessionZone(ctx, g.ID, "Asia/Tokyo"); err != nil {
		t.Fatal(err)
	}
	if got, again := read("after the session zone changed"); got.TimeZone != "Asia/Tokyo" || again {
		t.Fatalf("zone %q, read again %v", got.TimeZone, again)
	}
	// Every session scheduled records its zone; the same zone again
	// writes nothing.
	crev := rdb.HGet(ctx, here.groupKey(g.ID), "crev").Val()
	if err := there.SetSessionZone(ctx, g.ID, "Asia/Tokyo"); err != nil {
		t.Fatal(err)
	}
	if now := rdb.HGet(ctx, here.groupKey(g.ID), "crev").Val(); now != crev {
		t.Fatalf("the same session zone moved crev from %s to %s", crev, now)
	}
	if err := there.TransferOwnership(ctx, g.ID, owner, member); err != nil {
		t.Fatal(err)
	}
	if got, _ := read("after a transfer"); got.OwnerID != member {
		t.Fatalf("owner %s, want %s", got.OwnerID, member)
	}
	if err := there.Delete(ctx, g.ID, member); err != nil {
		t.Fatal(err)
	}
	if _, err := here.Get(ctx, g.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted group: %v", err)
	}
}

// A write that moved no display revision (a hand edit, or an older app
// version during a rolling deploy) shows once the parsed group is a
// minute old.
func TestGroupsParsedAreReadWholeAfterAMinute(t *testing.T) {
	ctx := context.Background()
	s, rdb, _ := newStore(t)
	now := time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	g := mustCreate(t, s, newUser(), goodInput("hand-edited"))
	if _, err := s.Get(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := rdb.HSet(ctx, s.groupKey(g.ID), "name", "Edited by hand").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, g.ID); err != nil || got.Name != g.Name {
		t.Fatalf("within the minute: %+v %v", got, err)
	}
	now = now.Add(parsedFor)
	if got, err := s.Get(ctx, g.ID); err != nil || got.Name != "Edited by hand" {
		t.Fatalf("after a minute: %+v %v", got, err)
	}
}

// A group stored before display revisions existed is remembered by its
// content revision: any change reads it again, and it is never shown
// stale.
func TestGroupsWithoutDisplayRevisionCompareContentRevision(t *testing.T) {
	ctx := context.Background()
	s, rdb, _ := newStore(t)
	owner := newUser()
	g := mustCreate(t, s, owner, goodInput("before-drev"))
	s.parsed.Forget(g.ID)
	if err := rdb.HDel(ctx, s.groupKey(g.ID), "drev").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	next := time.Date(2031, 3, 4, 18, 0, 0, 0, time.UTC)
	if err := s.SetNextSession(ctx, g.ID, next); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, g.ID); err != nil || !got.NextSessionAt.Equal(next) {
		t.Fatalf("%+v %v", got, err)
	}
	in := g.Input()
	in.Name = "Renamed after the upgrade"
	if _, err := s.Update(ctx, g.ID, owner, in); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, g.ID); err != nil || got.Name != in.Name {
		t.Fatalf("%+v %v", got, err)
	}
	if known, ok := s.parsed.Get(g.ID); !ok || known.drev == "" {
		t.Fatal("the edit gave the group no display revision")
	}
}

// Groups read together that changed since they were parsed are read
// again together, in one more round trip, whatever their number.
func TestGroupsChangedTogetherAreReadAgainTogether(t *testing.T) {
	ctx := context.Background()
	s, rdb, _ := newStore(t)
	rdb.AddHook(roundtrips.Hook{})
	owner := newUser()
	var ids []string
	for _, slug := range []string{"together-a", "together-b", "together-c"} {
		ids = append(ids, mustCreate(t, s, owner, goodInput(slug)).ID)
	}
	if _, err := s.GetMany(ctx, ids); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		g, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		in := g.Input()
		in.Name = "Renamed " + g.Slug
		if _, err := s.Update(ctx, id, owner, in); err != nil {
			t.Fatal(err)
		}
	}
	s.parsed = strcache.Cache[*parsedGroup]{} // as another instance saw them before the edits
	if _, err := s.GetMany(ctx, ids); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := rdb.HSet(ctx, s.groupKey(id), "name", "Renamed by hand "+id, "drev", "999").Err(); err != nil {
			t.Fatal(err)
		}
	}
	tctx, trips := roundtrips.With(ctx)
	got, err := s.GetMany(tctx, append(ids, "no-such-group"))
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if got[i] == nil || got[i].Name != "Renamed by hand "+id {
			t.Fatalf("group %d: %+v", i, got[i])
		}
	}
	if got[len(ids)] != nil || trips.Count() != 2 {
		t.Fatalf("a missing group %+v; %d round trips, want 2", got[len(ids)], trips.Count())
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

// The member count on a group's hash follows every membership change
// (join, leave, removal, a guest merged into an account), as ZCARD
// counts them; a group stored before it kept one is counted with ZCARD
// until a change writes it.
func TestGroupsKeepTheirMemberCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, rdb, _ := newStore(t)
	owner, ann, ben, guest, account := newUser(), newUser(), newUser(), newUser(), newUser()
	g := mustCreate(t, s, owner, goodInput("counted"))
	check := func(when string, want int) {
		t.Helper()
		stored, err := rdb.HGet(ctx, s.key(g.ID, kGroup), "members").Int()
		if err != nil || stored != want {
			t.Fatalf("%s: the hash counts %d (%v), want %d", when, stored, err, want)
		}
		fresh := NewStore(rdb, s.prefix) // reads the hash whole, then by its revisions
		for i := range 2 {
			got, err := fresh.Get(ctx, g.ID)
			if err != nil || got.MemberCount != want {
				t.Fatalf("%s, read %d: %d members (%v), want %d", when, i+1, got.MemberCount, err, want)
			}
		}
		if got, err := s.Get(ctx, g.ID); err != nil || got.MemberCount != want {
			t.Fatalf("%s, remembered: %d members (%v), want %d", when, got.MemberCount, err, want)
		}
	}
	check("created", 1)
	mustJoin(t, s, g.ID, ann)
	mustJoin(t, s, g.ID, ben)
	mustJoin(t, s, g.ID, guest)
	check("three joined", 4)
	if err := s.Leave(ctx, g.ID, ann); err != nil {
		t.Fatal(err)
	}
	check("one left", 3)
	if err := s.Ban(ctx, g.ID, owner, ben); err != nil {
		t.Fatal(err)
	}
	check("one banned", 2)
	if err := s.MergeMember(ctx, guest, account); err != nil {
		t.Fatal(err)
	}
	if r := role(t, s, g.ID, account); !r.IsMember() {
		t.Fatalf("the account after the merge: %q", r)
	}
	check("a guest merged into an account", 2)

	// Stored before the count was kept: counted with ZCARD.
	if err := rdb.HDel(ctx, s.key(g.ID, kGroup), "members").Err(); err != nil {
		t.Fatal(err)
	}
	old := NewStore(rdb, s.prefix)
	for i := range 2 {
		if got, err := old.Get(ctx, g.ID); err != nil || got.MemberCount != 2 {
			t.Fatalf("a group without a count on its hash, read %d: %d members (%v), want 2", i+1, got.MemberCount, err)
		}
	}
	mustJoin(t, s, g.ID, ann)
	check("joined again", 3)

	// A set changed without the count (an instance on older code, the
	// account scrub): the count read whole disagrees, so ZCARD counts.
	if err := rdb.ZRem(ctx, s.key(g.ID, kMembers), ann).Err(); err != nil {
		t.Fatal(err)
	}
	behind := NewStore(rdb, s.prefix)
	for i := range 2 {
		if got, err := behind.Get(ctx, g.ID); err != nil || got.MemberCount != 2 {
			t.Fatalf("a count the set moved past, read %d: %d members (%v), want 2", i+1, got.MemberCount, err)
		}
	}
}
