package web

import "github.com/gofiber/fiber/v2"

// mentorRoutes mounts the mentoring pages.
func (h *handler) mentorRoutes(app *fiber.App, signedIn fiber.Handler) {}
