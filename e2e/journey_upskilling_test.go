package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// A member finds a mentor in the directory (no mentee profile needed to
// look), asks her once the profile is there, the mentor accepts, and a
// meeting they agree on lands in both mailboxes as a calendar invitation.
func TestMenteeFindsAMentorInTheDirectoryAndMeets(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ana, max := newPerson(t), newPerson(t)
	w.devSignIn(ana, "Ana Architect", "ana@example.com")
	w.devSignIn(max, "Max Mentee", "max@example.com")
	anaID, maxID := w.userID(t, "ana@example.com"), w.userID(t, "max@example.com")
	if _, err := w.app.Mentors.SaveMentorProfile(ctx, match.MentorProfile{UserID: anaID, Skills: []match.Skill{{Name: "kubernetes", Level: 5}},
		Paths: []string{"architecture"}, Years: 15, Languages: []string{"en"}, TimeZone: sessionZone, Capacity: 2,
		Availability: match.Availability{HoursPerWeek: 2, Slots: everyDay(8, 20)}}); err != nil {
		t.Fatal(err)
	}

	max.open(w.app.URL + "/mentors/directory?skill=kubernetes")
	max.see("Ana Architect", "Create a mentee profile to ask Ana Architect")
	max.checkA11y("mentor directory")
	if _, err := w.app.Mentors.SaveMenteeProfile(ctx, match.MenteeProfile{UserID: maxID, Goals: "Design systems that scale.",
		WantSkills: []string{"kubernetes"}, Path: "architecture", Languages: []string{"en"}, TimeZone: sessionZone,
		Availability: match.Availability{HoursPerWeek: 2, Slots: everyDay(9, 21)}}); err != nil {
		t.Fatal(err)
	}
	max.open(w.app.URL + "/mentors/directory?skill=kubernetes")
	max.see("strong fit", "teaches what you want to learn: Kubernetes (5/5)")
	max.screenshot("mentor-directory")
	max.do("open the request form", chromedp.Evaluate[chromedp.Void](`document.querySelector("details.ask").open = true`))
	max.fill(map[string]string{`textarea[name=message]`: "I want to learn to design for Kubernetes."})
	max.click(`details.ask button[type=submit]`)
	max.see("Your request is on its way to Ana Architect")

	reqs, err := w.app.Mentors.PendingIn(ctx, anaID)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("Ana's requests: %v %v", reqs, err)
	}
	ana.open(w.app.URL + "/mentors/requests/" + reqs[0].ID)
	ana.click(`form[action$="/accept"] button[type=submit]`)
	ships, err := w.app.Mentors.MyMentees(ctx, anaID)
	if err != nil || len(ships) != 1 {
		t.Fatalf("Ana's mentees: %v %v", ships, err)
	}
	page := w.app.URL + "/mentors/mentorships/" + ships[0].ID
	max.open(page)
	max.do("open the proposal form", chromedp.Evaluate[chromedp.Void](`document.querySelector("#meetings details").open = true`))
	max.click(`form[action$="/meetings"] button[type=submit]`)
	max.see("waiting for Ana Architect")
	ana.open(page)
	ana.click(`form[action$="/accept"] button[type=submit]`)
	ana.see("in both calendars")
	for _, addr := range []string{"ana@example.com", "max@example.com"} {
		m := w.smtp.WaitFor(t, addr, "Meeting with")
		if m.CalendarMethod != "REQUEST" || !strings.Contains(m.Calendar, "BEGIN:VEVENT") {
			t.Errorf("the meeting mail to %s is no calendar invitation: %q", addr, m.CalendarMethod)
		}
	}
}

// A member lists what they want to learn with the skill chips; the
// organizer sees it on the group's skill map and turns it into a topic
// proposal in one step.
func TestOrganizerTurnsTheSkillMapIntoAProposal(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	olga, lea := newPerson(t), newPerson(t)
	w.devSignIn(olga, "Olga Organizer", "olga@example.com")
	w.devSignIn(lea, "Lea Learner", "lea@example.com")
	olgaID, leaID := w.userID(t, "olga@example.com"), w.userID(t, "lea@example.com")
	g, err := w.app.Groups.Create(ctx, olgaID, groups.Input{Name: "Platform Guild", Slug: "platform-guild", Description: "We run platforms.",
		Topics: []string{"kubernetes"}, Paths: []string{"devops"}, City: "Berlin", Online: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.app.Groups.Join(ctx, g.ID, leaID, nil); err != nil {
		t.Fatal(err)
	}

	lea.open(w.app.URL + "/skills")
	lea.fill(map[string]string{`#learn + .skill-chips input[list=skill-names]`: "Kubernetes"})
	lea.do("add the skill", chromedp.Click(chromedp.CSS(`#learn + .skill-chips button.button`)))
	if got := lea.value("#learn"); got != "Kubernetes" {
		t.Fatalf("the chips wrote %q into the learn field", got)
	}
	lea.checkA11y("skills with chips")
	lea.click(`form[action="/skills"] button[type=submit]`)
	lea.see("Saved.")

	olga.open(w.app.URL + "/g/platform-guild/skills")
	olga.see("Kubernetes", "1 wants to learn it", "Nobody here teaches it yet")
	olga.screenshot("skill-map")
	olga.click(`form[action$="/skills/propose"] button[type=submit]`)
	olga.see("Learning Kubernetes", "1 member of Platform Guild wants to learn Kubernetes")
}
