package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
)

// groupMembers lists the members (members only) with the organizer tools.
// It reads the session, the group, the visitor's standing, the page of
// members, the bans and the invite links in one round trip, then the
// people on those lists in another.
func (h *handler) groupMembers(c *fiber.Ctx) error {
	ctx := c.UserContext()
	page := max(c.QueryInt("page", 1), 1)
	const perPage = 50
	var (
		getMembers func() ([]groups.Member, int, error)
		getBans    func() ([]string, error)
		getLinks   func() ([]groups.Link, error)
	)
	gv, err := h.readGroupBySlug(c, func(p redis.Pipeliner, id, _ string) {
		getMembers = h.Groups.QueueMembers(ctx, p, id, page, perPage)
		// Read before the visitor is known; shown to organizers only.
		getBans = h.Groups.QueueBans(ctx, p, id)
		getLinks = h.Groups.QueueLinks(ctx, p, id)
	})
	me := currentUser(c)
	if me == nil {
		return h.requireUser(c) // the cookie's claim did not hold
	}
	if err != nil {
		return err
	}
	if !gv.Member() {
		return forbidden("Only members can see who else is in this group.")
	}
	members, total, err := getMembers()
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.UserID)
	}
	var banned []string
	var links []groups.Link
	if gv.Organizer() {
		if banned, err = getBans(); err != nil {
			return err
		}
		if links, err = getLinks(); err != nil {
			return err
		}
	}
	users, err := h.Users.GetMany(ctx, append(ids, banned...))
	if err != nil {
		return err
	}
	type row struct {
		Person
		JoinedAt string
		Self     bool
		Guest    bool // no account yet (see auth.User.Guest): nothing to report, promote or hand over
	}
	loc := zoneOr(c, gv.Group.TimeZone)
	rows := make([]row, 0, len(members))
	for _, m := range members {
		u, ok := users[m.UserID]
		if !ok {
			continue
		}
		p := personOf(u)
		p.Role = m.Role
		rows = append(rows, row{Person: p, JoinedAt: localTime(m.JoinedAt, loc), Self: m.UserID == me.ID, Guest: u.Guest})
	}
	data := h.view(c, "Members of "+gv.Group.Name)
	data["G"] = gv
	data["Group"] = gv.Group
	data["Rows"] = rows
	data["Total"] = total
	data["Page"] = page
	if page > 1 {
		data["PrevPage"] = page - 1
	}
	if page*perPage < total {
		data["NextPage"] = page + 1
	}
	data["IsOwner"] = gv.Standing.Role == groups.RoleOwner
	if gv.Organizer() {
		data["Banned"] = peopleOf(users, banned)
		data["Links"] = h.inviteLinks(c, gv.Group, links)
	}
	return c.Render("groups/members", data)
}

// groupMemberAction runs an organizer action on one member.
func (h *handler) groupMemberAction(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	ctx, gid, actor, target := c.UserContext(), gv.Group.ID, currentUser(c).ID, c.Params("uid")
	actions := map[string]struct {
		run  func() error
		done string
	}{
		"remove":   {func() error { return h.Groups.Remove(ctx, gid, actor, target) }, "Removed from the group."},
		"ban":      {func() error { return h.Groups.Ban(ctx, gid, actor, target) }, "Banned: they cannot rejoin or apply again."},
		"unban":    {func() error { return h.Groups.Unban(ctx, gid, actor, target) }, "Ban lifted."},
		"promote":  {func() error { return h.Groups.Promote(ctx, gid, actor, target) }, "Now a co-organizer."},
		"demote":   {func() error { return h.Groups.Demote(ctx, gid, actor, target) }, "No longer a co-organizer."},
		"transfer": {func() error { return h.Groups.TransferOwnership(ctx, gid, actor, target) }, "Ownership transferred. You are now a co-organizer."},
	}
	a, ok := actions[c.Params("action")]
	if !ok {
		return notFound()
	}
	back := "/g/" + gv.Group.Slug + "/members"
	if action := c.Params("action"); action == "promote" || action == "transfer" {
		u, err := h.Users.Get(ctx, target)
		if err != nil && !errors.Is(err, auth.ErrNotFound) {
			return err // unknown here: the groups package refuses someone who is not a member
		}
		if err == nil && u.Guest {
			return h.redirectWith(c, back, "error", u.Name+" has no account yet (a guest, from an emailed invitation): they can organize once they sign in.")
		}
	}
	if memberActionsToConfirm[c.Params("action")] && !confirmed(c) {
		return needConfirm(c, memberConfirmPath(gv.Group.Slug, target, c.Params("action")))
	}
	if err := a.run(); err != nil {
		if isForbidden(err) {
			return forbidden("You cannot do that to this member.")
		}
		if msg, ok := membershipMessage(err); ok {
			return h.redirectWith(c, back, "error", msg)
		}
		return err
	}
	if action := c.Params("action"); action == "remove" || action == "ban" {
		h.leaveGroupSessions(ctx, gid, target)
	}
	return h.redirectWith(c, back, "ok", a.done)
}

// groupRequests lists pending requests to join, with the answers.
func (h *handler) groupRequests(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var getIDs func() ([]string, error)
	gv, err := h.readGroupAsOrganizer(c, func(p redis.Pipeliner, id, _ string) {
		getIDs = h.Groups.QueueRequestIDs(ctx, p, id)
	})
	if err != nil {
		return err
	}
	ids, err := getIDs()
	if err != nil {
		return err
	}
	// Who asked is known from the list: their requests and their names
	// are read together.
	p := h.Redis.Pipeline()
	getApps := h.Groups.QueuePending(ctx, p, gv.Group.ID, ids)
	getUsers := h.Users.QueueGetMany(ctx, p, ids)
	_, _ = p.Exec(ctx) // each read reports its own command's error
	apps, err := getApps()
	if err != nil {
		return err
	}
	users, err := getUsers()
	if err != nil {
		return err
	}
	type row struct {
		Person
		Answer, AppliedAt string
	}
	loc := zoneOr(c, gv.Group.TimeZone)
	var rows []row
	for _, a := range apps {
		if u, ok := users[a.UserID]; ok {
			rows = append(rows, row{Person: personOf(u), Answer: a.Answer, AppliedAt: localTime(a.AppliedAt, loc)})
		}
	}
	data := h.view(c, "Requests to join "+gv.Group.Name)
	data["G"] = gv
	data["Group"] = gv.Group
	data["Rows"] = rows
	return c.Render("groups/requests", data)
}

// groupDecide approves or declines one request.
func (h *handler) groupDecide(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	ctx, gid, actor, target := c.UserContext(), gv.Group.ID, currentUser(c).ID, c.Params("uid")
	var done string
	switch c.Params("decision") {
	case "approve":
		err, done = h.Groups.Approve(ctx, gid, actor, target), "Request approved: welcome them!"
	case "decline":
		err, done = h.Groups.Decline(ctx, gid, actor, target), "Request declined."
	default:
		return notFound()
	}
	back := "/g/" + gv.Group.Slug + "/requests"
	if err != nil {
		if msg, ok := membershipMessage(err); ok {
			return h.redirectWith(c, back, "error", msg)
		}
		return err
	}
	return h.redirectWith(c, back, "ok", done)
}
