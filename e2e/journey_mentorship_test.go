package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/focusgroups/focusgroups/mentors/match"
)

// A mentee and her mentor, in Berlin and New York, agree on goals and a
// meeting in the browser: she proposes one of the times both are free,
// he accepts, and the invitation lands in both mailboxes as a calendar
// invitation.
func TestMentorshipMeetingIsScheduled(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mia, tom := newPerson(t), newPerson(t)
	w.devSignIn(mia, "Mia Müller", "mia@example.com")
	w.devSignIn(tom, "Tom Tanaka", "tom@example.com")
	miaID, tomID := w.userID(t, "mia@example.com"), w.userID(t, "tom@example.com")
	if _, err := w.app.Mentors.SaveMentorProfile(ctx, match.MentorProfile{UserID: tomID, Skills: []match.Skill{{Name: "go", Level: 5}},
		Paths: []string{"backend"}, Years: 12, Languages: []string{"en"}, TimeZone: "America/New_York", Capacity: 2,
		Availability: match.Availability{HoursPerWeek: 2, Slots: everyDay(6, 18)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Mentors.SaveMenteeProfile(ctx, match.MenteeProfile{UserID: miaID, Goals: "Ship my first Go service.",
		WantSkills: []string{"go"}, Path: "backend", Languages: []string{"en"}, TimeZone: sessionZone,
		Availability: match.Availability{HoursPerWeek: 2, Slots: everyDay(9, 21)}}); err != nil {
		t.Fatal(err)
	}
	r, err := w.app.Mentors.Ask(ctx, miaID, tomID, "Please mentor me")
	if err != nil {
		t.Fatal(err)
	}
	ship, err := w.app.Mentors.Accept(ctx, tomID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	page := w.app.URL + "/mentors/mentorships/" + ship.ID

	// Mia writes down a goal and proposes the first time offered.
	mia.open(page)
	mia.see("Tom Tanaka, your mentor", "Shared goals", "Propose a meeting")
	mia.fill(map[string]string{"#goal": "Ship a Go service to production"})
	mia.click(`form[action$="/goals"] button[type=submit]`)
	mia.see("Ship a Go service to production")
	mia.do("open the proposal form", chromedp.Evaluate[chromedp.Void](`document.querySelector("#meetings details").open = true`))
	mia.checkA11y("mentorship")
	mia.click(`form[action$="/meetings"] button[type=submit]`)
	mia.see("waiting for Tom Tanaka")

	// Tom sees it in both zones, and accepts.
	tom.open(page)
	tom.see("proposed by Mia Müller", " in Berlin", "Ship a Go service to production")
	tom.click(`form[action$="/accept"] button[type=submit]`)
	tom.see("in both calendars")
	tom.screenshot("mentorship")

	for _, addr := range []string{"mia@example.com", "tom@example.com"} {
		m := w.smtp.WaitFor(t, addr, "Meeting with")
		if m.CalendarMethod != "REQUEST" || !strings.Contains(m.Calendar, "UID:") || !strings.Contains(m.Calendar, "SEQUENCE:0") {
			t.Errorf("the invitation to %s is no calendar invitation: %q\n%s", addr, m.CalendarMethod, m.Calendar)
		}
	}
}
