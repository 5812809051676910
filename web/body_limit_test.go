package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/web"
)

// rawPost sends a form POST of n bytes on conn (chunked when asked) and
// reads the answer.
func rawPost(t *testing.T, conn net.Conn, br *bufio.Reader, path string, n int, chunked bool) (*http.Response, string) {
	t.Helper()
	body := strings.Repeat("a", n)
	if chunked {
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", path, n, body)
	} else {
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", path, n, body)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("POST of %d bytes: %v", n, err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(page)
}

// A body just over the limit is read to its end and answered with the 413
// page on a connection that stays usable; one at the limit goes on to the
// form's own checks (here: no CSRF token, 403). A body far over the limit
// is refused from its Content-Length alone, with the same page.
func TestOversizedBodiesGetThe413Page(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	addr := strings.TrimPrefix(app.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)

	for _, c := range []struct {
		n       int
		chunked bool
		status  int
	}{
		{web.MaxBodySize + 1, false, http.StatusRequestEntityTooLarge},
		{web.MaxBodySize + 1, true, http.StatusRequestEntityTooLarge},
		{web.MaxBodySize, false, http.StatusForbidden},
		{2 * web.MaxBodySize, false, http.StatusRequestEntityTooLarge},
	} {
		resp, page := rawPost(t, conn, br, "/profile", c.n, c.chunked)
		if resp.StatusCode != c.status {
			t.Fatalf("%d bytes (chunked %v): %d, want %d", c.n, c.chunked, resp.StatusCode, c.status)
		}
		if c.status == http.StatusRequestEntityTooLarge && !strings.Contains(page, "Too much data") {
			t.Fatalf("%d bytes: not the 413 page:\n%s", c.n, page)
		}
		if resp.Close {
			t.Fatalf("%d bytes: the server closed the connection", c.n)
		}
	}

	// Far over the limit: refused before the body is read (it is never
	// sent here), and the connection is closed.
	far, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer far.Close()
	fmt.Fprintf(far, "POST /profile HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", 64*web.MaxBodySize)
	resp, err := http.ReadResponse(bufio.NewReader(far), nil)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(page), "Too much data") {
		t.Fatalf("far over the limit: %d\n%s", resp.StatusCode, page)
	}
}

// A discovery search with long values in every filter (a URL of about
// 5 KB, past fasthttp's 4 KB default read buffer) is read and answered
// like any search. A request line past the limit gets a 431, or, when
// the client is still sending as the server closes, a closed connection;
// never a 500.
func TestLongURLsAreReadAndOverlongOnesRefused(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	long := strings.Repeat("z", 1000)
	path := "/groups?q=" + long + "&topic=" + long + "&path=" + long + "&city=" + long + "&sort=" + long
	r := app.NewClient(t).Get(path)
	if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("GET of a %d-byte search: %d\n%s", len(path), r.StatusCode, r.Body)
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(app.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET /groups?q=%s HTTP/1.1\r\nHost: x\r\n\r\n", strings.Repeat("z", 16<<10)); err != nil {
		return // the server closed first: refused
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return // closed after the answer was lost to the reset: refused
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("GET of a 16 KB URL: %d, want 431", resp.StatusCode)
	}
}
