package web

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc describes the JSON API (OpenAPI 3.1); the API tests check
// every response they get against it.
//
//go:embed api/openapi.json
var openAPIDoc []byte

// apiOpenAPI serves the API's OpenAPI document; it needs no token.
func (h *handler) apiOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(openAPIDoc)
}
