package web

import "github.com/gofiber/fiber/v2"

// mentorRoutes mounts the mentoring pages.
func (h *handler) mentorRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Get("/mentors", signedIn, h.mentorHome)
	app.Get("/mentors/profile/mentor", signedIn, h.mentorProfilePage)
	app.Post("/mentors/profile/mentor", signedIn, h.mentorProfileSave)
	app.Post("/mentors/profile/mentor/pause", signedIn, h.mentorPause)
	app.Get("/mentors/profile/mentee", signedIn, h.menteeProfilePage)
	app.Post("/mentors/profile/mentee", signedIn, h.menteeProfileSave)
	app.Get("/mentors/suggestions", h.requireClaim, h.kept(h.mentorsNow, h.mentorSuggestions))
	app.Get("/mentors/directory", h.requireClaim, h.mentorDirectory)

	app.Post("/mentors/requests", signedIn, h.mentorAsk)
	app.Get("/mentors/requests/:id", signedIn, h.mentorRequestShow)
	app.Post("/mentors/requests/:id/:action", signedIn, h.mentorRequestAction)
	app.Get("/mentors/mentorships/:id", signedIn, h.mentorshipShow)
	app.Get("/mentors/mentorships/:id/end", signedIn, h.mentorshipEndPage)
	app.Post("/mentors/mentorships/:id/end", signedIn, h.mentorshipEnd)
	app.Post("/mentors/mentorships/:id/goals", signedIn, h.mentorshipGoalAdd)
	app.Post("/mentors/mentorships/:id/goals/:goal/:action", signedIn, h.mentorshipGoalChange)
	app.Post("/mentors/mentorships/:id/notes", signedIn, h.mentorshipNoteAdd)
	app.Post("/mentors/mentorships/:id/meetings", signedIn, h.mentorshipMeetingPropose)
	app.Post("/mentors/mentorships/:id/meetings/:meeting/:action", signedIn, h.mentorshipMeetingChange)
	app.Post("/mentors/mentorships/:id/checkins", signedIn, h.mentorshipCheckInsSet)
	// Check-in links from mail work without signing in (see csrfExempt).
	linkLimit := h.limitLink()
	app.Get("/checkin/:token", linkLimit, h.checkInLinkPage)
	app.Post("/checkin/:token", linkLimit, h.checkInLinkAnswer)

	app.Get("/g/:slug/rounds", signedIn, h.roundsPage)
	app.Post("/g/:slug/rounds", signedIn, h.roundOpen)
	app.Get("/g/:slug/rounds/:id", signedIn, h.roundPage)
	app.Post("/g/:slug/rounds/:id/:action", signedIn, h.roundAction)
}
