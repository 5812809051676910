package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func mentorFormValues() url.Values {
	return url.Values{
		"skills": {"Golang:4, k8s:3"}, "paths": {"devops", "backend"}, "prefer_path": {"devops"}, "years": {"12"},
		"languages": {"English, es"}, "time_zone": {"Europe/Madrid"}, "hours_per_week": {"3"},
		"slots": {"1-evening", "3-morning"}, "capacity": {"2"}, "bio": {"I run <b>platform</b> teams."}, "available_now": {"on"},
	}
}

func TestMentorProfileIsSavedAndBadInputIsRefused(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	p := mtrSignIn(t, app, "Grace Hopper", "America/New_York")

	form := p.Get("/mentors/profile/mentor")
	mtrHas(t, "empty mentor form", form.Body, `<option value="America/New_York" selected>`, `name="slots" value="1-morning"`, "Career paths and tracks you can guide", "DevOps", "Machine learning")

	bad := []struct {
		field, value, says, kept string
	}{
		{"skills", "go", "Give a level from 1 to 5", "go"},
		{"skills", "go:9", "level of go must be between 1 and 5", "go:9"},
		{"skills", "go:many", "must be a number from 1 to 5", "go:many"},
		{"skills", "", "Name at least one skill", ""},
		{"skills", "bad skill!!:3", "is not a skill name", "bad skill!!:3"},
		{"paths", "", "Choose at least one path", ""},
		{"paths", "astrology", "is not a path we know", ""},
		{"prefer_path", "leadership", "must be one of the paths you guide", ""},
		{"years", "-1", "between 0 and 60", "-1"},
		{"years", "ten", "Enter your years of experience as a whole number", "ten"},
		{"languages", "Klingon", "is not a language we know", "Klingon"},
		{"languages", "", "Name at least one language", ""},
		{"time_zone", "Mars/Olympus_Mons", "is not a time zone", ""},
		{"time_zone", "", "Choose your time zone", ""},
		{"hours_per_week", "99", "between 0 and 40", "99"},
		{"slots", "9-night", "Tick the times you are free", ""},
		{"capacity", "-1", "cannot be negative", "-1"},
		{"capacity", "500", "At most 10 mentees", "500"},
		{"bio", strings.Repeat("b", 2001), "at most 2000 characters", ""},
	}
	for _, b := range bad {
		v := mentorFormValues()
		if b.value == "" {
			v.Del(b.field)
		} else {
			v.Set(b.field, b.value)
		}
		r := p.PostForm("/mentors/profile/mentor", "/mentors/profile/mentor", v)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s=%q: status %d, want 422", b.field, mtrShort(b.value), r.StatusCode)
			continue
		}
		errField := b.field
		if errField == "slots" {
			errField = "availability"
		}
		mtrHas(t, b.field+"="+mtrShort(b.value), r.Body, b.says, `aria-describedby="`+errField+`-error"`, `id="`+errField+`-error"`, "Nothing was saved")
		if b.field != "bio" {
			mtrHas(t, b.field+": bio kept", r.Body, "I run &lt;b&gt;platform&lt;/b&gt; teams.")
		}
		if b.kept != "" {
			mtrHas(t, b.field+" kept", r.Body, b.kept)
		}
		if b.field != "slots" {
			mtrHas(t, b.field+": ticked slots kept", r.Body, `value="1-evening" aria-label="Monday evening" checked`)
		}
	}
	if _, err := app.Mentors.MentorProfile(context.Background(), p.ID); !errors.Is(err, mentors.ErrNotFound) {
		t.Fatalf("bad input stored a profile: %v", err)
	}

	r := p.PostForm("/mentors/profile/mentor", "/mentors/profile/mentor", mentorFormValues())
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/mentors/profile/mentor" {
		t.Fatalf("save: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	page := p.Follow(r)
	mtrHas(t, "saved mentor form", page.Body, "Your mentor profile is saved", "go:4, kubernetes:3", `value="English, Spanish"`,
		`<option value="Europe/Madrid" selected>`, `value="1-evening" aria-label="Monday evening" checked`, `value="3-morning" aria-label="Wednesday morning" checked`,
		`<option value="devops" selected>`, "taking mentees", "0 of 2 seats taken", "Pause mentoring")
	got, err := app.Mentors.MentorProfile(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []match.Slot{{Day: 1, StartMin: 17 * 60, EndMin: 21 * 60}, {Day: 3, StartMin: 8 * 60, EndMin: 12 * 60}}
	if got.Capacity != 2 || got.Years != 12 || len(got.Skills) != 2 || got.Skills[1] != (match.Skill{Name: "kubernetes", Level: 3}) ||
		!got.AvailableNow || got.Availability.HoursPerWeek != 3 || len(got.Availability.Slots) != 2 || got.Availability.Slots[0] != want[0] || got.Availability.Slots[1] != want[1] {
		t.Fatalf("stored %+v", got)
	}

	// Pause and resume.
	page = p.Follow(p.PostForm("/mentors/profile/mentor", "/mentors/profile/mentor/pause", url.Values{"paused": {"1"}, "reason": {"holidays"}}))
	mtrHas(t, "paused page", page.Body, "You are paused", "Resume mentoring", "holidays")
	if got, _ := app.Mentors.MentorProfile(context.Background(), p.ID); !got.Paused {
		t.Fatal("pause did not pause")
	}
	// Saving the form keeps the pause.
	p.PostForm("/mentors/profile/mentor", "/mentors/profile/mentor", mentorFormValues())
	if got, _ := app.Mentors.MentorProfile(context.Background(), p.ID); !got.Paused {
		t.Fatal("saving the profile resumed the mentor")
	}
	page = p.Follow(p.PostForm("/mentors/profile/mentor", "/mentors/profile/mentor/pause", url.Values{"paused": {"0"}}))
	mtrHas(t, "resumed page", page.Body, "Welcome back", "Pause mentoring")
	if got, _ := app.Mentors.MentorProfile(context.Background(), p.ID); got.Paused {
		t.Fatal("resume did not resume")
	}

	other := mtrSignIn(t, app, "Ada Lovelace", "")
	page = other.Follow(other.PostForm("/mentors", "/mentors/profile/mentor/pause", url.Values{"paused": {"1"}}))
	mtrHas(t, "pause without profile", page.Body, "Save your mentor profile first")
}

func menteeFormValues() url.Values {
	return url.Values{
		"goals": {"Move from backend work to running platforms."}, "path": {"devops"}, "want_skills": {"k8s, Terraform"},
		"min_years": {"5"}, "languages": {"en"}, "time_zone": {"Europe/Berlin"}, "hours_per_week": {"2"}, "slots": {"2-evening"},
	}
}

func TestMenteeProfileIsSavedAndBadInputIsRefused(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	p := mtrSignIn(t, app, "Linus Learner", "Asia/Kolkata")

	mtrHas(t, "empty mentee form", p.Get("/mentors/profile/mentee").Body, `<option value="Asia/Kolkata" selected>`, "Your goals, in your own words")

	bad := []struct {
		field, value, says string
	}{
		{"goals", "", "Tell mentors what you want to achieve"},
		{"goals", "grow", "Say a little more about your goals"},
		{"goals", strings.Repeat("g", 2001), "at most 2000 characters"},
		{"path", "astrology", "is not a path we know"},
		{"want_skills", "!!!", "is not a skill name"},
		{"min_years", "99", "from 0 to 60"},
		{"min_years", "lots", "Enter the years of experience you ask for as a whole number"},
		{"languages", "Elvish", "is not a language we know"},
		{"time_zone", "Nowhere/Land", "is not a time zone"},
		{"hours_per_week", "-2", "between 0 and 40"},
		{"slots", "1-midnight", "Tick the times you are free"},
	}
	for _, b := range bad {
		v := menteeFormValues()
		v.Set(b.field, b.value)
		r := p.PostForm("/mentors/profile/mentee", "/mentors/profile/mentee", v)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s=%q: status %d, want 422", b.field, mtrShort(b.value), r.StatusCode)
			continue
		}
		errField := b.field
		if errField == "slots" {
			errField = "availability"
		}
		mtrHas(t, b.field, r.Body, b.says, `id="`+errField+`-error"`, `aria-describedby="`+errField+`-error"`)
		if b.field != "want_skills" {
			mtrHas(t, b.field+" keeps the skills", r.Body, `value="k8s, Terraform"`)
		}
	}
	// Neither a path nor a skill.
	v := menteeFormValues()
	v.Set("path", "")
	v.Set("want_skills", "")
	if r := p.PostForm("/mentors/profile/mentee", "/mentors/profile/mentee", v); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Choose a path or at least one skill") {
		t.Errorf("no path, no skill: %d", r.StatusCode)
	}
	if _, err := app.Mentors.MenteeProfile(context.Background(), p.ID); !errors.Is(err, mentors.ErrNotFound) {
		t.Fatalf("bad input stored a profile: %v", err)
	}

	r := p.PostForm("/mentors/profile/mentee", "/mentors/profile/mentee", menteeFormValues())
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/mentors/suggestions" {
		t.Fatalf("save: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	got, err := app.Mentors.MenteeProfile(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != "devops" || strings.Join(got.WantSkills, ",") != "kubernetes,terraform" || got.MinYears != 5 || len(got.Availability.Slots) != 1 {
		t.Fatalf("stored %+v", got)
	}
	page := p.Get("/mentors/profile/mentee")
	mtrHas(t, "saved mentee form", page.Body, `value="Kubernetes, Terraform"`, `<option value="devops" selected>`, `value="2-evening" aria-label="Tuesday evening" checked`, "Move from backend work")
}
