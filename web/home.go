package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/careers"
)

// homeCards is how many sessions and groups the home page lists.
const homeCards = 6

// home is the landing page: upcoming public sessions, active groups and
// the career paths to browse by. It reads the visitor's session and the
// two indexes in one round trip, then the sessions, the viewer's
// standings and the groups in another. A session whose group this process has not
// seen yet needs a third for that group.
func (h *handler) home(c *fiber.Ctx) error {
	ctx := c.UserContext()
	first, _ := pageReads(c, h.Redis) // the indexes are the same for everyone
	listed := h.Events.QueueListedSessions(ctx, first, homeCards)
	getPopular := h.Groups.QueuePopularIDs(ctx, first, homeCards)
	if err := runReads(ctx, first); err != nil {
		return err
	}
	uid := ""
	if u := currentUser(c); u != nil {
		uid = u.ID
	}
	popularIDs, err := getPopular()
	if err != nil {
		return err
	}
	second := h.Redis.Pipeline()
	getSessions, err := listed.QueueEvents(ctx, second, uid)
	if err != nil {
		return err
	}
	groupIDs := append([]string{}, popularIDs...)
	for _, id := range listed.KnownGroupIDs() { // popular groups often have the sessions too
		if !slices.Contains(popularIDs, id) {
			groupIDs = append(groupIDs, id)
		}
	}
	getGroups := h.Groups.QueueGetMany(ctx, second, groupIDs)
	if err := runReads(ctx, second); err != nil {
		return err
	}
	sessions, _, standings, err := getSessions()
	if err != nil {
		return err
	}
	gs, err := getGroups()
	if err != nil {
		return err
	}
	byID := make(map[string]*groups.Group, len(gs))
	for i, g := range gs {
		byID[groupIDs[i]] = g
	}
	if err := h.readMissingGroups(c, sessions, byID); err != nil {
		return err
	}
	popular, err := h.Groups.KeepPublic(ctx, popularIDs, gs[:len(popularIDs)])
	if err != nil {
		return err
	}
	publicOnly := func(id string) (*groups.Group, error) {
		if g := byID[id]; g != nil && g.Visibility == groups.Public {
			return g, nil
		}
		return nil, nil
	}
	cards, err := h.formatCards(c, sessions, nil, standings, publicOnly)
	if err != nil {
		return err
	}
	data := h.view(c, "Grow together")
	data["Sessions"] = cards
	data["Groups"] = groupCards(popular, knownZone(c), h.Events.Now())
	data["Careers"] = careers.Paths
	return h.frags.renderMap(c, "home", data, true)
}

// readMissingGroups reads, in one round trip, the groups of evs that are
// not in byID yet, and adds them (nil for a group that is gone).
func (h *handler) readMissingGroups(c *fiber.Ctx, evs []events.Event, byID map[string]*groups.Group) error {
	var missing []string
	for _, ev := range evs {
		if _, ok := byID[ev.GroupID]; !ok && !slices.Contains(missing, ev.GroupID) {
			missing = append(missing, ev.GroupID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	p := h.Redis.Pipeline()
	read := h.Groups.QueueGetMany(c.UserContext(), p, missing)
	if err := runReads(c.UserContext(), p); err != nil {
		return err
	}
	gs, err := read()
	if err != nil {
		return err
	}
	for i, g := range gs {
		byID[missing[i]] = g
	}
	return nil
}
