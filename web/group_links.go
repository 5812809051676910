package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/groups"
)

// inviteLinkRow is one invite link as the Members page lists it.
type inviteLinkRow struct {
	URL, Secret string
	Uses, Limit int
	Expires     string // its last day; "" when it never expires
	State       string // "live", or why it lets nobody in
	Live        bool
}

// inviteLinks formats the group's invite links for its organizers.
func (h *handler) inviteLinks(c *fiber.Ctx, g *groups.Group, links []groups.Link) []inviteLinkRow {
	loc := zoneOr(c, g.TimeZone)
	now := h.Groups.Now()
	rows := make([]inviteLinkRow, 0, len(links))
	for _, l := range links {
		r := inviteLinkRow{URL: h.absURL("/join/" + l.Token()), Secret: l.Secret, Uses: l.Uses, Limit: l.Limit, State: "live"}
		if !l.Expires.IsZero() {
			// It runs through the end of its last day in the zone it was set in.
			r.Expires = l.Expires.Add(-time.Second).In(loc).Format("Mon 2 Jan 2006") + " (" + loc.String() + ")"
		}
		switch err := l.Status(now); {
		case err == nil:
			r.Live = true
		case errors.Is(err, groups.ErrLinkRevoked):
			r.State = "revoked"
		case errors.Is(err, groups.ErrLinkExpired):
			r.State = "expired"
		default:
			r.State = "used up"
		}
		rows = append(rows, r)
	}
	return rows
}

// groupLinkCreate makes an invite link (organizers only): an optional last
// day (through its end, in the organizer's zone) and use limit.
func (h *handler) groupLinkCreate(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	back := "/g/" + gv.Group.Slug + "/members"
	var expires time.Time
	if day := strings.TrimSpace(c.FormValue("expires")); day != "" {
		loc := zoneOr(c, gv.Group.TimeZone)
		d, err := time.ParseInLocation("2006-01-02", day, loc)
		if err != nil {
			return httpError(fiber.StatusUnprocessableEntity, "That date does not work",
				"Give the link's last day as a date (YYYY-MM-DD), or leave it empty for a link that does not expire.")
		}
		expires = d.AddDate(0, 0, 1)
	}
	limit := 0
	if s := strings.TrimSpace(c.FormValue("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			return httpError(fiber.StatusUnprocessableEntity, "That limit does not work",
				"Give how many people may use the link as a number from 1 to 10,000, or leave it empty for no limit.")
		}
		limit = n
	}
	_, err = h.Groups.CreateLink(c.UserContext(), gv.Group.ID, currentUser(c).ID, expires, limit)
	switch {
	case errors.Is(err, groups.ErrLinkExpired):
		return httpError(fiber.StatusUnprocessableEntity, "That date has passed", "Pick today or a later day as the link's last day.")
	case errors.Is(err, groups.ErrTooManyLinks):
		return h.redirectWith(c, back, "error", "A group keeps at most 50 invite links. Revoke an old one first.")
	case err != nil:
		return err
	}
	return h.redirectWith(c, back+"#links-h", "ok", "Invite link created. Copy it from the list below and share it.")
}

// groupLinkRevoke stops an invite link (organizers only).
func (h *handler) groupLinkRevoke(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	err = h.Groups.RevokeLink(c.UserContext(), gv.Group.ID, currentUser(c).ID, c.Params("secret"))
	if errors.Is(err, groups.ErrLinkUnknown) {
		return notFound()
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug+"/members#links-h", "ok", "Invite link revoked: it lets nobody in any more.")
}

// linkProblem is the page for an invite link that lets nobody in.
func linkProblem(err error) error {
	msg := map[error]string{
		groups.ErrLinkRevoked: "The organizers revoked this invite link. Ask them for a new one.",
		groups.ErrLinkExpired: "This invite link has expired. Ask the organizers for a new one.",
		groups.ErrLinkUsedUp:  "This invite link has been used as many times as the organizers allowed. Ask them for a new one.",
	}
	for e, text := range msg {
		if errors.Is(err, e) {
			return &pageError{Status: fiber.StatusGone, Title: "This invite link no longer works", Message: text,
				ActionLabel: "Discover groups", ActionURL: "/groups"}
		}
	}
	if errors.Is(err, groups.ErrLinkUnknown) {
		return &pageError{Status: fiber.StatusNotFound, Title: "This invite link does not work",
			Message:     "Check that you copied the whole link, or ask the organizers for a new one.",
			ActionLabel: "Discover groups", ActionURL: "/groups"}
	}
	return err
}

// joinLink is the page an invite link opens: the group, and a Join
// button (signed in) or a way to sign in and come back (signed out). A
// GET never joins. The visitor's session, the link, the group and the
// visitor's standing come back in one round trip.
func (h *handler) joinLink(c *fiber.Ctx) error {
	ctx := c.UserContext()
	token := c.Params("token")
	gid, _, ok := groups.ParseToken(token)
	if !ok {
		return linkProblem(groups.ErrLinkUnknown)
	}
	p, uid := pageReads(c, h.Redis)
	getLink := h.Groups.QueueLinkOf(ctx, p, token)
	getGroup := h.Groups.QueueGet(ctx, p, gid)
	getStanding := h.Groups.QueueStanding(ctx, p, gid, uid)
	if err := runReads(ctx, p); err != nil {
		return err
	}
	if !claimHeld(c, uid) {
		return h.joinLink(c) // the cookie named someone else: read as the visitor
	}
	if _, err := getLink(); err != nil {
		return linkProblem(err)
	}
	g, err := getGroup()
	if errors.Is(err, groups.ErrNotFound) {
		return linkProblem(groups.ErrLinkUnknown)
	}
	if err != nil {
		return err
	}
	st, err := getStanding()
	if err != nil {
		return err
	}
	data := h.view(c, "Join "+g.Name)
	data["Group"] = g
	data["Card"] = groupCardOf(g)
	data["Token"] = token
	data["SignInURL"] = "/signin?next=" + urlQueryEscape("/join/"+token)
	if u := currentUser(c); u != nil {
		data["Member"] = st.Role.IsMember()
		if st.Banned {
			data["Refusal"] = "You can no longer join this group."
		} else if g.CompanyOnly() && !groups.DomainAllowed(g, u.VerifiedEmails()) {
			data["Refusal"] = "This group is for people with a verified email address at " + strings.Join(g.Domains, ", ") +
				". Add and confirm such an address on your profile, then open this link again."
		}
	}
	return c.Render("groups/join", data)
}

// joinLinkPost joins the signed-in person through an invite link.
func (h *handler) joinLinkPost(c *fiber.Ctx) error {
	u := currentUser(c)
	if gid, _, ok := groups.ParseToken(c.Params("token")); ok {
		if err := h.needsCode(c.UserContext(), gid, u.ID); errors.Is(err, errCodeNeeded) {
			g, gerr := h.Groups.Get(c.UserContext(), gid)
			if gerr != nil {
				return linkProblem(groups.ErrLinkUnknown)
			}
			return h.redirectWith(c, "/g/"+g.Slug+"/conduct?then=link&token="+url.QueryEscape(c.Params("token")), "ok",
				"This group has a code of conduct. Read it and accept it to join.")
		} else if err != nil {
			return err
		}
	}
	gid, err := h.Groups.JoinByLink(c.UserContext(), c.Params("token"), u.ID, u.VerifiedEmails())
	if problem := linkProblem(err); problem != err {
		return problem
	}
	if err != nil && !errors.Is(err, groups.ErrAlreadyMember) {
		if msg, ok := membershipMessage(err); ok {
			return httpError(fiber.StatusForbidden, "You cannot join through this link", msg)
		}
		return err
	}
	g, gerr := h.Groups.Get(c.UserContext(), gid)
	if gerr != nil {
		return gerr
	}
	if errors.Is(err, groups.ErrAlreadyMember) {
		return h.redirectWith(c, "/g/"+g.Slug, "ok", "You are already a member of "+g.Name+".")
	}
	return h.redirectWith(c, "/g/"+g.Slug, "ok", "Welcome to "+g.Name+"! You are now a member.")
}
