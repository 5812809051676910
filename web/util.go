package web

import (
	"crypto/subtle"
	"net/url"
	"strings"
)

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext accepts only a local path to return to after sign-in, so the
// sign-in flow cannot be used to send people to another site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return ""
	}
	return next
}
