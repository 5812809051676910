package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/careers"
	"github.com/focusgroups/focusgroups/internal/markdown"
	"github.com/focusgroups/focusgroups/moderation"
)

// Person is how the pages show someone: name and avatar.
//
// Its JSON tags only shorten the key a remembered page is kept by (see
// fragments), where lists of people are most of it; nothing else encodes
// a Person.
type Person struct {
	ID        string      `json:"i"`
	Name      string      `json:"n"`
	AvatarURL string      `json:"a,omitempty"`
	Handle    string      `json:"h,omitempty"` // the person's page, /u/<handle>; "" without one
	Role      groups.Role `json:"r,omitempty"`
}

// peopleOf lists the users behind ids that exist, in that order.
func peopleOf(users map[string]*auth.User, ids []string) []Person {
	out := make([]Person, 0, len(ids))
	for _, id := range ids {
		if u, ok := users[id]; ok {
			out = append(out, personOf(u))
		}
	}
	return out
}

func personOf(u *auth.User) Person {
	return Person{ID: u.ID, Name: u.Name, AvatarURL: u.AvatarURL, Handle: u.Handle}
}

// pathLabels turns career path slugs into their names.
func pathLabels(slugs []string) []string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = careers.Label(s)
	}
	return out
}

// groupPageSize is how many members the group page shows members.
const groupPageSize = 24

// groupShow is the group page: about, organizers, members, sessions and
// the one membership button this visitor can use. It reads in at most
// three round trips: the slug's group ID (none when the slug was seen
// before), then the visitor's session, the group, the visitor's standing,
// the lists it shows and the sessions those lists named when this
// instance last read them, then the sessions they name anew, the people
// this instance has not read in the last minute and pending requests
// (for organizers). Warm, that third one is not needed.
func (h *handler) groupShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var (
		getCoOrgs, getMembers, getRequests func() ([]string, error)
		sessions                           *events.SessionLists
		getCode                            func() (moderation.Code, int, error)
	)
	gv, err := h.readGroupBySlug(c, func(p redis.Pipeliner, id, uid string) {
		getCoOrgs = h.Groups.QueueCoOrganizers(ctx, p, id)
		sessions = h.Events.QueueGroupSessions(ctx, p, id, groupUpcomingCards, groupPastCards)
		sessions.Speculate(ctx, p, uid)
		// Read before the visitor's standing is known (with their
		// session): only members see members and the code of conduct,
		// only organizers requests.
		getMembers = h.Groups.QueueMemberIDs(ctx, p, id, 1, groupPageSize)
		getRequests = h.Groups.QueueRequestIDs(ctx, p, id)
		if uid != "" {
			getCode = h.Moderation.QueueCode(ctx, p, id, uid)
		}
	})
	if err != nil {
		return err
	}
	g := gv.Group
	coOrgs, err := getCoOrgs()
	if err != nil {
		return err
	}
	var memberIDs, requestIDs []string
	if gv.Member() {
		if memberIDs, err = getMembers(); err != nil {
			return err
		}
	}
	if gv.Organizer() {
		if requestIDs, err = getRequests(); err != nil {
			return err
		}
	}
	orgIDs := append([]string{g.OwnerID}, coOrgs...)
	p := h.Redis.Pipeline()
	// Names a minute old, as on the session page (auth.RecentFor): only
	// the people this instance has not read lately are read.
	users, missing := h.recentPeople(c, append(append([]string{}, orgIDs...), memberIDs...))
	getUsers := h.Users.QueueGetMany(ctx, p, missing)
	getSessions, err := sessions.QueueEvents(ctx, p, gv.Standing.UserID)
	if err != nil {
		return err
	}
	getPending := h.Groups.QueuePending(ctx, p, g.ID, requestIDs)
	// Warm, with no new sessions, names or requests, everything came in
	// the first round trip.
	if err := runReads(ctx, p); err != nil {
		return err
	}
	codeChanged := false
	if getCode != nil && gv.Member() {
		code, accepted, err := getCode()
		if err != nil {
			return err
		}
		codeChanged = code.Version > 0 && accepted < code.Version
	}
	read, err := getUsers()
	if err != nil {
		return err
	}
	for id, u := range read {
		users[id] = u
	}
	upcoming, past, standings, err := getSessions()
	if err != nil {
		return err
	}
	pending, err := getPending()
	if err != nil {
		return err
	}
	organizers := peopleOf(users, orgIDs)
	for i := range organizers {
		organizers[i].Role = groups.RoleOrganizer
		if organizers[i].ID == g.OwnerID {
			organizers[i].Role = groups.RoleOwner
		}
	}
	var emails []string
	if u := currentUser(c); u != nil {
		emails = u.VerifiedEmails()
	}
	data := h.view(c, g.Name)
	data["G"] = gv
	data["Group"] = g
	data["CodeChanged"] = codeChanged
	card := groupCardOf(g)
	card.Hero = true
	data["Card"] = card
	data["About"] = markdown.HTML(g.Description)
	data["PathLabels"] = pathLabels(g.Paths)
	data["Organizers"] = organizers
	data["Decision"] = groups.JoinDecision(g, gv.Standing, emails)
	if gv.Member() {
		data["Members"] = peopleOf(users, memberIDs)
		data["MoreMembers"] = g.MemberCount > len(memberIDs)
	}
	name := func(string) (*groups.Group, error) { return g, nil }
	if data["Upcoming"], err = h.formatCards(c, upcoming, nil, standings, name); err != nil {
		return err
	}
	if data["Past"], err = h.formatCards(c, past, nil, nil, name); err != nil {
		return err
	}
	if gv.Organizer() {
		data["PendingCount"] = len(pending)
	}
	h.addGroupTravel(data, g)
	return h.frags.renderMap(c, "groups/show", data, false)
}
