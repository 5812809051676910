package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// mtrPerson is a signed-in visitor of the app under test.
type mtrPerson struct {
	*apptest.Client
	ID   string
	Name string
}

var mtrNonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// mtrSignIn signs a new visitor in through development sign-in and, when
// zone is set, saves it as their time zone.
func mtrSignIn(t *testing.T, app *apptest.App, name, zone string) mtrPerson {
	t.Helper()
	c := app.NewClient(t)
	c.DevSignIn(name, "")
	subject := strings.Trim(mtrNonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	u, _, err := app.Users.SignIn(context.Background(), auth.Profile{Provider: "dev", Subject: subject, Login: subject, Name: name,
		Emails: []auth.Email{{Address: subject + "@dev.focusgroups.test", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if zone != "" {
		if _, err := app.Users.UpdateProfile(context.Background(), u.ID, auth.ProfileUpdate{Name: name, TimeZone: zone}); err != nil {
			t.Fatal(err)
		}
	}
	return mtrPerson{Client: c, ID: u.ID, Name: name}
}

// mtrMentor stores a mentor profile for p; adjust changes the default.
func mtrMentor(t *testing.T, app *apptest.App, p mtrPerson, adjust func(*match.MentorProfile)) {
	t.Helper()
	m := match.MentorProfile{UserID: p.ID, Skills: []match.Skill{{Name: "go", Level: 4}}, Paths: []string{"backend"},
		Years: 8, Languages: []string{"en"}, TimeZone: "Europe/Berlin", Capacity: 2, Bio: "I build Go services."}
	if adjust != nil {
		adjust(&m)
	}
	if _, err := app.Mentors.SaveMentorProfile(context.Background(), m); err != nil {
		t.Fatalf("mentor profile of %s: %v", p.Name, err)
	}
}

// mtrMentee stores a mentee profile for p; adjust changes the default.
func mtrMentee(t *testing.T, app *apptest.App, p mtrPerson, adjust func(*match.MenteeProfile)) {
	t.Helper()
	m := match.MenteeProfile{UserID: p.ID, Goals: "I want to write solid Go services.", WantSkills: []string{"go"},
		Path: "backend", Languages: []string{"en"}, TimeZone: "Europe/Berlin"}
	if adjust != nil {
		adjust(&m)
	}
	if _, err := app.Mentors.SaveMenteeProfile(context.Background(), m); err != nil {
		t.Fatalf("mentee profile of %s: %v", p.Name, err)
	}
}

// mtrAccepted signs in a new mentee named name, who asks mentor and is
// accepted: one of the mentor's seats is taken.
func mtrAccepted(t *testing.T, app *apptest.App, mentor mtrPerson, name string) mtrPerson {
	t.Helper()
	ctx := context.Background()
	e := mtrSignIn(t, app, name, "")
	mtrMentee(t, app, e, nil)
	r, err := app.Mentors.Ask(ctx, e.ID, mentor.ID, "Hello "+mentor.Name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Mentors.Accept(ctx, mentor.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

// mtrGroup creates an open group owned by owner with the members joined.
func mtrGroup(t *testing.T, app *apptest.App, slug string, owner mtrPerson, members ...mtrPerson) *groups.Group {
	t.Helper()
	g, err := app.Groups.Create(context.Background(), owner.ID, groups.Input{Name: "Group " + slug, Slug: slug,
		Description: "We meet.", Topics: []string{"go"}, Paths: []string{"architecture"}, Online: true})
	if err != nil {
		t.Fatalf("create group %s: %v", slug, err)
	}
	for _, m := range members {
		if err := app.Groups.Join(context.Background(), g.ID, m.ID, []string{mtrSlug(m.Name) + "@dev.focusgroups.test"}); err != nil {
			t.Fatalf("join %s: %v", m.Name, err)
		}
	}
	return g
}

func mtrSlug(name string) string {
	return strings.Trim(mtrNonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
}

func mtrHas(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mtrLacks(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s shows %q", what, w)
		}
	}
}

// mtrShort shortens long test input for failure messages.
func mtrShort(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
