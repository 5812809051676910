package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

func coverPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.NRGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var coverSrc = regexp.MustCompile(`src="(/covers/[^"]+)"`)

// An organizer uploads a cover: it is scaled, stored and served with
// long caching and an ETag; bad files get the form back with the reason;
// members cannot upload; a replaced cover's old address is gone.
func TestCoverUpload(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	mia := sesSignIn(t, app, "Mia Member", "")
	g := sesGroup(t, app, org, "covered", nil)
	sesJoin(t, app, g, mia)
	edit := "/g/" + g.Slug + "/edit"
	upload := func(p sesPerson, name string, data []byte) *apptest.Response {
		return p.PostFile("/g/"+g.Slug+"/cover", url.Values{"_csrf": {p.CSRF(edit)}}, "cover_file", name, data)
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"text named .jpg": {[]byte("<script>alert(1)</script>"), "not a JPEG, PNG or WebP"},
		"too large":       {append(coverPNG(t, 10, 10), make([]byte, 6<<20)...), "larger than 5 MB"},
	} {
		r := upload(org, "cover.jpg", tc.data)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.want) || !strings.Contains(r.Body, `id="cover_file-error"`) {
			t.Errorf("%s: %d, want 422 saying %q", name, r.StatusCode, tc.want)
		}
	}
	if r := mia.PostFile("/g/"+g.Slug+"/cover", url.Values{"_csrf": {mia.CSRF("/g/" + g.Slug)}}, "cover_file", "c.png", coverPNG(t, 50, 20)); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member uploads: %d", r.StatusCode)
	}
	if r := org.PostFile("/g/"+g.Slug+"/cover", url.Values{"_csrf": {"forged"}}, "cover_file", "c.png", coverPNG(t, 50, 20)); r.StatusCode != http.StatusForbidden {
		t.Errorf("a forged upload: %d", r.StatusCode)
	}

	if r := upload(org, "cover.png", coverPNG(t, 2000, 500)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", r.StatusCode, r.Body)
	}
	page := org.Get("/g/" + g.Slug).Body
	m := coverSrc.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the group page does not show the uploaded cover")
	}
	// The cover heading the group's page loads at once; covers on cards
	// further down a list load lazily.
	sesContains(t, "the group page", page, `<img src="`+m[1]+`" alt="" fetchpriority="high">`)
	sesContains(t, "discovery", org.Get("/groups").Body, `<img src="`+m[1]+`" alt="" loading="lazy">`)
	img := org.Get(m[1])
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" || // the test image is transparent
		!strings.Contains(img.Header.Get("Cache-Control"), "immutable") || img.Header.Get("ETag") == "" {
		t.Fatalf("serving the cover: %d %v", img.StatusCode, img.Header)
	}
	cfg, _, err := image.DecodeConfig(strings.NewReader(img.Body))
	if err != nil || cfg.Width != 1200 {
		t.Fatalf("the stored cover is %d wide: %v", cfg.Width, err)
	}
	if n := pageTrips(t, app, org.Client, "/covers/:gid/:file", m[1]); n > 1 {
		t.Errorf("serving a cover took %d round trips, want 1", n)
	}
	req, _ := http.NewRequest(http.MethodGet, app.URL+m[1], nil)
	req.Header.Set("If-None-Match", img.Header.Get("ETag"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %v %v", resp, err)
	}
	_ = resp.Body.Close()

	if r := upload(org, "second.png", coverPNG(t, 300, 100)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("second upload: %d", r.StatusCode)
	}
	if r := org.Get(m[1]); r.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced cover's address: %d", r.StatusCode)
	}
	if r := org.Get("/covers/nope/abc.jpg"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown cover: %d", r.StatusCode)
	}
	if r := org.Get(edit); !strings.Contains(r.Body, `enctype="multipart/form-data"`) {
		t.Error("the edit page has no upload form")
	}
}
