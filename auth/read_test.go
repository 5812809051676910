package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/testenv"
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

// Lists of people may use names read up to a minute ago, never older, and
// a change made through this Store shows at once.
func TestRecentUsersAgeOutAndForgetChanges(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	clock := testenv.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	s.Now = clock.Now
	ctx := context.Background()
	a, _, err := s.SignIn(ctx, profile("github", "ann", "ann@example.com", true))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := s.SignIn(ctx, profile("github", "bob", "bob@example.com", true))
	if err != nil {
		t.Fatal(err)
	}
	if known, missing := s.Recent([]string{a.ID, b.ID}); len(known) != 0 || len(missing) != 2 {
		t.Fatalf("before any read: known %v, missing %v", known, missing)
	}
	if _, err := s.GetMany(ctx, []string{a.ID, b.ID}); err != nil {
		t.Fatal(err)
	}
	known, missing := s.Recent([]string{a.ID, b.ID})
	if len(missing) != 0 || known[a.ID].Name != "ann" || known[b.ID].Name != "bob" {
		t.Fatalf("after a read: known %v, missing %v", known, missing)
	}
	if _, err := s.UpdateProfile(ctx, a.ID, auth.ProfileUpdate{Name: "Ann Renamed", TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if known, missing := s.Recent([]string{a.ID, b.ID}); len(missing) != 1 || missing[0] != a.ID || known[b.ID] == nil {
		t.Fatalf("after ann's change: known %v, missing %v; want ann to be read again", known, missing)
	}
	clock.Advance(auth.RecentFor)
	if known, missing := s.Recent([]string{b.ID}); len(known) != 0 || len(missing) != 1 {
		t.Fatalf("a minute later: known %v, missing %v; want bob to be read again", known, missing)
	}
}
