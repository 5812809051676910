package web

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// guestAddressLimit bounds the RSVP links one address can be sent from
// public pages, whoever asks: nobody can flood someone's inbox with them.
var guestAddressLimit = ratelimit.Limit{Max: 5, Per: time.Hour}

// guestsWelcome reports whether people without an account may RSVP to
// g's sessions from the public page: open public groups that did not
// switch it off. Company-only groups never take guests: their rule is a
// verified company address.
func guestsWelcome(g *groups.Group) bool {
	return openPublic(g) && !g.CompanyOnly() && !g.NoGuests
}

// guestRSVP mails a signed-out visitor the session's invitation with
// their own Going / Not going links; the seat is taken only when they
// press Going there, which proves the address is theirs. The answer is
// the same whether or not the address has an account or asked before.
func (h *handler) guestRSVP(c *fiber.Ctx) error {
	v, err := h.eventAs(c, "")
	if err != nil {
		return err
	}
	switch {
	case v.Group.CompanyOnly():
		return httpError(fiber.StatusForbidden, "Members only",
			"Sessions of "+v.Group.Name+" are for people with a verified address at "+strings.Join(v.Group.Domains, ", ")+": sign in to RSVP.")
	case !guestsWelcome(v.Group):
		return httpError(fiber.StatusForbidden, "Sign in to RSVP", v.Group.Name+" takes RSVPs from signed-in members only.")
	case v.Event.Status == events.StatusCancelled || windowError(v.Event, h.Events.Now()) != nil:
		return httpError(fiber.StatusConflict, "RSVPs are closed", "This session does not take RSVPs now.")
	}
	errs := valid.Errors{}
	name := strings.TrimSpace(c.FormValue("name"))
	if msg := valid.Line("Your name", name); msg != "" {
		errs.Add("name", msg)
	} else if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		errs.Add("name", "Give your name, up to 100 characters.")
	}
	addr, aerr := auth.CheckAddress(c.FormValue("email"))
	if aerr != nil {
		errs.Add("email", "Give one email address, like name@example.com.")
	}
	if len(errs) > 0 {
		data := h.view(c, "RSVP by email")
		data["Event"], data["Fields"], data["Focus"] = v.Event, formErrors(errs), formErrors(errs).First("name", "email")
		data["Name"], data["Email"] = c.FormValue("name"), c.FormValue("email")
		return renderForm(c, "events/guest_form", data, true)
	}
	wait, err := h.limits.Allow(c.UserContext(), "guest-rsvp-addr", addr, guestAddressLimit)
	if err != nil {
		return err
	}
	if wait > 0 {
		return tooMany(c, wait, "That address was sent several links already. Check its inbox (and spam folder), or try again later.")
	}
	u, _, err := h.Users.Guest(c.UserContext(), addr, name)
	if err != nil {
		return err
	}
	if _, err := h.Notify.InviteTo(c.UserContext(), v.Event, v.Group, []*auth.User{u}); err != nil {
		return err
	}
	data := h.view(c, "Check your inbox")
	data["Event"] = v.Event
	data["Address"] = addr
	return c.Render("events/guest_sent", data)
}
