package web

import (
	"cmp"
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
	// dashCandidates is how many of the soonest sessions of the groups
	// where I neither organize nor host have my standing read with them,
	// at least, to find those to answer (the rest only when these do not
	// make dashUnanswered); when my last view needed more, as many as it
	// needed, up to dashMaxCandidates.
	dashCandidates    = dashUnanswered + dashSpare
	dashSpare         = 5 // picked beyond what the last view needed, for answers to come
	dashMaxCandidates = 60
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
// organizes and those where they host a session without organizing, and
// how many of the other groups' soonest sessions it took to find those
// to answer (see dashboard).
type dashMemory struct {
	groups, organizes, hosts []string
	candidates               int
}

// dashboard is the signed-in home: what I host and what waits for me
// there, the sessions I go to or wait for, the ones in my groups I have
// not answered (answered in place), my groups with their next session,
// invitations, requests, and my mentoring. It reads in two round trips:
// the session, my lists and the session indexes of the groups this
// instance saw on my last view in one, then everything they name in a
// second. What only organizers and hosts see (who waits, who asks to join)
// is read in the second only where I organized or hosted on my last view,
// and in other groups my standing only in the soonest few sessions (see
// soonestNotMine). A group joined since (or a first view), a role or
// hosting found anew costs a third, and so does a view on which those few
// hold fewer than dashUnanswered sessions I have not answered (the rest
// are read then, and the next view reads as many as that one needed).
// What the second and third read on my last view on this instance is
// read with the first (see handler.pageLater), so a repeat view whose
// lists name the same groups and sessions as the last reads in one round
// trip.
func (h *handler) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := h.Events.Now()
	first, uid := pageReads(c, h.Redis)
	if uid == "" {
		// The session, already read (by kept), names no one: sign in,
		// without reading a dashboard for nobody.
		return h.requireUser(c)
	}
	lists := h.Groups.QueueUserLists(ctx, first, uid)
	// From the minute's start, so the read repeats all minute and memory
	// answers it; the ended sessions it may add are left out below.
	mine := h.Events.QueueUserSessions(ctx, first, uid, now.Truncate(time.Minute).Add(-events.MaxDuration), time.Time{}, myCards)
	mentoring := h.Mentors.QueueMentoring(ctx, first, uid)
	indexes := map[string]*events.SessionLists{}
	queueIndex := func(p redis.Pipeliner, gid string) {
		indexes[gid] = h.Events.QueueGroupSessionsTimed(ctx, p, gid, dashGroupSessions)
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
	// cold: groups whose session index was not read yet; member: those
	// where I neither organized nor hosted on my last view.
	var cold, member []string
	for _, gid := range groupIDs {
		l, ok := indexes[gid]
		organizer, host := slices.Contains(last.organizes, gid), slices.Contains(last.hosts, gid)
		switch {
		case !ok:
			queueIndex(second, gid)
			cold = append(cold, gid)
		case organizer || host:
			if reads[gid], err = h.queueDashGroup(ctx, second, l, mine, gid, u.ID, organizer, host, nil); err != nil {
				return err
			}
		default:
			member = append(member, gid)
		}
	}
	soonest := soonestNotMine(indexes, member, mine.IDs())
	picked := soonest[:min(len(soonest), max(dashCandidates, last.candidates))]
	candidates := make(map[string]bool, len(picked))
	for _, z := range picked {
		id, _ := z.Member.(string)
		candidates[id] = true
	}
	for _, gid := range member {
		if reads[gid], err = h.queueDashGroup(ctx, second, indexes[gid], mine, gid, u.ID, false, false, func(id string) bool { return candidates[id] }); err != nil {
			return err
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
	var warmMember []*dashGroupReads // read in the second round trip, in groups I do not organize
	for _, m := range gl.Groups {
		gid, organizer := m.Group.ID, m.Role.IsOrganizer()
		if r, ok := reads[gid]; ok {
			if err := h.queueDashHosting(ctx, third, r, gid, u.ID, organizer); err != nil {
				return err
			}
			if !organizer {
				warmMember = append(warmMember, r)
			}
		} else if slices.Contains(cold, gid) {
			// Its sessions come in this round trip, so which of them I host
			// is not known in time: their counts are read whatever my role.
			if reads[gid], err = h.queueDashGroup(ctx, third, indexes[gid], mine, gid, u.ID, organizer, true, nil); err != nil {
				return err
			}
		}
	}
	if err := queueRestToAnswer(ctx, third, warmMember, soonest, len(picked), u.ID, now); err != nil {
		return err
	}
	if err := runReads(ctx, third); err != nil {
		return err
	}
	for _, r := range reads {
		r.fresh()
	}
	needed, err := candidatesNeeded(warmMember, soonest, u.ID, now)
	if err != nil {
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
	var hosted []events.Event
	var unanswered []*events.Event // into the groups' lists: the first dashUnanswered are copied
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
		for i, ev := range upcoming {
			switch {
			case ev.Status == events.StatusCancelled:
			case m.Role.IsOrganizer() || slices.Contains(ev.Hosts, u.ID):
				organized[ev.ID] = m.Role.IsOrganizer()
				hosted = append(hosted, ev)
				if !m.Role.IsOrganizer() && !slices.Contains(hosts, m.Group.ID) {
					hosts = append(hosts, m.Group.ID)
				}
			case toAnswer(st, ev.ID) && windowError(ev, now) == nil:
				unanswered = append(unanswered, &upcoming[i])
			}
		}
	}
	if !slices.Equal(last.groups, groupIDs) || !slices.Equal(last.organizes, organizes) || !slices.Equal(last.hosts, hosts) || last.candidates != needed {
		h.dashLast.Put(uid, dashMemory{groups: groupIDs, organizes: organizes, hosts: hosts, candidates: needed})
	}
	byStart := func(a, b events.Event) int { return a.Start.Compare(b.Start) }
	slices.SortStableFunc(hosted, byStart)
	slices.SortStableFunc(unanswered, func(a, b *events.Event) int { return byStart(*a, *b) })
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

	evs := make([]events.Event, 0, len(going))
	status := make(map[string]events.RSVPStatus, len(going))
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
	answerFirst := make([]events.Event, min(len(unanswered), dashUnanswered))
	for i := range answerFirst {
		answerFirst[i] = *unanswered[i]
	}
	toAnswer, err := h.formatCards(c, answerFirst, nil, live, lookup)
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
// dashboard: its upcoming sessions with the viewer's standing (in all of
// them, or in those picked to find the ones to answer, see
// soonestNotMine), and, where the viewer organizes or hosts, the
// counts of who answered and of the requests to join.
type dashGroupReads struct {
	l        *events.SessionLists
	sessions func() (upcoming, past []events.Event, standings map[string]events.Standing, err error)
	counts   func(map[string]events.Standing) (map[string]events.Counts, error) // nil: not read
	requests func() (int, error)                                                // nil: not read
	// Set by settle, once the sessions have been read.
	settled   bool
	upcoming  []events.Event
	standings map[string]events.Standing
	// stale: more standings were queued (more); settle gives them once
	// fresh says their pipeline has run.
	stale bool
}

// settle gives the group's upcoming sessions and the viewer's standings,
// reading them from their replies once (again after more and fresh).
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

// more queues on p the viewer's standing in the sessions ids, once r's
// reads have run; settle gives them once p has run and fresh was called.
// Until then settle keeps giving what it read before (the commands just
// queued hold no replies yet).
func (r *dashGroupReads) more(ctx context.Context, p redis.Pipeliner, ids []string) {
	if len(ids) > 0 {
		r.l.QueueStandings(ctx, p, ids)
		r.stale = true
	}
}

// fresh tells r that the pipeline more queued on has run.
func (r *dashGroupReads) fresh() {
	if r.stale {
		r.settled, r.stale = false, false
	}
}

// answerable reports whether session ev may be among the viewer's to
// answer, whatever they answered: not cancelled, not theirs to host, and
// taking answers now.
func answerable(ev events.Event, userID string, now time.Time) bool {
	return ev.Status != events.StatusCancelled && !slices.Contains(ev.Hosts, userID) && windowError(ev, now) == nil
}

// toAnswer reports whether the viewer's standing in session id was read
// and holds no answer.
func toAnswer(standings map[string]events.Standing, id string) bool {
	st, ok := standings[id]
	return ok && st.Status == ""
}

// queueDashGroup queues on p, once the group's index reads (l) have run,
// the reads of dashGroupReads that mine (the viewer's own sessions, queued
// on p or before it) does not read already: the viewer's standing in the
// upcoming sessions stand accepts (all when nil), the counts and the
// requests to join when the viewer organizes (as far as the caller
// knows), and the counts whatever the role when allCounts is set.
func (h *handler) queueDashGroup(ctx context.Context, p redis.Pipeliner, l *events.SessionLists, mine *events.UserSessionList, groupID, userID string, organizer, allCounts bool, stand func(string) bool) (*dashGroupReads, error) {
	r := &dashGroupReads{l: l}
	var err error
	l.Share(mine)
	if r.sessions, err = l.QueueEventsFor(ctx, p, userID, stand); err != nil {
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
// turns out to need of the group and r did not read: in a group they
// organize, their standing in every session, the counts and the requests
// to join; elsewhere the standing and the counts of the sessions they
// host.
func (h *handler) queueDashHosting(ctx context.Context, p redis.Pipeliner, r *dashGroupReads, groupID, userID string, organizer bool) error {
	upcoming, standings, err := r.settle()
	if err != nil {
		return err
	}
	var hosted, unread []string
	for _, ev := range upcoming {
		if ev.Status == events.StatusCancelled || !(organizer || slices.Contains(ev.Hosts, userID)) {
			continue
		}
		hosted = append(hosted, ev.ID)
		if _, ok := standings[ev.ID]; !ok {
			unread = append(unread, ev.ID)
		}
	}
	r.more(ctx, p, unread)
	switch {
	case organizer:
		if r.counts == nil {
			r.counts = r.l.QueueCounts(ctx, p)
		}
		if r.requests == nil {
			r.requests = h.Groups.QueueRequestCount(ctx, p, groupID)
		}
	case r.counts == nil && len(hosted) > 0:
		r.counts = h.Events.QueueCounts(ctx, p, hosted)
	}
	return nil
}

// soonestNotMine lists the upcoming sessions of groups (whose timed
// indexes have been read) soonest first, each with its start as its
// score, but those on mine (the viewer's own list, answered already): the
// dashboard reads the viewer's standing in the first few of them, to find
// the sessions to answer.
func soonestNotMine(indexes map[string]*events.SessionLists, groups, mine []string) []redis.Z {
	var next []redis.Z
	for _, gid := range groups {
		for _, z := range indexes[gid].NextStarts() {
			if id, _ := z.Member.(string); !slices.Contains(mine, id) {
				next = append(next, z)
			}
		}
	}
	slices.SortStableFunc(next, func(a, b redis.Z) int { return cmp.Compare(a.Score, b.Score) })
	return next
}

// openStarts gives, once the reads of groups (the viewer's groups that
// they do not organize) have run, the starts (Unix seconds) of the
// sessions there whose standing was read and that the viewer may still
// answer, soonest first.
func openStarts(groups []*dashGroupReads, userID string, now time.Time) ([]int64, error) {
	var out []int64
	for _, r := range groups {
		upcoming, standings, err := r.settle()
		if err != nil {
			return nil, err
		}
		for _, ev := range upcoming {
			if answerable(ev, userID, now) && toAnswer(standings, ev.ID) {
				out = append(out, ev.Start.Unix())
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// queueRestToAnswer queues on p the viewer's standing in every session of
// soonest (all of whose upcoming sessions to read, soonest first) beyond
// the first picked, when fewer than dashUnanswered of those they may
// answer in groups start no later than the last picked one: only then
// can a session not read yet be among the soonest ten, so the list holds
// the soonest ones whatever was picked.
func queueRestToAnswer(ctx context.Context, p redis.Pipeliner, groups []*dashGroupReads, soonest []redis.Z, picked int, userID string, now time.Time) error {
	if picked >= len(soonest) || picked == 0 {
		return nil
	}
	open, err := openStarts(groups, userID, now)
	if err != nil {
		return err
	}
	last := int64(soonest[picked-1].Score)
	found, _ := slices.BinarySearch(open, last+1) // those starting no later than last
	if found >= dashUnanswered {
		return nil
	}
	for _, r := range groups {
		upcoming, standings, err := r.settle()
		if err != nil {
			return err
		}
		var rest []string
		for _, ev := range upcoming {
			if _, ok := standings[ev.ID]; !ok && answerable(ev, userID, now) {
				rest = append(rest, ev.ID)
			}
		}
		r.more(ctx, p, rest)
	}
	return nil
}

// candidatesNeeded says, once every read of groups has run (the third
// round trip included), how many of soonest the next view should pick so
// that those and the groups read whole hold dashUnanswered to answer
// starting no later than the last picked: every one starting no later
// than the tenth the viewer may answer now (all when there are fewer), a
// few more for answers to come, within [dashCandidates,
// dashMaxCandidates].
func candidatesNeeded(groups []*dashGroupReads, soonest []redis.Z, userID string, now time.Time) (int, error) {
	open, err := openStarts(groups, userID, now)
	if err != nil {
		return 0, err
	}
	needed := len(soonest)
	if len(open) >= dashUnanswered {
		tenth := float64(open[dashUnanswered-1])
		needed, _ = slices.BinarySearchFunc(soonest, tenth, func(z redis.Z, t float64) int {
			if z.Score <= t {
				return -1
			}
			return 1
		})
	}
	return min(max(needed+dashSpare, dashCandidates), dashMaxCandidates), nil
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
