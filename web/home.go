package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/careers"
)

// home is the landing page: upcoming public sessions, active groups and
// the career paths to browse by.
func (h *handler) home(c *fiber.Ctx) error {
	sessions, err := h.listedSessionCards(c, 6)
	if err != nil {
		return err
	}
	popular, _, err := h.Groups.Search(c.UserContext(), groups.Query{Sort: groups.SortMembers, PerPage: 6})
	if err != nil {
		return err
	}
	data := h.view(c, "Grow together")
	data["Sessions"] = sessions
	data["Groups"] = groupCards(popular, viewerZone(c), h.Events.Now())
	data["Careers"] = careers.Paths
	return c.Render("home", data)
}
