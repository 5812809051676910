package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// profileAddEmail mails a confirmation link to an address the user wants
// to add (for example a work address, for company-only groups).
func (h *handler) profileAddEmail(c *fiber.Ctx) error {
	u := currentUser(c)
	addr := c.FormValue("email")
	token, normalized, err := h.Users.StartEmailVerification(c.UserContext(), u.ID, addr)
	var fields valid.Errors
	if errors.As(err, &fields) {
		in := auth.ProfileUpdate{Name: u.Name, TimeZone: u.TimeZone, Mail: u.Mail}
		c.Locals(newEmailContextKey, addr)
		return h.renderProfile(c, fields, &in)
	}
	if err != nil {
		return err
	}
	h.Notify.VerifyEmail(c.UserContext(), u, normalized, h.BaseURL+"/verify-email/"+token)
	return h.redirectWith(c, "/profile", "ok", "We sent a link to "+normalized+". Open it within a day to confirm the address.")
}

// verifyEmailPage shows whose address the link confirms, with a button:
// mail scanners follow links, so the GET changes nothing.
func (h *handler) verifyEmailPage(c *fiber.Ctx) error {
	uid, addr, err := h.Users.PendingEmail(c.UserContext(), c.Params("token"))
	if isNotFound(err) {
		return h.invalidLink(c)
	}
	if err != nil {
		return err
	}
	u, err := h.Users.Get(c.UserContext(), uid)
	if isNotFound(err) {
		return h.invalidLink(c)
	}
	if err != nil {
		return err
	}
	data := h.view(c, "Confirm your address")
	data["Token"] = c.Params("token")
	data["Address"] = addr
	data["Name"] = u.Name
	return c.Render("verify_email", data)
}

// verifyEmail confirms the address; the token in the URL is the credential.
func (h *handler) verifyEmail(c *fiber.Ctx) error {
	u, err := h.Users.ConfirmEmail(c.UserContext(), c.Params("token"))
	switch {
	case isNotFound(err):
		return h.invalidLink(c)
	case errors.Is(err, auth.ErrEmailTaken):
		return httpError(fiber.StatusConflict, "Address already in use", "Another account verified that address first, so it was not added to yours.")
	case err != nil:
		return err
	}
	data := h.view(c, "Address confirmed")
	data["Done"] = true
	data["Name"] = u.Name
	return c.Render("verify_email", data)
}
