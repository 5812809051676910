package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

func TestDemoDataLoadsOnceAndSignsInByFullName(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	cfg := &Config{RedisPrefix: prefix, SessionSecret: defaultDevSecret, BaseURL: "http://localhost:8080", MailFrom: "fg <fg@localhost>"}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := newStores(cfg, rdb, logger)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := seedDemo(ctx, st, rdb, prefix, logger); err != nil {
		t.Fatalf("seed: %v", err)
	}
	_, total, err := st.groups.Search(ctx, groups.Query{PerPage: 50})
	if err != nil || total != len(seedGroups) {
		t.Fatalf("public demo groups: %d (%v), want %d", total, err, len(seedGroups))
	}
	for _, sg := range seedGroups {
		g, err := st.groups.GetBySlug(ctx, groups.SuggestSlug(sg.name))
		if err != nil {
			t.Fatalf("group %s: %v", sg.name, err)
		}
		if g.MemberCount != len(sg.members)+1 {
			t.Errorf("%s has %d members, want %d", sg.name, g.MemberCount, len(sg.members)+1)
		}
		if up, _ := st.events.GroupUpcoming(ctx, g.ID, 10); len(up) != 1 {
			t.Errorf("%s has %d upcoming sessions", sg.name, len(up))
		}
	}
	// Development sign-in with a demo person's full name is that person.
	diego, created, err := st.users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: auth.DevSubject("Diego Fernández"),
		Name: "Diego Fernández", Emails: []auth.Email{{Address: "x@dev.focusgroups.test", Verified: true}}})
	if err != nil || created {
		t.Fatalf("signing in as the demo Diego made a new user: %v", err)
	}
	if mine, _ := st.groups.UserGroups(ctx, diego.ID); len(mine) == 0 {
		t.Fatal("the demo Diego has no groups")
	}
	// A second start loads nothing twice.
	if err := seedDemo(ctx, st, rdb, prefix, logger); err != nil {
		t.Fatal(err)
	}
	if _, total2, _ := st.groups.Search(ctx, groups.Query{PerPage: 50}); total2 != total {
		t.Fatalf("second start changed the demo groups: %d → %d", total, total2)
	}
}
