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

// setFlash stores a message for the next page the visitor sees.
func (h *handler) setFlash(c *fiber.Ctx, kind, text string) error {
	sess, err := h.Sessions.Get(c)
	if err != nil {
		return err
	}
	sess.Set(sessFlashKind, kind)
	sess.Set(sessFlashText, text)
	return sess.Save()
}

// redirectWith sets a flash message and redirects (POST, redirect, GET).
func (h *handler) redirectWith(c *fiber.Ctx, to, kind, text string) error {
	if err := h.setFlash(c, kind, text); err != nil {
		return err
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}
