package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// sessionCancel cancels a session, or with it the later dates or all
// dates of its series (scope, see cancelScope); they stay visible as
// cancelled and everyone who RSVPed is told (through events.Store.Notify).
func (h *handler) sessionCancel(c *fiber.Ctx) error {
	v, err := h.loadEventAsOrganizer(c)
	if err != nil {
		return err
	}
	scope, err := cancelScope(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	done, err := h.Events.CancelSeries(ctx, v.actor(), v.Event.ID, scope)
	if err != nil {
		if errors.Is(err, events.ErrConflict) {
			return h.redirectWith(c, sessionPath(v.Event.ID), "error", "The session changed meanwhile. Check it and cancel again.")
		}
		return err
	}
	h.refreshNextSession(ctx, v.Group.ID)
	return h.redirectWith(c, sessionPath(v.Event.ID), "ok", cancelledText(done, scope))
}

// sessionCapacity changes the number of seats (empty = no limit); a raise
// promotes people from the waitlist.
func (h *handler) sessionCapacity(c *fiber.Ctx) error {
	v, err := h.loadEventAsOrganizer(c)
	if err != nil {
		return err
	}
	raw := strings.TrimSpace(c.FormValue("capacity"))
	back := "/s/" + v.Event.ID + "/attendees"
	n := 0
	if raw != "" {
		n, err = strconv.Atoi(raw)
		if err != nil || n <= 0 {
			return h.renderAttendees(c, v, h.readAttendeeLists(c, v.Event.ID), raw, valid.Errors{"capacity": "Give the number of seats as a whole number of at least 1, or leave it empty for no limit."})
		}
	}
	_, err = h.Events.SetCapacity(c.UserContext(), v.actor(), v.Event.ID, n)
	var ve valid.Errors
	switch {
	case errors.As(err, &ve):
		return h.renderAttendees(c, v, h.readAttendeeLists(c, v.Event.ID), raw, ve)
	case errors.Is(err, events.ErrConflict):
		return h.redirectWith(c, back, "error", "The session changed meanwhile. Check the seats and try again.")
	case err != nil:
		return err
	}
	text := "The session now has no seat limit."
	if n > 0 {
		text = "The session now has " + plural(n, "seat") + "."
	}
	return h.redirectWith(c, back, "ok", text)
}
