package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/careers"
	"github.com/focusgroups/focusgroups/internal/markdown"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// groupFormInput reads the group form.
func groupFormInput(c *fiber.Ctx) groups.Input {
	var paths []string
	for _, p := range c.Context().PostArgs().PeekMulti("paths") {
		paths = append(paths, string(p))
	}
	return groups.Input{
		Name:        c.FormValue("name"),
		Slug:        c.FormValue("slug"),
		Description: c.FormValue("description"),
		Topics:      groups.SplitList(c.FormValue("topics")),
		Paths:       paths,
		City:        c.FormValue("city"),
		Online:      c.FormValue("online") == "on",
		Cover:       c.FormValue("cover"),
		Visibility:  groups.Visibility(c.FormValue("visibility")),
		JoinPolicy:  groups.JoinPolicy(c.FormValue("join_policy")),
		Question:    c.FormValue("question"),
		Domains:     groups.SplitList(c.FormValue("domains")),
		// The form marks that it showed the box, so a post without it
		// (an older form) keeps guests welcome.
		NoGuests: c.FormValue("guests_shown") == "1" && c.FormValue("guests") != "on",
	}
}

// renderGroupForm shows the create or edit form, with field errors and the
// visitor's input kept.
func (h *handler) renderGroupForm(c *fiber.Ctx, gv *groupView, in groups.Input, fields valid.Errors) error {
	title := "Host a focus group"
	action := "/groups"
	if gv != nil {
		title = "Edit " + gv.Group.Name
		action = "/g/" + gv.Group.Slug + "/edit"
	}
	data := h.view(c, title)
	data["Form"] = in
	data["Fields"] = fields
	data["Action"] = action
	data["Editing"] = gv != nil
	if gv != nil {
		data["Group"] = gv.Group
		data["Owner"] = gv.Standing.Role == groups.RoleOwner
	}
	data["Careers"] = careers.Paths
	if c.FormValue("preview") != "" {
		data["Preview"] = markdown.HTML(in.Description)
	}
	// Suggestions for the topics field: the topics in use, most used first.
	topics, err := h.Groups.Topics(c.UserContext(), 60)
	if err != nil {
		return err
	}
	data["TopicSuggestions"] = topics
	return renderForm(c, "groups/form", data, len(fields) > 0)
}

// groupNew shows an empty form.
func (h *handler) groupNew(c *fiber.Ctx) error {
	return h.renderGroupForm(c, nil, groups.Input{Online: true, Cover: groups.DefaultCover}, nil)
}

// groupCreate makes the group with the visitor as owner.
func (h *handler) groupCreate(c *fiber.Ctx) error {
	in := groupFormInput(c)
	derived := in.Slug == ""
	if derived {
		in.Slug = groups.SuggestSlug(in.Name)
	}
	if c.FormValue("preview") != "" {
		return h.renderGroupForm(c, nil, in, nil)
	}
	g, err := h.Groups.Create(c.UserContext(), currentUser(c).ID, in)
	var fields valid.Errors
	if errors.As(err, &fields) {
		if derived && fields["name"] != "" {
			delete(fields, "slug") // the address comes from the name: its error says all
			in.Slug = ""
		}
		return h.renderGroupForm(c, nil, in, fields)
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+g.Slug, "ok", "Your group is live. Schedule its first session or invite people.")
}

// cancelGroupSessions cancels the upcoming sessions of a group about to be
// deleted, so everyone who RSVPed is told and no reminder goes out.
func (h *handler) cancelGroupSessions(c *fiber.Ctx, gv groupView) error {
	ctx := c.UserContext()
	upcoming, err := h.Events.GroupUpcoming(ctx, gv.Group.ID, 500)
	if err != nil {
		return err
	}
	actor := events.Actor{UserID: currentUser(c).ID, Organizer: true}
	for _, ev := range upcoming {
		if ev.Status == events.StatusCancelled {
			continue
		}
		if _, err := h.Events.Cancel(ctx, actor, ev.ID); err != nil {
			return err
		}
	}
	return nil
}

// groupEdit shows the settings form to organizers.
func (h *handler) groupEdit(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	return h.renderGroupForm(c, &gv, gv.Group.Input(), nil)
}

// groupUpdate saves the settings.
func (h *handler) groupUpdate(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	in := groupFormInput(c)
	if c.FormValue("preview") != "" {
		return h.renderGroupForm(c, &gv, in, nil)
	}
	g, err := h.Groups.Update(c.UserContext(), gv.Group.ID, currentUser(c).ID, in)
	var fields valid.Errors
	if errors.As(err, &fields) {
		return h.renderGroupForm(c, &gv, in, fields)
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+g.Slug, "ok", "Group settings saved.")
}

// groupDelete removes the group and everything it owned; the owner must
// type the group's address to confirm.
func (h *handler) groupDelete(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	if gv.Standing.Role != groups.RoleOwner {
		return forbidden("Only the owner can delete the group.")
	}
	if c.FormValue("confirm") != gv.Group.Slug {
		return h.redirectWith(c, "/g/"+gv.Group.Slug+"/delete/confirm", "error", "Type the group's address ("+gv.Group.Slug+") to confirm deleting it.")
	}
	if err := h.cancelGroupSessions(c, gv); err != nil {
		return err
	}
	if err := h.Groups.Delete(c.UserContext(), gv.Group.ID, currentUser(c).ID); err != nil {
		return err
	}
	return h.redirectWith(c, "/dashboard", "ok", gv.Group.Name+" was deleted.")
}
