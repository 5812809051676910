package web

import "github.com/gofiber/fiber/v2"

// eventRoutes mounts the skill-sharing session pages.
func (h *handler) eventRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Get("/g/:slug/sessions/new", signedIn, h.sessionNew)
	app.Post("/g/:slug/sessions", signedIn, h.sessionCreate)
	app.Get("/g/:slug/proposals", h.proposalsPage)
	app.Post("/g/:slug/proposals", signedIn, h.proposalCreate)
	app.Post("/g/:slug/proposals/:pid/upvote", signedIn, h.proposalUpvote)
	app.Get("/g/:slug/calendar.ics", h.groupCalendar)

	app.Get("/s/:id", h.kept(h.eventsNow, h.sessionShow))
	app.Post("/s/:id/rsvp", signedIn, h.sessionRSVP)
	app.Post("/s/:id/going-all", signedIn, h.seriesGoingAll)
	app.Get("/s/:id/edit", signedIn, h.sessionEdit)
	app.Post("/s/:id/edit", signedIn, h.sessionUpdate)
	app.Post("/s/:id/cancel", signedIn, h.sessionCancel)
	app.Post("/s/:id/announce", signedIn, h.sessionAnnounce)
	app.Get("/s/:id/message", signedIn, h.sessionMessageForm)
	app.Post("/s/:id/message", signedIn, h.sessionMessageSend)
	app.Post("/s/:id/invite", signedIn, h.limitByUser("invite", h.InviteLimit), h.sessionInvite)
	app.Post("/s/:id/guest-rsvp", h.limitByIP("guest-rsvp", h.GuestRSVPLimit), h.guestRSVP)
	app.Post("/s/:id/capacity", signedIn, h.sessionCapacity)
	app.Get("/s/:id/attendees", signedIn, h.attendeesPage)
	app.Get("/s/:id/attendees.csv", signedIn, h.attendeesCSV)
	app.Post("/s/:id/attendees/:uid/:action", signedIn, h.attendeeAction)
	app.Get("/s/:id/calendar.ics", h.sessionCalendar)

	app.Get("/calendar", signedIn, h.calendarPage)
	app.Get("/calendar/:token.ics", h.personalCalendar)
	app.Post("/profile/calendar/reset", signedIn, h.calendarReset)
}
