package groups

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
)

func TestCreateAndGet(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	owner := newUser()
	in := goodInput("go-berlin")
	in.Domains = []string{"Example.com"}
	in.JoinPolicy, in.Question = Approval, "Why?"
	g := mustCreate(t, s, owner, in)
	if g.ID == "" || g.Slug != "go-berlin" || g.OwnerID != owner || g.MemberCount != 1 {
		t.Fatalf("created %+v", g)
	}
	if !g.CreatedAt.Equal(now) || g.CreatedAt.Location() != time.UTC || !g.UpdatedAt.Equal(now) {
		t.Fatalf("timestamps %v %v", g.CreatedAt, g.UpdatedAt)
	}
	if g.Question != "Why?" || g.JoinPolicy != Approval || !g.CompanyOnly() || g.Domains[0] != "example.com" {
		t.Fatalf("settings %+v", g)
	}
	bySlug, err := s.GetBySlug(ctx, "go-berlin")
	if err != nil || bySlug.ID != g.ID {
		t.Fatalf("by slug: %v %v", bySlug, err)
	}
	if role(t, s, g.ID, owner) != RoleOwner {
		t.Fatal("creator is not the owner")
	}
	for _, err := range []error{
		func() error { _, err := s.Get(ctx, "nosuchgroupaaaaaaaaaaaaa"); return err }(),
		func() error { _, err := s.GetBySlug(ctx, "no-such-slug"); return err }(),
		func() error { _, err := s.Role(ctx, "nosuchgroupaaaaaaaaaaaaa", owner); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("want ErrNotFound, got %v", err)
		}
	}
	mine, err := s.UserGroups(ctx, owner)
	if err != nil || len(mine) != 1 || mine[0].Role != RoleOwner || mine[0].Group.ID != g.ID {
		t.Fatalf("owner's groups: %+v %v", mine, err)
	}
}

func TestTakenSlugIsAFieldError(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	mustCreate(t, s, newUser(), goodInput("taken-slug"))
	_, err := s.Create(context.Background(), newUser(), goodInput("taken-slug"))
	if ve := fieldErrors(t, err); ve["slug"] == "" {
		t.Fatalf("want slug error, got %v", ve)
	}
}

func TestSlugRaceHasOneWinner(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won []*Group
	lost := 0
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			g, err := s.Create(ctx, newUser(), goodInput("contested"))
			mu.Lock()
			defer mu.Unlock()
			var fields valid.Errors
			switch {
			case err == nil:
				won = append(won, g)
			case errors.As(err, &fields) && fields["slug"] != "":
				lost++
			default:
				t.Errorf("create: %v", err) // t.Fatal must not run off the test's goroutine
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(won) != 1 || lost != n-1 {
		t.Fatalf("%d winners, %d losers", len(won), lost)
	}
	g, err := s.GetBySlug(ctx, "contested")
	if err != nil || g.ID != won[0].ID {
		t.Fatalf("slug points to %v (%v), winner %s", g, err, won[0].ID)
	}
	_, total, err := s.Search(ctx, Query{})
	if err != nil || total != 1 {
		t.Fatalf("losers left groups behind: %d (%v)", total, err)
	}
}

func TestUpdateRenamesSlug(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := newUser()
	a := mustCreate(t, s, owner, goodInput("first-name"))
	b := mustCreate(t, s, owner, goodInput("other-group"))

	in := a.Input()
	in.Slug = "other-group"
	_, err := s.Update(ctx, a.ID, owner, in)
	if ve := fieldErrors(t, err); ve["slug"] == "" {
		t.Fatalf("renamed onto a taken slug: %v", ve)
	}
	if g, _ := s.GetBySlug(ctx, "other-group"); g == nil || g.ID != b.ID {
		t.Fatal("taken slug moved")
	}

	in.Slug, in.Name = "second-name", "Renamed group"
	g, err := s.Update(ctx, a.ID, owner, in)
	if err != nil || g.Slug != "second-name" || g.Name != "Renamed group" {
		t.Fatalf("update: %+v %v", g, err)
	}
	if _, err := s.GetBySlug(ctx, "first-name"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old slug still resolves: %v", err)
	}
	if g, err := s.GetBySlug(ctx, "second-name"); err != nil || g.ID != a.ID {
		t.Fatalf("new slug: %v %v", g, err)
	}
	// The old slug is free for anyone again.
	c := mustCreate(t, s, newUser(), goodInput("first-name"))
	if g, _ := s.GetBySlug(ctx, "first-name"); g.ID != c.ID {
		t.Fatal("released slug not reusable")
	}

	bad := g.Input()
	bad.Name = ""
	if _, err := s.Update(ctx, a.ID, owner, bad); fieldErrors(t, err)["name"] == "" {
		t.Fatal("empty name accepted on update")
	}
	if g, _ := s.Get(ctx, a.ID); g.Name != "Renamed group" {
		t.Fatal("bad update changed the group")
	}
}

func TestConcurrentRenamesKeepSlugsUnique(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := newUser()
	var gs []*Group
	for i := 0; i < 10; i++ {
		gs = append(gs, mustCreate(t, s, owner, goodInput(fmt.Sprintf("group-%d", i))))
	}
	var wg sync.WaitGroup
	for _, g := range gs {
		for _, slug := range []string{"wanted-a", "wanted-b"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := g.Input()
				in.Slug = slug
				_, _ = s.Update(ctx, g.ID, owner, in)
			}()
		}
	}
	wg.Wait()
	holders := map[string]int{}
	for _, g := range gs {
		cur, err := s.Get(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		holders[cur.Slug]++
		if got, err := s.GetBySlug(ctx, cur.Slug); err != nil || got.ID != g.ID {
			t.Fatalf("group %s holds %q but the slug resolves to %v (%v)", g.ID, cur.Slug, got, err)
		}
	}
	for slug, n := range holders {
		if n > 1 {
			t.Fatalf("%d groups hold %q", n, slug)
		}
	}
}

func TestDeleteRemovesEveryKey(t *testing.T) {
	t.Parallel()
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	owner, member := newUser(), newUser()
	keep := mustCreate(t, s, owner, goodInput("keep-me"))
	mustJoin(t, s, keep.ID, member)
	before := keysUnder(t, rdb, prefix)

	in := goodInput("delete-me")
	in.Topics = []string{"go", "unique-topic"}
	in.JoinPolicy, in.Question = Approval, "Why?"
	g := mustCreate(t, s, owner, in)
	co, applicant, invitee, banned := newUser(), newUser(), newUser(), newUser()
	for _, u := range []string{member, co} {
		if err := s.Invite(ctx, g.ID, owner, u); err != nil {
			t.Fatal(err)
		}
		if err := s.AcceptInvite(ctx, g.ID, u, nil); err != nil {
			t.Fatal(err)
		}
	}
	must(t, s.Promote(ctx, g.ID, owner, co))
	must(t, s.Apply(ctx, g.ID, applicant, "to learn", nil))
	must(t, s.Invite(ctx, g.ID, co, invitee))
	must(t, s.Ban(ctx, g.ID, owner, banned))
	must(t, s.SetNextSession(ctx, g.ID, time.Now().Add(time.Hour)))

	if err := s.Delete(ctx, g.ID, co); !errors.Is(err, ErrForbidden) {
		t.Fatalf("co-organizer deleted: %v", err)
	}
	must(t, s.Delete(ctx, g.ID, owner))

	after := keysUnder(t, rdb, prefix)
	for k := range after {
		if !before[k] {
			t.Errorf("key left behind: %s", k)
		}
		if strings.Contains(k, g.ID) || strings.Contains(k, "delete-me") || strings.Contains(k, "unique-topic") {
			t.Errorf("key names the deleted group: %s", k)
		}
		if refersTo(t, s, k, g.ID) {
			t.Errorf("key %s still lists the deleted group", k)
		}
	}
	for k := range before {
		if !after[k] {
			t.Errorf("key of another group removed: %s", k)
		}
	}
	if _, err := s.Get(ctx, g.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := s.Delete(ctx, g.ID, owner); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if mine, _ := s.UserGroups(ctx, member); len(mine) != 1 || mine[0].Group.ID != keep.ID {
		t.Fatalf("member's groups after delete: %+v", mine)
	}
}

// refersTo reports whether a set, sorted set or hash key holds id.
func refersTo(t *testing.T, s *Store, key, id string) bool {
	ctx := context.Background()
	typ, err := s.rdb.Type(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	switch typ {
	case "set":
		return s.rdb.SIsMember(ctx, key, id).Val()
	case "zset":
		return s.rdb.ZScore(ctx, key, id).Err() == nil
	case "hash":
		return s.rdb.HExists(ctx, key, id).Val()
	case "string":
		return s.rdb.Get(ctx, key).Val() == id
	}
	return false
}

func TestSetNextSession(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	g := mustCreate(t, s, newUser(), goodInput("next-session"))
	at := time.Date(2027, 1, 2, 18, 30, 0, 0, time.FixedZone("CET", 3600))
	must(t, s.SetNextSession(ctx, g.ID, at))
	got, _ := s.Get(ctx, g.ID)
	if !got.NextSessionAt.Equal(at) || got.NextSessionAt.Location() != time.UTC {
		t.Fatalf("next session %v", got.NextSessionAt)
	}
	must(t, s.SetNextSession(ctx, g.ID, time.Time{}))
	if got, _ := s.Get(ctx, g.ID); !got.NextSessionAt.IsZero() {
		t.Fatalf("cleared next session is %v", got.NextSessionAt)
	}
	if err := s.SetNextSession(ctx, "nosuchgroupaaaaaaaaaaaaa", at); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing group: %v", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
