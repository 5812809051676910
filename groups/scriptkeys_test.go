package groups

import (
	"context"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// Every group script, the discovery index's above all (its term sets
// change with the group), declares every key it touches.
func TestScriptsDeclareTheirKeys(t *testing.T) {
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	owner, member := ids.New(), ids.New()
	testenv.CheckScriptKeys(t, rdb, prefix, func() {
		g := mustCreate(t, s, owner, goodInput("declared"))
		in := g.Input()
		in.Topics, in.City, in.Description = []string{"rust", "wasm"}, "Hamburg", "Systems programming."
		if _, err := s.Update(ctx, g.ID, owner, in); err != nil {
			t.Fatal(err)
		}
		if err := s.Join(ctx, g.ID, member, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSessionZone(ctx, g.ID, "Europe/Berlin"); err != nil {
			t.Fatal(err)
		}
		if err := s.MergeMember(ctx, member, ids.New()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Search(ctx, Query{Words: "systems", Topic: "rust"}); err != nil {
			t.Fatal(err)
		}
		l, err := s.CreateLink(ctx, g.ID, owner, time.Time{}, 5)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.JoinByLink(ctx, l.Token(), ids.New(), nil); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeLink(ctx, g.ID, owner, l.Secret); err != nil {
			t.Fatal(err)
		}
		in.Visibility = Private
		if _, err := s.Update(ctx, g.ID, owner, in); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, g.ID, owner); err != nil {
			t.Fatal(err)
		}
	})
}
