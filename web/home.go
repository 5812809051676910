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
// two indexes in one round trip, with the sessions and groups the page
// showed when this instance last served it (and the viewer's standings);
// whatever the indexes name anew (a session scheduled, a group that
// climbed) is read in a second, and a session whose group this process
// has not seen yet needs a third for that group. On a busy day the
// running sessions come from a script (events.QueueListedSessions); right
// after Redis lost its scripts, loading it costs one more.
func (h *handler) home(c *fiber.Ctx) error {
	ctx := c.UserContext()
	first, uid := pageReads(c, h.Redis)
	listed := h.Events.QueueListedSessions(ctx, first, homeCards)
	listed.Speculate(ctx, first, uid)
	getPopular := h.Groups.QueuePopularIDs(ctx, first, homeCards)
	guessed, _ := h.homeGroups.Get(homeGroupsKey)
	reads := groupReads{}
	reads.queue(ctx, h.Groups, first, guessed)
	if err := runReads(ctx, first); err != nil {
		return err
	}
	if !claimHeld(c, uid) {
		return h.home(c) // the cookie named someone else: read as the viewer
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
	reads.queue(ctx, h.Groups, second, groupIDs)
	if err := runReads(ctx, second); err != nil {
		return err
	}
	sessions, _, standings, err := getSessions()
	if err != nil {
		return err
	}
	byID, err := reads.result(ctx, h.Groups, groupIDs)
	if err != nil {
		return err
	}
	if err := h.readMissingGroups(c, sessions, byID); err != nil {
		return err
	}
	popular, err := keepPublic(ctx, h.Groups, popularIDs, byID)
	if err != nil {
		return err
	}
	shown := append([]string{}, popularIDs...)
	for _, ev := range sessions {
		if !slices.Contains(shown, ev.GroupID) {
			shown = append(shown, ev.GroupID)
		}
	}
	if !slices.Equal(shown, guessed) {
		h.homeGroups.Put(homeGroupsKey, shown)
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

// homeGroupsKey is where homeGroups keeps the groups the home page
// showed last (the page is the same for everyone).
const homeGroupsKey = "home"

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
