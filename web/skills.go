package web

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/mentors/match"
	"github.com/focusgroups/focusgroups/skills"
)

// skillRoutes mounts a person's skills and the groups' skill maps.
func (h *handler) skillRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Get("/skills", signedIn, h.mySkills)
	app.Get("/skills/record", h.requireClaim, h.learningRecordPage)
	app.Get("/skills/record.json", h.requireClaim, h.learningRecordJSON)
	app.Get("/skills/record.csv", h.requireClaim, h.learningRecordCSV)
	app.Post("/skills/record/visibility", signedIn, h.learningRecordVisibility)
	app.Post("/skills", signedIn, h.mySkillsSave)
	app.Get("/g/:slug/skills", h.requireClaim, h.groupSkills)
	app.Post("/g/:slug/skills/propose", signedIn, h.groupSkillPropose)
	app.Post("/g/:slug/skills/ask", signedIn, h.limitByUser("skill-ask", skillAskLimit), h.groupSkillAsk)
}

// skillAskLimit bounds the "would you lead a session?" mails one
// organizer sends.
var skillAskLimit = ratelimit.Limit{Max: 20, Per: time.Hour}

// skillsForm is the "what I can share and want to learn" form as typed.
type skillsForm struct {
	Teach, Learn, Path string
}

// mySkills shows the viewer's skills form, with what their mentoring
// profiles already add.
func (h *handler) mySkills(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	p := h.Redis.Pipeline()
	own := h.Skills.QueueOwn(ctx, p, u.ID)
	if err := runReads(ctx, p); err != nil {
		return err
	}
	mine, err := own()
	if err != nil {
		return err
	}
	return h.renderMySkills(c, skillsForm{Teach: skills.TeachText(mine.Teach), Learn: skills.LearnText(mine.Learn), Path: mine.Path}, nil)
}

func (h *handler) renderMySkills(c *fiber.Ctx, f skillsForm, fields valid.Errors) error {
	eff, err := h.SkillSync.Effective(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	data := h.view(c, "What you can share and want to learn")
	data["Form"] = f
	data["Fields"] = formErrors(fields)
	data["PathOptions"] = pathOptions(f.Path)
	data["AllTeach"] = skills.TeachText(eff.Teach)
	data["AllLearn"] = skills.LearnText(eff.Learn)
	if eff.Path != "" {
		data["PathSlug"], data["PathLabel"] = eff.Path, match.PathLabel(eff.Path)
	}
	return renderForm(c, "skills", data, len(fields) > 0)
}

// mySkillsSave stores the viewer's skills and path and applies them to
// the maps of their groups.
func (h *handler) mySkillsSave(c *fiber.Ctx) error {
	f := skillsForm{Teach: c.FormValue("teach"), Learn: c.FormValue("learn"), Path: strings.TrimSpace(c.FormValue("path"))}
	errs := valid.Errors{}
	errs.Add("teach", valid.Line("The skills you can share", f.Teach))
	errs.Add("learn", valid.Line("The skills you want to learn", f.Learn))
	p := skills.Profile{Teach: skills.ParseTeach(f.Teach, errs, "teach"), Learn: skills.ParseLearn(f.Learn, errs, "learn")}
	if f.Path != "" {
		path, ok := match.NormalizePath(f.Path)
		if !ok {
			errs.Add("path", "Choose a path from the list.")
		}
		p.Path = path
	}
	if len(errs) > 0 {
		return h.renderMySkills(c, f, errs)
	}
	ctx := c.UserContext()
	u := currentUser(c)
	if err := h.Skills.Save(ctx, u.ID, p); err != nil {
		return err
	}
	if err := h.SkillSync.UserChanged(ctx, u.ID); err != nil {
		return err
	}
	return h.redirectWith(c, "/skills", "ok", "Saved. Your groups' skill maps show it now.")
}

// syncSkills applies a person's changed mentoring profile to their
// groups' maps; a failure is logged, since the profile itself is saved.
func (h *handler) syncSkills(ctx context.Context, uid string) {
	if err := h.SkillSync.UserChanged(ctx, uid); err != nil {
		h.Logger.Error("skills: sync after a profile change", "err", err)
	}
}

// wantedRow is a wanted skill as the map shows it.
type wantedRow struct {
	Skill, Label string
	Learners     int
	Teachers     []teacherRow
}

// teacherRow is someone who can teach a wanted skill.
type teacherRow struct {
	Person
	Level int
}

// pathRow is a career path members of a group aim for.
type pathRow struct {
	Slug, Label string
	Members     int
}

// offeredRow is a skill on offer nobody asked for yet.
type offeredRow struct {
	Label    string
	Teachers int
}

// skillMapWanted and skillMapTeachers bound the map page.
const (
	skillMapWanted   = 15
	skillMapTeachers = 5
)

// groupSkills is a group's skill map (members only): the most wanted
// skills with how many want them and who can teach each, and what is on
// offer that nobody asked for yet. The session, the group, the viewer's
// standing and the ranked skills come in one round trip, the teachers in
// a second, their names in a third.
func (h *handler) groupSkills(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var read *skills.MapRead
	gv, err := h.readGroupBySlug(c, func(p redis.Pipeliner, id, _ string) {
		read = h.Skills.QueueMap(ctx, p, id, skillMapWanted, skillMapTeachers)
	})
	if currentUser(c) == nil {
		return h.requireUser(c)
	}
	if err != nil {
		return err
	}
	if !gv.Member() {
		return membersOnly(gv.Group.Name)
	}
	p := h.Redis.Pipeline()
	getMap, err := read.QueueTeachers(ctx, p)
	if err != nil {
		return err
	}
	if err := runReads(ctx, p); err != nil {
		return err
	}
	m, err := getMap()
	if err != nil {
		return err
	}
	var people []string
	for _, w := range m.Wanted {
		for _, t := range w.Teachers {
			people = append(people, t.UserID)
		}
	}
	names, err := h.peopleByID(c, people)
	if err != nil {
		return err
	}
	wanted := make([]wantedRow, len(m.Wanted))
	for i, w := range m.Wanted {
		wanted[i] = wantedRow{Skill: w.Skill, Label: match.SkillLabel(w.Skill), Learners: w.Learners}
		for _, t := range w.Teachers {
			wanted[i].Teachers = append(wanted[i].Teachers, teacherRow{Person: names[t.UserID], Level: t.Level})
		}
	}
	offered := make([]offeredRow, len(m.Offered))
	for i, o := range m.Offered {
		offered[i] = offeredRow{Label: match.SkillLabel(o.Skill), Teachers: o.Teachers}
	}
	var paths []pathRow
	for _, pc := range m.Paths {
		paths = append(paths, pathRow{Slug: pc.Path, Label: match.PathLabel(pc.Path), Members: pc.Members})
	}
	data := h.view(c, "Skill map of "+gv.Group.Name)
	data["Paths"] = paths
	data["Group"] = gv.Group
	data["Organizer"] = gv.Organizer()
	data["Wanted"] = wanted
	data["Offered"] = offered
	return c.Render("groups/skills", data)
}

// skillFromForm reads the skill an organizer acts on and checks that the
// group's members want it.
func (h *handler) skillFromForm(c *fiber.Ctx, gv groupView) (skills.Wanted, error) {
	skill, ok := match.NormalizeSkill(c.FormValue("skill"))
	if !ok {
		return skills.Wanted{}, httpError(fiber.StatusUnprocessableEntity, "Which skill?", "The form did not name a skill. Go back to the skill map and use its buttons.")
	}
	ctx := c.UserContext()
	p := h.Redis.Pipeline()
	read := h.Skills.QueueMap(ctx, p, gv.Group.ID, skillMapWanted, skillMapTeachers)
	if err := runReads(ctx, p); err != nil {
		return skills.Wanted{}, err
	}
	p = h.Redis.Pipeline()
	getMap, err := read.QueueTeachers(ctx, p)
	if err != nil {
		return skills.Wanted{}, err
	}
	if err := runReads(ctx, p); err != nil {
		return skills.Wanted{}, err
	}
	m, err := getMap()
	if err != nil {
		return skills.Wanted{}, err
	}
	for _, w := range m.Wanted {
		if w.Skill == skill {
			return w, nil
		}
	}
	return skills.Wanted{}, httpError(fiber.StatusUnprocessableEntity, "Nobody here asked for that skill",
		"The skill map no longer lists "+match.SkillLabel(skill)+" among the most wanted. Reload it and pick another.")
}

// groupSkillPropose turns a wanted skill into a topic proposal in one
// step (organizers only): members then upvote it and an organizer
// schedules it as usual.
func (h *handler) groupSkillPropose(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	w, err := h.skillFromForm(c, gv)
	if err != nil {
		return err
	}
	label := match.SkillLabel(w.Skill)
	want := " want to learn "
	if w.Learners == 1 {
		want = " wants to learn "
	}
	details := plural(w.Learners, "member") + " of " + gv.Group.Name + want + label + "."
	if len(w.Teachers) > 0 {
		names, err := h.peopleByID(c, []string{w.Teachers[0].UserID})
		if err != nil {
			return err
		}
		details += " " + names[w.Teachers[0].UserID].Name + " can teach it (" + strconv.Itoa(w.Teachers[0].Level) + "/5)."
	}
	_, err = h.Events.Propose(c.UserContext(), gv.Group.ID, currentUser(c).ID,
		events.ProposalInput{Title: "Learning " + label, Details: details, Kind: string(events.ProposalLearn), Skills: []string{w.Skill}})
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug+"/proposals", "ok", "Proposed: members can now upvote it, and you can schedule it from here.")
}

// groupSkillAsk mails a member who can teach a wanted skill, asking them
// to lead a session (organizers only).
func (h *handler) groupSkillAsk(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	w, err := h.skillFromForm(c, gv)
	if err != nil {
		return err
	}
	teacher := c.FormValue("teacher")
	level := 0
	for _, t := range w.Teachers {
		if t.UserID == teacher {
			level = t.Level
		}
	}
	if level == 0 {
		return httpError(fiber.StatusUnprocessableEntity, "Not among the teachers", "Ask one of the people the skill map lists for that skill.")
	}
	ctx := c.UserContext()
	u, err := h.Users.Get(ctx, teacher)
	if err != nil {
		return notFound()
	}
	addr := u.PrimaryEmail()
	if addr == "" || u.Mail.Off {
		return h.redirectWith(c, "/g/"+gv.Group.Slug+"/skills", "error", u.Name+" does not get mail from us. Ask them at your next session.")
	}
	me := currentUser(c)
	label := match.SkillLabel(w.Skill)
	_, err = h.Mail.Enqueue(ctx, mail.Message{Kind: mail.KindGeneric, To: addr, ToName: u.Name,
		UnsubscribeURL: h.absURL("/profile"),
		IdempotencyKey: "skill-ask:" + gv.Group.ID + ":" + w.Skill + ":" + teacher + ":" + h.Events.Now().UTC().Format("20060102"),
		Data: map[string]any{
			"Subject": plural(w.Learners, "member") + " of " + gv.Group.Name + " want to learn " + label + ": would you lead a session?",
			"Body": "Hello " + u.Name + ",\n\n" + me.Name + ", an organizer of " + gv.Group.Name + ", saw on the group's skill map that " +
				plural(w.Learners, "member") + " want to learn " + label + ", and that you can teach it. Would you lead a session? " +
				"If you would, propose it on the group's page (or tell " + me.Name + " at the next session): the organizers schedule it with you.",
			"URL": h.absURL("/g/" + gv.Group.Slug + "/proposals"), "ActionLabel": "Propose a session",
		}})
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.redirectWith(c, "/g/"+gv.Group.Slug+"/skills", "error", "That mail could not be sent.")
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug+"/skills", "ok", "We asked "+u.Name+" by mail. Their answer comes to you.")
}
