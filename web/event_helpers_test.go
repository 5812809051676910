package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// sesPerson is a signed-in visitor of the app under test.
type sesPerson struct {
	*apptest.Client
	User *auth.User
}

var sesNonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// sesSignIn signs a new visitor in through development sign-in.
func sesSignIn(t *testing.T, app *apptest.App, name, email string) sesPerson {
	t.Helper()
	c := app.NewClient(t)
	c.DevSignIn(name, email)
	subject := strings.Trim(sesNonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if email == "" {
		email = subject + "@dev.focusgroups.test"
	}
	u := userBySignIn(t, app, auth.Profile{Provider: "dev", Subject: subject, Login: subject, Name: name,
		Emails: []auth.Email{{Address: email, Verified: true}}})
	return sesPerson{Client: c, User: u}
}

// sesGroup creates a group owned by owner; adjust changes the input.
func sesGroup(t *testing.T, app *apptest.App, owner sesPerson, slug string, adjust func(*groups.Input)) *groups.Group {
	t.Helper()
	in := groups.Input{Name: "Group " + slug, Slug: slug, Description: "We meet.", Topics: []string{"go"},
		Paths: []string{"architecture"}, City: "Berlin", Online: true}
	if adjust != nil {
		adjust(&in)
	}
	g, err := app.Groups.Create(context.Background(), owner.User.ID, in)
	if err != nil {
		t.Fatalf("create group %s: %v", slug, err)
	}
	return g
}

func sesJoin(t *testing.T, app *apptest.App, g *groups.Group, p sesPerson) {
	t.Helper()
	if err := app.Groups.Join(context.Background(), g.ID, p.User.ID, p.User.VerifiedEmails()); err != nil {
		t.Fatalf("join %s: %v", p.User.Name, err)
	}
}

// sesWall is a wall-clock time in zone, days from now at hh:mm, as the
// session form sends it.
func sesWall(days, hh, mm int, zone string) string {
	loc, _ := time.LoadLocation(zone)
	d := time.Now().In(loc).AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, loc).Format("2006-01-02T15:04")
}

// sesForm is a valid session form the tests adjust.
func sesForm(title string) url.Values {
	return url.Values{
		"title": {title}, "description": {"We **pair** on Go."}, "format": {"workshop"},
		"timezone": {"Europe/Berlin"}, "start": {sesWall(10, 18, 30, "Europe/Berlin")}, "end": {sesWall(10, 20, 0, "Europe/Berlin")},
		"venue": {"Betahaus, Berlin"}, "online_url": {"https://meet.example/secret-room"}, "capacity": {""}, "listed": {"on"},
	}
}

// sesCreate schedules a session through the form and returns its ID.
func sesCreate(t *testing.T, org sesPerson, g *groups.Group, form url.Values) string {
	t.Helper()
	r := org.PostForm("/g/"+g.Slug+"/sessions/new", "/g/"+g.Slug+"/sessions", form)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/s/") {
		t.Fatalf("create session: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	return strings.TrimPrefix(r.Header.Get("Location"), "/s/")
}

// sesRSVP answers on the session page and returns the page shown after.
func sesRSVP(t *testing.T, p sesPerson, id, going string) *apptest.Response {
	t.Helper()
	r := p.PostForm("/s/"+id, "/s/"+id+"/rsvp", url.Values{"going": {going}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s RSVP %s: %d\n%s", p.User.Name, going, r.StatusCode, r.Body)
	}
	return p.Follow(r)
}

func sesStatus(t *testing.T, app *apptest.App, id, uid string) events.Standing {
	t.Helper()
	st, err := app.Events.StatusOf(context.Background(), id, uid)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func sesContains(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func sesLacks(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s shows %q", what, w)
		}
	}
}
