package auth_test

import (
	"context"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
)

// Users decoded for reading are remembered by their stored bytes: a later
// change is read at once, and one reader's edits never reach another.
func TestReadsSeeEveryChangeAndStayApart(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u, _, err := s.SignIn(ctx, profile("github", "reader", "reader@example.com", true))
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Get(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	first.Name = "Changed by a caller"
	again, err := s.Get(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Name != "reader" {
		t.Fatalf("a caller's edit reached the next reader: %q", again.Name)
	}
	if _, err := s.UpdateProfile(ctx, u.ID, auth.ProfileUpdate{Name: "Renamed", TimeZone: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	many, err := s.GetMany(ctx, []string{u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got := many[u.ID]; got == nil || got.Name != "Renamed" || got.TimeZone != "Europe/Berlin" {
		t.Fatalf("after the update GetMany read %+v", got)
	}
	if got, err := s.Get(ctx, u.ID); err != nil || got.Name != "Renamed" {
		t.Fatalf("after the update Get read %+v, %v", got, err)
	}
}
