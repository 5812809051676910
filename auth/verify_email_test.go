package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/valid"
)

func TestAddingAVerifiedAddress(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u, _, _ := s.SignIn(ctx, profile("github", "g1", "me@home.example", true))
	other, _, _ := s.SignIn(ctx, profile("github", "g2", "taken@corp.example", true))

	for _, bad := range []string{"", "not an address", "Me <me@x.example>", "me@home.example", "taken@corp.example"} {
		var fields valid.Errors
		if _, _, err := s.StartEmailVerification(ctx, u.ID, bad); !errors.As(err, &fields) || fields["email"] == "" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	token, addr, err := s.StartEmailVerification(ctx, u.ID, " Me@Corp.Example ")
	if err != nil || addr != "me@corp.example" {
		t.Fatal(err)
	}
	if uid, addr, err := s.PendingEmail(ctx, token); err != nil || uid != u.ID || addr != "me@corp.example" {
		t.Fatalf("pending = %q %q %v", uid, addr, err)
	}
	after, err := s.ConfirmEmail(ctx, token)
	if err != nil || len(after.VerifiedEmails()) != 2 || after.VerifiedEmails()[1] != "me@corp.example" {
		t.Fatalf("confirm: %+v %v", after, err)
	}
	if _, err := s.ConfirmEmail(ctx, token); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("a used token worked again: %v", err)
	}
	if found, _ := s.FindByEmail(ctx, "me@corp.example"); found == nil || found.ID != u.ID {
		t.Fatal("the new address does not find its user")
	}
	// Two people racing for one address: only the first to confirm wins.
	t1, _, _ := s.StartEmailVerification(ctx, u.ID, "shared@corp.example")
	t2, _, _ := s.StartEmailVerification(ctx, other.ID, "shared@corp.example")
	if _, err := s.ConfirmEmail(ctx, t1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmEmail(ctx, t2); !errors.Is(err, auth.ErrEmailTaken) {
		t.Fatalf("second confirmation of one address: %v", err)
	}
}
