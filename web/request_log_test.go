package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// lockedBuffer collects log lines written from many requests at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A line per request is a debug line: at the default level (info) pages
// log nothing, and at debug each request logs its route pattern, never
// its path or query string, which can hold tokens.
func TestRequestLinesAreDebugAndNameTheRouteOnly(t *testing.T) {
	for _, tc := range []struct {
		level slog.Level
		want  bool
	}{{slog.LevelInfo, false}, {slog.LevelDebug, true}} {
		var logs lockedBuffer
		app := apptest.Start(t, apptest.Options{Logs: &logs, LogLevel: tc.level})
		c := app.NewClient(t)
		if r := c.Get("/rsvp/secret-token-in-path?code=secret-code"); r.StatusCode == http.StatusInternalServerError {
			t.Fatalf("emailed link with a bad token: %d", r.StatusCode)
		}
		if r := c.Get("/groups?q=kubernetes"); r.StatusCode != http.StatusOK {
			t.Fatalf("discovery: %d", r.StatusCode)
		}
		got := logs.String()
		if strings.Contains(got, "msg=request") != tc.want {
			t.Fatalf("at %v, request lines logged: %v, want %v:\n%s", tc.level, !tc.want, tc.want, got)
		}
		for _, secret := range []string{"secret-token-in-path", "secret-code", "kubernetes"} {
			if strings.Contains(got, secret) {
				t.Fatalf("the log holds %q:\n%s", secret, got)
			}
		}
		if tc.want && !strings.Contains(got, "route=/groups") {
			t.Fatalf("no line names the route /groups:\n%s", got)
		}
	}
}
