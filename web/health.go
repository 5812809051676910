package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// healthz says the process is up.
func (h *handler) healthz(c *fiber.Ctx) error {
	return c.SendString("ok")
}

// readyz says whether the app can serve: Redis must answer within a second.
func (h *handler) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), time.Second)
	defer cancel()
	if err := h.Redis.Ping(ctx).Err(); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("redis unreachable")
	}
	return c.SendString("ready")
}

// metrics serves Prometheus metrics, behind a bearer token when one is set.
func (h *handler) metrics() fiber.Handler {
	serve := adaptor.HTTPHandler(promhttp.HandlerFor(h.Metrics, promhttp.HandlerOpts{}))
	return func(c *fiber.Ctx) error {
		if h.MetricsToken != "" && !constantTimeEqual(c.Get(fiber.HeaderAuthorization), "Bearer "+h.MetricsToken) {
			return c.Status(fiber.StatusUnauthorized).SendString("metrics need a bearer token")
		}
		return serve(c)
	}
}
