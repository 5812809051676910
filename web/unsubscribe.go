package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/mail"
)

// unsubscribeTarget resolves the signed link in a mail footer to the user
// and the group (empty for all mail) it stops.
func (h *handler) unsubscribeTarget(c *fiber.Ctx) (uid, groupID string, ok bool) {
	uid, scope, ok := h.Mail.Tokens.VerifyUnsubscribe(c.Params("token"))
	if !ok {
		return "", "", false
	}
	if scope == mail.ScopeAll {
		return uid, "", true
	}
	groupID, isGroup := strings.CutPrefix(scope, "group:")
	return uid, groupID, isGroup
}

// unsubscribePage shows what the link will stop, with a button: mail
// scanners follow links, so the GET changes nothing. The signed token
// needs no read; the person and the group are read in one round trip.
func (h *handler) unsubscribePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	uid, groupID, ok := h.unsubscribeTarget(c)
	if !ok || !ids.Valid(uid) || (groupID != "" && !ids.Valid(groupID)) {
		return h.invalidLink(c)
	}
	p := h.Redis.Pipeline()
	getUser := h.Users.QueueGetMany(ctx, p, []string{uid})
	var getGroup func() (*groups.Group, error)
	if groupID != "" {
		getGroup = h.Groups.QueueGet(ctx, p, groupID)
	}
	if err := runReads(ctx, p); err != nil {
		return err
	}
	users, err := getUser()
	if err != nil {
		return err
	}
	u := users[uid]
	if u == nil {
		return h.invalidLink(c)
	}
	data := h.view(c, "Unsubscribe")
	data["Token"] = c.Params("token")
	data["Email"] = u.PrimaryEmail()
	if getGroup != nil {
		if g, err := getGroup(); err == nil {
			data["GroupName"] = g.Name
		}
	}
	return c.Render("mail/unsubscribe", data)
}

// unsubscribe does it: from the page's button, or as the one-click POST
// that mail clients send for List-Unsubscribe-Post (RFC 8058).
func (h *handler) unsubscribe(c *fiber.Ctx) error {
	uid, groupID, ok := h.unsubscribeTarget(c)
	if !ok {
		return h.invalidLink(c)
	}
	if _, err := h.Users.Unsubscribe(c.UserContext(), uid, groupID); err != nil {
		if isNotFound(err) {
			return h.invalidLink(c)
		}
		return err
	}
	data := h.view(c, "Unsubscribed")
	data["Done"] = true
	if groupID != "" {
		if g, err := h.Groups.Get(c.UserContext(), groupID); err == nil {
			data["GroupName"] = g.Name
		}
	}
	return c.Render("mail/unsubscribe", data)
}

// invalidLink is the friendly page for an emailed link that is unknown,
// tampered with or expired: it explains and offers sign-in instead.
func (h *handler) invalidLink(c *fiber.Ctx) error {
	return c.Render("mail/invalid_link", h.view(c, "This link no longer works"))
}
