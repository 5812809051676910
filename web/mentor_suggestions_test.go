package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func TestSuggestionsExplainEachMentorAndFilter(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	ana := mtrSignIn(t, app, "Ana Platform", "")
	mtrMentor(t, app, ana, func(m *match.MentorProfile) {
		m.Skills = []match.Skill{{Name: "go", Level: 4}, {Name: "kubernetes", Level: 3}}
		m.Paths, m.Languages, m.TimeZone = []string{"devops"}, []string{"en", "es"}, "Europe/Madrid"
	})
	bob := mtrSignIn(t, app, "Bob Backend", "")
	mtrMentor(t, app, bob, func(m *match.MentorProfile) {
		m.Skills, m.TimeZone, m.AvailableNow = []match.Skill{{Name: "go", Level: 2}}, "America/New_York", true
	})
	paula := mtrSignIn(t, app, "Paula Paused", "")
	mtrMentor(t, app, paula, nil)
	if err := app.Mentors.SetPaused(ctx, paula.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	fiona := mtrSignIn(t, app, "Fiona Full", "")
	mtrMentor(t, app, fiona, func(m *match.MentorProfile) { m.Capacity = 1 })
	mtrAccepted(t, app, fiona, "Tom Taken")

	me := mtrSignIn(t, app, "Mia Mentee", "")
	if r := me.Get("/mentors/suggestions"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Create a mentee profile") {
		t.Fatalf("suggestions without a profile: %d", r.StatusCode)
	}
	mtrMentee(t, app, me, func(m *match.MenteeProfile) {
		m.WantSkills, m.Path = []string{"go", "kubernetes"}, "devops"
		m.Languages = []string{"en", "es"}
	})

	page := me.Get("/mentors/suggestions")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("suggestions: %d", page.StatusCode)
	}
	mtrHas(t, "suggestions", page.Body, "Ana Platform", "Bob Backend",
		"teaches what you want to learn: Go (4/5) and Kubernetes (3/5); guides DevOps; same time zone; speaks English and Spanish",
		"teaches what you want to learn: Go (2/5); 6 hours apart; speaks English", "Request mentoring", `name="mentor" value="`+ana.ID+`"`)
	mtrLacks(t, "suggestions", page.Body, "Paula Paused", "Fiona Full")
	if strings.Index(page.Body, "Ana Platform") > strings.Index(page.Body, "Bob Backend") {
		t.Error("the better fit is not listed first")
	}

	filters := []struct {
		query     string
		ana, bob  bool
		mentioned string
	}{
		{"skill=k8s", true, false, `value="k8s"`},
		{"language=Spanish", true, false, `value="Spanish"`},
		{"max_tz_hours=2", true, false, `<option value="2" selected>`},
		{"available_now=on", false, true, `name="available_now" checked`},
		{"path=devops", true, false, `<option value="devops" selected>`},
		{"skill=rust", false, false, "No mentor fits these filters"},
	}
	for _, f := range filters {
		r := me.Get("/mentors/suggestions?" + f.query)
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", f.query, r.StatusCode)
			continue
		}
		if strings.Contains(r.Body, "Ana Platform") != f.ana || strings.Contains(r.Body, "Bob Backend") != f.bob {
			t.Errorf("%s: Ana shown %v (want %v), Bob shown %v (want %v)", f.query, strings.Contains(r.Body, "Ana Platform"), f.ana, strings.Contains(r.Body, "Bob Backend"), f.bob)
		}
		mtrHas(t, f.query, r.Body, f.mentioned)
	}
	for _, bad := range []struct{ query, field, says string }{
		{"language=Klingon", "language", "is not a language we know"},
		{"path=astrology", "path", "is not a path we know"},
		{"max_tz_hours=20", "max_tz_hours", "between 0 (any) and 12 hours"},
		{"max_tz_hours=far", "max_tz_hours", "Enter the hours apart as a whole number"},
	} {
		r := me.Get("/mentors/suggestions?" + bad.query)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", bad.query, r.StatusCode)
		}
		mtrHas(t, bad.query, r.Body, bad.says, `id="`+bad.field+`-error"`)
	}

	// The request form keeps the filters: a missing message comes back
	// next to that mentor's form with the filtered list.
	r := me.PostForm("/mentors/suggestions", "/mentors/requests", url.Values{"mentor": {ana.ID}, "message": {"  "}, "back": {"/mentors/suggestions?skill=kubernetes"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty message: %d", r.StatusCode)
	}
	mtrHas(t, "empty message", r.Body, "write a message to the mentor", `id="message-`+ana.ID+`-error"`, `value="kubernetes"`, "<details class=\"ask\" open>")
	mtrLacks(t, "empty message", r.Body, "Bob Backend")
}
