package mail

import (
	"errors"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/valid"
)

func TestUnsubscribeTokensRoundTrip(t *testing.T) {
	t.Parallel()
	tok := NewTokens([]byte("session-secret"))
	for _, scope := range []string{ScopeAll, ScopeGroup("g7x2k")} {
		s, err := tok.UnsubscribeToken("u123", scope)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(s, "+/=?&# ") {
			t.Errorf("token %q is not URL-safe", s)
		}
		user, got, ok := tok.VerifyUnsubscribe(s)
		if !ok || user != "u123" || got != scope {
			t.Errorf("Verify = %q %q %v, want u123 %q", user, got, ok, scope)
		}
	}
}

func TestUnsubscribeTokensRejectTampering(t *testing.T) {
	t.Parallel()
	tok := NewTokens([]byte("session-secret"))
	good, _ := tok.UnsubscribeToken("u123", ScopeGroup("g1"))
	other, _ := tok.UnsubscribeToken("u999", ScopeAll)
	payload, sig, _ := strings.Cut(good, ".")
	otherPayload, otherSig, _ := strings.Cut(other, ".")
	forged := b64.EncodeToString([]byte("u123|all"))
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	cases := map[string]string{
		"empty":                        "",
		"no signature":                 payload,
		"empty signature":              payload + ".",
		"flipped payload":              flip(payload, 2) + "." + sig,
		"flipped signature":            payload + "." + flip(sig, 5),
		"truncated signature":          payload + "." + sig[:20],
		"other user's payload":         otherPayload + "." + sig,
		"other user's signature":       payload + "." + otherSig,
		"widened scope, old signature": forged + "." + sig,
		"not base64":                   "!!!." + sig,
		"three parts":                  good + ".x",
		"signed by another secret":     mustToken(t, NewTokens([]byte("other-secret")), "u123", ScopeGroup("g1")),
		"huge":                         strings.Repeat("A", 600) + "." + sig,
	}
	for name, s := range cases {
		if user, scope, ok := tok.VerifyUnsubscribe(s); ok {
			t.Errorf("%s: accepted as %q %q", name, user, scope)
		}
	}
}

func TestUnsubscribeTokenRejectsBadInput(t *testing.T) {
	t.Parallel()
	tok := NewTokens([]byte("session-secret"))
	cases := []struct{ user, scope, field string }{
		{"", ScopeAll, "user"},
		{"u|1", ScopeAll, "user"},
		{"u 1", ScopeAll, "user"},
		{"u1", "", "scope"},
		{"u1", "group:", "scope"},
		{"u1", "event:e1", "scope"},
		{"u1", "group:a|b", "scope"},
	}
	for _, c := range cases {
		_, err := tok.UnsubscribeToken(c.user, c.scope)
		var ve valid.Errors
		if !errors.As(err, &ve) || ve[c.field] == "" {
			t.Errorf("UnsubscribeToken(%q, %q) = %v, want field %q", c.user, c.scope, err, c.field)
		}
	}
}

func mustToken(t *testing.T, tok *Tokens, user, scope string) string {
	t.Helper()
	s, err := tok.UnsubscribeToken(user, scope)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Changing only the unused low bits of a token's last character must not
// leave a working link that was never issued.
func TestUnsubscribeTokenWithChangedTrailingBitsIsRefused(t *testing.T) {
	tokens := NewTokens([]byte("0123456789abcdef0123456789abcdef"))
	tok, err := tokens.UnsubscribeToken("u123", ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	tampered := tok[:len(tok)-1] + string(alphabet[last^1])
	if _, _, ok := tokens.VerifyUnsubscribe(tampered); ok {
		t.Fatalf("%s verified although it is not the token issued (%s)", tampered, tok)
	}
	if _, _, ok := tokens.VerifyUnsubscribe(tok); !ok {
		t.Fatal("the issued token does not verify")
	}
}
