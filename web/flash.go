package web

import (
	"github.com/gofiber/fiber/v2"
)

// flash is a one-time message shown on the page after a redirect.
type flash struct {
	Kind string // "ok" or "error"
	Text string
}

const (
	sessFlashKind = "flash_kind"
	sessFlashText = "flash_text"
)

// setFlash stores a message for the next page the visitor sees; the
// session is written when the request ends.
func setFlash(c *fiber.Ctx, kind, text string) {
	sess := currentSession(c)
	sess.Set(sessFlashKind, kind)
	sess.Set(sessFlashText, text)
}

// redirectWith sets a flash message and redirects (POST, redirect, GET).
func (h *handler) redirectWith(c *fiber.Ctx, to, kind, text string) error {
	setFlash(c, kind, text)
	return c.Redirect(to, fiber.StatusSeeOther)
}
