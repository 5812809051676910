package coverimg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"
)

func pngOf(t *testing.T, w, h int, alpha uint8) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 200, A: alpha})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombPNG is a valid PNG signature and header claiming w × h pixels,
// with no pixel data behind it.
func bombPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestGoodImagesAreScaledAndReencoded(t *testing.T) {
	img, err := Process(pngOf(t, 2400, 800, 255))
	if err != nil {
		t.Fatal(err)
	}
	if img.ContentType != "image/jpeg" || img.Ext != "jpg" || len(img.Hash) != 16 {
		t.Fatalf("got %s %s %s", img.ContentType, img.Ext, img.Hash)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil || cfg.Width != MaxWidth || cfg.Height != 400 {
		t.Fatalf("stored %d × %d: %v", cfg.Width, cfg.Height, err)
	}
	clear, err := Process(pngOf(t, 300, 100, 120))
	if err != nil || clear.ContentType != "image/png" {
		t.Fatalf("a transparent cover: %s %v", clear.ContentType, err)
	}
	var j bytes.Buffer
	if err := jpeg.Encode(&j, image.NewRGBA(image.Rect(0, 0, 50, 50)), nil); err != nil {
		t.Fatal(err)
	}
	if small, err := Process(j.Bytes()); err != nil || small.Ext != "jpg" {
		t.Fatalf("a small JPEG: %v", err)
	}
}

func TestBadUploadsAreRefusedWithAReason(t *testing.T) {
	good := pngOf(t, 40, 40, 255)
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"empty":           {nil, "empty"},
		"text named .jpg": {[]byte("<html><script>alert(1)</script></html>"), "not a JPEG, PNG or WebP"},
		"too large":       {append(append([]byte{}, good...), make([]byte, 6<<20)...), "larger than 5 MB"},
		"image bomb":      {bombPNG(100_000, 100_000), "at most 10,000 pixels a side"},
		"many pixels":     {bombPNG(9_000, 9_000), "40 megapixels"},
		"truncated":       {good[:len(good)/2], "damaged or cut short"},
	} {
		_, err := Process(tc.data)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a refusal saying %q", name, err, tc.want)
		}
	}
}

// A WebP cover (made with Debian's cwebp from a 1,600 × 400 gradient) is
// read, scaled to the cover width and stored as a JPEG.
func TestWebPCoversAreReencoded(t *testing.T) {
	data, err := os.ReadFile("testdata/cover-1600x400.webp")
	if err != nil {
		t.Fatal(err)
	}
	img, err := Process(data)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil || img.ContentType != "image/jpeg" || cfg.Width != MaxWidth || cfg.Height != 300 {
		t.Fatalf("stored %s %d × %d: %v", img.ContentType, cfg.Width, cfg.Height, err)
	}
	if _, err := Process(data[:len(data)/2]); !errors.Is(err, ErrRefused) {
		t.Errorf("a WebP cut short: %v", err)
	}
}
