package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

func newStore(t *testing.T) *auth.Store {
	rdb, prefix := testenv.Redis(t)
	return auth.NewStore(rdb, prefix)
}

func profile(provider, subject, email string, verified bool) auth.Profile {
	return auth.Profile{Provider: provider, Subject: subject, Name: subject, Emails: []auth.Email{{Address: email, Verified: verified}}}
}

func TestFirstSignInRaceMakesOneUser(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	const n = 50
	ids := make([]string, n)
	created := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, c, err := s.SignIn(ctx, profile("github", "1", "same@example.com", true))
			if err != nil {
				t.Error(err)
				return
			}
			ids[i], created[i] = u.ID, c
		}()
	}
	wg.Wait()
	nCreated := 0
	for i := range n {
		if ids[i] != ids[0] {
			t.Fatalf("sign-in %d got user %s, sign-in 0 got %s", i, ids[i], ids[0])
		}
		if created[i] {
			nCreated++
		}
	}
	if nCreated != 1 {
		t.Fatalf("%d sign-ins reported creating the user, want 1", nCreated)
	}
}

func TestLinkingOnlyThroughVerifiedEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name              string
		firstVerified     bool
		secondVerified    bool
		wantSameUser      bool
		secondEmailDiffer bool
	}{
		{"both verified", true, true, true, false},
		{"newcomer unverified", true, false, false, false},
		{"existing unverified", false, true, false, false},
		{"different address", true, true, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			first, _, err := s.SignIn(ctx, profile("github", "g1", "dev@corp.example", tc.firstVerified))
			if err != nil {
				t.Fatal(err)
			}
			email := "DEV@corp.example" // case must not matter
			if tc.secondEmailDiffer {
				email = "other@corp.example"
			}
			second, created, err := s.SignIn(ctx, profile("sso", "s1", email, tc.secondVerified))
			if err != nil {
				t.Fatal(err)
			}
			if same := second.ID == first.ID; same != tc.wantSameUser {
				t.Fatalf("same user = %v, want %v", same, tc.wantSameUser)
			}
			if created == tc.wantSameUser {
				t.Fatalf("created = %v", created)
			}
		})
	}
}

func TestUnlinkKeepsOneIdentityAndFreesTheAccount(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u, _, _ := s.SignIn(ctx, profile("github", "g1", "a@b.example", true))
	if _, err := s.Unlink(ctx, u.ID, "github"); !errors.Is(err, auth.ErrLastIdentity) {
		t.Fatalf("unlink only identity: %v", err)
	}
	if _, err := s.Link(ctx, u.ID, profile("sso", "s1", "a@b.example", true)); err != nil {
		t.Fatal(err)
	}
	other, _, _ := s.SignIn(ctx, profile("dev", "x", "x@y.example", true))
	if _, err := s.Link(ctx, other.ID, profile("sso", "s1", "x@y.example", true)); !errors.Is(err, auth.ErrIdentityTaken) {
		t.Fatalf("linking someone else's identity: %v", err)
	}
	after, err := s.Unlink(ctx, u.ID, "github")
	if err != nil || len(after.Identities) != 1 || after.Identities[0].Provider != "sso" {
		t.Fatalf("unlink: %+v %v", after, err)
	}
	// The freed GitHub account now signs in as a new person (its verified
	// address is still owned, so it links back to the same user).
	again, _, err := s.SignIn(ctx, profile("github", "g1", "a@b.example", true))
	if err != nil || again.ID != u.ID {
		t.Fatalf("re-sign-in after unlink: %v %v", again, err)
	}
	if _, _, err := s.SignIn(ctx, auth.Profile{Provider: "github", Subject: "g2"}); !errors.Is(err, auth.ErrNoEmail) {
		t.Fatalf("profile without email: %v", err)
	}
}
