package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/bits"
	"mime"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// staticFile is one file of web/static as it is served: read and
// compressed once when the app starts, and named by a version (a hash of
// its bytes) that its address carries, so a page always asks for the
// styles and script it was rendered with.
type staticFile struct {
	contentType, version string
	plain, gzip, br      []byte // gzip, br: nil when no smaller than plain
}

// staticFiles are web/static's files by name.
type staticFiles map[string]*staticFile

// Cache lifetimes of a file asked for at its current version (never
// changes: a new version has a new address) and at any other address (an
// older page, or a newer one during a rolling deploy asking an older
// instance): revalidated every time, so nobody keeps the wrong bytes.
const (
	staticVersioned   = "public, max-age=31536000, immutable"
	staticUnversioned = "no-cache"
)

// embeddedStatic are the files of web/static, compressed once per process
// (about 75 ms at the best compression levels; every app of a test binary
// shares them).
var embeddedStatic = sync.OnceValues(func() (staticFiles, error) { return loadStatic(assets, "static") })

// loadStatic reads and compresses every file in dir of fsys.
func loadStatic(fsys fs.FS, dir string) (staticFiles, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := make(staticFiles, len(entries))
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		plain, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(plain)
		f := &staticFile{contentType: mime.TypeByExtension(path.Ext(e.Name())), version: hex.EncodeToString(sum[:6]), plain: plain}
		if f.contentType == "" {
			return nil, fmt.Errorf("web: static %s: no content type for its extension", e.Name())
		}
		smaller := func(b []byte) []byte {
			if len(b) < len(plain) {
				return b
			}
			return nil
		}
		f.gzip = smaller(fasthttp.AppendGzipBytesLevel(nil, plain, fasthttp.CompressBestCompression))
		br, err := brotliBest(plain)
		if err != nil {
			return nil, err
		}
		f.br = smaller(br)
		out[e.Name()] = f
	}
	return out, nil
}

// url is the address of the static file name at its current version, for
// the templates. A name that is not there is a mistake in a template,
// found when it first renders.
func (s staticFiles) url(name string) (string, error) {
	f, ok := s[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return "/static/" + name + "?v=" + f.version, nil
}

// serve answers GET and HEAD /static/:name in the encoding the client
// prefers (brotli, then gzip, then none), with an ETag per encoding. At
// its current version a file is cached for a year; at any other address
// it is revalidated on every use.
func (s staticFiles) serve(c *fiber.Ctx) error {
	f, ok := s[c.Params("name")]
	if !ok {
		return fiber.ErrNotFound
	}
	body, coding, tag := f.plain, "", f.version
	switch preferredEncoding(c.Get(fiber.HeaderAcceptEncoding)) {
	case "br":
		if f.br != nil {
			body, coding, tag = f.br, "br", f.version+"-br"
		}
	case "gzip":
		if f.gzip != nil {
			body, coding, tag = f.gzip, "gzip", f.version+"-gz"
		}
	}
	cache := staticUnversioned
	if c.Query("v") == f.version {
		cache = staticVersioned
	}
	etag := `"` + tag + `"`
	c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	c.Set(fiber.HeaderCacheControl, cache)
	c.Set(fiber.HeaderETag, etag)
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	if coding != "" {
		c.Set(fiber.HeaderContentEncoding, coding)
	}
	return c.Send(body)
}

// preferredEncoding is "br", "gzip" or "" (none) for an Accept-Encoding
// header: the one with the higher weight, brotli (the smaller) when they
// tie. Browsers list gzip first, so the header's order says nothing.
func preferredEncoding(header string) string {
	weights := map[string]float64{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			var err error
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				q = 0
			}
		}
		weights[strings.ToLower(strings.TrimSpace(name))] = q
	}
	weight := func(coding string) float64 {
		if q, ok := weights[coding]; ok {
			return q
		}
		return weights["*"]
	}
	br, gz := weight("br"), weight("gzip")
	switch {
	case br > 0 && br >= gz:
		return "br"
	case gz > 0:
		return "gzip"
	}
	return ""
}

// brotliBest compresses b at brotli's best level with a window no larger
// than b: the same bytes as the default 4 MB window, for a tenth of the
// memory (36 MB for the stylesheet with the default, 3.6 MB this way).
func brotliBest(b []byte) ([]byte, error) {
	var out bytes.Buffer
	w := brotli.NewWriterOptions(&out, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: min(max(bits.Len(uint(len(b))), 10), 24)})
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
