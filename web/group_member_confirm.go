package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
)

// memberActionsToConfirm are the member actions that cannot be undone,
// each confirmed on its own page or dialog first (see confirm.go).
var memberActionsToConfirm = map[string]bool{"transfer": true, "remove": true, "ban": true}

// memberConfirmPath is the confirm page of a member action.
func memberConfirmPath(slug, uid, action string) string {
	return "/g/" + slug + "/members/" + uid + "/" + action + "/confirm"
}

// groupMemberConfirm shows what making someone the owner, removing or
// banning them will do, with the form that does it. It reads the group,
// the visitor's standing, the member and their standing in one round trip.
func (h *handler) groupMemberConfirm(c *fiber.Ctx) error {
	action, uid := c.Params("action"), c.Params("uid")
	if !memberActionsToConfirm[action] {
		return notFound()
	}
	ctx := c.UserContext()
	var (
		getUser     func() (map[string]*auth.User, error)
		getStanding func() (groups.Standing, error)
	)
	gv, err := h.readGroupBySlug(c, func(p redis.Pipeliner, id, _ string) {
		getUser = h.Users.QueueGetMany(ctx, p, []string{uid})
		getStanding = h.Groups.QueueStanding(ctx, p, id, uid)
	})
	if currentUser(c) == nil {
		return h.requireUser(c)
	}
	if err != nil {
		return err
	}
	if !gv.Organizer() || (action == "transfer" && gv.Standing.Role != groups.RoleOwner) {
		return forbidden("Only the group's organizers can do that; only the owner can hand the group over.")
	}
	users, err := getUser()
	if err != nil {
		return err
	}
	st, err := getStanding()
	if err != nil {
		return err
	}
	u, ok := users[uid]
	if !ok || !st.Role.IsMember() || uid == currentUser(c).ID {
		return httpError(fiber.StatusNotFound, "Not a member", "That person is not a member of "+gv.Group.Name+" any more, so there is nothing to confirm.")
	}
	name, group := u.Name, gv.Group.Name
	back := "/g/" + gv.Group.Slug + "/members"
	step := confirmStep{Action: "/g/" + gv.Group.Slug + "/members/" + uid + "/" + action, Back: back}
	switch action {
	case "transfer":
		step.Question = "Make " + name + " the owner of " + group + "?"
		step.Consequences = []string{
			name + " will own the group: they can edit it, delete it and change anyone's role.",
			"You will become a co-organizer. Only " + name + " can make you the owner again.",
		}
		step.Button, step.Final = "Yes, make "+name+" the owner", "You cannot undo this yourself."
	case "remove":
		step.Question = "Remove " + name + " from " + group + "?"
		step.Consequences = []string{
			name + " leaves the group and gives up their seats at its upcoming sessions; the next people on the waitlists get them.",
			"They can ask to join again later, but their seats and role do not come back.",
		}
		step.Button, step.Final = "Yes, remove "+name, "This cannot be undone."
	case "ban":
		step.Question = "Ban " + name + " from " + group + "?"
		step.Consequences = []string{
			name + " leaves the group, gives up their seats at its upcoming sessions and cannot join or apply again.",
			"You can lift the ban later on the members page, but their seats and role do not come back.",
		}
		step.Button = "Yes, ban " + name
	}
	return h.renderConfirm(c, step.Question, step)
}
