package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
)

// sessionAnnounce emails the group's members an invitation to the session.
// Members already invited are skipped by the outbox's idempotency keys,
// except those whose invitation could not be delivered: they get it again.
func (h *handler) sessionAnnounce(c *fiber.Ctx) error {
	v, err := h.loadEventAsOrganizer(c)
	if err != nil {
		return err
	}
	back := sessionPath(v.Event.ID)
	if v.Event.Status == events.StatusCancelled || !v.Event.End.After(h.Events.Now()) {
		return h.redirectWith(c, back, "error", "Only upcoming sessions can be announced.")
	}
	if v.Group.MemberCount <= 1 {
		return h.redirectWith(c, back, "ok", "Your group has no other members yet — invite people on its Members page, then announce the session.")
	}
	n, err := h.Notify.Announce(c.UserContext(), v.Event, v.Group, currentUser(c).ID)
	if err != nil {
		return err
	}
	return h.redirectWith(c, back, "ok", announcedText(n))
}

// announcedText tells the organizer how many invitations were newly queued.
func announcedText(n int) string {
	switch n {
	case 0:
		return "Nobody new to invite: every other member has answered, was invited before, or takes no announcements by email."
	case 1:
		return "1 invitation is on its way."
	}
	return strconv.Itoa(n) + " invitations are on their way."
}
