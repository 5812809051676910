package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// flash is a one-time message shown on the page after a redirect.
type flash struct {
	Kind string // "ok" or "error"
	Text string
}

// Sessions stored before flashes moved to a cookie of their own (see
// auth.SealFlash) may still hold one under these values; it is shown once
// like any other.
const (
	sessFlashKind = "flash_kind"
	sessFlashText = "flash_text"
)

// setFlash keeps a message for the next page the visitor sees, in the
// flash cookie: no write to Redis.
func (h *handler) setFlash(c *fiber.Ctx, kind, text string) {
	c.Cookie(h.flashCookie(h.Sessions.SealFlash(kind, text)))
}

// redirectWith sets a flash message and redirects (POST, redirect, GET).
func (h *handler) redirectWith(c *fiber.Ctx, to, kind, text string) error {
	h.setFlash(c, kind, text)
	return c.Redirect(to, fiber.StatusSeeOther)
}

// takeFlash takes the flash waiting in the cookie for the page being
// built, and clears the cookie with the response. (A flash in a session
// stored before the cookie is taken when the session is read: see
// installSession.)
func (h *handler) takeFlash(c *fiber.Ctx) {
	v := c.Cookies(h.Sessions.FlashCookieName())
	if v == "" {
		return
	}
	ck := h.flashCookie("")
	ck.MaxAge, ck.Expires = -1, time.Unix(0, 0)
	c.Cookie(ck)
	if kind, text, ok := h.Sessions.OpenFlash(v); ok {
		c.Locals(flashContextKey, flash{Kind: kind, Text: text})
	}
}

// flashWaits reports whether a flash cookie came with the request.
func (h *handler) flashWaits(c *fiber.Ctx) bool {
	return c.Cookies(h.Sessions.FlashCookieName()) != ""
}

func (h *handler) flashCookie(value string) *fiber.Cookie {
	return &fiber.Cookie{Name: h.Sessions.FlashCookieName(), Value: value, Path: "/", HTTPOnly: true,
		Secure: h.Sessions.Secure(), SameSite: fiber.CookieSameSiteLaxMode}
}
