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

// dashboard is the signed-in home: what I host and what waits for me
// there, the sessions I go to or wait for, the ones in my groups I have
// not answered (answered in place), my groups with their next session,
// invitations, requests, and my mentoring. It reads in two round trips:
// the session, my lists and the session indexes of the groups this
// instance saw on my last view in one, then everything they name in a
// second. A group joined since (or a first view) costs a third.
func (h *handler) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.Events.Now()
	first, uid := pageReads(c, h.Redis)
	lists := h.Groups.QueueUserLists(ctx, first, uid)
	mine := h.Events.QueueUserSessions(ctx, first, uid, now.Add(-events.MaxDuration), time.Time{}, myCards)
	mentoring := h.Mentors.QueueMentoring(ctx, first, uid)
	indexes := map[string]*events.SessionLists{}
	requestIDs := map[string]func() ([]string, error){}
	queueIndex := func(p redis.Pipeliner, gid string) {
		indexes[gid] = h.Events.QueueGroupSessions(ctx, p, gid, dashGroupSessions, 0)
		requestIDs[gid] = h.Groups.QueueRequestIDs(ctx, p, gid)
	}
	guessed, _ := h.dashGroups.Get(uid)
	for _, gid := range guessed {
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
	if !slices.Equal(guessed, groupIDs) {
		h.dashGroups.Put(uid, groupIDs)
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
	queueGroups := func(p redis.Pipeliner, ids []string) error {
		for _, gid := range ids {
			r, err := h.queueDashGroup(ctx, p, indexes[gid], requestIDs[gid], gid, u.ID)
			if err != nil {
				return err
			}
			reads[gid] = r
		}
		return nil
	}
	var warm, cold []string // groups whose session index was read, or not yet
	for _, gid := range groupIDs {
		if _, ok := indexes[gid]; ok {
			warm = append(warm, gid)
		} else {
			queueIndex(second, gid)
			cold = append(cold, gid)
		}
	}
	if err := queueGroups(second, warm); err != nil {
		return err
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
	for _, m := range gl.Groups {
		byID[m.Group.ID] = m.Group // a member may see their group
	}
	third := h.Redis.Pipeline()
	addMissing := h.queueMissingGroups(ctx, third, byID, going, u.ID)
	if err := queueGroups(third, cold); err != nil {
		return err
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
	for _, m := range gl.Groups {
		r, ok := reads[m.Group.ID]
		if !ok {
			continue
		}
		upcoming, _, st, err := r.sessions()
		if err != nil {
			return err
		}
		cs, err := r.counts(st)
		if err != nil {
			return err
		}
		for id, s := range st {
			live[id] = s
		}
		for id, n := range cs {
			counts[id] = n
		}
		if m.Role.IsOrganizer() {
			apps, err := r.pending()
			if err != nil {
				return err
			}
			if len(apps) > 0 {
				requests = append(requests, joinRequests{GroupName: m.Group.Name, GroupSlug: m.Group.Slug, Count: len(apps)})
			}
		}
		for _, ev := range upcoming {
			switch {
			case ev.Status == events.StatusCancelled:
			case m.Role.IsOrganizer() || slices.Contains(ev.Hosts, u.ID):
				organized[ev.ID] = m.Role.IsOrganizer()
				hosted = append(hosted, ev)
			case st[ev.ID].Status == "" && windowError(ev, now) == nil:
				unanswered = append(unanswered, ev)
			}
		}
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
// dashboard: its upcoming sessions with the viewer's standing, their
// counts, and the requests to join (used only where the viewer
// organizes, as the role is read in the same pipeline).
type dashGroupReads struct {
	sessions func() (upcoming, past []events.Event, standings map[string]events.Standing, err error)
	counts   func(map[string]events.Standing) (map[string]events.Counts, error)
	pending  func() ([]groups.Application, error)
}

// queueDashGroup queues on p, once the group's index reads (l and
// requestIDs) have run, the reads of dashGroupReads.
func (h *handler) queueDashGroup(ctx context.Context, p redis.Pipeliner, l *events.SessionLists, requestIDs func() ([]string, error), groupID, userID string) (*dashGroupReads, error) {
	r := &dashGroupReads{counts: l.QueueCounts(ctx, p)}
	var err error
	if r.sessions, err = l.QueueEvents(ctx, p, userID); err != nil {
		return nil, err
	}
	ids, err := requestIDs()
	if err != nil {
		return nil, err
	}
	r.pending = h.Groups.QueuePending(ctx, p, groupID, ids)
	return r, nil
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
