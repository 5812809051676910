package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// maxInvites is how many addresses one invitation form takes.
const maxInvites = 500

// inviteOutcome is what became of one address on an invitation form.
type inviteOutcome struct {
	Address, Why string
}

// inviteReport is the page an invitation form answers with.
type inviteReport struct {
	Sent, Skipped, Invalid []inviteOutcome
	Back, BackLabel        string
}

// splitAddresses splits a pasted list (one per line, or separated by
// commas or semicolons) into the addresses to invite and those refused
// with the reason; an address listed twice is invited once.
func splitAddresses(text string) (valid []string, invalid []inviteOutcome, err error) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' })
	seen := map[string]bool{}
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		addr, aerr := auth.CheckAddress(f)
		switch {
		case aerr != nil:
			invalid = append(invalid, inviteOutcome{Address: f, Why: strings.TrimPrefix(aerr.Error(), auth.ErrBadAddress.Error()+": ")})
		case seen[addr]:
			invalid = append(invalid, inviteOutcome{Address: addr, Why: "listed more than once: invited once"})
		default:
			seen[addr] = true
			valid = append(valid, addr)
		}
	}
	if len(valid)+len(invalid) == 0 {
		return nil, nil, httpError(fiber.StatusUnprocessableEntity, "No addresses to invite",
			"Paste one or more email addresses, one per line or separated by commas.")
	}
	if len(valid)+len(invalid) > maxInvites {
		return nil, nil, httpError(fiber.StatusUnprocessableEntity, "Too many addresses at once",
			"Invite at most 500 addresses at a time: split the list and send the rest after.")
	}
	return valid, invalid, nil
}

// inviteAddresses finds or makes the person behind each address (a guest
// when nobody holds it yet) and sorts out those who cannot be invited to
// g: outside a company-only group's domains, or off every mail.
func (h *handler) inviteAddresses(c *fiber.Ctx, g *groups.Group, addrs []string, rep *inviteReport) ([]*auth.User, error) {
	var people []*auth.User
	for _, addr := range addrs {
		if g.CompanyOnly() && !groups.DomainAllowed(g, []string{addr}) {
			rep.Skipped = append(rep.Skipped, inviteOutcome{addr, "not an address at " + strings.Join(g.Domains, ", ") + ", which this group is limited to"})
			continue
		}
		u, _, err := h.Users.Guest(c.UserContext(), addr, "")
		if errors.Is(err, auth.ErrBadAddress) {
			rep.Invalid = append(rep.Invalid, inviteOutcome{addr, "not an email address"})
			continue
		}
		if err != nil {
			return nil, err
		}
		if u.Mail.Off {
			rep.Skipped = append(rep.Skipped, inviteOutcome{addr, "has turned off all mail from focusgroups"})
			continue
		}
		people = append(people, u)
	}
	return people, nil
}

// groupInvite invites pasted addresses to the group: people with an
// account see it on their dashboard, everyone gets a mail, and addresses
// nobody holds yet become guests who join once they sign in with that
// address.
func (h *handler) groupInvite(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	text := c.FormValue("emails")
	if msg := valid.MultiLine("The list of addresses", text); msg != "" {
		return valid.Errors{"emails": msg}
	}
	addrs, invalid, err := splitAddresses(text)
	if err != nil {
		return err
	}
	rep := inviteReport{Invalid: invalid, Back: "/g/" + gv.Group.Slug + "/members", BackLabel: "Back to the members"}
	people, err := h.inviteAddresses(c, gv.Group, addrs, &rep)
	if err != nil {
		return err
	}
	actor := currentUser(c).ID
	for _, u := range people {
		addr := u.PrimaryEmail()
		st, err := h.Groups.Standing(c.UserContext(), gv.Group.ID, u.ID)
		if err != nil {
			return err
		}
		switch {
		case st.Role.IsMember():
			rep.Skipped = append(rep.Skipped, inviteOutcome{addr, "already a member"})
			continue
		case st.Invited:
			rep.Skipped = append(rep.Skipped, inviteOutcome{addr, "already invited"})
			continue
		}
		err = h.Groups.Invite(c.UserContext(), gv.Group.ID, actor, u.ID)
		if msg, refused := membershipMessage(err); refused {
			if errors.Is(err, groups.ErrBanned) {
				msg = "banned from this group"
			}
			rep.Skipped = append(rep.Skipped, inviteOutcome{addr, msg})
			continue
		}
		if err != nil {
			return err
		}
		rep.Sent = append(rep.Sent, inviteOutcome{Address: addr})
	}
	data := h.view(c, "Invitations to "+gv.Group.Name)
	data["Report"] = rep
	data["What"] = gv.Group.Name
	return c.Render("invited", data)
}

// sessionInvite invites pasted addresses to a session: each gets the
// announcement's mail with their personal Going / Not going links. People
// outside a group that not everyone may join get the group's invitation
// too, so answering Going makes them members.
func (h *handler) sessionInvite(c *fiber.Ctx) error {
	v, err := h.loadEventAsOrganizer(c)
	if err != nil {
		return err
	}
	text := c.FormValue("emails")
	if msg := valid.MultiLine("The list of addresses", text); msg != "" {
		return valid.Errors{"emails": msg}
	}
	addrs, invalid, err := splitAddresses(text)
	if err != nil {
		return err
	}
	rep := inviteReport{Invalid: invalid, Back: sessionPath(v.Event.ID), BackLabel: "Back to the session"}
	if v.Event.Status == events.StatusCancelled || !v.Event.End.After(h.Events.Now()) {
		return httpError(fiber.StatusUnprocessableEntity, "Nobody can come any more",
			"This session is cancelled or over, so there is nothing to invite people to.")
	}
	people, err := h.inviteAddresses(c, v.Group, addrs, &rep)
	if err != nil {
		return err
	}
	actor := currentUser(c).ID
	var invitable []*auth.User
	for _, u := range people {
		if !openPublic(v.Group) {
			err := h.Groups.Invite(c.UserContext(), v.Group.ID, actor, u.ID)
			if errors.Is(err, groups.ErrBanned) {
				rep.Skipped = append(rep.Skipped, inviteOutcome{u.PrimaryEmail(), "banned from this group"})
				continue
			}
			if err != nil && !errors.Is(err, groups.ErrAlreadyMember) {
				return err
			}
		}
		invitable = append(invitable, u)
	}
	sent, err := h.Notify.InviteTo(c.UserContext(), v.Event, v.Group, invitable)
	if err != nil {
		return err
	}
	for _, u := range invitable {
		if sent[u.ID] {
			rep.Sent = append(rep.Sent, inviteOutcome{Address: u.PrimaryEmail()})
		} else {
			rep.Skipped = append(rep.Skipped, inviteOutcome{u.PrimaryEmail(), "already invited to this session"})
		}
	}
	data := h.view(c, "Invitations to "+v.Event.Title)
	data["Report"] = rep
	data["What"] = v.Event.Title
	return c.Render("invited", data)
}
