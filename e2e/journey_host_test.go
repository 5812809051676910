package e2e

import (
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// world is the app with everything a journey needs: a fake GitHub, a real
// SMTP server and real Redis.
type world struct {
	app  *apptest.App
	gh   *apptest.FakeGitHub
	smtp *apptest.SMTP
}

func newWorld(t *testing.T) *world {
	gh := apptest.StartGitHub(t)
	smtp := apptest.StartSMTP(t)
	app := apptest.Start(t, apptest.Options{Providers: []auth.ProviderConfig{gh.Config()}, SMTPURL: smtp.URL()})
	return &world{app: app, gh: gh, smtp: smtp}
}

// signInWithGitHub goes through the sign-in page and the (fake) GitHub.
func (w *world) signInWithGitHub(p *person, u apptest.GitHubUser) {
	p.t.Helper()
	w.gh.SignInAs(u)
	p.open(w.app.URL + "/signin")
	p.click("a.provider-github")
}

func TestNewcomerSignsInAndHostsAGroup(t *testing.T) {
	w := newWorld(t)
	ada := newPerson(t)
	ada.open(w.app.URL + "/")
	ada.checkA11y("home (signed out, empty)")

	ada.open(w.app.URL + "/signin")
	ada.checkA11y("sign-in")
	w.signInWithGitHub(ada, apptest.GitHubUser{ID: 4242, Login: "ada", Name: "Ada Lovelace",
		Emails: []apptest.GitHubEmail{{Email: "ada@example.com", Primary: true, Verified: true}}})
	ada.see("Welcome to focusgroups, Ada Lovelace", "ada@example.com", "verified")
	ada.checkA11y("profile")
	ada.screenshot("profile")

	ada.open(w.app.URL + "/groups/new")
	ada.checkA11y("new group form")
	ada.fill(map[string]string{
		"#name":        "Kubernetes Study Circle",
		"#description": "Weekly hands-on **Kubernetes** practice for platform engineers.",
		"#topics":      "kubernetes, devops, go",
		"#city":        "Berlin",
	})
	ada.click(`form[action="/groups"] button[type=submit]`)
	ada.see("Your group is live", "Kubernetes Study Circle", "kubernetes", "Schedule a session")
	ada.checkA11y("group page (organizer)")

	// A colleague joins before the first session is scheduled.
	joinOverHTTP(t, w.memberOverHTTP(t, "Charles Babbage", "charles@example.com"), "/g/kubernetes-study-circle")

	// She schedules the first session, with a limited number of seats.
	ada.click(`a[href$="/sessions/new"]`)
	ada.see("Kubernetes Study Circle", "Seats")
	ada.checkA11y("new session form")
	start, end := sessionTimes(4)
	ada.fill(map[string]string{
		"#title":       "Debugging pods that will not start",
		"#description": "We read **real** crash loops together and fix them.",
		"#format":      "workshop",
		"#timezone":    sessionZone,
		"#start":       start,
		"#end":         end,
		"#venue":       "c-base, Rungestraße 20, Berlin",
		"#capacity":    "12",
	})
	ada.click(`form.session-form button[type=submit]`)
	ada.see("Debugging pods that will not start", "12 of 12 seats left", "c-base", "Organize")
	if !strings.HasPrefix(ada.location(), w.app.URL+"/s/") {
		t.Fatalf("scheduling did not lead to the session page but to %s", ada.location())
	}
	ada.checkA11y("session page (organizer)")

	// The group's members get the invitation by mail; Ada, who scheduled
	// it, does not invite herself.
	invite := w.smtp.WaitFor(t, "charles@example.com", "Debugging pods")
	if invite.CalendarMethod != "REQUEST" || !goingLink.MatchString(invite.Text) {
		t.Fatalf("invitation has no calendar request or no Going link:\n%s", invite.Text)
	}
	for _, m := range w.smtp.Mails() {
		if strings.Contains(strings.Join(m.To, ","), "ada@example.com") {
			t.Fatalf("the organizer was invited to her own session: %s", m.Subject)
		}
	}
	ada.open(w.app.URL + "/g/kubernetes-study-circle")
	ada.see("Debugging pods that will not start", "12 of 12 seats left")
	ada.screenshot("group")
}
