package web

import "github.com/gofiber/fiber/v2"

// home is the landing page.
func (h *handler) home(c *fiber.Ctx) error {
	return c.Render("home", h.view(c, "Grow together"))
}
