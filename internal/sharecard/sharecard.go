// Package sharecard draws the picture a link preview shows for a page (its
// Open Graph image): a kicker, a title and a few lines on a colour, in the
// Go fonts, as a PNG. Cards are kept by their content, so each one is
// drawn once, not on every request.
package sharecard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/focusgroups/focusgroups/internal/strcache"
)

// Width and Height are the card's size in pixels: the 1.91:1 that link
// previews show large.
const (
	Width  = 1200
	Height = 630
)

// DefaultBackground is the colour of a card whose Background is not a
// "#rrggbb" colour (a group whose cover is an image).
const DefaultBackground = "#4f46e5"

// version changes whenever the drawing does, so that cached cards and the
// addresses naming them (through Key) change with it.
const version = "1"

// Card is what one picture shows.
type Card struct {
	Kicker     string   // a small line at the top: "Workshop · focusgroups"
	Title      string   // large, up to three lines
	Lines      []string // at the bottom, one line each: the date, the group
	Background string   // "#rrggbb"
}

// Key names the card's content: equal cards have equal keys, and any
// change to what the card shows changes it.
func (c Card) Key() string {
	h := sha256.New()
	for _, s := range append([]string{version, c.Kicker, c.Title, c.Background}, c.Lines...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// Renderer draws cards and keeps the last ones it drew; safe for
// concurrent use.
type Renderer struct {
	cache strcache.Cache[string]
}

// NewRenderer returns a Renderer that keeps up to keep cards (30–60 KB
// each) in memory.
func NewRenderer(keep int) *Renderer {
	return &Renderer{cache: strcache.Cache[string]{Size: keep}}
}

// PNG returns the card as a PNG and its key, drawing it only when it is
// not kept already.
func (r *Renderer) PNG(c Card) (pngData, key string, err error) {
	key = c.Key()
	if b, ok := r.cache.Get(key); ok {
		return b, key, nil
	}
	b, err := Draw(c)
	if err != nil {
		return "", "", err
	}
	pngData = string(b)
	r.cache.Put(key, pngData)
	return pngData, key, nil
}

var (
	regular = mustParse(goregular.TTF)
	bold    = mustParse(gobold.TTF)
)

func mustParse(ttf []byte) *opentype.Font {
	f, err := opentype.Parse(ttf)
	if err != nil {
		panic("sharecard: the embedded Go font does not parse: " + err.Error())
	}
	return f
}

// Layout, in pixels.
const (
	margin      = 80
	kickerSize  = 30
	titleSize   = 68
	titleLead   = 80
	titleLines  = 3
	lineSize    = 36
	lineLead    = 50
	kickerBase  = margin + kickerSize
	titleBase   = kickerBase + 100
	bottomBase  = Height - margin
	textWidth   = Width - 2*margin
	accentWidth = 96
)

// Draw draws c as a PNG, without keeping it.
func Draw(c Card) ([]byte, error) {
	faces := map[string]font.Face{}
	for name, spec := range map[string]struct {
		f    *opentype.Font
		size float64
	}{"kicker": {regular, kickerSize}, "title": {bold, titleSize}, "line": {regular, lineSize}} {
		face, err := opentype.NewFace(spec.f, &opentype.FaceOptions{Size: spec.size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, fmt.Errorf("sharecard: %s face: %w", name, err)
		}
		defer face.Close()
		faces[name] = face
	}
	bg := parseColour(c.Background)
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	ink := inkOn(bg)
	draw.Draw(img, image.Rect(margin, kickerBase+24, margin+accentWidth, kickerBase+30), image.NewUniform(ink), image.Point{}, draw.Src)

	width := fixed.I(textWidth)
	write := func(face font.Face, s string, baseline int) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: face, Dot: fixed.P(margin, baseline)}
		d.DrawString(s)
	}
	write(faces["kicker"], fitLine(faces["kicker"], c.Kicker, width), kickerBase)
	for i, l := range wrap(faces["title"], c.Title, width, titleLines) {
		write(faces["title"], l, titleBase+i*titleLead)
	}
	for i, l := range c.Lines {
		write(faces["line"], fitLine(faces["line"], l, width), bottomBase-(len(c.Lines)-1-i)*lineLead)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("sharecard: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// wrap breaks s into lines no wider than width, at spaces (inside a word
// only when the word alone is wider), and ends the last of at most
// maxLines lines with an ellipsis when s does not fit.
func wrap(face font.Face, s string, width fixed.Int26_6, maxLines int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		for w != "" {
			try := w
			if line != "" {
				try = line + " " + w
			}
			switch {
			case font.MeasureString(face, try) <= width:
				line, w = try, ""
			case line != "":
				lines, line = append(lines, line), ""
			default:
				r := []rune(w)
				n := fit(face, r, width)
				lines, w = append(lines, string(r[:n])), string(r[n:])
			}
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = ellipsis(face, lines[maxLines-1], width)
	}
	return lines
}

// fitLine is s when it fits width, else as much of it as fits with an
// ellipsis.
func fitLine(face font.Face, s string, width fixed.Int26_6) string {
	s = strings.Join(strings.Fields(s), " ")
	if font.MeasureString(face, s) <= width {
		return s
	}
	return ellipsis(face, s, width)
}

// ellipsis cuts s so that s and "…" fit width, and adds the "…".
func ellipsis(face font.Face, s string, width fixed.Int26_6) string {
	r := []rune(s)
	for len(r) > 0 && font.MeasureString(face, string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), " .,;:") + "…"
}

// fit is how many of the runes of w fit width: at least one, so that
// wrapping always moves on.
func fit(face font.Face, w []rune, width fixed.Int26_6) int {
	n := 1
	for n < len(w) && font.MeasureString(face, string(w[:n+1])) <= width {
		n++
	}
	return n
}

// parseColour reads "#rrggbb", or gives DefaultBackground.
func parseColour(s string) color.RGBA {
	if len(s) != 7 || s[0] != '#' {
		s = DefaultBackground
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return parseColour(DefaultBackground)
	}
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// inkOn is the text colour that reads best on bg: near-black on light
// colours, white on dark ones (WCAG relative luminance).
func inkOn(bg color.RGBA) color.RGBA {
	if luminance(bg) > 0.179 {
		return color.RGBA{R: 0x11, G: 0x18, B: 0x27, A: 0xff}
	}
	return color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
}

func luminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		f := float64(v) / 255
		if f <= 0.03928 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}
