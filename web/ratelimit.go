package web

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/ratelimit"
)

// limitByIP allows lim requests from one client IP under the limit name.
func (h *handler) limitByIP(name string, lim ratelimit.Limit) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return h.allow(c, name, h.clientIP(c), lim, networkLimited)
	}
}

// limitByUser allows lim requests from one signed-in person (routes behind
// requireUser) under the limit name, wherever they come from.
func (h *handler) limitByUser(name string, lim ratelimit.Limit) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return h.allow(c, name, currentUser(c).ID, lim, personLimited)
	}
}

// limitLink guards the links sent by mail (/rsvp/:token, /unsubscribe/:token,
// /verify-email/:token). Each link gets a strict limit of its own, and
// each IP a looser one across all links: colleagues behind one office NAT,
// or a mail scanner opening everyone's links, do not use up each other's
// links. Guessing a token is hopeless either way (256 bits). Both are
// checked in one round trip, and a request either refuses counts against
// neither, so hammering one used-up link does not lock out the office.
func (h *handler) limitLink() fiber.Handler {
	messages := []string{linkLimited, networkLimited}
	return func(c *fiber.Ctx) error {
		wait, refused, err := h.limits.AllowAll(c.UserContext(),
			ratelimit.Check{Name: "link", Subject: c.Params("token"), Limit: h.LinkTokenLimit},
			ratelimit.Check{Name: "links-ip", Subject: h.clientIP(c), Limit: h.LinkIPLimit})
		if err != nil {
			return err
		}
		if refused >= 0 {
			return tooMany(c, wait, messages[refused])
		}
		return c.Next()
	}
}

// allow counts the request under name for subject and goes on, or answers
// 429 with msg.
func (h *handler) allow(c *fiber.Ctx, name, subject string, lim ratelimit.Limit, msg string) error {
	wait, err := h.limits.Allow(c.UserContext(), name, subject, lim)
	if err != nil {
		return err
	}
	if wait > 0 {
		return tooMany(c, wait, msg)
	}
	return c.Next()
}

// What a limited visitor is told.
const (
	networkLimited = "Too many attempts from your network. Wait a minute and try again."
	personLimited  = "You did that many times in a short while. Wait a minute and try again."
	linkLimited    = "This link was opened many times in a short while. Wait a minute and try again."
)

// tooMany answers 429 with Retry-After (whole seconds, rounded up).
func tooMany(c *fiber.Ctx, wait time.Duration, msg string) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return httpError(http.StatusTooManyRequests, "Slow down", msg)
}
