package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/outage"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
)

type contextKey string

const (
	userContextKey    = contextKey("user")
	flashContextKey   = contextKey("flash")
	sessionContextKey = contextKey("session")
	// lastWritesContextKey holds the writes sent with the session when
	// the request ends (see queueLastWrite).
	lastWritesContextKey = contextKey("last-writes")
	// onceClaimContextKey holds the claim of a form post made with the
	// session's read (see queueOnceClaim).
	onceClaimContextKey = contextKey("once-claim")
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
		// c.Method() points into fasthttp's request buffer, which the next
		// request on the connection overwrites; a label keeps its own copy.
		method := strings.Clone(c.Method())
		requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
		latency.WithLabelValues(route, method).Observe(elapsed.Seconds())
		trips.WithLabelValues(route, method).Observe(float64(counted.Count()))
		h.Logger.Info("request", "method", method, "route", route, "status", status,
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

// session loads the visitor's session and user (one round trip), shows a
// waiting flash message, checks the CSRF token of every state-changing
// request, and writes the session back after the handler when it changed.
// A session store that fails is an error (503 when Redis is away), never a
// signed-out visitor, never "This form has expired".
func (h *handler) session() fiber.Handler {
	return func(c *fiber.Ctx) error {
		queue, claimed := h.queueOnceClaim(c)
		sess, u, err := h.Sessions.LoadWith(c.UserContext(), c.Cookies(h.Sessions.CookieName()), queue)
		if err != nil {
			return err
		}
		claim := claimed(u)
		c.Locals(sessionContextKey, sess)
		if u != nil {
			c.Locals(userContextKey, u)
		}
		if text := sess.Get(sessFlashText); text != "" {
			c.Locals(flashContextKey, flash{Kind: sess.Get(sessFlashKind), Text: text})
			sess.Delete(sessFlashText)
			sess.Delete(sessFlashKind)
		}
		if !h.csrfSkip(c) && !h.Sessions.ValidCSRF(sess, c.FormValue("_csrf")) {
			claim.forget(c.UserContext())
			return &pageError{Status: fiber.StatusForbidden, Title: "This form has expired",
				Message:     "We could not confirm that this form came from this site. Go back, reload the page and try again.",
				ActionLabel: "Go to the home page", ActionURL: "/"}
		}
		err = c.Next()
		if err != nil && outage.Is(err) {
			return err // a 503 changes no cookie and writes nothing
		}
		if serr := h.saveSession(c, sess); serr != nil && err == nil {
			return serr
		}
		return err
	}
}

// saveSession writes the session back when it changed, with the request's
// last writes (see queueLastWrite) in the same round trip, and sends the
// cookie when its value changed (or clears it after sign-out).
func (h *handler) saveSession(c *fiber.Ctx, sess *auth.Session) error {
	queue, failed := lastWrites(c)
	value, maxAge, keep, err := h.Sessions.SaveWith(c.UserContext(), sess, queue)
	for _, ferr := range failed() {
		// Follow-ups of writes that succeeded: logged, not shown.
		h.Logger.Warn("a request's last write failed", "route", routePattern(c), "err", ferr)
	}
	if err != nil || keep {
		return err
	}
	ck := &fiber.Cookie{Name: h.Sessions.CookieName(), Value: value, Path: "/", HTTPOnly: true,
		Secure: h.Sessions.Secure(), SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(maxAge / time.Second)}
	if value == "" {
		ck.MaxAge, ck.Expires = -1, time.Unix(0, 0)
	}
	c.Cookie(ck)
	return nil
}

// currentSession is the request's session (see session).
func currentSession(c *fiber.Ctx) *auth.Session {
	s, _ := c.Locals(sessionContextKey).(*auth.Session)
	return s
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

// csrfSkip says when no CSRF token is needed:
//   - safe methods (GET, HEAD, OPTIONS), which change nothing;
//   - POSTs whose URL carries a secret token from a mail (RSVP links,
//     one-click unsubscribe, address confirmation): a third-party site
//     cannot know the token, and mail clients post List-Unsubscribe
//     without any cookie.
func (h *handler) csrfSkip(c *fiber.Ctx) bool {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return true
	}
	p := c.Path()
	return strings.HasPrefix(p, "/rsvp/") || strings.HasPrefix(p, "/unsubscribe/") || strings.HasPrefix(p, "/verify-email/")
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
