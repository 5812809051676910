package web

import "github.com/gofiber/fiber/v2"

// routes is the one route table of the app.
func (h *handler) routes(app *fiber.App) {
	app.Use(recoverer(), h.observe(), securityHeaders(), bodyLimit(), h.deadline())

	app.Get("/static/:version/:name", h.static.serve)
	app.Get("/static/:name", h.static.serve)
	// Any other static address is missing, whoever asks: it reads no session.
	app.All("/static/*", func(c *fiber.Ctx) error { return notFound() })
	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)
	app.Get("/metrics", h.metrics())

	if !h.Dev {
		// Development-only pages do not exist in production, whatever the method.
		app.All("/dev/*", func(c *fiber.Ctx) error { return notFound() })
	}
	h.apiRoutes(app)
	// Every form posted to a session's address reads the session first;
	// those reads ride with the poster's session.
	app.Post("/s/:id/*", h.prefetchEvent)
	app.Use(h.session(), h.once())

	app.Get("/", h.kept(h.eventsNow, h.home))
	app.Get("/signin", h.signinPage)
	app.Post("/signout", h.signout)

	authLimit := h.limitByIP("auth", h.AuthRateLimit)
	app.Get("/auth/:provider", authLimit, h.authBegin)
	app.Get("/auth/:provider/callback", authLimit, h.authCallback)

	if h.Dev {
		app.Get("/dev/signin", h.devSigninPage)
		app.Post("/dev/signin", authLimit, h.devSignin)
		if h.Mail.Mailbox != nil {
			app.Get("/dev/mailbox", h.devMailbox)
			app.Get("/dev/mailbox/:id", h.devMailboxShow)
			app.Get("/dev/mailbox/:id/html", h.devMailboxHTML)
			app.Get("/dev/mailbox/:id/attachments/:n", h.devMailboxAttachment)
		}
	}

	// Links from mail work without signing in; the token in the URL is the
	// credential, so these POSTs carry no CSRF token (see csrfExempt).
	linkLimit := h.limitLink()
	app.Get("/rsvp/:token", linkLimit, h.rsvpLinkPage)
	app.Post("/rsvp/:token", linkLimit, h.rsvpLinkAnswer)
	app.Get("/rsvp/:token/calendar.ics", linkLimit, h.rsvpLinkCalendar)
	app.Get("/rsvp/:token/all", linkLimit, h.rsvpLinkAllPage)
	app.Post("/rsvp/:token/all", linkLimit, h.rsvpLinkAllAnswer)
	app.Get("/verify-email/:token", linkLimit, h.verifyEmailPage)
	app.Post("/verify-email/:token", linkLimit, h.verifyEmail)
	app.Get("/unsubscribe/:token", linkLimit, h.unsubscribePage)
	app.Post("/unsubscribe/:token", linkLimit, h.unsubscribe)

	signedIn := h.requireUser
	app.Get("/profile", h.requireClaim, h.profilePage)
	app.Post("/profile", signedIn, h.profileSave)
	app.Post("/profile/identities/:provider/unlink", signedIn, h.profileUnlink)
	app.Post("/profile/emails", signedIn, h.limitByUser("verify", h.VerifyLimit), h.profileAddEmail)
	h.tokenRoutes(app, signedIn)

	h.groupRoutes(app, signedIn)
	h.webhookRoutes(app, signedIn)
	h.moderationRoutes(app, signedIn)
	h.skillRoutes(app, signedIn)
	h.accountRoutes(app, signedIn)
	h.coverRoutes(app, signedIn)
	app.Get("/u/:handle", h.personPage)
	app.Post("/profile/page", signedIn, h.personPageSave)
	h.eventRoutes(app, signedIn)
	h.mentorRoutes(app, signedIn)
	h.shareRoutes(app)

	app.Use(func(c *fiber.Ctx) error { return notFound() })
}

// requireClaim is requireUser for a GET page that reads the session with
// its own first reads (pageReads): while the session is unread, a cookie
// that names a user lets the page go on, and the page checks the claim
// (claimHeld) before it shows anything.
func (h *handler) requireClaim(c *fiber.Ctx) error {
	if lz, ok := c.Locals(lazyContextKey).(*lazy); ok && !lz.done && lz.claimed != "" {
		return c.Next()
	}
	return h.requireUser(c)
}

// requireUser sends signed-out visitors to the sign-in page and back.
func (h *handler) requireUser(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Next()
	}
	if c.Method() != fiber.MethodGet {
		return &pageError{Status: fiber.StatusUnauthorized, Title: "Please sign in",
			Message: "You need to be signed in to do that.", ActionLabel: "Sign in", ActionURL: "/signin"}
	}
	return c.Redirect("/signin?next="+urlQueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
}
