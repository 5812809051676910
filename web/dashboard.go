package web

import (
	"github.com/gofiber/fiber/v2"
)

// dashboard is the signed-in home: my groups, invitations, requests and
// their outcomes.
func (h *handler) dashboard(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	mine, err := h.Groups.UserGroups(ctx, u.ID)
	if err != nil {
		return err
	}
	cards := make([]groupCard, len(mine))
	for i, m := range mine {
		cards[i] = groupCardOf(m.Group)
		cards[i].Role = m.Role
	}
	invites, err := h.Groups.UserInvitations(ctx, u.ID)
	if err != nil {
		return err
	}
	apps, err := h.Groups.UserApplications(ctx, u.ID)
	if err != nil {
		return err
	}
	sessions, err := h.mySessionCards(c, u.ID)
	if err != nil {
		return err
	}
	mentoring, err := h.mentorSummary(c, u.ID)
	if err != nil {
		return err
	}
	data := h.view(c, "Dashboard")
	data["Sessions"] = sessions
	data["Mentoring"] = mentoring
	data["MyGroups"] = cards
	data["Invitations"] = invites
	data["Applications"] = apps
	return c.Render("dashboard", data)
}
