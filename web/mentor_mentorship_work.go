package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
)

// mentorshipGoalAdd puts a goal on a mentorship's shared checklist.
func (h *handler) mentorshipGoalAdd(c *fiber.Ctx) error {
	text := c.FormValue("goal")
	_, err := h.Mentors.AddGoal(c.UserContext(), currentUser(c).ID, c.Params("id"), text)
	return h.afterShipWrite(c, err, shipForm{Goal: text}, "#goals")
}

// mentorshipGoalChange ticks, unticks or removes a goal.
func (h *handler) mentorshipGoalChange(c *fiber.Ctx) error {
	err := h.Mentors.ChangeGoal(c.UserContext(), currentUser(c).ID, c.Params("id"), c.Params("goal"), mentors.GoalAction(c.Params("action")))
	if errors.Is(err, mentors.ErrWrongState) {
		return httpError(fiber.StatusNotFound, "Not found", "There is no such change to a goal.")
	}
	return h.afterShipWrite(c, err, shipForm{}, "#goals")
}

// mentorshipNoteAdd appends a note both people see.
func (h *handler) mentorshipNoteAdd(c *fiber.Ctx) error {
	text := c.FormValue("note")
	_, err := h.Mentors.AddNote(c.UserContext(), currentUser(c).ID, c.Params("id"), text)
	return h.afterShipWrite(c, err, shipForm{Note: text}, "#notes")
}

// afterShipWrite shows the mentorship page again with a form error, sends
// a refusal back as a flash message, or goes back to the page's section.
func (h *handler) afterShipWrite(c *fiber.Ctx, err error, form shipForm, section string) error {
	back := "/mentors/mentorships/" + c.Params("id")
	var ve valid.Errors
	switch {
	case errors.As(err, &ve):
		return h.renderMentorship(c, "mentors/mentorship", ve, form)
	case err != nil:
		return h.refuseOr(c, back+section, err, "")
	}
	return c.Redirect(back+section, fiber.StatusSeeOther)
}
