package web

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// dashboard is the signed-in home: my groups, invitations, requests and
// their outcomes, my sessions and my mentoring. It reads the session and
// the lists in one round trip, then what is on them (groups,
// sessions, standings, mentorships, requests and the people on those) in
// another. A session's group or a request's mentee this process has not
// seen yet needs a third.
func (h *handler) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.Events.Now()
	first, uid := pageReads(c, h.Redis)
	lists := h.Groups.QueueUserLists(ctx, first, uid)
	mine := h.Events.QueueUserSessions(ctx, first, uid, now.Add(-events.MaxDuration), time.Time{}, myCards)
	mentoring := h.Mentors.QueueMentoring(ctx, first, uid)
	if err := runReads(ctx, first); err != nil {
		return err
	}
	u := currentUser(c)
	if u == nil {
		return h.requireUser(c) // the cookie's claim did not hold: sign in first
	}
	if u.ID != uid {
		return h.dashboard(c) // it named someone else: read again as the viewer
	}
	second := h.Redis.Pipeline()
	getLists, err := lists.QueueGroups(ctx, second)
	if err != nil {
		return err
	}
	getSessions, err := mine.QueueEvents(ctx, second)
	if err != nil {
		return err
	}
	getGroups := h.queueVisibleGroups(ctx, second, mine.KnownGroupIDs(), u.ID)
	getMentoring, err := h.queueMentorSummary(c, second, mentoring)
	if err != nil {
		return err
	}
	if err := runReads(ctx, second); err != nil {
		return err
	}
	gl, err := getLists()
	if err != nil {
		return err
	}
	sessions, err := h.sessionCardsOf(c, getSessions, getGroups, u.ID)
	if err != nil {
		return err
	}
	summary, _, err := getMentoring()
	if err != nil {
		return err
	}
	cards := make([]groupCard, len(gl.Groups))
	for i, m := range gl.Groups {
		cards[i] = groupCardOf(m.Group)
		cards[i].Role = m.Role
	}
	data := h.view(c, "Dashboard")
	data["Sessions"] = sessions
	data["Mentoring"] = summary
	data["MyGroups"] = cards
	data["Invitations"] = gl.Invitations
	data["Applications"] = gl.Applications
	return h.frags.renderMap(c, "dashboard", data, true)
}

// sessionCardsOf formats, once their pipeline has run, the sessions
// userID is going to, waiting for or has asked to attend that have not
// ended, soonest first, leaving out those of groups userID may no longer
// see; groups getGroups did not read are read in one more round trip.
func (h *handler) sessionCardsOf(c *fiber.Ctx, getSessions func() ([]events.UserSession, map[string]events.Standing, error), getGroups func() (map[string]*groups.Group, error), userID string) ([]sessionCard, error) {
	mine, standings, err := getSessions()
	if err != nil {
		return nil, err
	}
	byID, err := getGroups()
	if err != nil {
		return nil, err
	}
	now := h.Events.Now()
	evs := make([]events.Event, 0, len(mine))
	status := map[string]events.RSVPStatus{}
	var missing []string
	for _, s := range mine {
		if !s.Event.End.After(now) {
			continue
		}
		evs = append(evs, s.Event)
		status[s.Event.ID] = s.Status
		if _, ok := byID[s.Event.GroupID]; !ok && !slices.Contains(missing, s.Event.GroupID) {
			missing = append(missing, s.Event.GroupID)
		}
	}
	if len(missing) > 0 {
		p := h.Redis.Pipeline()
		read := h.queueVisibleGroups(c.UserContext(), p, missing, userID)
		if err := runReads(c.UserContext(), p); err != nil {
			return nil, err
		}
		more, err := read()
		if err != nil {
			return nil, err
		}
		maps.Copy(byID, more)
	}
	return h.formatCards(c, evs, status, standings, func(id string) (*groups.Group, error) { return byID[id], nil })
}

// queueVisibleGroups queues on p the reads of the groups ids and of
// userID's standing in each; the returned function gives them by ID once
// p has been executed, nil for a group that is gone or that userID may no
// longer see.
func (h *handler) queueVisibleGroups(ctx context.Context, p redis.Pipeliner, ids []string, userID string) func() (map[string]*groups.Group, error) {
	getGroups := make([]func() (*groups.Group, error), len(ids))
	getStandings := make([]func() (groups.Standing, error), len(ids))
	for i, id := range ids {
		getGroups[i] = h.Groups.QueueGet(ctx, p, id)
		getStandings[i] = h.Groups.QueueStanding(ctx, p, id, userID)
	}
	return func() (map[string]*groups.Group, error) {
		out := make(map[string]*groups.Group, len(ids))
		for i, id := range ids {
			g, err := getGroups[i]()
			if errors.Is(err, groups.ErrNotFound) {
				out[id] = nil
				continue
			}
			if err != nil {
				return nil, err
			}
			st, err := getStandings[i]()
			if err != nil {
				return nil, err
			}
			if !groups.CanView(g, st) {
				g = nil
			}
			out[id] = g
		}
		return out, nil
	}
}
