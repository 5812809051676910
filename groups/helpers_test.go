package groups

import (
	"context"
	"errors"
	"testing"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/redis/go-redis/v9"
)

func newStore(t testing.TB) (*Store, redis.UniversalClient, string) {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	return NewStore(rdb, prefix), rdb, prefix
}

// goodInput is a valid public, open group the tests adjust.
func goodInput(slug string) Input {
	return Input{
		Name:        "Go Berlin " + slug,
		Slug:        slug,
		Description: "We learn **Go** together.",
		Topics:      []string{"go"},
		Paths:       []string{"architecture"},
		City:        "Berlin",
		Online:      true,
	}
}

func mustCreate(t testing.TB, s *Store, owner string, in Input) *Group {
	t.Helper()
	g, err := s.Create(context.Background(), owner, in)
	if err != nil {
		t.Fatalf("create %q: %v", in.Slug, err)
	}
	return g
}

func mustJoin(t testing.TB, s *Store, gid, uid string) {
	t.Helper()
	if err := s.Join(context.Background(), gid, uid, nil); err != nil {
		t.Fatalf("join %s: %v", uid, err)
	}
}

func role(t testing.TB, s *Store, gid, uid string) Role {
	t.Helper()
	r, err := s.Role(context.Background(), gid, uid)
	if err != nil {
		t.Fatalf("role of %s: %v", uid, err)
	}
	return r
}

func fieldErrors(t testing.TB, err error) valid.Errors {
	t.Helper()
	var ve valid.Errors
	if !errors.As(err, &ve) {
		t.Fatalf("want valid.Errors, got %v", err)
	}
	return ve
}

// keysUnder lists every key under the prefix.
func keysUnder(t testing.TB, rdb redis.UniversalClient, prefix string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	out := map[string]bool{}
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		out[iter.Val()] = true
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func newUser() string { return ids.New() }
