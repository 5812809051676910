package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
)

func TestCheckAddress(t *testing.T) {
	good := map[string]string{" Ann@Example.COM ": "ann@example.com", "a.b+c@sub.example.org": "a.b+c@sub.example.org"}
	for in, want := range good {
		if got, err := auth.CheckAddress(in); err != nil || got != want {
			t.Errorf("CheckAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ann", "ann@", "@example.com", "ann@localhost", "Ann <ann@example.com>", "ann@example.com, bob@example.com", "ann@.example.com"} {
		if _, err := auth.CheckAddress(bad); !errors.Is(err, auth.ErrBadAddress) {
			t.Errorf("CheckAddress(%q): %v, want ErrBadAddress", bad, err)
		}
	}
}

// Many invitations of one address at once make one guest, and an address
// someone already holds gives that person.
func TestGuestsAreOnePersonPerAddress(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	const n = 30
	got := make([]string, n)
	created := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u, c, err := s.Guest(ctx, "New.Person@Example.com", "New Person")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			got[i] = u.ID
			if c {
				created++
			}
		})
	}
	wg.Wait()
	for _, id := range got {
		if id != got[0] {
			t.Fatalf("two guests for one address: %v", got)
		}
	}
	if created != 1 {
		t.Fatalf("%d calls said they created the guest, want 1", created)
	}
	g, err := s.Get(ctx, got[0])
	if err != nil || !g.Guest || g.Name != "New Person" || g.PrimaryEmail() != "new.person@example.com" || len(g.VerifiedEmails()) != 0 {
		t.Fatalf("the guest: %+v, %v", g, err)
	}
	member, _, err := s.SignIn(ctx, profile("github", "member", "member@example.com", true))
	if err != nil {
		t.Fatal(err)
	}
	if u, c, err := s.Guest(ctx, "member@example.com", ""); err != nil || c || u.ID != member.ID {
		t.Fatalf("inviting a member's address: %v, created %v, %v", u, c, err)
	}
}

// A guest's first sign-in with a provider that verified their address
// makes the guest record theirs; an unverified address takes nothing.
func TestAGuestBecomesTheAccountOnlyThroughAVerifiedAddress(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	guest, _, err := s.Guest(ctx, "gia@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	other, created, err := s.SignIn(ctx, profile("linkedin", "li-gia", "gia@example.com", false))
	if err != nil || !created || other.ID == guest.ID {
		t.Fatalf("an unverified sign-in: %v, created %v, %v; want a new user", other, created, err)
	}
	if g, _ := s.Get(ctx, guest.ID); !g.Guest {
		t.Fatal("an unverified address took the guest over")
	}
	u, created, err := s.SignIn(ctx, profile("github", "gh-gia", "gia@example.com", true))
	if err != nil || created || u.ID != guest.ID {
		t.Fatalf("a verified sign-in: %v, created %v, %v; want the guest's record", u, created, err)
	}
	if u.Guest || len(u.Identities) != 1 || u.Name != "gh-gia" {
		t.Fatalf("after the sign-in: %+v", u)
	}
	if again, _, err := s.SignIn(ctx, profile("github", "gh-gia", "gia@example.com", true)); err != nil || again.ID != guest.ID {
		t.Fatalf("signing in again: %v, %v", again, err)
	}
}
