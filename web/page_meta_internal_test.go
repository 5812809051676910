package web

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// The description is cut at a word to fit previews, and says so.
func TestWithSnippetCutsAtAWord(t *testing.T) {
	head := "Tue 15 Dec 2026, 18:30–20:00 CET (Europe/Berlin) · Online · Go Berlin"
	long := strings.Repeat("observability ", 40)
	got := withSnippet(head, long)
	if n := len([]rune(got)); n > maxMetaDescription {
		t.Fatalf("%d characters, want at most %d", n, maxMetaDescription)
	}
	if !strings.HasPrefix(got, head+". observability") || !strings.HasSuffix(got, "observability…") {
		t.Fatalf("not cut at a word: %q", got)
	}
	if got := withSnippet(head, "Short."); got != head+". Short." {
		t.Fatalf("a short text is kept whole: %q", got)
	}
	if got := withSnippet(head, ""); got != head {
		t.Fatalf("no text: %q", got)
	}
}

// Description words are kept by content: an edited description gives the
// new words at once, and long ones are cut to what previews hold.
func TestDescriptionWordsFollowTheContent(t *testing.T) {
	h := &handler{}
	for range 2 {
		if got := h.descriptionWords("We **pair** on Go."); got != "We pair on Go." {
			t.Fatalf("got %q", got)
		}
	}
	if got := h.descriptionWords("We **mob** on Go."); got != "We mob on Go." {
		t.Fatalf("after an edit: %q", got)
	}
	if got := h.descriptionWords(strings.Repeat("word ", 500)); len([]rune(got)) != maxMetaDescription {
		t.Fatalf("a long description gives %d characters, want %d", len([]rune(got)), maxMetaDescription)
	}
}

// The map link searches OpenStreetMap for exactly the venue, whatever it
// holds.
func TestOSMSearchURLEscapesTheVenue(t *testing.T) {
	for venue, want := range map[string]string{
		"Betahaus, Berlin":       "https://www.openstreetmap.org/search?query=Betahaus%2C+Berlin",
		`Café "A&B" #2 <x>?y=1`:  "https://www.openstreetmap.org/search?query=Caf%C3%A9+%22A%26B%22+%232+%3Cx%3E%3Fy%3D1",
		"javascript:alert(1)":    "https://www.openstreetmap.org/search?query=javascript%3Aalert%281%29",
		"Kreuzberg 10/12 + Hof ": "https://www.openstreetmap.org/search?query=Kreuzberg+10%2F12+%2B+Hof+",
	} {
		if got := osmSearchURL(venue); got != want {
			t.Errorf("osmSearchURL(%q) = %q, want %q", venue, got, want)
		}
	}
}

// BenchmarkSessionMeta is what the link preview adds to a session page
// view: the description (Markdown to words), the share image's key.
func BenchmarkSessionMeta(b *testing.B) {
	h := &handler{Deps: Deps{BaseURL: "https://focusgroups.example"}}
	ev := events.Event{ID: "abc", Title: "Profiling Go services", Description: strings.Repeat("We **pair** on [Go](https://go.dev) and look at *profiles*.\n\n", 20),
		Start: time.Date(2026, 12, 15, 17, 30, 0, 0, time.UTC), End: time.Date(2026, 12, 15, 19, 0, 0, 0, time.UTC),
		TimeZone: "Europe/Berlin", Venue: "Betahaus, Berlin", Format: "workshop"}
	g := &groups.Group{Name: "Go Berlin", Slug: "go-berlin", Cover: "#4f46e5", Visibility: groups.Public}
	for b.Loop() {
		if h.sessionMeta(ev, g) == nil {
			b.Fatal("no meta")
		}
	}
}

// Every value the tags carry stays inside its attribute, and reads back
// as it was written.
func TestMetaHTMLEscapesEveryValue(t *testing.T) {
	evil := `x" onload="alert(1)"><script>alert('&')</script>`
	m := &pageMeta{Title: "T" + evil, Description: "D" + evil, URL: "https://fg.example/s/1?a=1&b=" + evil, Type: "website",
		Image: "https://img.example/" + evil, ImageAlt: "A" + evil, ImageWidth: 1200, ImageHeight: 630, NoIndex: true}
	out := string(m.HTML())
	if strings.Contains(out, "<script") || strings.Contains(out, `" onload`) {
		t.Fatalf("a value broke out of its attribute:\n%s", out)
	}
	attr := regexp.MustCompile(`(?:content|href)="([^"]*)"`)
	got := map[string]bool{}
	for _, m := range attr.FindAllStringSubmatch(out, -1) {
		got[html.UnescapeString(m[1])] = true
	}
	for _, want := range []string{m.Title, m.Description, m.URL, m.Image, m.ImageAlt, "1200", "630", "noindex", "summary_large_image", "focusgroups", "website"} {
		if !got[want] {
			t.Errorf("no attribute reads back as %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 13 {
		t.Errorf("%d tags, want 13:\n%s", n, out)
	}
}

// A session's link preview is formatted once per stored version and per
// group name, slug, visibility and cover: any of them changing gives the
// new preview at once.
func TestSessionMetaFollowsTheSessionAndItsGroup(t *testing.T) {
	h := &handler{Deps: Deps{BaseURL: "https://focusgroups.example"}}
	ev := events.Event{ID: "abc", Title: "Profiling Go services", Version: 7,
		Start: time.Date(2026, 12, 15, 17, 30, 0, 0, time.UTC), End: time.Date(2026, 12, 15, 19, 0, 0, 0, time.UTC),
		TimeZone: "Europe/Berlin", Venue: "Betahaus, Berlin", Format: "workshop"}
	g := &groups.Group{ID: "g1", Name: "Go Berlin", Slug: "go-berlin", Cover: "#4f46e5", Visibility: groups.Public}
	first := h.sessionMetaOf(ev, g)
	if again := h.sessionMetaOf(ev, g); again.meta != first.meta || first.mapURL == "" || first.meta == nil {
		t.Fatalf("the same version was formatted again: %+v %+v", first, again)
	}
	renamed := *g
	renamed.Name = "Gophers Berlin"
	if got := h.sessionMetaOf(ev, &renamed); !strings.Contains(got.meta.Description, "Gophers Berlin") {
		t.Errorf("after the group's rename: %q", got.meta.Description)
	}
	private := *g
	private.Visibility = groups.Private
	if got := h.sessionMetaOf(ev, &private); got.meta != nil || !got.share.MembersOnly {
		t.Errorf("a private group's session travels: %+v", got)
	}
	edited := ev
	edited.Title, edited.Version = "Tracing Go services", 8
	if got := h.sessionMetaOf(edited, g); got.meta.Title != "Tracing Go services" {
		t.Errorf("after an edit: %q", got.meta.Title)
	}
}
