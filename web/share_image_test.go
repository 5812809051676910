package web_test

import (
	"bytes"
	"html"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

var ogImage = regexp.MustCompile(`<meta property="og:image" content="([^"]+)">`)

// ogImageOf returns the og:image address of the page at path.
func ogImageOf(t *testing.T, c *apptest.Client, path string) string {
	t.Helper()
	m := ogImage.FindStringSubmatch(c.Get(path).Body)
	if m == nil {
		t.Fatalf("%s has no og:image", path)
	}
	return html.UnescapeString(m[1])
}

// A session's and a colour-covered group's previews show a generated
// 1200×630 PNG; the address names the content, the answer can be kept by
// caches, and a client that has it gets 304.
func TestShareImagesOfPagesThatTravel(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "pictures", func(in *groups.Input) { in.Cover = "#0f766e" })
	id := sesCreate(t, org, g, sesForm("Profiling Go services"))
	other := sesCreate(t, org, g, sesForm("Tracing Go services"))
	anon := app.NewClient(t)

	img := ogImageOf(t, anon, "/s/"+id)
	if !strings.HasPrefix(img, app.URL+"/s/"+id+"/share.png?v=") {
		t.Fatalf("og:image %q", img)
	}
	if ogImageOf(t, anon, "/s/"+other) == strings.Replace(img, id, other, 1) {
		t.Fatal("two sessions with different titles share an image version")
	}
	sesContains(t, "the session's preview", anon.Get("/s/"+id).Body,
		`<meta property="og:image:width" content="1200">`, `<meta property="og:image:height" content="630">`,
		`<meta name="twitter:card" content="summary_large_image">`)

	gimg := ogImageOf(t, anon, "/g/"+g.Slug)
	for _, u := range []string{img, gimg} {
		r := anon.Get(u)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %d %s", u, r.StatusCode, r.Header.Get("Content-Type"))
		}
		pic, err := png.Decode(bytes.NewReader([]byte(r.Body)))
		if err != nil || pic.Bounds().Dx() != 1200 || pic.Bounds().Dy() != 630 {
			t.Fatalf("%s: not a 1200×630 PNG: %v", u, err)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "public") {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("If-None-Match", r.Header.Get("ETag"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d, want 304", u, resp.StatusCode)
		}
	}
	if n := pageTrips(t, app, anon, "/s/:id/share.png", "/s/"+id+"/share.png"); n > 3 {
		t.Errorf("the session's share image read Redis in %d round trips", n)
	}
	if n := pageTrips(t, app, anon, "/g/:slug/share.png", "/g/"+g.Slug+"/share.png"); n > 3 {
		t.Errorf("the group's share image read Redis in %d round trips", n)
	}
}

// A group whose cover is an image shows that image in previews.
func TestGroupWithACoverImageSharesIt(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "photo", func(in *groups.Input) { in.Cover = "https://images.example/cover.jpg" })
	if got := ogImageOf(t, app.NewClient(t), "/g/"+g.Slug); got != "https://images.example/cover.jpg" {
		t.Fatalf("og:image %q, want the cover", got)
	}
}

// Private groups and their sessions have no share image, for anyone, and
// unknown addresses get 404.
func TestPrivatePagesHaveNoShareImage(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "hush", func(in *groups.Input) { in.Visibility = groups.Private; in.JoinPolicy = groups.Invite })
	id := sesCreate(t, org, g, sesForm("Internal only"))
	for _, path := range []string{"/s/" + id + "/share.png", "/g/" + g.Slug + "/share.png", "/s/nosuchsession/share.png", "/g/no-such-group/share.png"} {
		for who, c := range map[string]*apptest.Client{"the organizer": org.Client, "a visitor": app.NewClient(t)} {
			if r := c.Get(path); r.StatusCode != http.StatusNotFound || r.Header.Get("Content-Type") == "image/png" {
				t.Errorf("%s for %s: %d %s, want 404", path, who, r.StatusCode, r.Header.Get("Content-Type"))
			}
		}
	}
}
