package web

import "github.com/gofiber/fiber/v2"

// eventRoutes mounts the skill-sharing session pages.
func (h *handler) eventRoutes(app *fiber.App, signedIn fiber.Handler) {}
