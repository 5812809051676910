package mail

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/focusgroups/focusgroups/internal/valid"
)

// ScopeAll is the unsubscribe scope that stops every mail but the ones a
// person's own actions require.
const ScopeAll = "all"

// ScopeGroup is the unsubscribe scope for one group's mails.
func ScopeGroup(groupID string) string { return "group:" + groupID }

// Tokens signs and checks unsubscribe links. They are stateless
// (HMAC-SHA256 over user and scope) so they keep working in old mails and
// cost nothing to issue for every mail.
type Tokens struct {
	key []byte
}

// NewTokens derives the signing key from the app's SESSION_SECRET, so the
// same secret used elsewhere never signs anything but unsubscribe links.
func NewTokens(secret []byte) *Tokens {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("focusgroups mail unsubscribe v1"))
	return &Tokens{key: m.Sum(nil)}
}

// b64 is strict: a token whose unused trailing bits were changed is refused,
// not decoded to the same bytes as the one that was signed.
var b64 = base64.RawURLEncoding.Strict()

// UnsubscribeToken returns the URL-safe token for the link that
// unsubscribes userID from scope (ScopeAll or ScopeGroup(id)).
func (t *Tokens) UnsubscribeToken(userID, scope string) (string, error) {
	errs := valid.Errors{}
	if !validTokenPart(userID) {
		errs.Add("user", "must be a user ID")
	}
	if !validScope(scope) {
		errs.Add("scope", `must be "all" or "group:<id>"`)
	}
	if err := errs.Err(); err != nil {
		return "", err
	}
	payload := userID + "|" + scope
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(t.mac(payload)), nil
}

// VerifyUnsubscribe returns the user and scope a token was issued for, or
// ok=false for a malformed or tampered token.
func (t *Tokens) VerifyUnsubscribe(token string) (userID, scope string, ok bool) {
	p, sig, found := strings.Cut(token, ".")
	if !found || len(token) > 512 {
		return "", "", false
	}
	payload, err := b64.DecodeString(p)
	if err != nil {
		return "", "", false
	}
	mac, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, t.mac(string(payload))) {
		return "", "", false
	}
	userID, scope, found = strings.Cut(string(payload), "|")
	if !found || !validTokenPart(userID) || !validScope(scope) {
		return "", "", false
	}
	return userID, scope, true
}

func (t *Tokens) mac(payload string) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

func validTokenPart(s string) bool {
	return s != "" && validToken(s, 100) && !strings.Contains(s, "|")
}

func validScope(s string) bool {
	if s == ScopeAll {
		return true
	}
	id, ok := strings.CutPrefix(s, "group:")
	return ok && validTokenPart(id)
}
