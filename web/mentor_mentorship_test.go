package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors"
)

// mtrShip starts a mentorship between a new mentor and a new mentee and
// returns them with its page's path.
func mtrShip(t *testing.T, app *apptest.App) (mentor, mentee mtrPerson, path string) {
	t.Helper()
	mentor = mtrSignIn(t, app, "Ana Mentor", "Europe/Berlin")
	mtrMentor(t, app, mentor, nil)
	mentee = mtrSignIn(t, app, "Mia Mentee", "America/New_York")
	mtrMentee(t, app, mentee, nil)
	r, err := app.Mentors.Ask(context.Background(), mentee.ID, mentor.ID, "Please")
	if err != nil {
		t.Fatal(err)
	}
	ship, err := app.Mentors.Accept(context.Background(), mentor.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return mentor, mentee, "/mentors/mentorships/" + ship.ID
}

var goalAction = regexp.MustCompile(`action="(/mentors/mentorships/[^"]+/goals/[^"]+/(tick|untick|remove))"`)

// goalActions lists the goal buttons of a mentorship page by action.
func goalActions(body string) map[string][]string {
	out := map[string][]string{}
	for _, m := range goalAction.FindAllStringSubmatch(body, -1) {
		out[m[2]] = append(out[m[2]], m[1])
	}
	return out
}

// Both people keep a checklist of goals and a log of notes on the
// mentorship page; each note shows its author and the viewer's time.
func TestMentorshipGoalsAndNotes(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ana, mia, ship := mtrShip(t, app)

	r := mia.PostForm(ship, ship+"/goals", url.Values{"goal": {"Run a cluster upgrade"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != ship+"#goals" {
		t.Fatalf("add goal: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page := ana.Get(ship).Body
	mtrHas(t, "mentor's page", page, "Run a cluster upgrade", "Shared goals")
	ticks := goalActions(page)["tick"]
	if len(ticks) != 1 {
		t.Fatalf("tick buttons: %v", goalActions(page))
	}
	if r := ana.PostForm(ship, ticks[0], nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("tick: %d", r.StatusCode)
	}
	page = mia.Get(ship).Body
	mtrHas(t, "mentee's page after the tick", page, "(done)", `aria-pressed="true"`)

	r = ana.PostForm(ship, ship+"/notes", url.Values{"note": {"Read *chapter 3* <script>alert(1)</script>"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add note: %d", r.StatusCode)
	}
	page = mia.Get(ship).Body
	mtrHas(t, "mentee's notes", page, "<em>chapter 3</em>", "Ana Mentor ·", "EST")
	mtrLacks(t, "mentee's notes", page, "<script>alert")
	mtrHas(t, "mentor's notes", ana.Get(ship).Body, "CET")

	removes := goalActions(page)["remove"]
	if len(removes) != 1 {
		t.Fatalf("remove buttons: %v", goalActions(page))
	}
	mia.PostForm(ship, removes[0], nil)
	mtrLacks(t, "page after removing the goal", ana.Get(ship).Body, "Run a cluster upgrade")
	if r := mia.Follow(mia.PostForm(ship, removes[0], nil)); !strings.Contains(r.Body, "That goal is no longer on the list.") {
		t.Error("removing a removed goal says nothing")
	}
}

// Bad input gets the form back with the field's message and keeps what
// was typed; outsiders find nothing, whatever they try.
func TestMentorshipRefusesBadInputAndOutsiders(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	_, mia, ship := mtrShip(t, app)
	olly := mtrSignIn(t, app, "Olly Outsider", "")

	bad := []struct {
		name, path, field, value, field2 string
	}{
		{"empty goal", "/goals", "goal", "  ", `id="goal-error"`},
		{"long goal", "/goals", "goal", strings.Repeat("g", mentors.MaxGoalText+1), `id="goal-error"`},
		{"goal with a line break", "/goals", "goal", "a\nb", `id="goal-error"`},
		{"empty note", "/notes", "note", "", `id="note-error"`},
		{"long note", "/notes", "note", strings.Repeat("n", mentors.MaxNoteText+1), `id="note-error"`},
		{"note not UTF-8", "/notes", "note", "a\xffb", `id="note-error"`},
	}
	for _, b := range bad {
		r := mia.PostForm(ship, ship+b.path, url.Values{b.field: {b.value}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, b.field2) {
			t.Errorf("%s: %d", b.name, r.StatusCode)
		}
	}
	r := mia.PostForm(ship, ship+"/goals", url.Values{"goal": {strings.Repeat("k", mentors.MaxGoalText+1)}})
	mtrHas(t, "refused goal", r.Body, `value="`+strings.Repeat("k", mentors.MaxGoalText+1)+`"`, "Keep it to 200 characters")

	g, err := app.Mentors.AddGoal(context.Background(), mia.ID, strings.TrimPrefix(ship, "/mentors/mentorships/"), "Mine")
	if err != nil {
		t.Fatal(err)
	}
	if r := mia.PostForm(ship, ship+"/goals/"+g.ID+"/explode", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown goal action: %d", r.StatusCode)
	}
	for _, path := range []string{ship, ship + "/end", "/mentors/mentorships/not-an-id", "/mentors/mentorships/" + strings.Repeat("a", 24)} {
		if r := olly.Get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("outsider GET %s: %d", path, r.StatusCode)
		}
	}
	for _, path := range []string{ship + "/goals", ship + "/notes", ship + "/goals/" + g.ID + "/tick", ship + "/goals/" + g.ID + "/remove", ship + "/end"} {
		if r := olly.PostForm("/mentors", path, url.Values{"goal": {"x"}, "note": {"x"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("outsider POST %s: %d", path, r.StatusCode)
		}
	}
	page := mia.Get(ship).Body
	mtrHas(t, "page after the refusals", page, "Mine")
	mtrLacks(t, "page after the refusals", page, "(done)", "No goals yet")
}

// Ending is a quiet link at the bottom that opens a confirm step; the
// mentee may thank the mentor, who then shows "Thanked by 1 mentee".
func TestMentorshipEndsBehindAConfirmStepWithThanks(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ana, mia, ship := mtrShip(t, app)
	page := mia.Get(ship).Body
	if strings.Contains(page, `class="button danger"`) || strings.Index(page, ship+"/end") < strings.Index(page, `id="notes"`) {
		t.Error("the mentorship page shows a danger button, or the end link above the notes")
	}
	confirm := mia.Get(ship + "/end").Body
	mtrHas(t, "the mentee's confirm step", confirm, "End the mentorship with Ana Mentor", `name="thanks"`, `class="button danger"`, "Keep it going")
	mtrLacks(t, "the mentor's confirm step", ana.Get(ship+"/end").Body, `name="thanks"`)

	r := mia.PostForm(ship+"/end", ship+"/end", url.Values{"feedback": {strings.Repeat("f", 2001)}, "thanks": {"yes"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="feedback-error"`) || !strings.Contains(r.Body, `value="yes" checked`) {
		t.Fatalf("long reflection: %d", r.StatusCode)
	}
	after := mia.Follow(mia.PostForm(ship+"/end", ship+"/end", url.Values{"feedback": {"It helped a lot."}, "thanks": {"yes"}}))
	mtrHas(t, "after ending", after.Body, "your thank-you is on its way")
	mtrHas(t, "the ended mentorship", ana.Get(ship).Body, "ended", "Mia Mentee thanked Ana Mentor.")
	mtrHas(t, "the mentor's mentoring page", ana.Get("/mentors").Body, "Thanked by 1 mentee.")
	mtrHas(t, "the ended confirm step", mia.Get(ship+"/end").Body, "This mentorship has already ended.")
	seeker := mtrSignIn(t, app, "Sam Seeker", "")
	mtrMentee(t, app, seeker, nil)
	mtrHas(t, "suggestions", seeker.Get("/mentors/suggestions").Body, "Thanked by 1 mentee")
}

// Junk in every parameter and field of the mentorship's routes, on a real
// mentorship with a real goal, never reaches a 500.
func TestMentorshipJunkInputNeverReachesA500(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	_, mia, ship := mtrShip(t, app)
	id := strings.TrimPrefix(ship, "/mentors/mentorships/")
	g, err := app.Mentors.AddGoal(context.Background(), mia.ID, id, "A goal")
	if err != nil {
		t.Fatal(err)
	}
	csrf := mia.CSRF(ship)
	gets := []string{ship + "/end", "/mentors/mentorships/{v}/end", "/checkin/{v}", "/checkin/{v}?answer={v}", "/checkin/" + id + ".{v}"}
	posts := []string{ship + "/goals", ship + "/goals/{v}/{v}", ship + "/goals/" + g.ID + "/{v}", ship + "/notes", ship + "/meetings",
		ship + "/meetings/{v}/{v}", ship + "/checkins", "/checkin/{v}", "/mentors/mentorships/{v}/goals", "/mentors/mentorships/{v}/meetings/{v}/move"}
	fields := []string{"goal", "note", "slot", "at", "outside", "zone", "weeks", "feedback", "thanks", "answer"}
	try := func(v string, gets, posts []string) {
		esc := url.PathEscape(v)
		for _, p := range gets {
			path := strings.ReplaceAll(p, "{v}", esc)
			if r := mia.Get(path); r.StatusCode >= 500 {
				t.Errorf("GET %s: %d", mtrShort(path), r.StatusCode)
			}
		}
		form := url.Values{"_csrf": {csrf}}
		for _, f := range fields {
			form.Set(f, v)
		}
		for _, p := range posts {
			path := strings.ReplaceAll(p, "{v}", esc)
			if r := mia.Post(path, form); r.StatusCode >= 500 {
				t.Errorf("POST %s: %d", mtrShort(path), r.StatusCode)
			}
		}
	}
	for _, v := range junkValues {
		try(v, gets, posts)
	}
	// Ending comes last: it turns every later write into a refusal.
	for _, v := range junkValues {
		try(v, nil, []string{ship + "/end"})
	}
}
