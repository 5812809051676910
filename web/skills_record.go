package web

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// learningRecordSize bounds the sessions a learning record lists.
const learningRecordSize = 200

// recordSession is a session the person attended, as the record shows it.
type recordSession struct {
	Date   string   `json:"date"` // YYYY-MM-DD in the session's zone
	Title  string   `json:"title"`
	Group  string   `json:"group"`
	Skills []string `json:"skills"`
	Paths  []string `json:"paths"`
	URL    string   `json:"url"`
}

// recordMentorship is a running mentorship in the record.
type recordMentorship struct {
	Role    string `json:"role"` // "mentor" or "mentee"
	With    string `json:"with"`
	Started string `json:"started"` // YYYY-MM-DD
}

// learningRecord is what a person learnt and taught here: the sessions
// they were checked in at, with the skills and paths of each, and their
// mentorships.
type learningRecord struct {
	Sessions    []recordSession    `json:"sessions"`
	Mentorships []recordMentorship `json:"mentorships"`
	Hidden      bool               `json:"hidden"`
}

// readLearningRecord reads the viewer's record in at most three round
// trips: the session with the person's sessions index, mentoring lists
// and skills; the sessions, their standings and the mentorships; the
// groups of the sessions this process has not seen.
func (h *handler) readLearningRecord(c *fiber.Ctx) (learningRecord, error) {
	ctx := c.UserContext()
	now := h.Events.Now()
	first, uid := pageReads(c, h.Redis)
	mine := h.Events.QueueUserSessions(ctx, first, uid, time.Unix(0, 0), now, learningRecordSize)
	mentoring := h.Mentors.QueueMentoring(ctx, first, uid)
	own := h.Skills.QueueOwn(ctx, first, uid)
	if err := runReads(ctx, first); err != nil {
		return learningRecord{}, err
	}
	u := currentUser(c)
	if u == nil || u.ID != uid {
		return learningRecord{}, h.requireUser(c)
	}
	second := h.Redis.Pipeline()
	getSessions, err := mine.QueueEvents(ctx, second)
	if err != nil {
		return learningRecord{}, err
	}
	getMentoring, err := mentoring.QueueRecords(ctx, second)
	if err != nil {
		return learningRecord{}, err
	}
	getPeople := h.Users.QueueGetMany(ctx, second, mentoring.KnownPeople())
	getGroups := h.queueVisibleGroups(ctx, second, mine.KnownGroupIDs(), uid)
	if err := runReads(ctx, second); err != nil {
		return learningRecord{}, err
	}
	sessions, standings, err := getSessions()
	if err != nil {
		return learningRecord{}, err
	}
	byID, err := getGroups()
	if err != nil {
		return learningRecord{}, err
	}
	var missing []string
	for _, s := range sessions {
		if _, ok := byID[s.Event.GroupID]; !ok {
			missing = append(missing, s.Event.GroupID)
		}
	}
	if len(missing) > 0 {
		third := h.Redis.Pipeline()
		getMore := h.queueVisibleGroups(ctx, third, missing, uid)
		if err := runReads(ctx, third); err != nil {
			return learningRecord{}, err
		}
		more, err := getMore()
		if err != nil {
			return learningRecord{}, err
		}
		for id, g := range more {
			byID[id] = g
		}
	}
	var rec learningRecord
	for _, s := range sessions {
		g := byID[s.Event.GroupID]
		if g == nil || s.Event.End.After(now) || !standings[s.Event.ID].CheckedIn {
			continue
		}
		rec.Sessions = append(rec.Sessions, recordSessionOf(s.Event, g, h.absURL(sessionPath(s.Event.ID))))
	}
	m, err := getMentoring()
	if err != nil {
		return learningRecord{}, err
	}
	people, err := getPeople()
	if err != nil {
		return learningRecord{}, err
	}
	name := func(id string) string {
		if p, ok := people[id]; ok {
			return p.Name
		}
		return "a former member"
	}
	for _, ms := range m.Mentors {
		rec.Mentorships = append(rec.Mentorships, recordMentorship{Role: "mentee", With: name(ms.MentorID), Started: ms.Started.Format("2006-01-02")})
	}
	for _, ms := range m.Mentees {
		rec.Mentorships = append(rec.Mentorships, recordMentorship{Role: "mentor", With: name(ms.MenteeID), Started: ms.Started.Format("2006-01-02")})
	}
	skills, err := own()
	if err != nil {
		return learningRecord{}, err
	}
	rec.Hidden = skills.RecordHidden
	return rec, nil
}

func recordSessionOf(ev events.Event, g *groups.Group, url string) recordSession {
	r := recordSession{Date: ev.Start.In(zoneNamed(ev.TimeZone)).Format("2006-01-02"), Title: ev.Title, Group: g.Name, URL: url,
		Skills: []string{}, Paths: []string{}}
	for _, k := range ev.Skills {
		r.Skills = append(r.Skills, match.SkillLabel(k))
	}
	for _, p := range g.Paths {
		r.Paths = append(r.Paths, match.PathLabel(p))
	}
	return r
}

// learningRecordPage shows the viewer's record with its downloads and the
// switch that hides it.
func (h *handler) learningRecordPage(c *fiber.Ctx) error {
	rec, err := h.readLearningRecord(c)
	if err != nil {
		return err
	}
	data := h.view(c, "Your learning record")
	data["Record"] = rec
	return c.Render("skills_record", data)
}

// learningRecordJSON downloads the record as JSON.
func (h *handler) learningRecordJSON(c *fiber.Ctx) error {
	rec, err := h.readLearningRecord(c)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="learning-record.json"`)
	c.Type("json", "utf-8")
	return c.Send(body)
}

// learningRecordCSV downloads the record as CSV: one line per session or
// mentorship.
func (h *handler) learningRecordCSV(c *fiber.Ctx) error {
	rec, err := h.readLearningRecord(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"kind", "date", "title", "group", "skills", "paths", "url"})
	for _, s := range rec.Sessions {
		_ = w.Write([]string{"session", s.Date, csvSafe(s.Title), csvSafe(s.Group), strings.Join(s.Skills, "; "), strings.Join(s.Paths, "; "), s.URL})
	}
	for _, m := range rec.Mentorships {
		_ = w.Write([]string{"mentorship", m.Started, "as " + m.Role + " with " + csvSafe(m.With), "", "", "", ""})
	}
	w.Flush()
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="learning-record.csv"`)
	c.Type("csv", "utf-8")
	return c.SendString(b.String())
}

// csvSafe keeps a cell from being read as a formula by spreadsheets.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// learningRecordVisibility hides or shows the record on the person's page.
func (h *handler) learningRecordVisibility(c *fiber.Ctx) error {
	hide := c.FormValue("hidden") == "on"
	if err := h.Skills.SetRecordHidden(c.UserContext(), currentUser(c).ID, hide); err != nil {
		return err
	}
	msg := "Your learning record shows on your page again."
	if hide {
		msg = "Your learning record is hidden: only you see it."
	}
	return h.redirectWith(c, "/skills/record", "ok", msg)
}
