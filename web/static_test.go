package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"regexp"
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
	links := regexp.MustCompile(`"(/static/([a-z]+\.[a-z]+)\?v=([0-9a-f]{12}))"`).FindAllStringSubmatch(page, -1)
	want := map[string]string{"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml"}
	if len(links) != len(want) {
		t.Fatalf("the layout links %q, want a versioned address for each of %v", links, want)
	}
	for _, l := range links {
		url, name := l[1], l[2]
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
		if len(tags["br"]) > 0 && (tags["br"] == tags["gzip"] || tags["br"] == tags[""]) {
			t.Errorf("%s: one ETag for two encodings: %v", url, tags)
		}
		for coding, tag := range tags {
			accept := map[string]string{"": "", "gzip": "gzip", "br": "br"}[coding]
			if res, body := staticGet(t, app, http.MethodGet, url, accept, tag); res.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("%s (%s) with If-None-Match %s: %d with %d bytes, want 304 and nothing", url, coding, tag, res.StatusCode, len(body))
			}
			if res, _ := staticGet(t, app, http.MethodGet, url, accept, "W/"+tag); res.StatusCode != http.StatusNotModified {
				t.Errorf("%s with a weak If-None-Match: %d, want 304", url, res.StatusCode)
			}
			if res, _ := staticGet(t, app, http.MethodGet, url, accept, `"other"`); res.StatusCode != http.StatusOK {
				t.Errorf("%s with another ETag: %d, want 200", url, res.StatusCode)
			}
		}
		if res, body := staticGet(t, app, http.MethodHead, url, "", ""); res.StatusCode != http.StatusOK || len(body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes, want 200 and no body", url, res.StatusCode, len(body))
		}
		for _, other := range []string{"/static/" + name, "/static/" + name + "?v=000000000000"} {
			res, body := staticGet(t, app, http.MethodGet, other, "", "")
			if res.StatusCode != http.StatusOK || !bytes.Equal(body, file) || res.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("%s: %d, %d bytes, Cache-Control %q; want the file, revalidated on every use", other, res.StatusCode, len(body), res.Header.Get("Cache-Control"))
			}
		}
	}
	for _, missing := range []string{"/static/nope.css", "/static/", "/static/..%2Fweb.go", "/static/../web.go", "/static/app.css/x"} {
		if res, _ := staticGet(t, app, http.MethodGet, missing, "", ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", missing, res.StatusCode)
		}
	}
}
