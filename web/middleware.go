package web

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/outage"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/speculate"
)

type contextKey string

const (
	userContextKey    = contextKey("user")
	flashContextKey   = contextKey("flash")
	sessionContextKey = contextKey("session")
	lazyContextKey    = contextKey("lazy")
	// lastWritesContextKey holds the writes sent with the session when
	// the request ends (see queueLastWrite).
	lastWritesContextKey = contextKey("last-writes")
	// onceClaimContextKey holds the claim of a form post made with the
	// session's read (see queueOnceClaim).
	onceClaimContextKey = contextKey("once-claim")
	// formReadsContextKey holds the reads a form's route queues with the
	// session's (see formReads); prefetchedEventKey what prefetchEvent
	// queued.
	formReadsContextKey = contextKey("form-reads")
	prefetchedEventKey  = contextKey("prefetched-event")
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

// slowRequest is how long a request may take before it is logged at warn.
const slowRequest = time.Second

// observe records Prometheus metrics for each request and logs it (route
// pattern, never the query string, which can hold codes and tokens): at
// debug, or at warn when it failed on our side or was slow.
func (h *handler) observe() fiber.Handler {
	metrics := newRequestMetrics(h.Metrics)
	return func(c *fiber.Ctx) error {
		start := time.Now()
		ctx, counted := roundtrips.With(c.UserContext())
		if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
			ctx = h.NearCache.Scope(ctx) // reads what was written before it began
		}
		c.SetUserContext(ctx)
		err := c.Next()
		if err != nil {
			if herr := h.handleError(c, err); herr != nil {
				return herr
			}
		}
		keepPagesPrivate(c)
		status := c.Response().StatusCode()
		route := routePattern(c)
		if route == "/" && c.Path() != "/" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		// c.Method() points into fasthttp's request buffer, which the next
		// request on the connection overwrites; series copies what it keeps.
		method := c.Method()
		series, count := metrics.series(route, method, status)
		count.Inc()
		series.latency.Observe(elapsed.Seconds())
		series.trips.Observe(float64(counted.Count()))
		series.writes.Add(float64(counted.Writes()))
		// Every request is counted above; a line for each costs about 6 %
		// of a page's CPU, so only server errors and slow requests get one
		// unless LOG_LEVEL=debug.
		level := slog.LevelDebug
		if status >= fiber.StatusInternalServerError || elapsed >= slowRequest {
			level = slog.LevelWarn
		}
		if h.Logger.Enabled(ctx, level) {
			h.Logger.Log(ctx, level, "request", "method", method, "route", route, "status", status,
				"ms", elapsed.Milliseconds(), "ip", h.clientIP(c))
		}
		return nil
	}
}

// pageCaching is the Cache-Control of every HTML page that does not set
// its own: pages are personal (the viewer's name, their answers, form
// tokens bound to their session), so no shared cache in front of the app
// (a CDN or proxy) may keep one, and a browser asks again before reusing
// one.
const pageCaching = "private, no-cache"

// keepPagesPrivate gives an HTML response without a Cache-Control of its
// own pageCaching, once the response (an error page included) is made.
func keepPagesPrivate(c *fiber.Ctx) {
	h := &c.Response().Header
	if len(h.Peek(fiber.HeaderCacheControl)) == 0 && bytes.HasPrefix(h.ContentType(), []byte(fiber.MIMETextHTML)) {
		h.Set(fiber.HeaderCacheControl, pageCaching)
	}
}

// deadline gives each request a context that ends after RequestTimeout;
// handlers pass c.UserContext() down to Redis, so a request that cannot
// finish in time fails (503) instead of holding a connection (a pipeline
// already sent in a shared batch waits for its reply up to the read
// timeout, see redisconn.SharedPipes).
func (h *handler) deadline() fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), h.RequestTimeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// session loads the visitor's session and user (one round trip, shared
// with a form's one-time claim and its route's own reads), shows a
// waiting flash message, checks the CSRF token of every state-changing
// request, and writes the session back after the handler when it changed.
// A session store that fails is an error (503 when Redis is away), never a
// signed-out visitor, never "This form has expired".
func (h *handler) session() fiber.Handler {
	return func(c *fiber.Ctx) error {
		cookie := c.Cookies(h.Sessions.CookieName())
		if safeMethod(c) {
			return h.lazySession(c, cookie)
		}
		// A form's one-time claim goes with the session's read.
		p := h.Redis.Pipeline()
		uid, resolve := h.Sessions.QueueLoad(c.UserContext(), p, cookie)
		claimed := h.queueOnceClaim(c, p, uid)
		if reads, ok := c.Locals(formReadsContextKey).(formReads); ok {
			reads(p, uid)
		}
		_, _ = p.Exec(c.UserContext()) // resolve, claimed and the form's reads report their commands' errors
		sess, u, err := resolve()
		if err != nil {
			return err
		}
		claim := claimed(u)
		installSession(c, sess, u)
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

// formReads are reads a form's route queues, before the session is
// read, on the pipeline that reads it (and makes the form's one-time
// claim), for the user the cookie claims: a post's own first reads come
// back in the same round trip as the poster's session. They are reads
// only: the CSRF check still comes before anything the form changes, and
// whoever uses them checks that the claim held (the signed-in user is
// uid).
type formReads func(p redis.Pipeliner, uid string)

// lazy is a GET request's session, not read yet: its reads wait in a
// pipeline that the page may add its own first reads to (pageReads), so
// session, viewer and page come back in one round trip. Whatever asks for
// the session first (currentUser, currentSession, the page's reads) runs
// the pipeline.
type lazy struct {
	p       redis.Pipeliner
	claimed string // the user the cookie claims, unchecked
	resolve func() (*auth.Session, *auth.User, error)
	fresh   func() *auth.Session
	taken   bool // a page queued its reads on p (pageReads)
	done    bool // p has run and the session is installed
	err     error
}

func (h *handler) lazySession(c *fiber.Ctx, cookie string) error {
	p := h.Redis.Pipeline()
	claimed, resolve := h.Sessions.QueueLoad(c.UserContext(), p, cookie)
	lz := &lazy{p: p, claimed: claimed, resolve: resolve, fresh: h.Sessions.Fresh}
	c.Locals(lazyContextKey, lz)
	var later *speculate.View
	if c.Method() == fiber.MethodGet && !h.NearCache.Active() {
		// The page's later reads are guessed with its first round trip
		// (see handler.pageLater), by address and the viewer the cookie
		// claims; not while the near cache answers them from memory, where
		// a guess would be made, answered and copied: work done twice. A
		// view after a change to what it reads later then takes a round
		// trip per batch the change touched (three at most).
		later = h.pageLater.View(c.OriginalURL(), claimed)
		c.SetUserContext(speculate.With(c.UserContext(), later))
	}
	err := c.Next()
	if later != nil && err == nil && c.Response().StatusCode() < fiber.StatusBadRequest && lz.done && lz.err == nil && claimHeld(c, claimed) {
		// Kept only for the viewer the cookie named (a forged claim
		// leaves nothing for its victim's next view) and for a page that
		// wrote nothing (it may have read what it wrote).
		if n := roundtrips.From(c.UserContext()); n == nil || n.Writes() == 0 {
			later.Remember()
		}
	}
	if lz.err != nil {
		// The session could not be read: whatever the page made of a
		// visitor it took for signed out is not sent.
		c.Response().ResetBody()
		c.Response().Header.Del(fiber.HeaderLocation)
		c.Response().Header.DelAllCookies()
		return lz.err
	}
	if !lz.done || (err != nil && outage.Is(err)) {
		return err // nothing read the session, so nothing changed it
	}
	if serr := h.saveSession(c, currentSession(c)); serr != nil && err == nil {
		return serr
	}
	return err
}

// resolveSession runs a lazy session's reads (if the page has not) and
// installs what they found.
func resolveSession(c *fiber.Ctx) {
	lz, ok := c.Locals(lazyContextKey).(*lazy)
	if !ok || lz.done {
		return
	}
	lz.done = true
	_, _ = lz.p.Exec(c.UserContext()) // nothing left to run if the page ran them; resolve reports errors
	sess, u, err := lz.resolve()
	if err != nil {
		lz.err = err
		sess, u = lz.fresh(), nil
	}
	installSession(c, sess, u)
}

// pageReads returns the pipeline a GET page queues its first reads on
// and the user to read them for: while the session is not read yet, its
// pipeline and the user its cookie claims. The claim is checked once the
// pipeline has run: claimHeld says whether the reads were for the viewer.
func pageReads(c *fiber.Ctx, rdb redis.UniversalClient) (redis.Pipeliner, string) {
	if lz, ok := c.Locals(lazyContextKey).(*lazy); ok && !lz.done && !lz.taken {
		lz.taken = true
		return lz.p, lz.claimed
	}
	return rdb.Pipeline(), viewerID(c)
}

// claimHeld reports whether reads queued for uid (from pageReads) were
// for the signed-in viewer.
func claimHeld(c *fiber.Ctx, uid string) bool {
	u := currentUser(c)
	if u == nil {
		return uid == ""
	}
	return u.ID == uid
}

func installSession(c *fiber.Ctx, sess *auth.Session, u *auth.User) {
	c.Locals(sessionContextKey, sess)
	if u != nil {
		c.Locals(userContextKey, u)
	}
	if text := sess.Get(sessFlashText); text != "" {
		c.Locals(flashContextKey, flash{Kind: sess.Get(sessFlashKind), Text: text})
		sess.Delete(sessFlashText)
		sess.Delete(sessFlashKind)
	}
}

func safeMethod(c *fiber.Ctx) bool {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return true
	}
	return false
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
	resolveSession(c)
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
//   - POSTs whose URL carries a secret token from a mail (RSVP and
//     check-in links, one-click unsubscribe, address confirmation): a third-party site
//     cannot know the token, and mail clients post List-Unsubscribe
//     without any cookie;
//   - a signed-out visitor asking for an RSVP link by mail: it acts on no
//     session (a forged post does what anyone can do on the page), and
//     it is limited per IP and per address.
func (h *handler) csrfSkip(c *fiber.Ctx) bool {
	if safeMethod(c) {
		return true
	}
	p := c.Path()
	return strings.HasPrefix(p, "/rsvp/") || strings.HasPrefix(p, "/unsubscribe/") || strings.HasPrefix(p, "/verify-email/") || strings.HasPrefix(p, "/checkin/") ||
		(strings.HasPrefix(p, "/s/") && strings.HasSuffix(p, "/guest-rsvp"))
}

// bodyLimit answers 413 to a body over MaxBodySize, before anything reads
// the form (CSRF included). The server has read the whole body (up to
// readBodyLimit), so the connection stays usable and the client sees the
// page rather than a reset.
func bodyLimit() fiber.Handler {
	return func(c *fiber.Ctx) error {
		limit := MaxBodySize
		if c.Method() == fiber.MethodPost && strings.HasSuffix(c.Path(), "/cover") {
			limit = maxCoverBody // a cover upload; coverimg refuses files over 5 MB with its own words
		}
		if len(c.Request().Body()) > limit {
			return fiber.ErrRequestEntityTooLarge
		}
		return c.Next()
	}
}

// maxCoverBody is the largest body a cover upload may send: room for a
// 5 MB file and the form around it, and for a file a little too large to
// be refused in words.
const maxCoverBody = 7 << 20
