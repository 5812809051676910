package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

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

// readInviteList reads the addresses of an invitation form: the pasted
// list, or an uploaded CSV file (a header row with an "email" column and
// an optional "name" column), whose names name the guests it makes.
func readInviteList(c *fiber.Ctx) (addrs []string, names map[string]string, invalid []inviteOutcome, err error) {
	if fh, ferr := c.FormFile("csv"); ferr == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return nil, nil, nil, err
		}
		defer f.Close()
		raw, err := io.ReadAll(io.LimitReader(f, MaxBodySize+1))
		if err != nil {
			return nil, nil, nil, err
		}
		return readInviteCSV(raw)
	}
	text := c.FormValue("emails")
	if msg := valid.MultiLine("The list of addresses", text); msg != "" {
		return nil, nil, nil, valid.Errors{"emails": msg}
	}
	addrs, invalid, err = splitAddresses(text)
	return addrs, nil, invalid, err
}

// readInviteCSV reads an uploaded list: UTF-8, a header row naming an
// "email" column (and maybe "name"), at most 500 rows.
func readInviteCSV(raw []byte) (addrs []string, names map[string]string, invalid []inviteOutcome, err error) {
	bad := func(msg string) error {
		return httpError(fiber.StatusUnprocessableEntity, "That file does not work", msg)
	}
	if !utf8.Valid(raw) {
		return nil, nil, nil, bad("The file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again.")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, nil, nil, bad("The file is not valid CSV: " + err.Error() + ".")
	}
	if len(rows) < 2 {
		return nil, nil, nil, bad("The file has no addresses: give a header row (email, and name if you like) and one row per person.")
	}
	if len(rows)-1 > maxInvites {
		return nil, nil, nil, bad("The file lists more than 500 people: split it and upload the rest after.")
	}
	emailCol, nameCol := -1, -1
	for i, h := range rows[0] {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "email", "e-mail", "email address":
			emailCol = i
		case "name":
			nameCol = i
		}
	}
	if emailCol < 0 {
		return nil, nil, nil, bad("The first row must name the columns, with one called \"email\" (and one called \"name\" if you like).")
	}
	var text strings.Builder
	names = map[string]string{}
	for _, row := range rows[1:] {
		if emailCol >= len(row) {
			continue
		}
		text.WriteString(row[emailCol] + "\n")
		if nameCol >= 0 && nameCol < len(row) && valid.Line("", row[nameCol]) == "" {
			if addr, err := auth.CheckAddress(row[emailCol]); err == nil {
				names[addr] = strings.TrimSpace(row[nameCol])
			}
		}
	}
	addrs, invalid, err = splitAddresses(text.String())
	return addrs, names, invalid, err
}

// inviteAddresses finds or makes the person behind each address (a guest
// when nobody holds it yet) and sorts out those who cannot be invited to
// g: outside a company-only group's domains, or off every mail.
func (h *handler) inviteAddresses(c *fiber.Ctx, g *groups.Group, addrs []string, names map[string]string, rep *inviteReport) ([]*auth.User, error) {
	var people []*auth.User
	for _, addr := range addrs {
		if g.CompanyOnly() && !groups.DomainAllowed(g, []string{addr}) {
			rep.Skipped = append(rep.Skipped, inviteOutcome{addr, "not an address at " + strings.Join(g.Domains, ", ") + ", which this group is limited to"})
			continue
		}
		u, _, err := h.Users.Guest(c.UserContext(), addr, names[addr])
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

// standings reads where each of people stands in group gid, in one
// round trip.
func (h *handler) standings(c *fiber.Ctx, gid string, people []*auth.User) (map[string]groups.Standing, error) {
	p := h.Redis.Pipeline()
	reads := make([]func() (groups.Standing, error), len(people))
	for i, u := range people {
		reads[i] = h.Groups.QueueStanding(c.UserContext(), p, gid, u.ID)
	}
	if err := runReads(c.UserContext(), p); err != nil {
		return nil, err
	}
	out := make(map[string]groups.Standing, len(people))
	for i, read := range reads {
		st, err := read()
		if err != nil {
			return nil, err
		}
		out[people[i].ID] = st
	}
	return out, nil
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
	addrs, names, invalid, err := readInviteList(c)
	if err != nil {
		return err
	}
	rep := inviteReport{Invalid: invalid, Back: "/g/" + gv.Group.Slug + "/members", BackLabel: "Back to the members"}
	people, err := h.inviteAddresses(c, gv.Group, addrs, names, &rep)
	if err != nil {
		return err
	}
	actor := currentUser(c).ID
	stands, err := h.standings(c, gv.Group.ID, people)
	if err != nil {
		return err
	}
	for _, u := range people {
		addr := u.PrimaryEmail()
		switch st := stands[u.ID]; {
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
	addrs, names, invalid, err := readInviteList(c)
	if err != nil {
		return err
	}
	rep := inviteReport{Invalid: invalid, Back: sessionPath(v.Event.ID), BackLabel: "Back to the session"}
	if v.Event.Status == events.StatusCancelled || !v.Event.End.After(h.Events.Now()) {
		return httpError(fiber.StatusUnprocessableEntity, "Nobody can come any more",
			"This session is cancelled or over, so there is nothing to invite people to.")
	}
	people, err := h.inviteAddresses(c, v.Group, addrs, names, &rep)
	if err != nil {
		return err
	}
	actor := currentUser(c).ID
	stands, err := h.standings(c, v.Group.ID, people)
	if err != nil {
		return err
	}
	var invitable []*auth.User
	for _, u := range people {
		switch st := stands[u.ID]; {
		case st.Banned:
			rep.Skipped = append(rep.Skipped, inviteOutcome{u.PrimaryEmail(), "banned from this group"})
			continue
		case !openPublic(v.Group) && !st.Role.IsMember() && !st.Invited:
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
