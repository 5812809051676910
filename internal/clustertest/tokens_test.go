package clustertest

import (
	"context"
	"errors"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// API tokens of many people, checked in one pipeline across the nodes
// (the check script is new to every node the first time), then revoked.
func TestAPITokensOnCluster(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	tk := auth.NewTokens(rdb, prefix)
	type made struct{ uid, text string }
	var all []made
	for range 12 {
		uid := ids.New()
		text, _, err := tk.Create(ctx, uid, auth.TokenInput{Name: "script", Scope: "rsvp"})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, made{uid, text})
	}
	check := func() []error {
		p := rdb.Pipeline()
		resolves := make([]func() (auth.TokenOwner, error), len(all))
		for i, m := range all {
			_, resolves[i] = tk.QueueCheck(ctx, p, m.text)
		}
		_, _ = p.Exec(ctx)
		errs := make([]error, len(all))
		for i, resolve := range resolves {
			var owner auth.TokenOwner
			owner, errs[i] = resolve()
			if errs[i] == nil && owner.UserID != all[i].uid {
				t.Fatalf("token %d acts for %s, want %s", i, owner.UserID, all[i].uid)
			}
		}
		return errs
	}
	for i, err := range check() {
		if err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	if n := mastersHolding(t, rdb, prefix); n < 2 {
		t.Fatalf("tokens on %d masters, want them spread", n)
	}
	list, err := tk.List(ctx, all[0].uid)
	if err != nil || len(list) != 1 || list[0].LastUsed.IsZero() {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := tk.Revoke(ctx, all[0].uid, list[0].ID); err != nil {
		t.Fatal(err)
	}
	errs := check()
	if !errors.Is(errs[0], auth.ErrTokenInvalid) {
		t.Fatalf("revoked token: %v", errs[0])
	}
	for i, err := range errs[1:] {
		if err != nil {
			t.Fatalf("token %d after another was revoked: %v", i+1, err)
		}
	}
}
