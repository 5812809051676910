package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/bits"
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

// staticTypes are the content types of web/static's files by extension:
// fixed here, because the system's MIME tables (which mime.TypeByExtension
// reads) differ from one host to the next.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
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
		f := &staticFile{contentType: staticTypes[path.Ext(e.Name())], version: hex.EncodeToString(sum[:6]), plain: plain}
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
	return "/static/" + f.version + "/" + name, nil
}

// serve answers GET and HEAD /static/:version/:name and /static/:name (the
// address before versions) in the encoding the client prefers (brotli,
// then gzip, then none), with an ETag per encoding. At its current
// version a file is cached for a year; at any other address (an old
// version, or a new one asked of an instance a rolling deploy has not
// reached yet) it is revalidated on every use. The version is part of
// the path, not the query, so caches that leave the query out of their
// key (some CDNs do by default) still tell versions apart.
func (s staticFiles) serve(c *fiber.Ctx) error {
	f, ok := s[c.Params("name")]
	if !ok {
		return notFound()
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
	if c.Params("version") == f.version {
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
	br, gz, star := -1.0, -1.0, -1.0 // -1: not named
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		q := 1.0
		for param := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(param, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				var err error
				if q, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
					q = 0
				}
			}
		}
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "br"):
			br = q
		case strings.EqualFold(name, "gzip"):
			gz = q
		case name == "*":
			star = q
		}
	}
	if br < 0 {
		br = star
	}
	if gz < 0 {
		gz = star
	}
	switch {
	case br > 0 && br >= gz:
		return "br"
	case gz > 0:
		return "gzip"
	}
	return ""
}

// brotliBest compresses b at brotli's best level with a window no larger
// than b: as small as with the default 4 MB window, for a tenth of the
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
