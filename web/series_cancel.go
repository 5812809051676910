package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
)

// cancelScope reads which dates a cancel covers: "this" (also when the
// form names none, as a single session's does), "following" or "all".
func cancelScope(c *fiber.Ctx) (events.CancelScope, error) {
	switch scope := events.CancelScope(c.FormValue("scope", string(events.CancelThis))); scope {
	case events.CancelThis, events.CancelFollowing, events.CancelAll:
		return scope, nil
	}
	return "", httpError(fiber.StatusBadRequest, "Choose what to cancel",
		"The form did not say whether to cancel this date, this and the following ones, or all of them. Go back and choose one.")
}

// cancelledText says what a cancel did.
func cancelledText(done []events.Event, scope events.CancelScope) string {
	if scope == events.CancelThis {
		return "The session is cancelled. Everyone who RSVPed will be told."
	}
	if len(done) == 0 {
		return "Those dates were already cancelled or over; nothing changed."
	}
	return "Cancelled " + plural(len(done), "date") + " of the series. Everyone who RSVPed will be told."
}
