package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// check runs a token's check in a pipeline of its own.
func check(t *testing.T, tk *Tokens, text string) (TokenOwner, error) {
	t.Helper()
	p := tk.rdb.Pipeline()
	_, resolve := tk.QueueCheck(context.Background(), p, text)
	_, _ = p.Exec(context.Background())
	return resolve()
}

func TestTokensAreShownOnceAndStoredHashed(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	clock := testenv.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	tk := NewTokens(rdb, prefix)
	tk.Now = clock.Now
	ctx := context.Background()
	uid := ids.New()
	text, tok, err := tk.Create(ctx, uid, TokenInput{Name: "calendar sync", Scope: "rsvp", Expires: "2026-03-10"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "fg_"+uid+"_") || tok.Scope != ScopeRSVP || !tok.Expires.Equal(time.Date(2026, 3, 10, 23, 59, 59, 0, time.UTC)) {
		t.Fatalf("token %q %+v", text, tok)
	}
	secret := text[strings.LastIndex(text, "_")+1:]
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	for _, k := range keys {
		if !strings.Contains(k, "{"+uid+"}") {
			t.Errorf("key %s is outside the user's hash tag", k)
		}
		vals, _ := rdb.HGetAll(ctx, k).Result()
		for f, v := range vals {
			if strings.Contains(f+v, secret) {
				t.Fatalf("key %s holds the secret", k)
			}
		}
	}
	owner, err := check(t, tk, text)
	if err != nil || owner != (TokenOwner{UserID: uid, TokenID: tok.ID, Scope: ScopeRSVP}) {
		t.Fatalf("check: %+v, %v", owner, err)
	}
	// Last use is recorded, then at most once a minute.
	used := func() time.Time {
		list, err := tk.List(ctx, uid)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v, %v", list, err)
		}
		return list[0].LastUsed
	}
	first := used()
	if !first.Equal(clock.Now()) {
		t.Fatalf("last used %v, want %v", first, clock.Now())
	}
	clock.Advance(30 * time.Second)
	if _, err := check(t, tk, text); err != nil {
		t.Fatal(err)
	}
	if got := used(); !got.Equal(first) {
		t.Fatalf("last used moved to %v within a minute", got)
	}
	clock.Advance(31 * time.Second)
	if _, err := check(t, tk, text); err != nil {
		t.Fatal(err)
	}
	if got := used(); !got.Equal(clock.Now()) {
		t.Fatalf("last used %v after a minute, want %v", got, clock.Now())
	}
	// Expiry, then revocation.
	clock.Set(time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC))
	if _, err := check(t, tk, text); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("expired token: %v", err)
	}
	if err := tk.Revoke(ctx, uid, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := check(t, tk, text); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("revoked token: %v", err)
	}
	if err := tk.Revoke(ctx, uid, tok.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke twice: %v", err)
	}
}

func TestForgedAndMalformedTokensDoNotWork(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	tk := NewTokens(rdb, prefix)
	uid := ids.New()
	text, tok, err := tk.Create(context.Background(), uid, TokenInput{Name: "ci", Scope: "read"})
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"empty":          "",
		"no prefix":      strings.TrimPrefix(text, TokenPrefix),
		"cut short":      text[:len(text)-1],
		"other secret":   TokenPrefix + uid + "_" + tok.ID + "_" + ids.Secret(),
		"other user":     TokenPrefix + ids.New() + "_" + tok.ID + "_" + text[len(text)-52:],
		"upper case":     strings.ToUpper(text),
		"extra part":     text + "_x",
		"braces in user": TokenPrefix + "{" + uid[1:] + "_" + tok.ID + "_" + text[len(text)-52:],
	} {
		if _, err := check(t, tk, bad); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("%s: %v, want ErrTokenInvalid", name, err)
		}
	}
}

func TestTokenInputIsChecked(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	tk := NewTokens(rdb, prefix)
	tk.Now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	cases := []struct {
		in    TokenInput
		field string
	}{
		{TokenInput{Name: " ", Scope: "read"}, "token_name"},
		{TokenInput{Name: strings.Repeat("x", MaxTokenName+1), Scope: "read"}, "token_name"},
		{TokenInput{Name: "a\x00b", Scope: "read"}, "token_name"},
		{TokenInput{Name: "ok", Scope: "admin"}, "token_scope"},
		{TokenInput{Name: "ok", Scope: "read", Expires: "tomorrow"}, "token_expires"},
		{TokenInput{Name: "ok", Scope: "read", Expires: "2026-03-01"}, "token_expires"},
		{TokenInput{Name: "ok", Scope: "read", Expires: "2027-03-02"}, "token_expires"},
	}
	uid := ids.New()
	for _, c := range cases {
		_, _, err := tk.Create(context.Background(), uid, c.in)
		var fields valid.Errors
		if !errors.As(err, &fields) || fields[c.field] == "" {
			t.Errorf("%+v: %v, want a message on %s", c.in, err, c.field)
		}
	}
	if n, _ := rdb.HLen(context.Background(), tk.tokensKey(uid)).Result(); n != 0 {
		t.Fatalf("%d tokens stored from bad input", n)
	}
}

func TestNoOneHasMoreThanMaxTokens(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	tk := NewTokens(rdb, prefix)
	uid := ids.New()
	errs := make(chan error, MaxTokens+10)
	for range MaxTokens + 10 {
		go func() {
			_, _, err := tk.Create(context.Background(), uid, TokenInput{Name: "t", Scope: "read"})
			errs <- err
		}()
	}
	refused := 0
	for range MaxTokens + 10 {
		switch err := <-errs; {
		case errors.Is(err, ErrTooManyTokens):
			refused++
		case err != nil:
			t.Fatal(err)
		}
	}
	list, err := tk.List(context.Background(), uid)
	if err != nil || len(list) != MaxTokens || refused != 10 {
		t.Fatalf("%d tokens, %d refused (%v)", len(list), refused, err)
	}
}

func TestTokenScriptsDeclareTheirKeys(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	tk := NewTokens(rdb, prefix)
	testenv.CheckScriptKeys(t, rdb, prefix, func() {
		uid := ids.New()
		text, _, err := tk.Create(context.Background(), uid, TokenInput{Name: "t", Scope: "read"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := check(t, tk, text); err != nil {
			t.Fatal(err)
		}
	})
}

// A token's expiry day ends in the person's own zone, a day of 23 hours
// too.
func TestATokenExpiresAtTheEndOfTheDayInThePersonsZone(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	clock := testenv.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	tk := NewTokens(rdb, prefix)
	tk.Now = clock.Now
	ctx := context.Background()
	// The expiry day ends in the person's zone, a day of 23 hours too.
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	for day, want := range map[string]time.Time{
		"2026-03-10": time.Date(2026, 3, 11, 6, 59, 59, 0, time.UTC), // PDT, UTC-7
		"2026-03-08": time.Date(2026, 3, 9, 6, 59, 59, 0, time.UTC),  // the day clocks go forward
		"2026-03-05": time.Date(2026, 3, 6, 7, 59, 59, 0, time.UTC),  // PST, UTC-8
	} {
		_, local, err := tk.Create(ctx, ids.New(), TokenInput{Name: "zoned", Scope: "read", Expires: day, Zone: la})
		if err != nil || !local.Expires.Equal(want) {
			t.Fatalf("expiry %s in Los Angeles: %v %v, want %v", day, local.Expires, err, want)
		}
	}
	if _, _, err := tk.Create(ctx, ids.New(), TokenInput{Name: "zoned", Scope: "read", Expires: "2026-03-01", Zone: la}); err == nil {
		t.Fatal("an expiry today in Los Angeles was taken")
	}
}
