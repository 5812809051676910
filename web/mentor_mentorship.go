package web

import (
	"errors"
	"fmt"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/markdown"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
)

// shipForm is what a visitor typed into one of the mentorship page's
// forms, shown again with the field's error when it is refused.
type shipForm struct {
	Goal, Note string
	Reflection string
	Thanks     bool
	At         string // a meeting time typed in the viewer's zone
	Outside    bool   // "outside our usual times" ticked
}

// noteView is a note as the page shows it.
type noteView struct {
	mentors.Note
	Author Person
	HTML   template.HTML
}

// mentorshipShow shows a mentorship to its mentor or mentee: goals, notes
// and, at the bottom, the way to end it. Anyone else gets 404.
func (h *handler) mentorshipShow(c *fiber.Ctx) error {
	return h.renderMentorship(c, "mentors/mentorship", nil, shipForm{})
}

// loadMentorship reads a mentorship's page for its mentor or mentee in
// one pipeline once its two people are known; to anyone else it does not
// exist.
func (h *handler) loadMentorship(c *fiber.Ctx) (mentors.MentorshipPage, map[string]*auth.User, error) {
	u, ctx, id := currentUser(c), c.UserContext(), c.Params("id")
	who, err := h.Mentors.MentorshipParties(ctx, id)
	if err != nil {
		return mentors.MentorshipPage{}, nil, err
	}
	if u.ID != who.Mentor && u.ID != who.Mentee {
		return mentors.MentorshipPage{}, nil, fmt.Errorf("web: mentorship %s: %w", id, mentors.ErrNotFound)
	}
	p := h.Redis.Pipeline()
	getPage := h.Mentors.QueueMentorshipPage(ctx, p, who, id)
	people := []string{who.Mentor, who.Mentee}
	getUsers := h.Users.QueueGetMany(ctx, p, people)
	if err := runReads(ctx, p); err != nil {
		return mentors.MentorshipPage{}, nil, err
	}
	pg, err := getPage()
	if err != nil {
		return pg, nil, err
	}
	users, err := getUsers()
	if err != nil {
		return pg, nil, err
	}
	return pg, users, nil
}

func (h *handler) renderMentorship(c *fiber.Ctx, view string, fields valid.Errors, form shipForm) error {
	u := currentUser(c)
	pg, users, err := h.loadMentorship(c)
	if err != nil {
		return err
	}
	m := pg.Mentorship
	people := personMap(users, []string{m.MentorID, m.MenteeID})
	otherID := m.MenteeID
	if u.ID == m.MenteeID {
		otherID = m.MentorID
	}
	other := people[otherID]
	title := "Mentoring " + other.Name
	if u.ID == m.MenteeID {
		title = other.Name + ", your mentor"
	}
	if view != "mentors/mentorship" {
		title = "End the mentorship with " + other.Name
	}
	data := h.view(c, title)
	data["M"] = m
	data["Mentor"] = people[m.MentorID]
	data["Mentee"] = people[m.MenteeID]
	data["Other"] = other
	data["EndedBy"] = people[m.EndedBy]
	data["Running"] = m.Ended.IsZero()
	if ou, ok := users[otherID]; ok && m.Ended.IsZero() {
		// Both agreed to the mentorship, so each may write to the other.
		data["OtherEmail"] = ou.PrimaryEmail()
	}
	data["IsMentee"] = u.ID == m.MenteeID
	data["Goals"] = pg.Goals
	data["GoalsLeft"] = mentors.MaxGoals - len(pg.Goals)
	notes := make([]noteView, len(pg.Notes))
	for k, n := range pg.Notes {
		notes[k] = noteView{Note: n, Author: people[n.By], HTML: markdown.HTML(n.Text)}
	}
	data["Notes"] = notes
	// Without a zone of their own, the viewer's mentoring profile names one.
	myZone := pg.Times.MenteeZone
	if u.ID == m.MentorID {
		myZone = pg.Times.MentorZone
	}
	loc := zoneOr(c, myZone)
	data["Loc"] = loc
	meetingsData(data, pg, u.ID, loc, people, h.Mentors.Now())
	checkInsData(data, pg, u.ID, people)
	data["Fields"] = formErrors(fields)
	data["Form"] = form
	data["MaxGoalText"] = mentors.MaxGoalText
	data["MaxNoteText"] = mentors.MaxNoteText
	return renderForm(c, view, data, len(fields) > 0)
}

// mentorshipEndPage asks to confirm ending a mentorship, with an optional
// reflection and, for the mentee, an optional thank-you.
func (h *handler) mentorshipEndPage(c *fiber.Ctx) error {
	return h.renderMentorship(c, "mentors/mentorship_end", nil, shipForm{})
}

// mentorshipEnd ends a mentorship on behalf of either side, with an
// optional reflection and the mentee's optional thank-you.
func (h *handler) mentorshipEnd(c *fiber.Ctx) error {
	id := c.Params("id")
	form := shipForm{Reflection: c.FormValue("feedback"), Thanks: c.FormValue("thanks") == "yes"}
	_, err := h.Mentors.End(c.UserContext(), currentUser(c).ID, id, mentors.Ending{Reflection: form.Reflection, Thanks: form.Thanks})
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderMentorship(c, "mentors/mentorship_end", ve, form)
	}
	if err != nil {
		return h.refuseOr(c, "/mentors/mentorships/"+id, notAParty(err), "")
	}
	msg := "The mentorship has ended. Thank you for the time you gave it."
	if form.Thanks {
		msg = "The mentorship has ended, and your thank-you is on its way."
	}
	return h.redirectWith(c, "/mentors", "ok", msg)
}

// notAParty turns the refusal of someone outside a mentorship into "not
// found": they learn nothing about it.
func notAParty(err error) error {
	if errors.Is(err, mentors.ErrForbidden) {
		return fmt.Errorf("%w (%w)", mentors.ErrNotFound, err)
	}
	return err
}
