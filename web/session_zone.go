package web

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/groups"
)

// defaultSessionZone is the zone a new session's form starts with: the
// organizer's saved zone, else the zone of the group's last session, else
// the organizer's browser's. With none of them known it is "", and the
// form asks for a zone rather than quietly using UTC.
//
// A group whose sessions were all scheduled before groups recorded the
// zone has it looked up among its sessions (two more round trips), and
// recorded then, so only the first form shown for such a group reads
// more than three times.
func (h *handler) defaultSessionZone(c *fiber.Ctx, g *groups.Group) (string, error) {
	if u := currentUser(c); u != nil && u.TimeZone != "" {
		return u.TimeZone, nil
	}
	if g.TimeZone != "" {
		return g.TimeZone, nil
	}
	last, err := h.Events.GroupLastZone(c.UserContext(), g.ID)
	if err != nil {
		return "", err
	}
	if last != "" {
		if err := h.Groups.FillSessionZone(c.UserContext(), g.ID, last); err != nil {
			h.Logger.Warn("record the zone of the group's last session", "group", g.ID, "err", err)
		}
		return last, nil
	}
	return browserZoneName(c), nil
}

// recordSessionZone remembers on the group the zone of the session it
// scheduled or edited last. Failing to is logged: the session is saved,
// and the next one records it again.
func (h *handler) recordSessionZone(ctx context.Context, groupID, zone string) {
	if err := h.Groups.SetSessionZone(ctx, groupID, zone); err != nil {
		h.Logger.Warn("record the zone of the group's last session", "group", groupID, "err", err)
	}
}

// zoneChoices is the list a zone select offers: the known zones, and
// current first when it is a zone the list lacks (an older name a browser
// reported, such as Asia/Calcutta), so showing the form never loses it.
func (h *handler) zoneChoices(current string) []string {
	if current == "" || slices.Contains(h.zones, current) {
		return h.zones
	}
	return append([]string{current}, h.zones...)
}
