// Package coverimg turns an uploaded group cover into a safe, small image:
// it accepts JPEG, PNG and WebP only (by their bytes, not their name),
// reads the dimensions before decoding so a small file claiming a huge
// picture (an image bomb) is refused without allocating it, scales to at
// most MaxWidth wide and encodes again (JPEG, or PNG when transparent), so
// nothing the uploader wrote beyond the pixels is ever served.
package coverimg

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP decoding
)

// Limits of an upload.
const (
	MaxBytes  = 5 << 20    // 5 MB
	MaxPixels = 40_000_000 // 40 megapixels
	MaxSide   = 10_000     // pixels, either side
	MaxWidth  = 1200       // the stored cover's width at most
)

// ErrRefused wraps every reason an upload is refused; its message is for
// the person who uploaded.
var ErrRefused = errors.New("cover refused")

// Image is a processed cover.
type Image struct {
	Data        []byte
	ContentType string // image/jpeg or image/png
	Ext         string // jpg or png
	Hash        string // hex SHA-256 of Data, first 16 characters
}

// Process checks and re-encodes data.
func Process(data []byte) (Image, error) {
	if len(data) == 0 {
		return Image{}, fmt.Errorf("%w: the file is empty", ErrRefused)
	}
	if len(data) > MaxBytes {
		return Image{}, fmt.Errorf("%w: the file is larger than 5 MB", ErrRefused)
	}
	switch http.DetectContentType(data) {
	case "image/jpeg", "image/png", "image/webp":
	default:
		return Image{}, fmt.Errorf("%w: this is not a JPEG, PNG or WebP image", ErrRefused)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Image{}, fmt.Errorf("%w: the image could not be read (%v)", ErrRefused, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return Image{}, fmt.Errorf("%w: the image is %d × %d pixels; covers can be at most 10,000 pixels a side and 40 megapixels", ErrRefused, cfg.Width, cfg.Height)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Image{}, fmt.Errorf("%w: the image is damaged or cut short (%v)", ErrRefused, err)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > MaxWidth {
		w, h = MaxWidth, max(1, h*MaxWidth/b.Dx())
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var out bytes.Buffer
	img := Image{ContentType: "image/jpeg", Ext: "jpg"}
	if dst.Opaque() {
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85})
	} else {
		img.ContentType, img.Ext = "image/png", "png"
		err = png.Encode(&out, dst)
	}
	if err != nil {
		return Image{}, fmt.Errorf("coverimg: encode: %w", err)
	}
	img.Data = out.Bytes()
	sum := sha256.Sum256(img.Data)
	img.Hash = hex.EncodeToString(sum[:])[:16]
	return img, nil
}
