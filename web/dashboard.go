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

// dashboardGroups is how many of the viewer's groups the dashboard looks
// into for sessions to host or answer, and dashboardPerGroup how many
// upcoming sessions of each.
const (
	dashboardGroups   = 12
	dashboardPerGroup = 4
)

// hostingCard is a session the viewer organizes, with its numbers.
type hostingCard struct {
	sessionCard
	Going, Waitlist, Pending int
}

// answerCard is an upcoming session of one of the viewer's groups that
// they have not answered, with the button that answers it in place.
type answerCard struct {
	sessionCard
	Yes string // "Going", "Join the waitlist", "Request a seat"
}

// groupRequests is a group the viewer organizes with join requests
// waiting.
type groupRequests struct {
	Name, Slug string
	Count      int
}

// dashboard is the signed-in home: what I host (with its numbers and the
// requests waiting for me), what I am going to or waiting for, what is
// coming up in my groups that I have not answered (answered in place),
// my groups with their next session, my mentoring and my invitations. It
// reads the session and the lists in one round trip, the groups, my
// sessions, each group's upcoming sessions and my mentoring in a second,
// and the sessions of my groups with my standing, their numbers and the
// groups of my sessions this process has not seen in a third.
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
	groupIDs := lists.GroupIDs()
	if len(groupIDs) > dashboardGroups {
		groupIDs = groupIDs[:dashboardGroups]
	}
	upcoming := make([]*events.SessionLists, len(groupIDs))
	requests := make([]func() ([]string, error), len(groupIDs))
	for i, gid := range groupIDs {
		upcoming[i] = h.Events.QueueGroupSessions(ctx, second, gid, dashboardPerGroup, 0)
		requests[i] = h.Groups.QueueRequestIDs(ctx, second, gid)
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
	myEvents, standings, err := getSessions()
	if err != nil {
		return err
	}
	byID, err := getGroups()
	if err != nil {
		return err
	}
	summary, _, err := getMentoring()
	if err != nil {
		return err
	}
	role := map[string]groups.Role{}
	for _, m := range gl.Groups {
		role[m.Group.ID] = m.Role
		byID[m.Group.ID] = m.Group // my own groups I may see
	}

	third := h.Redis.Pipeline()
	getUpcoming := make([]func() ([]events.Event, []events.Event, map[string]events.Standing, error), len(upcoming))
	counts := map[string]func() (events.Counts, error){}
	for i, l := range upcoming {
		if getUpcoming[i], err = l.QueueEvents(ctx, third, u.ID); err != nil {
			return err
		}
		if organizes(role[groupIDs[i]]) {
			for _, id := range l.UpcomingIDs() {
				counts[id] = h.Events.QueueCounts(ctx, third, id)
			}
		}
	}
	var missing []string
	for _, s := range myEvents {
		if _, ok := byID[s.Event.GroupID]; !ok && !slices.Contains(missing, s.Event.GroupID) {
			missing = append(missing, s.Event.GroupID)
		}
	}
	getMissing := h.queueVisibleGroups(ctx, third, missing, u.ID)
	if err := runReads(ctx, third); err != nil {
		return err
	}
	more, err := getMissing()
	if err != nil {
		return err
	}
	maps.Copy(byID, more)
	lookup := func(id string) (*groups.Group, error) { return byID[id], nil }

	sessions, err := h.myCards(c, myEvents, standings, lookup, now)
	if err != nil {
		return err
	}
	var hosting []hostingCard
	var unanswered []answerCard
	for i, get := range getUpcoming {
		evs, _, st, err := get()
		if err != nil {
			return err
		}
		cards, err := h.formatCards(c, evs, nil, st, lookup)
		if err != nil {
			return err
		}
		byEvent := make(map[string]events.Event, len(evs))
		for _, ev := range evs {
			byEvent[ev.ID] = ev
		}
		for _, card := range cards { // a series is one card, named by its next date
			ev := byEvent[card.ID]
			switch {
			case card.Cancelled:
			case organizes(role[groupIDs[i]]) || slices.Contains(ev.Hosts, u.ID):
				hc := hostingCard{sessionCard: card, Going: st[ev.ID].Going}
				if read, ok := counts[ev.ID]; ok {
					n, err := read()
					if err != nil {
						return err
					}
					hc.Waitlist, hc.Pending = n.Waitlist, n.Pending
				}
				hosting = append(hosting, hc)
			case st[ev.ID].Status == events.RSVPNone:
				choice := rsvpChoiceOf(st[ev.ID], ev.Capacity, ev.ApprovalRequired, false)
				if windowError(ev, now) == nil && choice.Yes != "" {
					unanswered = append(unanswered, answerCard{sessionCard: card, Yes: choice.Yes})
				}
			}
		}
	}
	slices.SortFunc(hosting, func(a, b hostingCard) int { return a.start.Compare(b.start) })
	slices.SortFunc(unanswered, func(a, b answerCard) int { return a.start.Compare(b.start) })
	var waiting []groupRequests
	for i, gid := range groupIDs {
		if !organizes(role[gid]) {
			continue
		}
		ids, err := requests[i]()
		if err != nil {
			return err
		}
		if g := byID[gid]; g != nil && len(ids) > 0 {
			waiting = append(waiting, groupRequests{Name: g.Name, Slug: g.Slug, Count: len(ids)})
		}
	}
	own := knownZone(c)
	cards := make([]groupCard, len(gl.Groups))
	for i, m := range gl.Groups {
		cards[i] = groupCardOf(m.Group)
		cards[i].Role = m.Role
		if m.Group.NextSessionAt.After(now) {
			cards[i].NextSession = nextSessionText(m.Group, own, now)
		}
	}
	data := h.view(c, "Dashboard")
	data["Hosting"] = hosting
	data["JoinRequests"] = waiting
	data["Sessions"] = sessions
	data["Unanswered"] = unanswered
	data["Mentoring"] = summary
	data["MyGroups"] = cards
	data["Invitations"] = gl.Invitations
	data["Applications"] = gl.Applications
	data["FirstSteps"] = len(gl.Groups) == 0 && len(sessions) == 0 && len(gl.Invitations) == 0
	data["NoZone"] = u.TimeZone == ""
	return h.frags.renderMap(c, "dashboard", data, true)
}

// organizes reports whether role runs the group.
func organizes(role groups.Role) bool {
	return role == groups.RoleOwner || role == groups.RoleOrganizer
}

// myCards formats the sessions the viewer is going to, waiting for or has
// asked to attend that have not ended, soonest first, leaving out those of
// groups they may no longer see.
func (h *handler) myCards(c *fiber.Ctx, mine []events.UserSession, standings map[string]events.Standing, group groupLookup, now time.Time) ([]sessionCard, error) {
	evs := make([]events.Event, 0, len(mine))
	status := map[string]events.RSVPStatus{}
	for _, s := range mine {
		if !s.Event.End.After(now) {
			continue
		}
		evs = append(evs, s.Event)
		status[s.Event.ID] = s.Status
	}
	return h.formatCards(c, evs, status, standings, group)
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
