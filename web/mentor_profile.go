package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// mentorForm is the mentor profile form as typed, so a rejected form comes
// back exactly as it was sent.
type mentorForm struct {
	Skills, Languages, TimeZone, PreferPath string
	Years, Hours, Capacity, Bio             string
	Paths, Slots                            []string
	AvailableNow                            bool
}

func mentorFormOf(p match.MentorProfile) mentorForm {
	return mentorForm{
		Skills: skillsText(p.Skills), Languages: languagesText(p.Languages), TimeZone: p.TimeZone,
		PreferPath: p.PreferPath, Years: strconv.Itoa(p.Years), Hours: strconv.Itoa(p.Availability.HoursPerWeek),
		Capacity: strconv.Itoa(p.Capacity), Bio: p.Bio, Paths: p.Paths, Slots: slotValues(p.Availability.Slots),
		AvailableNow: p.AvailableNow,
	}
}

func readMentorForm(c *fiber.Ctx) mentorForm {
	return mentorForm{
		Skills: c.FormValue("skills"), Languages: c.FormValue("languages"), TimeZone: c.FormValue("time_zone"),
		PreferPath: c.FormValue("prefer_path"), Years: c.FormValue("years"), Hours: c.FormValue("hours_per_week"),
		Capacity: c.FormValue("capacity"), Bio: c.FormValue("bio"), Paths: formMulti(c, "paths"),
		Slots: formMulti(c, "slots"), AvailableNow: c.FormValue("available_now") == "on",
	}
}

// profile turns the form into a profile, with the messages of what could
// not be read.
func (f mentorForm) profile(userID string) (match.MentorProfile, valid.Errors) {
	errs := valid.Errors{}
	p := match.MentorProfile{
		UserID: userID, Skills: parseSkills(f.Skills, errs), Paths: f.Paths, PreferPath: f.PreferPath,
		Years: formInt(f.Years, "years", "your years of experience", errs), Languages: splitItems(f.Languages), TimeZone: f.TimeZone,
		Availability: match.Availability{HoursPerWeek: formInt(f.Hours, "hours_per_week", "the hours a week", errs), Slots: parseSlots(f.Slots, errs)},
		Capacity:     formInt(f.Capacity, "capacity", "how many mentees you take", errs), Bio: f.Bio, AvailableNow: f.AvailableNow,
	}
	return p, errs
}

// mentorProfilePage shows the mentor profile form, filled from the stored
// profile if there is one.
func (h *handler) mentorProfilePage(c *fiber.Ctx) error {
	p, err := h.Mentors.MentorProfile(c.UserContext(), currentUser(c).ID)
	switch {
	case errors.Is(err, mentors.ErrNotFound):
		return h.renderMentorForm(c, nil, mentorForm{TimeZone: userZone(c), Capacity: "1", Languages: "English"}, nil)
	case err != nil:
		return err
	}
	return h.renderMentorForm(c, &p, mentorFormOf(p), nil)
}

func (h *handler) renderMentorForm(c *fiber.Ctx, stored *match.MentorProfile, f mentorForm, fields valid.Errors) error {
	data := h.view(c, "Your mentor profile")
	data["Form"] = f
	data["Fields"] = formErrors(fields)
	data["Invalid"] = len(fields) > 0
	data["Stored"] = stored
	data["Zones"] = h.zones
	data["PathOptions"] = pathOptions(f.Paths...)
	data["PreferOptions"] = pathOptions(f.PreferPath)
	data["SlotGrid"] = slotGrid(f.Slots)
	data["Next"] = profileNext(c)
	data["DayParts"] = dayParts
	data["MaxCapacity"] = match.MaxCapacity
	return renderForm(c, "mentors/mentor_form", data, len(fields) > 0)
}

// mentorProfileSave validates and stores the mentor profile.
func (h *handler) mentorProfileSave(c *fiber.Ctx) error {
	u := currentUser(c)
	f := readMentorForm(c)
	p, fields := f.profile(u.ID)
	check := p
	if err := check.Normalize(); err != nil || len(fields) > 0 {
		return h.renderMentorForm(c, h.storedMentor(c), f, mergeErrors(fields, err))
	}
	_, err := h.Mentors.SaveMentorProfile(c.UserContext(), p)
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderMentorForm(c, h.storedMentor(c), f, ve)
	}
	if err != nil {
		return err
	}
	h.syncSkills(c.UserContext(), u.ID)
	msg := "Your mentor profile is saved. Mentees who fit can now find you."
	if p.Capacity == 0 {
		msg = "Your mentor profile is saved. With 0 mentees at once, you are not suggested to anyone."
	}
	if next := profileNext(c); next != "" {
		return h.redirectWith(c, next, "ok", msg+" You can go on where you were.")
	}
	return h.redirectWith(c, "/mentors/profile/mentor", "ok", msg)
}

// profileNext is where a profile form goes back to once saved: a round or
// mentoring page the visitor came from (the next field or query), or "".
func profileNext(c *fiber.Ctx) string {
	next := safeNext(c.FormValue("next", c.Query("next")))
	if strings.HasPrefix(next, "/g/") || strings.HasPrefix(next, "/mentors") {
		return next
	}
	return ""
}

// storedMentor is the visitor's stored mentor profile, or nil.
func (h *handler) storedMentor(c *fiber.Ctx) *match.MentorProfile {
	p, err := h.Mentors.MentorProfile(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return nil
	}
	return &p
}

// mentorPause pauses or resumes taking new mentees.
func (h *handler) mentorPause(c *fiber.Ctx) error {
	paused := c.FormValue("paused") == "1"
	err := h.Mentors.SetPaused(c.UserContext(), currentUser(c).ID, paused, c.FormValue("reason"))
	if errors.Is(err, mentors.ErrNotFound) {
		return h.redirectWith(c, "/mentors/profile/mentor", "error", "Save your mentor profile first.")
	}
	if err != nil {
		return err
	}
	if paused {
		return h.redirectWith(c, "/mentors/profile/mentor", "ok", "You are paused: nobody is suggested you and nobody can ask you until you resume. Your mentees stay with you.")
	}
	return h.redirectWith(c, "/mentors/profile/mentor", "ok", "Welcome back: mentees can find and ask you again.")
}
