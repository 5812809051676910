package web

import "testing"

func TestSafeNextKeepsVisitorsOnThisSite(t *testing.T) {
	for in, want := range map[string]string{
		"/g/go-circle":           "/g/go-circle",
		"/s/abc?x=1#top":         "/s/abc?x=1#top",
		"":                       "",
		"https://evil.example":   "",
		"//evil.example":         "",
		"/\\evil.example":        "",
		"/\t/evil.example":       "",
		"/%09/evil.example":      "/%09/evil.example", // still encoded: the browser keeps it a path
		"/\n/evil.example":       "",
		"javascript:alert(1)":    "",
		"/ok\r\nSet-Cookie: x=1": "",
		"relative/path":          "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
