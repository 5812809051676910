package web

import (
	"errors"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// Session keys for a sign-in in progress.
const (
	sessOAuthState    = "oauth_state"
	sessOAuthProvider = "oauth_provider"
	sessOAuthSaved    = "oauth_saved"
	sessOAuthLink     = "oauth_link"
	sessNext          = "next"
)

// signInWindow is how long a visitor has to finish signing in at the
// provider.
const signInWindow = 30 * time.Minute

// signinPage lists the configured providers (and development sign-in).
func (h *handler) signinPage(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/profile", fiber.StatusSeeOther)
	}
	data := h.view(c, "Sign in")
	data["Next"] = safeNext(c.Query("next"))
	return c.Render("signin", data)
}

// authBegin sends the visitor to the provider, remembering a random state
// and the provider's session in our server-side session.
func (h *handler) authBegin(c *fiber.Ctx) error {
	name := c.Params("provider")
	linking := c.Query("link") == "1"
	if linking && currentUser(c) == nil {
		return c.Redirect("/signin", fiber.StatusSeeOther)
	}
	state := ids.Secret()
	authURL, saved, err := h.Providers.Begin(c.UserContext(), name, state)
	if errors.Is(err, auth.ErrUnknownProvider) {
		return notFound()
	}
	if err != nil {
		return err
	}
	sess := currentSession(c)
	sess.Set(sessOAuthState, state)
	sess.Set(sessOAuthProvider, name)
	sess.Set(sessOAuthSaved, saved)
	if linking {
		sess.Set(sessOAuthLink, "1")
	} else {
		sess.Delete(sessOAuthLink)
	}
	if currentUser(c) == nil {
		// A sign-in in progress needs the session for minutes, not a month.
		sess.Expire(signInWindow)
	}
	if next := safeNext(c.Query("next")); next != "" {
		sess.Set(sessNext, next)
	}
	return c.Redirect(authURL, fiber.StatusFound)
}

// authCallback finishes a sign-in (or the linking of another provider)
// after the provider sends the visitor back.
func (h *handler) authCallback(c *fiber.Ctx) error {
	name := c.Params("provider")
	sess := currentSession(c)
	state, wantProvider, saved := sess.Get(sessOAuthState), sess.Get(sessOAuthProvider), sess.Get(sessOAuthSaved)
	linking, next := sess.Get(sessOAuthLink) == "1", sess.Get(sessNext)
	// The state is used up whatever happens next: the session is written
	// without it when this request ends, so a replayed callback fails.
	for _, k := range []string{sessOAuthState, sessOAuthProvider, sessOAuthSaved, sessOAuthLink, sessNext} {
		sess.Delete(k)
	}

	label := h.Providers.Label(name)
	if e := c.Query("error"); e != "" {
		if e == "access_denied" {
			return signinFailed(fiber.StatusForbidden, "Sign-in cancelled", "You did not allow "+label+" to share your profile, so you are not signed in.")
		}
		return signinFailed(fiber.StatusBadRequest, "Sign-in failed", label+" reported a problem ("+truncate(e, 60)+"). Please try again.")
	}
	if state == "" || wantProvider != name || !constantTimeEqual(state, c.Query("state")) {
		return signinFailed(fiber.StatusBadRequest, "Sign-in link expired",
			"This sign-in did not start here or has already been used. Please start again.")
	}
	if c.Query("code") == "" {
		return signinFailed(fiber.StatusBadRequest, "Sign-in failed", label+" sent you back without a sign-in code. Please try again.")
	}
	params := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) { params.Set(string(k), string(v)) })
	prof, err := h.Providers.Complete(c.UserContext(), name, saved, params)
	switch {
	case errors.Is(err, auth.ErrUnknownProvider):
		return notFound()
	case errors.Is(err, auth.ErrNoEmail):
		return noEmailError(label)
	case err != nil:
		return err
	}

	if u := currentUser(c); linking && u != nil {
		_, err := h.Users.Link(c.UserContext(), u.ID, prof)
		if errors.Is(err, auth.ErrIdentityTaken) {
			return h.redirectWith(c, "/profile", "error", "That "+label+" account is already linked to another focusgroups member.")
		}
		if err != nil {
			return err
		}
		return h.redirectWith(c, "/profile", "ok", label+" is now linked to your account.")
	}

	prof.TimeZone = browserZoneName(c)
	u, created, err := h.Users.SignIn(c.UserContext(), prof)
	if errors.Is(err, auth.ErrNoEmail) {
		return noEmailError(label)
	}
	if err != nil {
		return err
	}
	return h.finishSignIn(c, u, created, next)
}

// finishSignIn rotates the session, records the user and says hello.
func (h *handler) finishSignIn(c *fiber.Ctx, u *auth.User, created bool, next string) error {
	if u.Suspended {
		return &pageError{Status: fiber.StatusForbidden, Title: "This account is suspended",
			Message: "An administrator of this site suspended the account after a report. Reply to any mail from us if you think this is a mistake."}
	}
	u, err := h.takeOverGuests(c.UserContext(), u)
	if err != nil {
		return err
	}
	if u, err = h.Users.EnsureHandle(c.UserContext(), u); err != nil {
		return err
	}
	next = safeNext(next)
	switch {
	case created && next == "":
		h.setFlash(c, "ok", "Welcome to focusgroups, "+u.Name+"! Check your time zone and mail settings below.")
		next = "/profile"
	case created:
		// They came to do something (host a group, RSVP): take them there.
		h.setFlash(c, "ok", "Welcome to focusgroups, "+u.Name+"! Your time zone and mail settings are on your profile.")
	default:
		h.setFlash(c, "ok", "Welcome back, "+u.Name+".")
	}
	currentSession(c).SignIn(u.ID)
	if next == "" {
		next = "/"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// signout destroys the session in Redis and expires the cookie.
func (h *handler) signout(c *fiber.Ctx) error {
	currentSession(c).Destroy()
	return c.Redirect("/", fiber.StatusSeeOther)
}

func signinFailed(status int, title, msg string) error {
	return &pageError{Status: status, Title: title, Message: msg, ActionLabel: "Back to sign-in", ActionURL: "/signin"}
}

func noEmailError(label string) error {
	return signinFailed(fiber.StatusBadRequest, "We need an email address",
		label+" did not share a verified email address with us. We use it for invites and for company-only groups. Verify an address with "+label+" (or make it visible to apps) and sign in again.")
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
