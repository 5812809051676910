package groups

import (
	"context"
	"errors"
	"testing"

	"github.com/focusgroups/focusgroups/internal/ids"
)

// The group remembers the zone of the session it scheduled last; an
// update of its settings keeps it, and a deleted group is not brought
// back by it.
func TestTheGroupRemembersItsLastSessionZone(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := ids.New()
	g := mustCreate(t, s, owner, goodInput("zone-memory"))
	if g.TimeZone != "" {
		t.Fatalf("a new group has zone %q", g.TimeZone)
	}
	for _, zone := range []string{"Europe/Berlin", "Asia/Tokyo"} {
		if err := s.SetSessionZone(ctx, g.ID, zone); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, g.ID); got.TimeZone != zone {
			t.Fatalf("zone %q, want %q", got.TimeZone, zone)
		}
	}
	if err := s.SetSessionZone(ctx, g.ID, ""); err != nil {
		t.Fatal(err)
	}
	in := g.Input()
	in.City = "Osaka"
	if _, err := s.Update(ctx, g.ID, owner, in); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, g.ID); got.TimeZone != "Asia/Tokyo" {
		t.Fatalf("after an empty zone and a settings update: zone %q, want Asia/Tokyo", got.TimeZone)
	}
	if err := s.Delete(ctx, g.ID, owner); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSessionZone(ctx, g.ID, "Europe/Paris"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("zone of a deleted group: %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx, g.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the deleted group is back: %v", err)
	}
}

// A zone found among older sessions fills in a group that has none, and
// never replaces one a session recorded.
func TestFillSessionZoneOnlyFillsAnEmptyZone(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	g := mustCreate(t, s, ids.New(), goodInput("zone-fill"))
	if err := s.FillSessionZone(ctx, g.ID, "America/Sao_Paulo"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, g.ID); got.TimeZone != "America/Sao_Paulo" {
		t.Fatalf("an empty zone filled: %q, want America/Sao_Paulo", got.TimeZone)
	}
	if err := s.SetSessionZone(ctx, g.ID, "Asia/Tokyo"); err != nil {
		t.Fatal(err)
	}
	if err := s.FillSessionZone(ctx, g.ID, "America/Sao_Paulo"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, g.ID); got.TimeZone != "Asia/Tokyo" {
		t.Fatalf("a recorded zone after a fill: %q, want Asia/Tokyo", got.TimeZone)
	}
}
