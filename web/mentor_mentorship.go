package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/valid"
)

// mentorshipShow shows a mentorship to its mentor or mentee, with the form
// to end it; anyone else gets 403.
func (h *handler) mentorshipShow(c *fiber.Ctx) error {
	return h.renderMentorship(c, nil, "")
}

func (h *handler) renderMentorship(c *fiber.Ctx, fields valid.Errors, feedback string) error {
	u := currentUser(c)
	m, err := h.Mentors.Mentorship(c.UserContext(), u.ID, c.Params("id"))
	if err != nil {
		return err
	}
	ids := []string{m.MentorID, m.MenteeID}
	if m.EndedBy != "" {
		ids = append(ids, m.EndedBy)
	}
	people, err := h.peopleByID(c, ids)
	if err != nil {
		return err
	}
	other := people[m.MenteeID]
	title := "Mentoring " + other.Name
	if u.ID == m.MenteeID {
		other = people[m.MentorID]
		title = other.Name + ", your mentor"
	}
	data := h.view(c, title)
	data["M"] = m
	data["Mentor"] = people[m.MentorID]
	data["Mentee"] = people[m.MenteeID]
	data["Other"] = other
	data["EndedBy"] = people[m.EndedBy]
	data["Running"] = m.Ended.IsZero()
	if data["Running"] == true {
		// Both agreed to the mentorship, so each may write to the other.
		if ou, err := h.Users.Get(c.UserContext(), other.ID); err == nil {
			data["OtherEmail"] = ou.PrimaryEmail()
		}
	}
	data["Fields"] = formErrors(fields)
	data["Feedback"] = feedback
	return renderForm(c, "mentors/mentorship", data, len(fields) > 0)
}

// mentorshipEnd lets either side end a mentorship, with optional feedback.
func (h *handler) mentorshipEnd(c *fiber.Ctx) error {
	id := c.Params("id")
	feedback := c.FormValue("feedback")
	_, err := h.Mentors.EndMentorship(c.UserContext(), currentUser(c).ID, id, feedback)
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderMentorship(c, ve, feedback)
	}
	if err != nil {
		return h.refuseOr(c, "/mentors/mentorships/"+id, err, "")
	}
	return h.redirectWith(c, "/mentors", "ok", "The mentorship has ended. Thank you for the time you gave it.")
}
