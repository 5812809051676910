package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// A group's skill map shows what members want to learn and who can teach
// it, from their own skills and their mentoring profiles, kept up to date
// as people join, leave and change their skills; organizers turn a wanted
// skill into a proposal or ask a teacher by mail.
func TestGroupSkillMap(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "skillful", nil)
	page := "/g/" + g.Slug + "/skills"
	var learners []sesPerson
	for _, name := range []string{"Lea Learner", "Leo Learner", "Lia Learner"} {
		p := sesSignIn(t, app, name, "")
		if r := p.PostForm("/skills", "/skills", url.Values{"teach": {""}, "learn": {"Kubernetes, rust"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s saves skills: %d\n%s", name, r.StatusCode, r.Body)
		}
		sesJoin(t, app, g, p) // skills saved before joining come with the member
		learners = append(learners, p)
	}
	ana := mtrSignIn(t, app, "Ana Teacher", "")
	mtrMentor(t, app, ana, func(m *match.MentorProfile) {
		m.Skills = []match.Skill{{Name: "kubernetes", Level: 5}, {Name: "elixir", Level: 4}}
	})
	if err := app.Groups.Join(context.Background(), g.ID, ana.ID, nil); err != nil {
		t.Fatal(err)
	}

	body := learners[0].Get(page).Body
	sesContains(t, "skill map", body, "Kubernetes</strong> · 3 want to learn it", "Ana Teacher", "(5/5)", "Rust</strong> · 3 want",
		"Nobody here teaches it yet", "On offer, not asked for yet", "Elixir (1)")
	sesLacks(t, "member's skill map", body, "Propose a session")
	sesContains(t, "organizer's skill map", org.Get(page).Body, "Propose a session", "Ask Ana Teacher to lead it")
	learners[0].PostForm("/skills", "/skills", url.Values{"learn": {"Kubernetes, rust"}, "path": {"leadership"}})
	sesContains(t, "skill map with a path", learners[0].Get(page).Body, "Where members are heading", "Leadership (1)")
	sesContains(t, "skills page with a path", learners[0].Get("/skills").Body, "Heading for:", `href="/groups?path=leadership"`, `href="/mentors/directory?path=leadership"`)

	// Changes show at once: a learner leaves, another drops Rust.
	if err := app.Groups.Leave(context.Background(), g.ID, learners[2].User.ID); err != nil {
		t.Fatal(err)
	}
	learners[1].PostForm("/skills", "/skills", url.Values{"learn": {"Kubernetes"}})
	sesContains(t, "skill map after changes", learners[0].Get(page).Body, "Kubernetes</strong> · 2 want to learn it", "Rust</strong> · 1 wants to learn it")

	// Organizer actions.
	r := org.PostForm(page, page+"/propose", url.Values{"skill": {"kubernetes"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "/proposals") {
		t.Fatalf("propose: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	sesContains(t, "proposals", org.Follow(r).Body, "Learning Kubernetes", "2 members of Group skillful want to learn Kubernetes. Ana Teacher can teach it (5/5).")
	if r := org.PostForm(page, page+"/ask", url.Values{"skill": {"kubernetes"}, "teacher": {ana.ID}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ask: %d", r.StatusCode)
	}
	m := waitForMail(t, app, "ana-teacher@dev.focusgroups.test", "want to learn Kubernetes: would you lead a session?")
	sesContains(t, "the ask mail", m.Text, "Olga Organizer", "/proposals")
	if r := org.PostForm(page, page+"/ask", url.Values{"skill": {"kubernetes"}, "teacher": {learners[0].User.ID}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("asking someone who cannot teach it: %d", r.StatusCode)
	}
	if r := org.PostForm(page, page+"/propose", url.Values{"skill": {"cobol"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("proposing a skill nobody wants: %d", r.StatusCode)
	}
	if r := learners[0].PostForm(page, page+"/propose", url.Values{"skill": {"kubernetes"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member proposes from the map: %d", r.StatusCode)
	}
	outsider := sesSignIn(t, app, "Otto Outsider", "")
	if r := outsider.Get(page); r.StatusCode != http.StatusForbidden {
		t.Errorf("an outsider opens the map: %d", r.StatusCode)
	}
}

func TestMySkillsRefusesBadInput(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	p := sesSignIn(t, app, "Pat Person", "")
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"teach": {"go:9"}}, "a level from 1 to 5"},
		{url.Values{"teach": {"<script>"}}, "is not a skill name"},
		{url.Values{"learn": {manySkills(40)}}, "at most 30 skills"},
		{url.Values{"path": {"astronaut"}}, "Choose a path from the list"},
		{url.Values{"learn": {"go\x00"}}, "control characters"},
	} {
		r := p.PostForm("/skills", "/skills", tc.form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.want) {
			t.Errorf("%v: %d, want 422 saying %q", tc.form, r.StatusCode, tc.want)
		}
	}
	r := p.PostForm("/skills", "/skills", url.Values{"teach": {"golang:4, K8s"}, "learn": {"Rust"}, "path": {"architecture"}})
	sesContains(t, "after saving", p.Follow(r).Body, `value="Go:4, Kubernetes:3"`, `value="Rust"`, `value="architecture" selected`)
}

func manySkills(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "skill" + strconv.Itoa(i)
	}
	return strings.Join(parts, ", ")
}

// Sessions are tagged with the skills they teach; a proposal made from
// the skill map carries its skill to the session it becomes.
func TestSessionsAndProposalsCarrySkills(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "tagged", nil)
	f := sesForm("Operators in Go")
	f.Set("skills", "golang, K8s")
	id := sesCreate(t, org, g, f)
	sesContains(t, "session page", org.Get("/s/"+id).Body, "Skills this session teaches", "<li>Go</li>", "<li>Kubernetes</li>")
	sesContains(t, "edit form", org.Get("/s/"+id+"/edit").Body, `value="Go, Kubernetes"`)
	for _, bad := range []string{"<script>", manySkills(11)} {
		f := sesForm("Bad tags")
		f.Set("skills", bad)
		r := org.PostForm("/g/"+g.Slug+"/sessions/new", "/g/"+g.Slug+"/sessions", f)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="skills-error"`) {
			t.Errorf("skills %q: %d", bad[:min(len(bad), 20)], r.StatusCode)
		}
	}

	lea := sesSignIn(t, app, "Lea Learner", "")
	lea.PostForm("/skills", "/skills", url.Values{"learn": {"Rust"}})
	sesJoin(t, app, g, lea)
	page := "/g/" + g.Slug + "/skills"
	if r := org.PostForm(page, page+"/propose", url.Values{"skill": {"rust"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d", r.StatusCode)
	}
	ps, err := app.Events.Proposals(context.Background(), g.ID, 10)
	if err != nil || len(ps) != 1 || len(ps[0].Skills) != 1 || ps[0].Skills[0] != "rust" {
		t.Fatalf("proposals %+v %v", ps, err)
	}
	sesContains(t, "scheduling the proposal", org.Get("/g/"+g.Slug+"/sessions/new?proposal="+ps[0].ID).Body, `name="skills" maxlength="400" value="Rust"`)
}

// The learning record lists the sessions one was checked in at, with
// their skills and paths, and one's mentorships; it downloads as JSON and
// CSV (cells that spreadsheets would run are defused) and can be hidden.
func TestLearningRecord(t *testing.T) {
	clock := apptest.NewClock(time.Now())
	app := apptest.Start(t, apptest.Options{Clock: clock})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "recorded", nil)
	f := sesForm("=HYPERLINK(\"x\") pairing")
	f.Set("skills", "Go")
	attended := sesCreate(t, org, g, f)
	missed := sesCreate(t, org, g, sesForm("Missed it"))
	mia := sesSignIn(t, app, "Mia Member", "")
	sesJoin(t, app, g, mia)
	sesRSVP(t, mia, attended, "yes")
	sesRSVP(t, mia, missed, "yes")
	ev, err := app.Events.Get(context.Background(), attended)
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(ev.Start.Add(-10 * time.Minute))
	if err := app.Events.CheckIn(context.Background(), events.Actor{UserID: org.User.ID, Organizer: true}, attended, mia.User.ID, true); err != nil {
		t.Fatal(err)
	}
	clock.Set(ev.End.Add(time.Hour))

	body := mia.Get("/skills/record").Body
	sesContains(t, "record", body, "HYPERLINK", "Group recorded", "<li>Go</li>", "Architecture")
	sesLacks(t, "record", body, "Missed it")
	js := mia.Get("/skills/record.json")
	var rec struct {
		Sessions []struct {
			Title  string
			Skills []string
		}
		Hidden bool
	}
	if err := json.Unmarshal([]byte(js.Body), &rec); err != nil || len(rec.Sessions) != 1 || rec.Sessions[0].Skills[0] != "Go" ||
		!strings.Contains(js.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("JSON record %s: %v", js.Body, err)
	}
	rows, err := csv.NewReader(strings.NewReader(mia.Get("/skills/record.csv").Body)).ReadAll()
	if err != nil || len(rows) != 2 || !strings.HasPrefix(rows[1][2], "'=HYPERLINK") {
		t.Fatalf("CSV record %q: %v", rows, err)
	}
	mia.PostForm("/skills/record", "/skills/record/visibility", url.Values{"hidden": {"on"}})
	sesContains(t, "record after hiding", mia.Get("/skills/record").Body, `name="hidden" checked`)
	if r := app.NewClient(t).Get("/skills/record.json"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", r.StatusCode)
	}
}
