package groups

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

func inviteOnly(slug string) Input {
	in := goodInput(slug)
	in.JoinPolicy = Invite
	return in
}

// A link lets people into an invitation-only group until it is revoked,
// expires or is used up, and says which when it no longer does.
func TestInviteLinksAdmitUntilRevokedExpiredOrUsedUp(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	clock := testenv.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	s.Now = clock.Now
	ctx := context.Background()
	owner := ids.New()
	g := mustCreate(t, s, owner, inviteOnly("linked"))
	if err := s.Join(ctx, g.ID, ids.New(), nil); !errors.Is(err, ErrInviteOnly) {
		t.Fatalf("joining without a link: %v, want ErrInviteOnly", err)
	}
	if _, err := s.CreateLink(ctx, g.ID, ids.New(), time.Time{}, 0); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a stranger created a link: %v", err)
	}
	if _, err := s.CreateLink(ctx, g.ID, owner, clock.Now().Add(-time.Minute), 0); !errors.Is(err, ErrLinkExpired) {
		t.Fatalf("a link expiring in the past: %v", err)
	}

	twice, err := s.CreateLink(ctx, g.ID, owner, time.Time{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := ids.New(), ids.New(), ids.New()
	for _, uid := range []string{a, b} {
		if gid, err := s.JoinByLink(ctx, twice.Token(), uid, nil); err != nil || gid != g.ID {
			t.Fatalf("join by link: %q, %v", gid, err)
		}
	}
	if _, err := s.JoinByLink(ctx, twice.Token(), a, nil); !errors.Is(err, ErrLinkUsedUp) {
		t.Fatalf("a third use: %v, want ErrLinkUsedUp", err)
	}
	if _, err := s.LinkOf(ctx, twice.Token()); !errors.Is(err, ErrLinkUsedUp) {
		t.Fatalf("LinkOf a used-up link: %v", err)
	}
	clock.Advance(time.Minute)

	daily, err := s.CreateLink(ctx, g.ID, owner, clock.Now().Add(24*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinByLink(ctx, daily.Token(), a, nil); !errors.Is(err, ErrAlreadyMember) {
		t.Fatalf("a member using a link: %v, want ErrAlreadyMember", err)
	}
	clock.Advance(24 * time.Hour)
	if _, err := s.JoinByLink(ctx, daily.Token(), c, nil); !errors.Is(err, ErrLinkExpired) {
		t.Fatalf("an expired link: %v, want ErrLinkExpired", err)
	}

	open, err := s.CreateLink(ctx, g.ID, owner, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeLink(ctx, g.ID, a, open.Secret); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a member revoked a link: %v", err)
	}
	if err := s.RevokeLink(ctx, g.ID, owner, open.Secret); err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinByLink(ctx, open.Token(), c, nil); !errors.Is(err, ErrLinkRevoked) {
		t.Fatalf("a revoked link: %v, want ErrLinkRevoked", err)
	}
	for _, tok := range []string{"", "nonsense", g.ID + "." + ids.Secret(), ids.New() + "." + open.Secret, open.Token() + "x"} {
		if _, err := s.JoinByLink(ctx, tok, c, nil); !errors.Is(err, ErrLinkUnknown) {
			t.Fatalf("token %q: %v, want ErrLinkUnknown", tok, err)
		}
	}
	links, err := s.Links(ctx, g.ID)
	if err != nil || len(links) != 3 || links[0].Secret != open.Secret || !links[0].Revoked || links[2].Uses != 2 {
		t.Fatalf("links: %+v, %v", links, err)
	}
	got, err := s.Get(ctx, g.ID)
	if err != nil || got.MemberCount != 3 {
		t.Fatalf("members after the links: %v, %v; want the owner and two", got, err)
	}
}

// Many people at once on a link limited to N: exactly N get in.
func TestAnInviteLinkLimitHoldsUnderARush(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := ids.New()
	g := mustCreate(t, s, owner, inviteOnly("rush"))
	const limit, people = 7, 40
	l, err := s.CreateLink(ctx, g.ID, owner, time.Time{}, limit)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	joined, usedUp := 0, 0
	for range people {
		wg.Go(func() {
			_, err := s.JoinByLink(ctx, l.Token(), ids.New(), nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				joined++
			case errors.Is(err, ErrLinkUsedUp):
				usedUp++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.Get(ctx, g.ID)
	if joined != limit || usedUp != people-limit || err != nil || got.MemberCount != limit+1 {
		t.Fatalf("joined %d, used up %d, members %v (%v); want %d, %d and %d", joined, usedUp, got, err, limit, people-limit, limit+1)
	}
}

// A link does not open a company-only group to other addresses.
func TestAnInviteLinkKeepsTheCompanyRule(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := ids.New()
	in := inviteOnly("acme-only")
	in.Domains = []string{"acme.example"}
	g := mustCreate(t, s, owner, in)
	l, err := s.CreateLink(ctx, g.ID, owner, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinByLink(ctx, l.Token(), ids.New(), []string{"me@gmail.example"}); !errors.Is(err, ErrDomain) {
		t.Fatalf("an outside address: %v, want ErrDomain", err)
	}
	if _, err := s.JoinByLink(ctx, l.Token(), ids.New(), []string{"me@acme.example"}); err != nil {
		t.Fatalf("a company address: %v", err)
	}
	if ls, _ := s.Links(ctx, g.ID); len(ls) != 1 || ls[0].Uses != 1 {
		t.Fatalf("uses: %+v; a refused join must not count", ls)
	}
}

// Deleting a group deletes its links.
func TestDeletingAGroupDeletesItsLinks(t *testing.T) {
	t.Parallel()
	s, rdb, _ := newStore(t)
	ctx := context.Background()
	owner := ids.New()
	g := mustCreate(t, s, owner, inviteOnly("gone"))
	l, err := s.CreateLink(ctx, g.ID, owner, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, g.ID, owner); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Exists(ctx, s.linksKey(g.ID)).Result(); err != nil || n != 0 {
		t.Fatalf("links key left: %d, %v", n, err)
	}
	if _, err := s.JoinByLink(ctx, l.Token(), ids.New(), nil); !errors.Is(err, ErrLinkUnknown) {
		t.Fatalf("a deleted group's link: %v, want ErrLinkUnknown", err)
	}
}
