package web

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
)

type contextKey string

const (
	userContextKey  = contextKey("user")
	flashContextKey = contextKey("flash")
	csrfContextKey  = "csrf"
	csrfSessionKey  = "csrf"
)

// contentSecurityPolicy allows no inline script or style, no framing and
// no form posts to other sites; avatars and covers may come from https.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' https: data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders() fiber.Handler {
	return helmet.New(helmet.Config{
		ContentSecurityPolicy: contentSecurityPolicy,
		XFrameOptions:         "DENY",
		// same-origin keeps the Referer on our own form posts (the CSRF
		// check compares it on https) and sends nothing to other sites.
		ReferrerPolicy:            "same-origin",
		CrossOriginEmbedderPolicy: "unsafe-none",
		HSTSMaxAge:                31536000,
	})
}

func recoverer() fiber.Handler {
	return recover.New()
}

// observe logs each request (route pattern, never the query string, which
// can hold codes and tokens) and records Prometheus metrics.
func (h *handler) observe() fiber.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method"})
	trips := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_redis_roundtrips", Help: "Redis round trips per request by route (a pipeline counts one).",
		Buckets: []float64{0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32},
	}, []string{"route", "method"})
	h.Metrics.MustRegister(requests, latency, trips)
	return func(c *fiber.Ctx) error {
		start := time.Now()
		ctx, counted := roundtrips.With(c.UserContext())
		c.SetUserContext(ctx)
		err := c.Next()
		if err != nil {
			if herr := h.handleError(c, err); herr != nil {
				return herr
			}
		}
		status := c.Response().StatusCode()
		route := routePattern(c)
		if route == "/" && c.Path() != "/" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		requests.WithLabelValues(route, c.Method(), strconv.Itoa(status)).Inc()
		latency.WithLabelValues(route, c.Method()).Observe(elapsed.Seconds())
		trips.WithLabelValues(route, c.Method()).Observe(float64(counted.Count()))
		h.Logger.Info("request", "method", c.Method(), "route", route, "status", status,
			"ms", elapsed.Milliseconds(), "ip", h.clientIP(c))
		return nil
	}
}

// deadline gives each request a context that ends after RequestTimeout;
// handlers pass c.UserContext() down to Redis, so a request that cannot
// finish in time fails (503) instead of holding a connection.
func (h *handler) deadline() fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), h.RequestTimeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// loadUser reads the session once per request: the signed-in user and any
// flash message waiting to be shown. A session store that fails is an
// error (503 when Redis is away), never a signed-out visitor.
func (h *handler) loadUser() fiber.Handler {
	return func(c *fiber.Ctx) error {
		sess, err := h.Sessions.Get(c)
		if errors.Is(err, auth.ErrStore) {
			return err
		}
		if err != nil {
			// Undecodable session data: treat the visitor as signed out.
			return c.Next()
		}
		if uid := auth.SessionUserID(sess); uid != "" {
			u, err := h.Users.Get(c.UserContext(), uid)
			switch {
			case err == nil:
				c.Locals(userContextKey, u)
			case !isNotFound(err):
				return err
			}
		}
		if text, ok := sess.Get(sessFlashText).(string); ok && text != "" {
			kind, _ := sess.Get(sessFlashKind).(string)
			c.Locals(flashContextKey, flash{Kind: kind, Text: text})
			sess.Delete(sessFlashText)
			sess.Delete(sessFlashKind)
			if err := sess.Save(); err != nil {
				return err
			}
		}
		return c.Next()
	}
}

// csrfProtection checks a token on every state-changing request; the token
// lives in the session and reaches forms through the view data.
func (h *handler) csrfProtection() fiber.Handler {
	name := "fg_csrf"
	if !h.Dev {
		name = "__Host-fg_csrf"
	}
	return csrf.New(csrf.Config{
		Next:           h.csrfSkip,
		Session:        h.Sessions,
		SessionKey:     csrfSessionKey,
		ContextKey:     csrfContextKey,
		CookieName:     name,
		CookieSecure:   !h.Dev,
		CookieHTTPOnly: true,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
		Expiration:     auth.SessionTTL,
		Extractor:      csrf.CsrfFromForm("_csrf"),
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			if serr := h.csrfStoreFailed(c, err); serr != nil {
				return serr
			}
			return &pageError{Status: fiber.StatusForbidden, Title: "This form has expired",
				Message:     "We could not confirm that this form came from this site. Go back, reload the page and try again.",
				ActionLabel: "Go to the home page", ActionURL: "/"}
		},
	})
}

// csrfStoreFailed tells a token the CSRF middleware refused because it
// could not read the session (it treats a store error as "no token") from
// a token that is really missing or wrong. It reads the session again: a
// store error, or the very token the form carries, means Redis failed, and
// the visitor gets that error (503), not "This form has expired".
func (h *handler) csrfStoreFailed(c *fiber.Ctx, cause error) error {
	sent := c.FormValue("_csrf")
	if !errors.Is(cause, csrf.ErrTokenNotFound) || sent == "" {
		return nil
	}
	sess, err := h.Sessions.Get(c)
	if err != nil {
		return err
	}
	if tok, ok := sess.Get(csrfSessionKey).(csrf.Token); ok && tok.Key == sent && tok.Expiration.After(time.Now()) {
		return unavailable()
	}
	return nil
}

// clientIP is the address rate limits and logs use. Behind a load balancer
// (TrustProxy) it is the last X-Forwarded-For entry: the one our balancer
// appended. Entries before it come from the client and can say anything.
func (h *handler) clientIP(c *fiber.Ctx) string {
	if h.TrustProxy {
		if ips := c.IPs(); len(ips) > 0 {
			return strings.TrimSpace(ips[len(ips)-1])
		}
	}
	return c.Context().RemoteIP().String()
}

// csrfSkip says when the CSRF middleware stays out of a request:
//   - POSTs whose URL carries a secret token from a mail (RSVP links,
//     one-click unsubscribe, address confirmation): a third-party site
//     cannot know the token, and
//     mail clients post List-Unsubscribe without any cookie;
//   - page views by visitors without a session, who have no form to post
//     (but development sign-in): handing each of them a token would store
//     a session in Redis for every crawler request.
func (h *handler) csrfSkip(c *fiber.Ctx) bool {
	p := c.Path()
	if c.Method() == fiber.MethodPost {
		return strings.HasPrefix(p, "/rsvp/") || strings.HasPrefix(p, "/unsubscribe/") || strings.HasPrefix(p, "/verify-email/")
	}
	safe := c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead
	return safe && c.Cookies(auth.SessionCookie(!h.Dev)) == "" && p != "/dev/signin"
}

// bodyLimit answers 413 to a body over MaxBodySize, before anything reads
// the form (CSRF included). The server has read the whole body (up to
// readBodyLimit), so the connection stays usable and the client sees the
// page rather than a reset.
func bodyLimit() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(c.Request().Body()) > MaxBodySize {
			return fiber.ErrRequestEntityTooLarge
		}
		return c.Next()
	}
}
