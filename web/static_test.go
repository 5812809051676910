package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// staticGet fetches path from the app with the Accept-Encoding and
// If-None-Match given (none when empty), without Go's transparent gzip.
func staticGet(t *testing.T, app *apptest.App, method, path, accept, ifNone string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, app.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", accept)
	if accept == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	if ifNone != "" {
		req.Header.Set("If-None-Match", ifNone)
	}
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// The layout links the styles, the script and the icon at their current
// versions; each is served at that address for a year, in the encoding
// the browser prefers, and decodes to the file itself. At any other
// address (a page from before a deploy) it is revalidated every time, so
// a browser never keeps bytes that do not match the page.
func TestStaticFilesAreVersionedCompressedAndCached(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	page := app.NewClient(t).Get("/").Body
	links := regexp.MustCompile(`"(/static/([0-9a-f]{12})/([a-z]+\.[a-z]+))"`).FindAllStringSubmatch(page, -1)
	want := map[string]string{"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml"}
	if len(links) != len(want) {
		t.Fatalf("the layout links %q, want a versioned address for each of %v", links, want)
	}
	for _, l := range links {
		url, name := l[1], l[3]
		file, err := os.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		tags := map[string]string{}
		for _, enc := range []struct{ accept, coding string }{
			{"", ""}, {"gzip", "gzip"}, {"gzip, deflate, br", "br"}, {"br;q=0, gzip", "gzip"}, {"deflate", ""},
		} {
			res, body := staticGet(t, app, http.MethodGet, url, enc.accept, "")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != want[name] {
				t.Fatalf("%s (%q): %d %q, want 200 %q", url, enc.accept, res.StatusCode, res.Header.Get("Content-Type"), want[name])
			}
			if cc, vary := res.Header.Get("Cache-Control"), res.Header.Get("Vary"); cc != "public, max-age=31536000, immutable" || vary != "Accept-Encoding" {
				t.Errorf("%s: Cache-Control %q, Vary %q, want a year's immutable cache varying by encoding", url, cc, vary)
			}
			coding := res.Header.Get("Content-Encoding")
			// A file too small to gain from compression goes as it is.
			if coding != enc.coding && !(coding == "" && len(file) < 1024) {
				t.Errorf("%s (%q): encoded %q, want %q", url, enc.accept, coding, enc.coding)
			}
			var plain []byte
			switch coding {
			case "":
				plain = body
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if plain, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			case "br":
				if plain, err = fasthttp.AppendUnbrotliBytes(nil, body); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(plain, file) {
				t.Fatalf("%s (%q, %s): %d bytes decode to %d, not the file's %d", url, enc.accept, coding, len(body), len(plain), len(file))
			}
			if coding != "" && len(body) >= len(file) {
				t.Errorf("%s: %s gives %d bytes for %d", url, coding, len(body), len(file))
			}
			tags[coding] = res.Header.Get("ETag")
		}
		seen := map[string]string{}
		for coding, tag := range tags {
			if other, ok := seen[tag]; ok || tag == "" {
				t.Errorf("%s: ETag %q for %q and %q", url, tag, other, coding)
			}
			seen[tag] = coding
		}
		for coding, tag := range tags {
			accept := map[string]string{"": "", "gzip": "gzip", "br": "br"}[coding]
			res, body := staticGet(t, app, http.MethodGet, url, accept, tag)
			if res.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("%s (%s) with If-None-Match %s: %d with %d bytes, want 304 and nothing", url, coding, tag, res.StatusCode, len(body))
			}
			if res.Header.Get("ETag") != tag || res.Header.Get("Vary") != "Accept-Encoding" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s (%s): a 304 with ETag %q, Vary %q, Cache-Control %q; want those of the 200", url, coding,
					res.Header.Get("ETag"), res.Header.Get("Vary"), res.Header.Get("Cache-Control"))
			}
			if res, _ := staticGet(t, app, http.MethodGet, url, accept, "W/"+tag); res.StatusCode != http.StatusNotModified {
				t.Errorf("%s with a weak If-None-Match: %d, want 304", url, res.StatusCode)
			}
			if res, _ := staticGet(t, app, http.MethodGet, url, accept, `"other"`); res.StatusCode != http.StatusOK {
				t.Errorf("%s with another ETag: %d, want 200", url, res.StatusCode)
			}
		}
		if res, _ := staticGet(t, app, http.MethodHead, url, "", ""); res.StatusCode != http.StatusOK || res.ContentLength != int64(len(file)) ||
			res.Header.Get("Content-Type") != want[name] || res.Header.Get("ETag") != tags[""] {
			t.Errorf("HEAD %s: %d, Content-Length %d, Content-Type %q, ETag %q; want the GET's headers", url, res.StatusCode,
				res.ContentLength, res.Header.Get("Content-Type"), res.Header.Get("ETag"))
		}
		// The address before versions (pages cached from before), an
		// older version, and one not served yet by this instance.
		for _, other := range []string{"/static/" + name, "/static/000000000000/" + name, "/static/" + name + "?v=" + l[2]} {
			res, body := staticGet(t, app, http.MethodGet, other, "", "")
			if res.StatusCode != http.StatusOK || !bytes.Equal(body, file) || res.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("%s: %d, %d bytes, Cache-Control %q; want the file, revalidated on every use", other, res.StatusCode, len(body), res.Header.Get("Cache-Control"))
			}
		}
	}
	// Names the handler does not know, and addresses that never reach it
	// (fasthttp cleans the dots away; the routes after it answer 404).
	for _, missing := range []string{"/static/nope.css", "/static/" + links[0][2] + "/nope.css", "/static/..%2Fweb.go",
		"/static/", "/static/../web.go", "/static/a/b/app.css"} {
		if res, _ := staticGet(t, app, http.MethodGet, missing, "", ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", missing, res.StatusCode)
		}
	}
}

// Every HTML page, signed in or not, error pages included, tells caches
// in front of the app not to keep it (pages carry the viewer's name and
// form tokens bound to their session); responses that say otherwise
// (static files, calendars) keep their own.
func TestPagesAreNotKeptBySharedCaches(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "private-pages", nil)
	id := sesCreate(t, org, g, sesForm("Cached nowhere"))
	anon := app.NewClient(t)
	for _, c := range []struct {
		who    *apptest.Client
		path   string
		status int
		want   string
	}{
		{anon, "/", http.StatusOK, "private, no-cache"},
		{anon, "/s/" + id, http.StatusOK, "private, no-cache"},
		{anon, "/no/such/page", http.StatusNotFound, "private, no-cache"},
		{org.Client, "/dashboard", http.StatusOK, "private, no-cache"},
		{org.Client, "/s/" + id, http.StatusOK, "private, no-cache"},
		{org.Client, "/s/" + id + "/calendar.ics", http.StatusOK, "private, max-age=300"},
		{anon, "/static/app.css", http.StatusOK, "no-cache"},
	} {
		r := c.who.Get(c.path)
		if r.StatusCode != c.status || r.Header.Get("Cache-Control") != c.want {
			t.Errorf("%s: %d with Cache-Control %q, want %d with %q", c.path, r.StatusCode, r.Header.Get("Cache-Control"), c.status, c.want)
		}
	}
}
