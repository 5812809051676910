// Package ids makes the random identifiers and secrets the product hands out.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns an unguessable 120-bit identifier, safe in URLs and Redis keys
// (lower-case letters and digits, never braces).
func New() string {
	return randomString(15)
}

// Secret returns a 256-bit random token for links that grant access.
func Secret() string {
	return randomString(32)
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("ids: crypto/rand failed: " + err.Error())
	}
	return enc.EncodeToString(b)
}

// Valid reports whether s looks like an identifier made by New, so handlers
// can answer 404 for junk before touching Redis.
func Valid(s string) bool {
	if len(s) != 24 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}

// ValidSecret reports whether s looks like a token made by Secret.
func ValidSecret(s string) bool {
	return len(s) == 52 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}
