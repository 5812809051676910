package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mentors"
)

// groupView is a group as one visitor may see it.
type groupView struct {
	Group    *groups.Group
	Standing groups.Standing
}

// Organizer reports whether the visitor may manage the group.
func (g groupView) Organizer() bool { return g.Standing.Role.IsOrganizer() }

// Member reports whether the visitor belongs to the group.
func (g groupView) Member() bool { return g.Standing.Role.IsMember() }

// loadGroup finds the group named by the :slug route parameter as the
// current visitor may see it. A group the visitor may not see is reported
// as not found, so a private group's existence does not leak.
func (h *handler) loadGroup(c *fiber.Ctx) (groupView, error) {
	g, err := h.Groups.GetBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return groupView{}, err
	}
	uid := ""
	if u := currentUser(c); u != nil {
		uid = u.ID
	}
	st, err := h.Groups.Standing(c.UserContext(), g.ID, uid)
	if err != nil {
		return groupView{}, err
	}
	if !groups.CanView(g, st) {
		return groupView{}, notFound()
	}
	return groupView{Group: g, Standing: st}, nil
}

// loadGroupAsOrganizer is loadGroup for organizer pages and actions: a
// visitor who can see the group but not manage it gets 403.
func (h *handler) loadGroupAsOrganizer(c *fiber.Ctx) (groupView, error) {
	gv, err := h.loadGroup(c)
	if err != nil {
		return gv, err
	}
	if !gv.Organizer() {
		return gv, forbidden("Only the group's organizers can do that.")
	}
	return gv, nil
}

func forbidden(msg string) *pageError {
	return httpError(fiber.StatusForbidden, "Not allowed", msg)
}

// isForbidden reports whether a domain package refused an action.
func isForbidden(err error) bool {
	return errors.Is(err, groups.ErrForbidden) || errors.Is(err, events.ErrForbidden) || errors.Is(err, mentors.ErrForbidden)
}
