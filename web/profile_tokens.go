package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// tokenRoutes are the profile page's API token forms.
func (h *handler) tokenRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Post("/profile/tokens", signedIn, h.limitByUser("tokens", tokenLimit), h.tokenCreate)
	app.Post("/profile/tokens/:id/revoke", signedIn, h.tokenRevoke)
}

// tokenLimit bounds how many tokens one person may make a minute.
var tokenLimit = ratelimit.PerMinute(10)

// Context keys of the token section: the secret of a token just made
// (shown once) and the form as typed when it had mistakes.
const (
	newTokenContextKey  = contextKey("new_token")
	tokenFormContextKey = contextKey("token_form")
)

// tokensReadContextKey holds the tokens readTokens read with the session.
const tokensReadContextKey = contextKey("tokens_read")

// readTokens reads the viewer's tokens with the session's own reads (one
// round trip for both), for tokensView.
func (h *handler) readTokens(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, uid := pageReads(c, h.Redis)
	if uid == "" {
		resolveSession(c)
		return nil
	}
	read := h.Tokens.QueueList(ctx, p, uid)
	if err := runReads(ctx, p); err != nil {
		return err
	}
	if !claimHeld(c, uid) {
		return h.readTokens(c) // the cookie named someone else: read as the viewer
	}
	list, err := read()
	if err != nil {
		return err
	}
	c.Locals(tokensReadContextKey, list)
	return nil
}

// tokensView adds the profile page's token section: the person's tokens,
// the token just made, and the form.
func (h *handler) tokensView(c *fiber.Ctx, data fiber.Map) error {
	list, read := c.Locals(tokensReadContextKey).([]auth.Token)
	if !read {
		var err error
		if list, err = h.Tokens.List(c.UserContext(), currentUser(c).ID); err != nil {
			return err
		}
	}
	data["APITokens"] = list
	data["NewToken"], _ = c.Locals(newTokenContextKey).(string)
	form, _ := c.Locals(tokenFormContextKey).(auth.TokenInput)
	data["TokenForm"] = form
	return nil
}

// tokenCreate makes a token and shows the profile page with its secret,
// once: the answer is the page itself, not a redirect, so the secret
// never rests in the session or in a URL.
func (h *handler) tokenCreate(c *fiber.Ctx) error {
	u := currentUser(c)
	in := auth.TokenInput{Name: c.FormValue("token_name"), Scope: c.FormValue("token_scope"), Expires: c.FormValue("token_expires"),
		Zone: viewerZone(c)}
	text, _, err := h.Tokens.Create(c.UserContext(), u.ID, in)
	var fields valid.Errors
	switch {
	case errors.As(err, &fields):
		c.Locals(tokenFormContextKey, in)
		return h.renderProfile(c, fields, nil)
	case errors.Is(err, auth.ErrTooManyTokens):
		c.Locals(tokenFormContextKey, in)
		return h.renderProfile(c, valid.Errors{"token_name": "You have the most tokens one person may have. Revoke one you no longer use first."}, nil)
	case err != nil:
		return err
	}
	c.Locals(newTokenContextKey, text)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.renderProfile(c, nil, nil)
}

// tokenRevoke deletes one of the person's tokens; it stops working at once.
func (h *handler) tokenRevoke(c *fiber.Ctx) error {
	id := c.Params("id")
	if !ids.Valid(id) {
		return notFound()
	}
	err := h.Tokens.Revoke(c.UserContext(), currentUser(c).ID, id)
	if errors.Is(err, auth.ErrNotFound) {
		return h.redirectWith(c, "/profile#tokens-h", "error", "That token was already revoked.")
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/profile#tokens-h", "ok", "Token revoked: scripts using it get 401 from now on.")
}
