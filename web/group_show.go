package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/careers"
	"github.com/focusgroups/focusgroups/internal/markdown"
)

// Person is how the pages show someone: name and avatar.
type Person struct {
	ID, Name, AvatarURL string
	Role                groups.Role
}

// people looks up the users behind ids in one round trip, keeping order.
func (h *handler) people(c *fiber.Ctx, ids []string) ([]Person, error) {
	users, err := h.Users.GetMany(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]Person, 0, len(ids))
	for _, id := range ids {
		if u, ok := users[id]; ok {
			out = append(out, personOf(u))
		}
	}
	return out, nil
}

func personOf(u *auth.User) Person {
	return Person{ID: u.ID, Name: u.Name, AvatarURL: u.AvatarURL}
}

// pathLabels turns career path slugs into their names.
func pathLabels(slugs []string) []string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = careers.Label(s)
	}
	return out
}

// groupShow is the group page: about, organizers, members, sessions and
// the one membership button this visitor can use.
func (h *handler) groupShow(c *fiber.Ctx) error {
	gv, err := h.loadGroup(c)
	if err != nil {
		return err
	}
	g := gv.Group
	ctx := c.UserContext()
	orgs, err := h.Groups.Organizers(ctx, g.ID)
	if err != nil {
		return err
	}
	orgIDs := make([]string, len(orgs))
	for i, m := range orgs {
		orgIDs[i] = m.UserID
	}
	organizers, err := h.people(c, orgIDs)
	if err != nil {
		return err
	}
	roles := make(map[string]groups.Role, len(orgs))
	for _, m := range orgs {
		roles[m.UserID] = m.Role
	}
	for i := range organizers {
		organizers[i].Role = roles[organizers[i].ID]
	}
	var emails []string
	if u := currentUser(c); u != nil {
		emails = u.VerifiedEmails()
	}
	data := h.view(c, g.Name)
	data["G"] = gv
	data["Group"] = g
	data["Card"] = groupCardOf(g)
	data["About"] = markdown.HTML(g.Description)
	data["PathLabels"] = pathLabels(g.Paths)
	data["Organizers"] = organizers
	data["Decision"] = groups.JoinDecision(g, gv.Standing, emails)
	if gv.Member() {
		members, total, err := h.Groups.Members(ctx, g.ID, 1, 24)
		if err != nil {
			return err
		}
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = m.UserID
		}
		if data["Members"], err = h.people(c, ids); err != nil {
			return err
		}
		data["MoreMembers"] = total > len(members)
	}
	if data["Upcoming"], data["Past"], err = h.groupSessionCards(c, g); err != nil {
		return err
	}
	if gv.Organizer() {
		pending, err := h.Groups.PendingRequests(ctx, g.ID, currentUser(c).ID)
		if err != nil {
			return err
		}
		data["PendingCount"] = len(pending)
	}
	return c.Render("groups/show", data)
}
