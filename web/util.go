package web

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"unicode"
)

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext accepts only a local path to return to after sign-in, so the
// sign-in flow cannot be used to send people to another site. Browsers
// drop tabs and newlines and read a backslash as a slash, so any control
// character or backslash is refused, not just the obvious "//".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, unicode.IsControl) || strings.Contains(next, "\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}
