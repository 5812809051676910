package web

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// A form's digest names its path and fields: not the CSRF token, nor the
// fields' order; every value, and where one value ends, counts.
func TestFormDigestNamesThePathAndTheFields(t *testing.T) {
	app := fiber.New()
	app.Post("/*", func(c *fiber.Ctx) error { return c.SendString(formDigest(c)) })
	digest := func(path, body string) string {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", fiber.MIMEApplicationForm)
		res, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	base := digest("/s/x/rsvp", "_once=abc&going=yes&_csrf=t1")
	for _, same := range []string{"_csrf=t2&going=yes&_once=abc", "going=yes&_once=abc"} {
		if got := digest("/s/x/rsvp", same); got != base {
			t.Errorf("%q: digest %s, want %s as for the same form", same, got, base)
		}
	}
	for path, body := range map[string]string{
		"/s/x/rsvp":  "_once=abc&going=no&_csrf=t1",
		"/s/y/rsvp":  "_once=abc&going=yes&_csrf=t1",
		"/s/x/rsvp/": "_once=abcg&oing=yes",
	} {
		if got := digest(path, body); got == base {
			t.Errorf("%s %q: the digest of another form", path, body)
		}
	}
	if digest("/f", "a=bc") == digest("/f", "a=b&c=") || digest("/f", "a=b&a=c") == digest("/f", "a=c&a=b") {
		t.Error("forms that differ have one digest")
	}
}
