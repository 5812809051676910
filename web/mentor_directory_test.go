package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// Anyone signed in browses mentors without a mentee profile, filters
// them, and is led to create a profile to ask one; with a profile each
// mentor shows how well they fit and why.
func TestMentorDirectory(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	ana := mtrSignIn(t, app, "Ana Platform", "")
	mtrMentor(t, app, ana, func(m *match.MentorProfile) { m.Skills = []match.Skill{{Name: "rust", Level: 5}} })
	bob := mtrSignIn(t, app, "Bob Backend", "")
	mtrMentor(t, app, bob, nil)
	visitor := mtrSignIn(t, app, "Vera Visitor", "")

	body := visitor.Get("/mentors/directory").Body
	mtrHas(t, "directory", body, "Ana Platform", "Bob Backend", "2 mentors", "Create a mentee profile to ask Ana Platform")
	mtrLacks(t, "directory", body, "Send request", " fit</span>")
	body = visitor.Get("/mentors/directory?skill=Rust").Body
	mtrHas(t, "directory filtered", body, "Ana Platform")
	mtrLacks(t, "directory filtered", body, "Bob Backend")
	if r := visitor.Get("/mentors/directory?skill=" + url.QueryEscape("no such skill!")); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, `id="skill-error"`) {
		t.Errorf("an unknown skill: %d", r.StatusCode)
	}
	if r := visitor.Get("/mentors/directory?after=-3"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a negative page: %d", r.StatusCode)
	}
	if r := app.NewClient(t).Get("/mentors/directory"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", r.StatusCode)
	}

	mtrMentee(t, app, visitor, func(m *match.MenteeProfile) { m.WantSkills, m.Path = []string{"rust"}, "devops" })
	body = visitor.Get("/mentors/directory").Body
	mtrHas(t, "directory with a profile", body, "Ranked for you", "teaches what you want to learn: Rust (5/5)", " fit</span>", "Send request")
	mtrHas(t, "directory with a profile", body, "The best fit for you comes first")
	if a, b := strings.Index(body, "Ana Platform"), strings.Index(body, "Bob Backend"); a < 0 || b < 0 || a > b {
		t.Errorf("the mentor who teaches Rust is not first for someone who wants Rust (Ana at %d, Bob at %d)", a, b)
	}
}

// Signing up for a round without the profile it needs goes through the
// profile form and comes back to the round with the role still chosen.
func TestRoundSignUpWithoutAProfileComesBack(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	olga := mtrSignIn(t, app, "Olga Organizer", "Europe/Berlin")
	eli := mtrSignIn(t, app, "Eli Newcomer", "")
	g := mtrGroup(t, app, "round-profiles", olga, eli)
	rounds := "/g/" + g.Slug + "/rounds"
	r := olga.PostForm(rounds, rounds, url.Values{"deadline": {sesWall(7, 18, 0, "Europe/Berlin")}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("open round: %d\n%s", r.StatusCode, r.Body)
	}
	round := r.Header.Get("Location")
	r = eli.PostForm(round, round+"/signup", url.Values{"role": {"mentee"}})
	want := "/mentors/profile/mentee?next=" + url.QueryEscape(round+"?role=mentee")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
		t.Fatalf("sign-up without a profile: %d %s, want %s", r.StatusCode, r.Header.Get("Location"), want)
	}
	form := eli.Follow(r)
	mtrHas(t, "profile form on the way", form.Body, "fill in your mentee profile first", `name="next" value="`+round+`?role=mentee"`)
	v := url.Values{"goals": {"I want to write solid Go services."}, "path": {"backend"}, "want_skills": {"Go"}, "languages": {"English"},
		"time_zone": {"Europe/Berlin"}, "next": {round + "?role=mentee"}}
	r = eli.PostForm(want, "/mentors/profile/mentee", v)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != round+"?role=mentee" {
		t.Fatalf("saving the profile: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	mtrHas(t, "back at the round", eli.Follow(r).Body, "Your mentee profile is saved", `value="mentee" checked`)
	v.Set("next", "https://evil.example/")
	if r := eli.PostForm(want, "/mentors/profile/mentee", v); r.Header.Get("Location") != "/mentors/suggestions" {
		t.Errorf("an outside next: %s", r.Header.Get("Location"))
	}
}
