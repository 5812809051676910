package web

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// Dashboard list sizes.
const (
	dashGroupSessions = 20 // upcoming sessions read per group of mine
	dashUnanswered    = 10 // sessions shown to answer in place
)

// hostingCard is a session the viewer hosts, with who answered.
type hostingCard struct {
	Card   sessionCard
	Counts events.Counts
}

// joinRequests says that a group of the viewer's has people asking to join.
type joinRequests struct {
	GroupName, GroupSlug string
	Count                int
}

// dashMemory is what a person's last dashboard view on this instance
// found: the groups it listed and, among them, those the person
// organizes and those where they host a session without organizing (see
// dashboard).
type dashMemory struct{ groups, organizes, hosts []string }

// dashboard is the signed-in home: what I host and what waits for me
// there, the sessions I go to or wait for, the ones in my groups I have
// not answered (answered in place), my groups with their next session,
// invitations, requests, and my mentoring. It reads in two round trips:
// the session, my lists and the session indexes of the groups this
// instance saw on my last view in one, then everything they name in a
// second. What only organizers and hosts see (who waits, who asks to join)
// is read in the second only where I organized or hosted on my last view;
// a group joined since (or a first view), a role or hosting found anew
// costs a third.
func (h *handler) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.Events.Now()
	first, uid := pageReads(c, h.Redis)
	lists := h.Groups.QueueUserLists(ctx, first, uid)
	mine := h.Events.QueueUserSessions(ctx, first, uid, now.Add(-events.MaxDuration), time.Time{}, myCards)
	mentoring := h.Mentors.QueueMentoring(ctx, first, uid)
	indexes := map[string]*events.SessionLists{}
	queueIndex := func(p redis.Pipeliner, gid string) {
		indexes[gid] = h.Events.QueueGroupSessions(ctx, p, gid, dashGroupSessions, 0)
	}
	last, _ := h.dashLast.Get(uid)
	for _, gid := range last.groups {
		queueIndex(first, gid)
	}
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
	groupIDs := lists.GroupIDs()
	second := h.Redis.Pipeline()
	getLists, err := lists.QueueGroups(ctx, second)
	if err != nil {
		return err
	}
	getSessions, err := mine.QueueEvents(ctx, second)
	if err != nil {
		return err
	}
	var others []string // my sessions' groups that the lists do not read already
	for _, id := range mine.KnownGroupIDs() {
		if !slices.Contains(groupIDs, id) {
			others = append(others, id)
		}
	}
	getGroups := h.queueVisibleGroups(ctx, second, others, u.ID)
	getMentoring, err := h.queueMentorSummary(c, second, mentoring)
	if err != nil {
		return err
	}
	reads := map[string]*dashGroupReads{}
	var cold []string // groups whose session index was not read yet
	for _, gid := range groupIDs {
		if l, ok := indexes[gid]; ok {
			organizer, host := slices.Contains(last.organizes, gid), slices.Contains(last.hosts, gid)
			if reads[gid], err = h.queueDashGroup(ctx, second, l, mine, gid, u.ID, organizer, host); err != nil {
				return err
			}
		} else {
			queueIndex(second, gid)
			cold = append(cold, gid)
		}
	}
	if err := runReads(ctx, second); err != nil {
		return err
	}
	gl, err := getLists()
	if err != nil {
		return err
	}
	going, standings, err := getSessions()
	if err != nil {
		return err
	}
	byID, err := getGroups()
	if err != nil {
		return err
	}
	var organizes []string
	for _, m := range gl.Groups {
		byID[m.Group.ID] = m.Group // a member may see their group
		if m.Role.IsOrganizer() {
			organizes = append(organizes, m.Group.ID)
		}
	}
	third := h.Redis.Pipeline()
	addMissing := h.queueMissingGroups(ctx, third, byID, going, u.ID)
	for _, m := range gl.Groups {
		gid, organizer := m.Group.ID, m.Role.IsOrganizer()
		if r, ok := reads[gid]; ok {
			if err := h.queueDashHosting(ctx, third, r, gid, u.ID, organizer); err != nil {
				return err
			}
		} else if slices.Contains(cold, gid) {
			// Its sessions come in this round trip, so which of them I host
			// is not known in time: their counts are read whatever my role.
			if reads[gid], err = h.queueDashGroup(ctx, third, indexes[gid], mine, gid, u.ID, organizer, true); err != nil {
				return err
			}
		}
	}
	if err := runReads(ctx, third); err != nil {
		return err
	}
	if err := addMissing(); err != nil {
		return err
	}
	summary, _, err := getMentoring()
	if err != nil {
		return err
	}

	data := h.view(c, "Dashboard")
	var hosted, unanswered []events.Event
	organized := map[string]bool{}
	counts := map[string]events.Counts{}
	live := map[string]events.Standing{}
	var requests []joinRequests
	var hosts []string // groups where I host without organizing
	for _, m := range gl.Groups {
		r, ok := reads[m.Group.ID]
		if !ok {
			continue
		}
		upcoming, st, err := r.settle()
		if err != nil {
			return err
		}
		for id, s := range st {
			live[id] = s
		}
		if r.counts != nil {
			cs, err := r.counts(st)
			if err != nil {
				return err
			}
			for id, n := range cs {
				counts[id] = n
			}
		}
		if m.Role.IsOrganizer() {
			n, err := r.requests()
			if err != nil {
				return err
			}
			if n > 0 {
				requests = append(requests, joinRequests{GroupName: m.Group.Name, GroupSlug: m.Group.Slug, Count: n})
			}
		}
		for _, ev := range upcoming {
			switch {
			case ev.Status == events.StatusCancelled:
			case m.Role.IsOrganizer() || slices.Contains(ev.Hosts, u.ID):
				organized[ev.ID] = m.Role.IsOrganizer()
				hosted = append(hosted, ev)
				if !m.Role.IsOrganizer() && !slices.Contains(hosts, m.Group.ID) {
					hosts = append(hosts, m.Group.ID)
				}
			case st[ev.ID].Status == "" && windowError(ev, now) == nil:
				unanswered = append(unanswered, ev)
			}
		}
	}
	if !slices.Equal(last.groups, groupIDs) || !slices.Equal(last.organizes, organizes) || !slices.Equal(last.hosts, hosts) {
		h.dashLast.Put(uid, dashMemory{groups: groupIDs, organizes: organizes, hosts: hosts})
	}
	byStart := func(a, b events.Event) int { return a.Start.Compare(b.Start) }
	slices.SortStableFunc(hosted, byStart)
	slices.SortStableFunc(unanswered, byStart)
	lookup := func(id string) (*groups.Group, error) { return byID[id], nil }

	hostCards, err := h.formatCards(c, hosted, nil, live, lookup)
	if err != nil {
		return err
	}
	hosting := make([]hostingCard, len(hostCards))
	pendingTotal := 0
	for i, card := range hostCards {
		ev := hosted[slices.IndexFunc(hosted, func(e events.Event) bool { return e.ID == card.ID })]
		card.RSVP = events.ChoiceFor(live[card.ID], events.ChoiceFactsOf(ev, u.ID, organized[card.ID]))
		card.MyStatus = card.RSVP.Status
		hosting[i] = hostingCard{Card: card, Counts: counts[card.ID]}
		pendingTotal += counts[card.ID].Pending
	}

	var evs []events.Event
	status := map[string]events.RSVPStatus{}
	for _, s := range going {
		if _, hostedHere := organized[s.Event.ID]; hostedHere || !s.Event.End.After(now) {
			continue // hosted sessions are listed under Hosting
		}
		evs = append(evs, s.Event)
		status[s.Event.ID] = s.Status
	}
	sessions, err := h.formatCards(c, evs, status, standings, lookup)
	if err != nil {
		return err
	}
	if len(unanswered) > dashUnanswered {
		unanswered = unanswered[:dashUnanswered]
	}
	toAnswer, err := h.formatCards(c, unanswered, nil, live, lookup)
	if err != nil {
		return err
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
	data["Hosting"] = hosting
	data["PendingApprovals"] = pendingTotal
	data["JoinRequests"] = requests
	data["Sessions"] = sessions
	data["ToAnswer"] = toAnswer
	data["Mentoring"] = summary
	data["MentoringDue"] = mentoringDue(summary)
	data["MyGroups"] = cards
	data["Invitations"] = gl.Invitations
	data["Applications"] = gl.Applications
	data["FirstSteps"] = len(gl.Groups) == 0 && len(sessions) == 0 && len(hosting) == 0 && len(gl.Invitations) == 0
	data["NoZone"] = u.TimeZone == ""
	return h.frags.renderMap(c, "dashboard", data, true)
}

// dashGroupReads are the reads of one of the viewer's groups for the
// dashboard: its upcoming sessions with the viewer's standing, and, where
// the viewer organizes or hosts, the counts of who answered and of the
// requests to join.
type dashGroupReads struct {
	l        *events.SessionLists
	sessions func() (upcoming, past []events.Event, standings map[string]events.Standing, err error)
	counts   func(map[string]events.Standing) (map[string]events.Counts, error) // nil: not read
	requests func() (int, error)                                                // nil: not read
	// Set by settle, once the sessions have been read.
	settled   bool
	upcoming  []events.Event
	standings map[string]events.Standing
}

// settle gives the group's upcoming sessions and the viewer's standings,
// reading them from their replies once.
func (r *dashGroupReads) settle() ([]events.Event, map[string]events.Standing, error) {
	if !r.settled {
		var err error
		if r.upcoming, _, r.standings, err = r.sessions(); err != nil {
			return nil, nil, err
		}
		r.settled = true
	}
	return r.upcoming, r.standings, nil
}

// queueDashGroup queues on p, once the group's index reads (l) have run,
// the reads of dashGroupReads that mine (the viewer's own sessions, queued
// on p or before it) does not read already: the counts and the requests
// to join when the viewer organizes (as far as the caller knows), and the
// counts whatever the role when allCounts is set.
func (h *handler) queueDashGroup(ctx context.Context, p redis.Pipeliner, l *events.SessionLists, mine *events.UserSessionList, groupID, userID string, organizer, allCounts bool) (*dashGroupReads, error) {
	r := &dashGroupReads{l: l}
	var err error
	l.Share(mine)
	if r.sessions, err = l.QueueEvents(ctx, p, userID); err != nil {
		return nil, err
	}
	if organizer || allCounts {
		r.counts = l.QueueCounts(ctx, p)
	}
	if organizer {
		r.requests = h.Groups.QueueRequestCount(ctx, p, groupID)
	}
	return r, nil
}

// queueDashHosting queues on p, once r's reads have run, what the viewer
// turns out to need of the group and r did not read: the counts and the
// requests to join of a group they organize, or the counts of the
// sessions they host there.
func (h *handler) queueDashHosting(ctx context.Context, p redis.Pipeliner, r *dashGroupReads, groupID, userID string, organizer bool) error {
	if organizer {
		if r.counts == nil {
			r.counts = r.l.QueueCounts(ctx, p)
		}
		if r.requests == nil {
			r.requests = h.Groups.QueueRequestCount(ctx, p, groupID)
		}
		return nil
	}
	if r.counts != nil {
		return nil
	}
	upcoming, _, err := r.settle()
	if err != nil {
		return err
	}
	var hosted []string
	for _, ev := range upcoming {
		if ev.Status != events.StatusCancelled && slices.Contains(ev.Hosts, userID) {
			hosted = append(hosted, ev.ID)
		}
	}
	if len(hosted) > 0 {
		r.counts = h.Events.QueueCounts(ctx, p, hosted)
	}
	return nil
}

// queueVisibleGroups queues on p the reads of the groups ids and of
// userID's standing in each; the returned function gives them by ID once
// p has been executed, nil for a group that is gone or that userID may no
// longer see.
func (h *handler) queueVisibleGroups(ctx context.Context, p redis.Pipeliner, ids []string, userID string) func() (map[string]*groups.Group, error) {
	getGroups := h.Groups.QueueGetMany(ctx, p, ids)
	getStandings := make([]func() (groups.Standing, error), len(ids))
	for i, id := range ids {
		getStandings[i] = h.Groups.QueueStanding(ctx, p, id, userID)
	}
	return func() (map[string]*groups.Group, error) {
		list, err := getGroups()
		if err != nil {
			return nil, err
		}
		out := make(map[string]*groups.Group, len(ids))
		for i, id := range ids {
			g := list[i]
			if g == nil {
				out[id] = nil // gone
				continue
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

// queueMissingGroups queues on p the reads (see queueVisibleGroups) of
// the groups of sessions that byID lacks: groups of sessions this
// instance had not read before. The returned function adds them to byID
// once p has run; with none missing it queues nothing.
func (h *handler) queueMissingGroups(ctx context.Context, p redis.Pipeliner, byID map[string]*groups.Group, sessions []events.UserSession, userID string) func() error {
	var missing []string
	for _, s := range sessions {
		if _, ok := byID[s.Event.GroupID]; !ok && !slices.Contains(missing, s.Event.GroupID) {
			missing = append(missing, s.Event.GroupID)
		}
	}
	if len(missing) == 0 {
		return func() error { return nil }
	}
	get := h.queueVisibleGroups(ctx, p, missing, userID)
	return func() error {
		more, err := get()
		maps.Copy(byID, more)
		return err
	}
}

// mentoringDue counts the mentoring requests waiting for the viewer's
// answer, for the dashboard's "waiting for you".
func mentoringDue(s mentorSummary) int {
	n := 0
	for _, r := range slices.Concat(s.PendingIn, s.PendingOut) {
		if r.YourTurn {
			n++
		}
	}
	return n
}
