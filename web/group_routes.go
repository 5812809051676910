package web

import "github.com/gofiber/fiber/v2"

// groupRoutes mounts the focus group pages.
func (h *handler) groupRoutes(app *fiber.App, signedIn fiber.Handler) {}
