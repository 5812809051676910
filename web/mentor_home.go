package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// mentorHome is the mentoring landing page: become a mentor, find a
// mentor, the state of both profiles and everything in progress.
func (h *handler) mentorHome(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	data := h.view(c, "Mentoring")
	summary, err := h.mentorSummary(c, u.ID)
	if err != nil {
		return err
	}
	data["Mentoring"] = summary
	mp, err := h.Mentors.MentorProfile(ctx, u.ID)
	switch {
	case err == nil:
		data["Mentor"] = mp
		data["MentorSkills"] = skillsWords(mp.Skills)
		data["MentorPaths"] = pathNames(mp.Paths)
	case !errors.Is(err, mentors.ErrNotFound):
		return err
	}
	ep, err := h.Mentors.MenteeProfile(ctx, u.ID)
	switch {
	case err == nil:
		data["Mentee"] = ep
		data["MenteeAim"] = menteeAim(ep)
	case !errors.Is(err, mentors.ErrNotFound):
		return err
	}
	if data["MyGroups"], err = h.Groups.UserGroups(ctx, u.ID); err != nil {
		return err
	}
	return c.Render("mentors/home", data)
}

// skillsWords writes skills with levels for people: "Go (4/5), Kubernetes (3/5)".
func skillsWords(skills []match.Skill) string {
	out := ""
	for i, s := range skills {
		if i > 0 {
			out += ", "
		}
		out += match.SkillLabel(s.Name) + " (" + strconv.Itoa(s.Level) + "/5)"
	}
	return out
}

// menteeAim says in words what a mentee looks for.
func menteeAim(p match.MenteeProfile) string {
	s := ""
	if p.Path != "" {
		s = "heading for " + match.PathLabel(p.Path)
	}
	if len(p.WantSkills) > 0 {
		if s != "" {
			s += "; "
		}
		s += "wants to learn " + skillLabels(p.WantSkills)
	}
	return s
}
