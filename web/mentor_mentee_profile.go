package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// menteeForm is the mentee profile form as typed.
type menteeForm struct {
	Goals, Path, WantSkills, MinYears string
	Languages, TimeZone, Hours        string
	Slots                             []string
}

func menteeFormOf(p match.MenteeProfile) menteeForm {
	f := menteeForm{
		Goals: p.Goals, Path: p.Path, WantSkills: skillLabels(p.WantSkills), Languages: languagesText(p.Languages),
		TimeZone: p.TimeZone, Hours: strconv.Itoa(p.Availability.HoursPerWeek), Slots: slotValues(p.Availability.Slots),
	}
	if p.MinYears > 0 {
		f.MinYears = strconv.Itoa(p.MinYears)
	}
	return f
}

func readMenteeForm(c *fiber.Ctx) menteeForm {
	return menteeForm{
		Goals: c.FormValue("goals"), Path: c.FormValue("path"), WantSkills: c.FormValue("want_skills"),
		MinYears: c.FormValue("min_years"), Languages: c.FormValue("languages"), TimeZone: c.FormValue("time_zone"),
		Hours: c.FormValue("hours_per_week"), Slots: formMulti(c, "slots"),
	}
}

func (f menteeForm) profile(userID string) (match.MenteeProfile, valid.Errors) {
	errs := valid.Errors{}
	p := match.MenteeProfile{
		UserID: userID, Goals: f.Goals, Path: f.Path, WantSkills: splitItems(f.WantSkills),
		MinYears: formInt(f.MinYears, "min_years", "the years of experience you ask for", errs), Languages: splitItems(f.Languages), TimeZone: f.TimeZone,
		Availability: match.Availability{HoursPerWeek: formInt(f.Hours, "hours_per_week", "the hours a week", errs), Slots: parseSlots(f.Slots, errs)},
	}
	return p, errs
}

// menteeProfilePage shows the mentee profile form.
func (h *handler) menteeProfilePage(c *fiber.Ctx) error {
	p, err := h.Mentors.MenteeProfile(c.UserContext(), currentUser(c).ID)
	switch {
	case errors.Is(err, mentors.ErrNotFound):
		return h.renderMenteeForm(c, false, menteeForm{TimeZone: userZone(c), Languages: "English"}, nil)
	case err != nil:
		return err
	}
	return h.renderMenteeForm(c, true, menteeFormOf(p), nil)
}

func (h *handler) renderMenteeForm(c *fiber.Ctx, stored bool, f menteeForm, fields valid.Errors) error {
	data := h.view(c, "Your mentee profile")
	data["Form"] = f
	data["Fields"] = formErrors(fields)
	data["Invalid"] = len(fields) > 0
	data["Stored"] = stored
	data["Zones"] = h.zones
	data["PathOptions"] = pathOptions(f.Path)
	data["SlotGrid"] = slotGrid(f.Slots)
	data["Next"] = profileNext(c)
	data["DayParts"] = dayParts
	return renderForm(c, "mentors/mentee_form", data, len(fields) > 0)
}

// menteeProfileSave validates and stores the mentee profile.
func (h *handler) menteeProfileSave(c *fiber.Ctx) error {
	u := currentUser(c)
	f := readMenteeForm(c)
	p, fields := f.profile(u.ID)
	_, storedErr := h.Mentors.MenteeProfile(c.UserContext(), u.ID)
	stored := storedErr == nil
	check := p
	if err := check.Normalize(); err != nil || len(fields) > 0 {
		return h.renderMenteeForm(c, stored, f, mergeErrors(fields, err))
	}
	_, err := h.Mentors.SaveMenteeProfile(c.UserContext(), p)
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderMenteeForm(c, stored, f, ve)
	}
	if err != nil {
		return err
	}
	h.syncSkills(c.UserContext(), u.ID)
	if next := profileNext(c); next != "" {
		return h.redirectWith(c, next, "ok", "Your mentee profile is saved. You can go on where you were.")
	}
	return h.redirectWith(c, "/mentors/suggestions", "ok", "Your mentee profile is saved. Here are the mentors who fit you best.")
}
