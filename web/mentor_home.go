package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/mentors/match"
)

// mentorHome is the mentoring landing page: become a mentor, find a
// mentor, the state of both profiles and everything in progress. After
// the session it reads the lists in one round trip and what is on them
// in another (a request's mentee this process has not seen yet needs a
// third).
func (h *handler) mentorHome(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	first := h.Redis.Pipeline()
	mentoring := h.Mentors.QueueMentoring(ctx, first, u.ID)
	lists := h.Groups.QueueUserLists(ctx, first, u.ID)
	if err := runReads(ctx, first); err != nil {
		return err
	}
	second := h.Redis.Pipeline()
	getMentoring, err := h.queueMentorSummary(c, second, mentoring)
	if err != nil {
		return err
	}
	getLists, err := lists.QueueGroups(ctx, second)
	if err != nil {
		return err
	}
	if err := runReads(ctx, second); err != nil {
		return err
	}
	summary, r, err := getMentoring()
	if err != nil {
		return err
	}
	gl, err := getLists()
	if err != nil {
		return err
	}
	data := h.view(c, "Mentoring")
	data["Mentoring"] = summary
	if mp := r.MentorProfile; mp != nil {
		data["Mentor"] = *mp
		data["MentorSkills"] = skillsWords(mp.Skills)
		data["MentorPaths"] = pathNames(mp.Paths)
	}
	if ep := r.MenteeProfile; ep != nil {
		data["Mentee"] = *ep
		data["MenteeAim"] = menteeAim(*ep)
	}
	data["MyGroups"] = gl.Groups
	return c.Render("mentors/home", data)
}

// skillsWords writes skills with levels for people: "Go (4/5), Kubernetes (3/5)".
func skillsWords(skills []match.Skill) string {
	var b strings.Builder
	b.Grow(16 * len(skills))
	for i, s := range skills {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(match.SkillLabel(s.Name))
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(s.Level))
		b.WriteString("/5)")
	}
	return b.String()
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
