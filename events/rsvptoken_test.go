package events

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

func TestRSVPTokensBelongToOnePersonAndSession(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	now := time.Now().UTC()
	ev := Event{ID: "evone", End: now.Add(2 * time.Hour)}
	tok, err := s.IssueRSVPToken(ctx, ev, "alice")
	if err != nil {
		t.Fatal(err)
	}
	e, u, err := s.RSVPTokenOwner(ctx, tok)
	if err != nil || e != "evone" || u != "alice" {
		t.Fatalf("owner = %q %q %v", e, u, err)
	}
	keys, _ := rdb.Keys(ctx, prefix+"rsvptok:*").Result()
	if len(keys) != 1 || strings.Contains(keys[0], tok) {
		t.Fatalf("the token itself is stored: %v", keys)
	}
	if ttl := rdb.TTL(ctx, keys[0]).Val(); ttl <= RSVPTokenGrace || ttl > RSVPTokenGrace+2*time.Hour+time.Second {
		t.Fatalf("token TTL %v, want the session's end plus the grace period", ttl)
	}
	flip := "a"
	if strings.HasSuffix(tok, "a") {
		flip = "b"
	}
	tampered := tok[:len(tok)-1] + flip
	for _, bad := range []string{"", "short", tampered, tok + "x", strings.Repeat("a", 52)} {
		if _, _, err := s.RSVPTokenOwner(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	if _, err := s.IssueRSVPToken(ctx, Event{ID: "old", End: now.Add(-time.Minute)}, "alice"); !errors.Is(err, ErrPast) {
		t.Fatalf("token for an ended session: %v", err)
	}
}

func TestRSVPTokensInBulk(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	ev := Event{ID: "evbulk", End: time.Now().UTC().Add(time.Hour)}
	toks, err := s.IssueRSVPTokens(ctx, ev, []string{"a", "b", "c"})
	if err != nil || len(toks) != 3 {
		t.Fatalf("tokens %v, %v", toks, err)
	}
	for uid, tok := range toks {
		if e, u, err := s.RSVPTokenOwner(ctx, tok); err != nil || e != "evbulk" || u != uid {
			t.Errorf("token of %s resolves to %q %q %v", uid, e, u, err)
		}
	}
	if toks["a"] == toks["b"] {
		t.Fatal("two people share a token")
	}
}
