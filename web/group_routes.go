package web

import "github.com/gofiber/fiber/v2"

// groupRoutes mounts the focus group pages.
func (h *handler) groupRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Get("/groups", h.kept(h.eventsNow, h.discover))
	app.Get("/groups/new", signedIn, h.groupNew)
	app.Post("/groups", signedIn, h.groupCreate)
	app.Get("/dashboard", h.requireClaim, h.kept(h.eventsNow, h.dashboard))

	app.Get("/g/:slug", h.kept(h.eventsNow, h.groupShow))
	app.Get("/g/:slug/edit", signedIn, h.groupEdit)
	app.Post("/g/:slug/edit", signedIn, h.groupUpdate)
	app.Get("/g/:slug/delete/confirm", signedIn, h.groupDeleteConfirm)
	app.Post("/g/:slug/delete", signedIn, h.groupDelete)

	app.Post("/g/:slug/join", signedIn, h.groupJoin)
	app.Post("/g/:slug/apply", signedIn, h.groupApply)
	app.Post("/g/:slug/leave", signedIn, h.groupLeave)
	app.Post("/g/:slug/invitation/accept", signedIn, h.groupAcceptInvite)
	app.Post("/g/:slug/invitation/decline", signedIn, h.groupDeclineInvite)

	app.Get("/g/:slug/members", h.requireClaim, h.groupMembers)
	app.Post("/g/:slug/invite", signedIn, h.limitByUser("invite", h.InviteLimit), h.groupInvite)
	app.Get("/g/:slug/members/:uid/:action/confirm", h.requireClaim, h.groupMemberConfirm)
	app.Post("/g/:slug/members/:uid/:action", signedIn, h.groupMemberAction)
	app.Post("/g/:slug/links", signedIn, h.groupLinkCreate)
	app.Post("/g/:slug/links/:secret/revoke", signedIn, h.groupLinkRevoke)
	app.Get("/join/:token", h.limitByIP("join-link", h.JoinLinkLimit), h.joinLink)
	app.Post("/join/:token", signedIn, h.limitByIP("join-link", h.JoinLinkLimit), h.joinLinkPost)
	app.Get("/g/:slug/requests", signedIn, h.groupRequests)
	app.Post("/g/:slug/requests/:uid/:decision", signedIn, h.groupDecide)
}
