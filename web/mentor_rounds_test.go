package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func TestGroupMentoringRound(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	olga := mtrSignIn(t, app, "Olga Organizer", "Europe/Berlin")
	gopher := mtrSignIn(t, app, "Gus Gopher", "")
	mtrMentor(t, app, gopher, func(m *match.MentorProfile) { m.Skills = []match.Skill{{Name: "go", Level: 5}} })
	data := mtrSignIn(t, app, "Dora Data", "")
	mtrMentor(t, app, data, func(m *match.MentorProfile) {
		m.Skills, m.Paths = []match.Skill{{Name: "python", Level: 4}}, []string{"data"}
	})
	eli := mtrSignIn(t, app, "Eli Gopherling", "")
	mtrMentee(t, app, eli, nil)
	pia := mtrSignIn(t, app, "Pia Pythonista", "")
	mtrMentee(t, app, pia, func(m *match.MenteeProfile) { m.WantSkills, m.Path = []string{"python"}, "data" })
	yuki := mtrSignIn(t, app, "Yuki Japanese", "")
	mtrMentee(t, app, yuki, func(m *match.MenteeProfile) { m.Languages = []string{"ja"} })
	otto := mtrSignIn(t, app, "Otto Outsider", "")
	g := mtrGroup(t, app, "go-mentors", olga, gopher, data, eli, pia, yuki)
	rounds := "/g/" + g.Slug + "/rounds"

	if r := otto.Get(rounds); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Join the group") {
		t.Fatalf("outsider sees rounds: %d", r.StatusCode)
	}
	page := eli.Get(rounds)
	mtrHas(t, "member's rounds page", page.Body, "No mentoring round yet")
	mtrLacks(t, "member's rounds page", page.Body, "Open a round")

	berlin, _ := time.LoadLocation("Europe/Berlin")
	deadline := time.Now().In(berlin).Add(48 * time.Hour).Format("2006-01-02T15:04")
	if r := eli.PostForm(rounds, rounds, url.Values{"deadline": {deadline}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("member opens a round: %d", r.StatusCode)
	}
	for _, bad := range []struct{ deadline, says string }{
		{"", "Enter the date and time sign-up closes"},
		{"tomorrow", "Enter the date and time sign-up closes"},
		{time.Now().In(berlin).Add(-time.Hour).Format("2006-01-02T15:04"), "must be in the future"},
	} {
		r := olga.PostForm(rounds, rounds, url.Values{"deadline": {bad.deadline}, "exclude_previous": {"on"}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("deadline %q: %d", bad.deadline, r.StatusCode)
		}
		mtrHas(t, "deadline "+bad.deadline, r.Body, bad.says, `id="deadline-error"`, `value="`+bad.deadline+`"`)
	}
	if ids, _ := app.Mentors.GroupRounds(context.Background(), g.ID); len(ids) != 0 {
		t.Fatalf("bad deadlines opened %d rounds", len(ids))
	}
	mtrHas(t, "open form", olga.Get(rounds).Body, "(Europe/Berlin)")
	r := olga.PostForm(rounds, rounds, url.Values{"deadline": {deadline}, "exclude_previous": {"on"}})
	round := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(round, rounds+"/") {
		t.Fatalf("open round: %d %s\n%s", r.StatusCode, round, r.Body)
	}
	mtrHas(t, "new round", olga.Follow(r).Body, "The round is open", "Sign-up open", "Run the matching")
	if m := waitForMail(t, app, "pia-pythonista@dev.focusgroups.test", "is matching mentors and mentees"); !strings.Contains(m.Text, round) {
		t.Fatalf("round invitation without the sign-up link:\n%s", m.Text)
	}

	signUp := func(p mtrPerson, role, capacity string) *apptest.Response {
		return p.PostForm(round, round+"/signup", url.Values{"role": {role}, "capacity": {capacity}})
	}
	for _, bad := range []struct{ role, capacity, field, says string }{
		{"", "", "role", "Sign up as mentor or as mentee"},
		{"mentor", "many", "capacity", "Enter how many mentees you take as a whole number"},
		{"mentor", "99", "capacity", "Offer between 1 and 10"},
	} {
		r := signUp(gopher, bad.role, bad.capacity)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("sign up %q/%q: %d", bad.role, bad.capacity, r.StatusCode)
		}
		mtrHas(t, "sign up "+bad.role+"/"+bad.capacity, r.Body, bad.says, `id="`+bad.field+`-error"`)
	}
	mtrHas(t, "mentor sign-up without a profile", eli.Follow(signUp(eli, "mentor", "")).Body, "fill in your mentor profile first", "Your mentor profile")
	for _, s := range []struct {
		p              mtrPerson
		role, capacity string
	}{{gopher, "mentor", ""}, {data, "mentor", "1"}, {eli, "mentee", ""}, {pia, "mentee", ""}, {yuki, "mentee", ""}} {
		if r := signUp(s.p, s.role, s.capacity); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s signs up: %d\n%s", s.p.Name, r.StatusCode, r.Body)
		}
	}
	mtrHas(t, "member after sign-up", eli.Get(round).Body, "You signed up as <strong>mentee</strong>", "Leave this round")
	mtrHas(t, "mentor after sign-up", data.Get(round).Body, "offering 1 seat")
	mtrHas(t, "rounds list", eli.Get(rounds).Body, "2 mentors, 3 mentees", `<span class="badge ok">mentee</span>`)

	// Organizer actions by a member are refused and change nothing.
	for _, action := range []string{"run", "publish", "reset", "pair", "swap"} {
		if r := eli.PostForm(round, round+"/"+action, url.Values{"mentee": {eli.ID}, "mentor": {gopher.ID}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("member %s: %d", action, r.StatusCode)
		}
	}
	mtrLacks(t, "member's round page", eli.Get(round).Body, "Run the matching", "Pairs")

	page = olga.Follow(olga.PostForm(round, round+"/run", nil))
	mtrHas(t, "matched round", page.Body, "Matched: 2 pairs, 1 person without a pair",
		"Gus Gopher teaches what Eli Gopherling wants to learn: Go (", "Dora Data teaches what Pia Pythonista wants to learn: Python (",
		"Dora Data guides Pia Pythonista&#39;s path, Data", `class="badge fit-`, "Yuki Japanese", "no mentor shares a language",
		"Publish the pairs", "Swap two mentees")
	mtrLacks(t, "matched round", page.Body, "you want", "Score")
	page = olga.Follow(olga.PostForm(round, round+"/run", nil))
	mtrHas(t, "second run", page.Body, "This round was already matched: reset it before running it again.")
	mtrHas(t, "sign-up after the run", yuki.Follow(yuki.PostForm(round, round+"/leave", nil)).Body, "Sign-up for this round is closed.")

	// Adjust by hand.
	r = olga.PostForm(round, round+"/pair", url.Values{"mentee": {gopher.ID}, "mentor": {data.ID}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("pairing a mentor as mentee: %d", r.StatusCode)
	}
	mtrHas(t, "bad pair", r.Body, "This person is not signed up as a mentee", `id="mentee-error"`)
	r = olga.PostForm(round, round+"/pair", url.Values{"mentee": {yuki.ID}, "mentor": {data.ID}})
	mtrHas(t, "pair with a full mentor", r.Body, "no room left in this round", `id="mentor-error"`, `<option value="`+yuki.ID+`" selected>`)
	r = olga.PostForm(round, round+"/pair", url.Values{"mentee": {yuki.ID}, "mentor": {gopher.ID}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("pair without a shared language: %d", r.StatusCode)
	}
	mtrHas(t, "pair without a shared language", r.Body, "share no language", `id="mentor-error"`)
	page = olga.Follow(olga.PostForm(round, round+"/swap", url.Values{"mentee_a": {eli.ID}, "mentee_b": {pia.ID}}))
	mtrHas(t, "after swapping", page.Body, "swapped mentors", "set by an organizer")
	got, _ := app.Mentors.Round(context.Background(), strings.TrimPrefix(round, rounds+"/"))
	for _, p := range got.Result.Pairs {
		if p.MenteeID == eli.ID && p.MentorID != data.ID {
			t.Fatalf("swap did not move Eli: %+v", got.Result.Pairs)
		}
	}
	page = olga.Follow(olga.PostForm(round, round+"/pair", url.Values{"mentee": {eli.ID}, "mentor": {""}}))
	mtrHas(t, "after unpairing", page.Body, "The pair is changed", "taken out of their pair by the organizer")

	// Reset drops the pairs; running again matches from scratch.
	page = olga.Follow(olga.PostForm(round, round+"/reset", nil))
	mtrHas(t, "after reset", page.Body, "The pairs are dropped", "Run the matching")
	mtrLacks(t, "after reset", page.Body, "set by an organizer")
	mtrHas(t, "second run after reset", olga.Follow(olga.PostForm(round, round+"/run", nil)).Body, "Matched: 2 pairs")

	mtrLacks(t, "member before publishing", eli.Get(round).Body, "Your pair")
	page = olga.Follow(olga.PostForm(round, round+"/publish", nil))
	mtrHas(t, "published", page.Body, "Published: 2 mentorships started", "Published")
	unmatched := waitForMail(t, app, "yuki-japanese@dev.focusgroups.test", "No mentoring pair for you this time in")
	mtrHas(t, "mail to the unmatched mentee", unmatched.Text, "no mentor shares a language", "/mentors/directory", "next round")
	mtrHas(t, "mentee after publishing", eli.Get(round).Body, "Your pair", "Gus Gopher", "teaches what you want to learn: Go (")
	mtrHas(t, "mentor after publishing", gopher.Get(round).Body, "Your pair", "Gus Gopher teaches what Eli Gopherling wants to learn")
	mtrHas(t, "mentee's mentoring page", eli.Get("/mentors").Body, "My mentors", "Gus Gopher")
	mtrHas(t, "mentor's mentoring page", gopher.Get("/mentors").Body, "My mentees", "Eli Gopherling")
	if ms, _ := app.Mentors.MyMentors(context.Background(), pia.ID); len(ms) != 1 || ms[0].MentorID != data.ID {
		t.Fatalf("Pia's mentors after publishing: %+v", ms)
	}
	mtrHas(t, "publishing twice", olga.Follow(olga.PostForm(round, round+"/publish", nil)).Body, "This round is already published.")

	// A round of another group is not found under this one.
	other := mtrGroup(t, app, "other-group", olga, eli)
	if r := eli.Get("/g/" + other.Slug + "/rounds/" + strings.TrimPrefix(round, rounds+"/")); r.StatusCode != http.StatusNotFound {
		t.Errorf("round under another group: %d", r.StatusCode)
	}
}
