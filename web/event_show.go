package web

import (
	"errors"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/markdown"
	"github.com/focusgroups/focusgroups/internal/speculate"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/mentors/match"
	"github.com/focusgroups/focusgroups/notify"
)

// sessionPage is everything the session page shows, formatted for the
// viewer.
type sessionPage struct {
	Event             shownEvent
	Group             shownGroup
	Format            string
	When, OwnWhen     string // OwnWhen is set when the session's zone differs from the viewer's
	Relative          string
	Description       template.HTML `json:"-"` // rendered from Event, which keys it
	Link              string        // the online link, only for those who may see it
	HasLink           bool          // the session has an online link at all
	Hosts             []Person
	SkillLabels       []string // the skills the session teaches, by name
	Proposer          string
	Standing          events.Standing
	StatusText        string        // where the viewer stands, for a cancelled session (its card has no buttons)
	StatusNote        string        // what the card's short status leaves out (a check-in, how a waitlist place turns into a seat)
	RSVP              events.Choice // the buttons of the RSVP card
	Seats             string
	Cancelled, Ended  bool
	Organizer, Member bool
	CanAnswer         bool   // RSVPs are open to this viewer now
	CanDropOut        bool   // the viewer may still say "not going"
	Closed            string // why RSVPs are not possible, if they are not
	JoinNote          string // what RSVPing means for membership
	NeedsJoin         bool   // the viewer must join the group first
	JoinReason        string // why the viewer cannot simply join, if so
	Going             []Person
	GoingCount        int
	SignInURL         string // for signed-out visitors
	GuestRSVP         bool   // signed-out visitors may ask for an RSVP link by mail
	// Delivery is the state of the announcement mails, for organizers.
	Delivery *mail.BatchStatus
	// Series places the session among its series' dates, when it is one.
	Series *seriesNav
	// Messages are the organizers' messages to the session's people,
	// newest first, for organizers.
	Messages []sentRow
}

// goingListSize is how many attendees the session page shows members.
const goingListSize = 30

// sessionReads is what the session page reads from Redis, with the
// visitor's session in one round trip once this instance knows the
// session's group and has read the people it names lately, else two:
// first the visitor's session, the session and everything kept under its
// ID, then its group, the viewer's standing there and the people the page
// names.
type sessionReads struct {
	eventView
	Status   events.Standing
	Users    map[string]*auth.User // hosts, proposer and the first people going
	GoingIDs []string              // the first people going, in seat order
	Delivery *mail.BatchStatus     // the announcement's delivery, when there was one
	// BlockedBy are the people who blocked the viewer: the page does not
	// show them going.
	BlockedBy map[string]bool
	Series    []events.Event       // the series' occurrences in start order, when the session is one
	Messages  []events.SentMessage // the organizers' messages (signed-in visitors only)
}

// loadSessionPage reads the session named by the :id route parameter and
// all the session page shows, as the current visitor may see it. A session
// of a group the visitor may not see is reported as not found, like the
// group itself. Personal reads (the people going, the announcement's
// delivery) are made for signed-in visitors only; the page shows them to
// members and organizers.
func (h *handler) loadSessionPage(c *fiber.Ctx) (sessionReads, error) {
	id := c.Params("id")
	if !ids.Valid(id) {
		return sessionReads{}, notFound()
	}
	ctx := c.UserContext()
	first, uid := pageReads(c, h.Redis)
	if v := speculate.From(ctx); v != nil {
		// What the page reads after its first round trip is mostly the
		// same for every viewer (the series' dates, the people this
		// instance had not read): guess it from the session's last view,
		// whoever made it. A viewer's own reads there (their standing in
		// a group this instance had not read) are only guessed for
		// nothing by the next viewer.
		v.Rekey("/s/" + id)
	}
	goingList := 0 // the people going are shown to members and organizers
	if uid != "" {
		goingList = goingListSize
	}
	getSession := h.Events.QueueSessionView(ctx, first, id, uid, goingList)
	var getDelivery func() (mail.BatchStatus, error)
	var getBlocks func() (map[string]bool, map[string]bool, error)
	var getMessages func() ([]events.SentMessage, error)
	if uid != "" {
		getDelivery = h.Mail.QueueBatchStatus(ctx, first, notify.AnnounceBatch(id))
		getBlocks = h.Moderation.QueueBlocks(ctx, first, uid)
		getMessages = h.Events.QueueMessages(ctx, first, id)
	}
	var getView func() (groupView, error)
	if gid, ok := h.Events.KnownGroupOf(id); ok {
		getView = h.queueGroupView(ctx, first, gid, uid)
	}
	if err := runReads(ctx, first); err != nil {
		return sessionReads{}, err
	}
	if !claimHeld(c, uid) {
		return h.loadSessionPage(c) // the cookie named someone else: read as the viewer
	}
	var r sessionReads
	var err error
	if r.Event, r.Status, r.GoingIDs, err = getSession(); err != nil {
		return r, err
	}
	if getBlocks != nil {
		if _, r.BlockedBy, err = getBlocks(); err != nil {
			return r, err
		}
		switch d, err := getDelivery(); {
		case err == nil:
			r.Delivery = &d
		case !errors.Is(err, mail.ErrNotFound):
			return r, err
		}
		if r.Messages, err = getMessages(); err != nil {
			return r, err
		}
	}
	people := append(append([]string{}, r.Event.Hosts...), r.GoingIDs...)
	for _, m := range r.Messages {
		people = append(people, m.By)
	}
	if r.Event.ProposerID != "" {
		people = append(people, r.Event.ProposerID)
	}
	// The names on the page may be a minute old (auth.RecentFor): once
	// this instance has shown the session, a view is two round trips.
	var missing []string
	r.Users, missing = h.recentPeople(c, people)
	var getSeries func() ([]string, error)
	if getView == nil || len(missing) > 0 || r.Event.SeriesID != "" {
		second := h.Redis.Pipeline()
		if r.Event.SeriesID != "" {
			getSeries = h.Events.QueueSeriesIDs(ctx, second, r.Event.SeriesID)
		}
		if getView == nil {
			getView = h.queueGroupView(ctx, second, r.Event.GroupID, uid)
		}
		getUsers := h.Users.QueueGetMany(ctx, second, missing)
		if err := runReads(ctx, second); err != nil {
			return r, err
		}
		read, err := getUsers()
		if err != nil {
			return r, err
		}
		for id, u := range read {
			r.Users[id] = u
		}
	}
	if r.groupView, err = getView(); err != nil {
		return r, err
	}
	if getSeries != nil {
		r.Series, err = h.readSeries(ctx, getSeries)
	}
	return r, err
}

// sessionShow is the session page.
func (h *handler) sessionShow(c *fiber.Ctx) error {
	r, err := h.loadSessionPage(c)
	if err != nil {
		return err
	}
	p := h.buildSessionPage(c, r)
	data := h.view(c, r.Event.Title)
	data["S"] = p
	h.addSessionTravel(c, data, p)
	return h.frags.renderMap(c, "events/show", data, false)
}

func (h *handler) buildSessionPage(c *fiber.Ctx, r sessionReads) sessionPage {
	v := r.eventView
	ev := v.Event
	loc := zoneOr(c, ev.TimeZone)
	now := h.Events.Now()
	p := sessionPage{
		Event: shownEvent{ev}, Group: shownGroup{v.Group}, Format: formatLabel(ev.Format),
		When:        timeRange(ev.Start, ev.End, loc),
		Relative:    sessionRelative(ev.Start, ev.End, now),
		Description: markdown.HTML(ev.Description),
		HasLink:     ev.OnlineURL != "",
		Cancelled:   ev.Status == events.StatusCancelled,
		Ended:       !ev.End.After(now),
		Organizer:   v.Organizer(), Member: v.Member(),
	}
	if ev.TimeZone != loc.String() {
		p.OwnWhen = timeRange(ev.Start, ev.End, zoneNamed(ev.TimeZone))
	}
	uid := v.Standing.UserID
	st := r.Status
	p.Standing = st
	if events.CanSeeLink(ev, v.actor(), st.Status) {
		p.Link = ev.OnlineURL
	}
	p.Seats = seatsFor(ev.Capacity, st.SeatsLeft, st.Status)
	p.GoingCount = st.Going
	for _, k := range ev.Skills {
		p.SkillLabels = append(p.SkillLabels, match.SkillLabel(k))
	}
	for _, id := range ev.Hosts {
		if hu, ok := r.Users[id]; ok {
			p.Hosts = append(p.Hosts, personOf(hu))
		}
	}
	if pu, ok := r.Users[ev.ProposerID]; ok {
		p.Proposer = pu.Name
	}
	p.StatusText = statusText(st)
	p.StatusNote = statusNote(st)
	p.Series = buildSeriesNav(ev, r.Series, loc, now)

	started := !now.Before(ev.Start)
	switch werr := windowError(ev, now); {
	case errors.Is(werr, events.ErrNotOpen):
		p.Closed = "RSVPs open " + localTime(ev.RSVPOpens, loc) + "."
	case p.Ended && !p.Cancelled:
		p.Closed = "This session has ended."
	case werr != nil:
		p.Closed = rsvpRefusal(werr)
	}
	if uid == "" {
		p.SignInURL = "/signin?next=" + urlQueryEscape(sessionPath(ev.ID))
		p.GuestRSVP = p.Closed == "" && !p.Cancelled && guestsWelcome(v.Group)
		return p
	}
	active := st.Status == events.RSVPGoing || st.Status == events.RSVPWaitlisted || st.Status == events.RSVPPending
	p.CanDropOut = active && !p.Cancelled && !started
	p.CanAnswer = p.Closed == "" && st.Status != events.RSVPRemoved
	if !p.Member {
		d := groups.JoinDecision(v.Group, v.Standing, currentUser(c).VerifiedEmails())
		if openPublic(v.Group) && d.Action == groups.ActionJoin {
			p.JoinNote = "Saying you are going also makes you a member of " + v.Group.Name + "."
		} else if p.CanAnswer {
			p.NeedsJoin, p.CanAnswer = true, false
			if d.Action == groups.ActionNone {
				p.JoinReason = d.Reason // they cannot join at all: say why now
			}
		}
	}
	if p.Member || p.Organizer {
		p.Going = attendeesShown(r.GoingIDs, r.Users, uid, p.Organizer, r.BlockedBy)
	}
	if ev.ApprovalRequired && st.Status != events.RSVPGoing {
		p.JoinNote = joinSentence(p.JoinNote, "An organizer approves each person who wants to attend.")
	}
	if p.Organizer {
		p.Delivery = r.Delivery
		p.Messages = sentRows(r.Messages, r.Users, c, ev.TimeZone)
	}
	if p.Series != nil {
		p.Series.CanGoAll = !p.NeedsJoin && p.Series.Upcoming > 0
	}
	if p.Cancelled {
		return p // a cancelled session takes no answers
	}
	p.RSVP = events.ChoiceFor(st, events.ChoiceFactsOf(ev, uid, p.Organizer))
	if !p.CanAnswer {
		p.RSVP.Yes = ""
	}
	if active && !p.CanDropOut || !active && !p.CanAnswer {
		p.RSVP.No = ""
	}
	return p
}

func joinSentence(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// openPublic reports whether anyone may join the group by RSVPing.
func openPublic(g *groups.Group) bool {
	return g.Visibility == groups.Public && g.JoinPolicy == groups.Open
}

// seatsText describes the seats left for people.
func seatsText(capacity, left int) string {
	switch {
	case capacity <= 0 || left < 0:
		return "No seat limit"
	case left == 0:
		return "Full (" + plural(capacity, "seat") + "): new RSVPs join the waitlist"
	case left == 1:
		return "1 of " + strconv.Itoa(capacity) + " seats left"
	}
	return strconv.Itoa(left) + " of " + strconv.Itoa(capacity) + " seats left"
}

// statusNote says, under the RSVP card's buttons, what their short status
// ("You're going", "#2 on the waitlist") leaves out.
func statusNote(st events.Standing) string {
	switch {
	case st.Status == events.RSVPGoing && st.CheckedIn:
		return "You are checked in."
	case st.Status == events.RSVPWaitlisted:
		return "You get a seat, and an email, when one frees up."
	case st.Status == events.RSVPPending:
		return "An organizer decides on your request."
	}
	return ""
}

// statusText tells the viewer where they stand.
func statusText(st events.Standing) string {
	switch st.Status {
	case events.RSVPGoing:
		if st.CheckedIn {
			return "You are going, and you are checked in."
		}
		return "You are going."
	case events.RSVPWaitlisted:
		return "You are number " + strconv.Itoa(st.Position) + " on the waitlist. You get a seat, and an email, when one frees up."
	case events.RSVPPending:
		return "Your request to attend awaits an organizer's approval."
	case events.RSVPNotGoing:
		return "You said you are not going."
	case events.RSVPRemoved:
		return "An organizer removed you from this session."
	}
	return ""
}
