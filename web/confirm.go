package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/groups"
)

// Confirming what cannot be undone.
//
// An action that cannot be undone (hand a group over, remove or ban a
// member, delete a group, cancel a series) is confirmed once, in two ways
// that post the same form:
//
//   - Without JavaScript its button posts without the confirmation field;
//     the action answers with a redirect to its GET …/confirm page
//     (needConfirm), which says in plain words what will happen and holds
//     the real form (renderConfirm, templates/confirm.html, the partial
//     partials/confirm_form): CSRF token, confirmed=yes, a danger button
//     and a way back.
//   - With JavaScript, web/static/app.js opens a native <dialog> for any
//     form carrying data-confirm (the question) and data-confirm-button
//     (the danger button's words), and adds confirmed=yes when the
//     organizer agrees.
//
// To protect another action: give its form those two data attributes,
// start its handler with `if !confirmed(c) { return needConfirm(c, url) }`
// and add a GET route that fills a confirmStep and calls renderConfirm.

// confirmField is the form field that says the visitor saw the
// consequence and agreed; its value is confirmYes.
const (
	confirmField = "confirmed"
	confirmYes   = "yes"
)

// confirmStep is what a confirm page says and posts.
type confirmStep struct {
	// Question is the page's heading ("Make Ada the owner?").
	Question string
	// Consequences say, in plain words, what will happen.
	Consequences []string
	// Action is the URL the real form posts to.
	Action string
	// Button is the danger button's words ("Yes, make Ada the owner").
	Button string
	// Final, when set, is said in bold last ("This cannot be undone.").
	Final string
	// Back is where "Keep things as they are" leads.
	Back string
	// TypeToConfirm, when set, is a word the visitor types into the
	// confirm field instead (deleting a group asks for its address).
	TypeToConfirm string
}

// confirmed reports whether a post carries the confirmation field.
func confirmed(c *fiber.Ctx) bool {
	return c.FormValue(confirmField) == confirmYes
}

// needConfirm sends a post that lacks its confirmation to the confirm
// page (303, so the browser GETs it).
func needConfirm(c *fiber.Ctx, confirmPath string) error {
	return c.Redirect(confirmPath, fiber.StatusSeeOther)
}

// renderConfirm shows the confirm page of step.
func (h *handler) renderConfirm(c *fiber.Ctx, title string, step confirmStep) error {
	data := h.view(c, title)
	data["Step"] = step
	return c.Render("confirm", data)
}

// groupDeleteConfirm asks the owner to type the group's address before
// deleting it.
func (h *handler) groupDeleteConfirm(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	if gv.Standing.Role != groups.RoleOwner {
		return forbidden("Only the owner can delete the group.")
	}
	slug := gv.Group.Slug
	return h.renderConfirm(c, "Delete "+gv.Group.Name+"?", confirmStep{
		Question: "Delete " + gv.Group.Name + "?",
		Consequences: []string{
			"The group, its members list, requests, invite links and sessions go for good.",
			"Everyone going to an upcoming session gets a cancellation by email.",
		},
		Action: "/g/" + slug + "/delete", Button: "Delete the group for good",
		Back: "/g/" + slug + "/edit", TypeToConfirm: slug, Final: "This cannot be undone.",
	})
}
