package sharecard

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var sample = Card{Kicker: "Workshop · focusgroups", Title: "Profiling Go services in production",
	Lines: []string{"Tue 15 Dec 2026, 18:30–20:00 CET (Europe/Berlin)", "Go Berlin"}, Background: "#0f766e"}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// countInk counts the pixels in r that have the colour want.
func countInk(img image.Image, r image.Rectangle, want color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == want {
				n++
			}
		}
	}
	return n
}

// The card is a 1200×630 PNG on the group's colour, with its text in the
// colour that reads on it: white on dark colours, near-black on light ones.
func TestDrawWritesTextOnTheCoverColour(t *testing.T) {
	for _, tc := range []struct {
		bg, ink string
	}{{"#0f766e", "white"}, {"#fde68a", "dark"}, {"an image URL", "white"}} {
		t.Run(tc.bg, func(t *testing.T) {
			c := sample
			c.Background = tc.bg
			b, err := Draw(c)
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, b)
			if img.Bounds() != image.Rect(0, 0, Width, Height) {
				t.Fatalf("size %v", img.Bounds())
			}
			bg := parseColour(tc.bg)
			if tc.bg == "an image URL" && bg != parseColour(DefaultBackground) {
				t.Fatalf("a background that is no colour gives %v, want the default", bg)
			}
			if got := color.RGBAModel.Convert(img.At(3, 3)); got != bg {
				t.Fatalf("corner %v, want the background %v", got, bg)
			}
			ink := inkOn(bg)
			if (ink == color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}) != (tc.ink == "white") {
				t.Fatalf("ink %v on %s, want %s", ink, tc.bg, tc.ink)
			}
			title := image.Rect(margin, titleBase-titleSize, Width-margin, titleBase+10)
			bottom := image.Rect(margin, bottomBase-lineLead-lineSize, Width-margin, bottomBase+10)
			if n := countInk(img, title, ink); n < 500 {
				t.Errorf("title area has %d pixels of ink: no title drawn", n)
			}
			if n := countInk(img, bottom, ink); n < 500 {
				t.Errorf("bottom lines have %d pixels of ink: no date or group drawn", n)
			}
		})
	}
}

// Any change to what a card shows changes its key; the same content gives
// the same key.
func TestKeyFollowsTheContent(t *testing.T) {
	if sample.Key() != (Card{Kicker: sample.Kicker, Title: sample.Title, Lines: append([]string{}, sample.Lines...), Background: sample.Background}).Key() {
		t.Fatal("equal cards have different keys")
	}
	changes := map[string]func(*Card){
		"title":      func(c *Card) { c.Title += "!" },
		"kicker":     func(c *Card) { c.Kicker = "Talk · focusgroups" },
		"date":       func(c *Card) { c.Lines = []string{"Wed 16 Dec 2026", "Go Berlin"} },
		"group":      func(c *Card) { c.Lines = []string{sample.Lines[0], "Go Munich"} },
		"colour":     func(c *Card) { c.Background = "#000000" },
		"split line": func(c *Card) { c.Title, c.Lines = sample.Title+sample.Lines[0], sample.Lines[1:] },
	}
	for name, change := range changes {
		c := sample
		c.Lines = append([]string{}, sample.Lines...)
		change(&c)
		if c.Key() == sample.Key() {
			t.Errorf("changing the %s keeps the key", name)
		}
	}
}

// A card is drawn once: asking again, from many goroutines, gives the
// very bytes kept the first time.
func TestRendererDrawsEachCardOnce(t *testing.T) {
	r := NewRenderer(8)
	first, key, err := r.PNG(sample)
	if err != nil || key != sample.Key() {
		t.Fatalf("PNG: key %q err %v", key, err)
	}
	decode(t, []byte(first))
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			again, _, err := r.PNG(sample)
			if err != nil || unsafe.StringData(again) != unsafe.StringData(first) {
				t.Errorf("second PNG was drawn again (err %v)", err)
			}
		})
	}
	wg.Wait()
	other := sample
	other.Title = "Another title"
	if b, _, _ := r.PNG(other); unsafe.StringData(b) == unsafe.StringData(first) || b == first {
		t.Fatal("another card gave the first card's picture")
	}
}

func titleFace(t *testing.T) font.Face {
	t.Helper()
	f, err := opentype.NewFace(bold, &opentype.FaceOptions{Size: titleSize, DPI: 72})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Titles wrap at spaces into at most three lines that fit the card, a
// word wider than a line is cut, and what does not fit ends in "…".
func TestWrapFitsTheCard(t *testing.T) {
	face := titleFace(t)
	width := fixed.I(textWidth)
	for _, tc := range []struct {
		name, in string
		lines    int
		ellipsis bool
	}{
		{"short", "Go generics", 1, false},
		{"two lines", "Profiling Go services in production", 2, false},
		{"too long", strings.Repeat("observability pipelines ", 12), 3, true},
		{"one huge word", strings.Repeat("x", 200), 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(face, tc.in, width, titleLines)
			if len(got) != tc.lines {
				t.Fatalf("%d lines %q, want %d", len(got), got, tc.lines)
			}
			for _, l := range got {
				if font.MeasureString(face, l) > width {
					t.Errorf("line %q is wider than the card", l)
				}
			}
			if strings.HasSuffix(got[len(got)-1], "…") != tc.ellipsis {
				t.Errorf("last line %q: ellipsis %v", got[len(got)-1], !tc.ellipsis)
			}
			if !tc.ellipsis && strings.Join(got, " ") != strings.Join(strings.Fields(tc.in), " ") {
				t.Errorf("wrapping lost words: %q", got)
			}
		})
	}
}

// BenchmarkDraw is the cost of drawing one card the first time.
func BenchmarkDraw(b *testing.B) {
	for b.Loop() {
		if _, err := Draw(sample); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPNGKept is the cost of a card already drawn: every later
// request for a page's image.
func BenchmarkPNGKept(b *testing.B) {
	r := NewRenderer(8)
	if _, _, err := r.PNG(sample); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := r.PNG(sample); err != nil {
			b.Fatal(err)
		}
	}
}
