package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// mtrMeetingShip starts a mentorship between a mentor in Berlin and a
// mentee in New York who are both free every day from 11:00 to 19:00 UTC
// or so (09:00-21:00 in Berlin, 06:00-18:00 in New York).
func mtrMeetingShip(t *testing.T, app *apptest.App) (mentor, mentee mtrPerson, path string) {
	t.Helper()
	days := func(from, to int) []match.Slot {
		var out []match.Slot
		for d := time.Sunday; d <= time.Saturday; d++ {
			out = append(out, match.Slot{Day: d, StartMin: from * 60, EndMin: to * 60})
		}
		return out
	}
	mentor = mtrSignIn(t, app, "Ana Mentor", "Europe/Berlin")
	mtrMentor(t, app, mentor, func(p *match.MentorProfile) {
		p.Availability = match.Availability{HoursPerWeek: 2, Slots: days(9, 21)}
	})
	mentee = mtrSignIn(t, app, "Mia Mentee", "America/New_York")
	mtrMentee(t, app, mentee, func(p *match.MenteeProfile) {
		p.TimeZone = "America/New_York"
		p.Availability = match.Availability{HoursPerWeek: 2, Slots: days(6, 18)}
	})
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

var (
	firstOffer    = regexp.MustCompile(`name="slot" value="([^"]+)" checked> ([^<]+)</label>`)
	meetingAction = regexp.MustCompile(`action="(/mentors/mentorships/[^"]+/meetings/[^"]+/(accept|decline|move|cancel))"`)
)

func meetingActions(body string) map[string]string {
	out := map[string]string{}
	for _, m := range meetingAction.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// A meeting offered where both are free is proposed by the mentee and
// accepted by the mentor: both get a calendar invitation by mail; moving
// it sends an update with the same UID and SEQUENCE 1, cancelling a
// METHOD:CANCEL.
func TestMentorshipMeetingLandsInBothCalendars(t *testing.T) {
	t.Parallel()
	srv := apptest.StartSMTP(t)
	app := apptest.Start(t, apptest.Options{SMTPURL: srv.URL()})
	ana, mia, ship := mtrMeetingShip(t, app)

	page := mia.Get(ship).Body
	offer := firstOffer.FindStringSubmatch(page)
	if offer == nil {
		t.Fatalf("no time offered:\n%s", page)
	}
	if !strings.Contains(offer[2], " in New York · ") || !strings.HasSuffix(offer[2], " in Berlin") {
		t.Errorf("the offer %q is not in both zones, the viewer's first", offer[2])
	}
	r := mia.PostForm(ship, ship+"/meetings", url.Values{"slot": {offer[1]}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", r.StatusCode, r.Body)
	}
	mtrHas(t, "the mentee's page", mia.Get(ship).Body, "waiting for Ana Mentor")
	mtrLacks(t, "the mentee's page", mia.Get(ship).Body, "/accept\"")
	page = ana.Get(ship).Body
	mtrHas(t, "the mentor's page", page, "proposed by Mia Mentee")
	actions := meetingActions(page)
	if actions["accept"] == "" || actions["decline"] == "" {
		t.Fatalf("the mentor cannot answer: %v", actions)
	}
	if r := ana.PostForm(ship, actions["accept"], nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", r.StatusCode)
	}
	for _, addr := range []string{"ana-mentor@dev.focusgroups.test", "mia-mentee@dev.focusgroups.test"} {
		m := srv.WaitFor(t, addr, "Meeting with")
		if m.CalendarMethod != "REQUEST" || !strings.Contains(m.Calendar, "SEQUENCE:0") || !strings.Contains(m.Calendar, "STATUS:CONFIRMED") {
			t.Errorf("invitation to %s: method %q\n%s", addr, m.CalendarMethod, m.Calendar)
		}
		mtrHas(t, "the invitation to "+addr, m.Text, " in Berlin", " in New York", ship)
	}
	invite := srv.WaitFor(t, "mia-mentee@dev.focusgroups.test", "Meeting with")
	uid := regexp.MustCompile(`UID:(\S+)`).FindStringSubmatch(invite.Calendar)
	if uid == nil {
		t.Fatalf("no UID:\n%s", invite.Calendar)
	}
	mtrHas(t, "the mentee's invitation", invite.Subject, "Meeting with Ana Mentor: ", " in New York · ")

	page = ana.Get(ship).Body
	mtrHas(t, "the accepted meeting", page, "in both calendars")
	actions = meetingActions(page)
	offers := regexp.MustCompile(`<option value="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if actions["move"] == "" || len(offers) < 2 {
		t.Fatalf("no way to move it: %v, %d offers", actions, len(offers))
	}
	if strings.Contains(page, `value="`+offer[1]+`"`) {
		t.Error("the accepted meeting's own time is still offered")
	}
	if r := ana.PostForm(ship, actions["move"], url.Values{"slot": {offers[1][1]}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d", r.StatusCode)
	}
	moved := srv.WaitFor(t, "mia-mentee@dev.focusgroups.test", "Moved: meeting with Ana Mentor")
	if moved.CalendarMethod != "REQUEST" || !strings.Contains(moved.Calendar, "UID:"+uid[1]) || !strings.Contains(moved.Calendar, "SEQUENCE:1") {
		t.Errorf("update: %q\n%s", moved.CalendarMethod, moved.Calendar)
	}
	if r := mia.PostForm(ship, actions["cancel"], nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", r.StatusCode)
	}
	for _, addr := range []string{"ana-mentor@dev.focusgroups.test", "mia-mentee@dev.focusgroups.test"} {
		m := srv.WaitFor(t, addr, "Cancelled: meeting with")
		if m.CalendarMethod != "CANCEL" || !strings.Contains(m.Calendar, "UID:"+uid[1]) || !strings.Contains(m.Calendar, "SEQUENCE:2") {
			t.Errorf("cancellation to %s: %q\n%s", addr, m.CalendarMethod, m.Calendar)
		}
	}
	mtrHas(t, "the page after cancelling", ana.Get(ship).Body, "No meetings planned.")
}

// A time in the past, a time outside both weekly times without the tick,
// and a garbled time are refused on the form; with the tick the other is
// asked to agree. Outsiders find nothing.
func TestMentorshipMeetingRefusals(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ana, mia, ship := mtrMeetingShip(t, app)
	olly := mtrSignIn(t, app, "Olly Outsider", "")
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	night := time.Now().Add(48 * time.Hour).UTC().Truncate(24 * time.Hour).Add(2 * time.Hour).In(ny).Format("2006-01-02T15:04")
	past := time.Now().Add(-2 * time.Hour).In(ny).Format("2006-01-02T15:04")
	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"in the past", url.Values{"slot": {"other"}, "at": {past}, "outside": {"yes"}}, "That time has passed"},
		{"outside without the tick", url.Values{"slot": {"other"}, "at": {night}}, "outside your usual times"},
		{"garbled time", url.Values{"slot": {"other"}, "at": {"tomorrow-ish"}}, "Enter the date and time"},
		{"no time", url.Values{"slot": {"other"}}, "Pick one of the times offered"},
		{"garbled offer", url.Values{"slot": {"2026-13-45"}}, "Pick one of the times offered"},
	} {
		r := mia.PostForm(ship, ship+"/meetings", c.form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, c.want) || !strings.Contains(r.Body, `id="at-error"`) {
			t.Errorf("%s: %d", c.name, r.StatusCode)
		}
	}
	mtrHas(t, "the page after the refusals", ana.Get(ship).Body, "No meetings planned.")
	r := mia.PostForm(ship, ship+"/meetings", url.Values{"slot": {"other"}, "at": {night}, "outside": {"yes"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("outside with the tick: %d", r.StatusCode)
	}
	page := ana.Get(ship).Body
	mtrHas(t, "the mentor's page", page, "proposed by Mia Mentee", "outside your usual times")
	actions := meetingActions(page)
	for _, path := range []string{ship + "/meetings", actions["accept"], actions["decline"]} {
		if r := olly.PostForm("/mentors", path, url.Values{"slot": {"other"}, "at": {night}, "outside": {"yes"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("outsider POST %s: %d", path, r.StatusCode)
		}
	}
	if r := ana.PostForm(ship, strings.Replace(actions["accept"], "/accept", "/explode", 1), nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown meeting action: %d", r.StatusCode)
	}
	if r := mia.Follow(mia.PostForm(ship, actions["accept"], nil)); !strings.Contains(r.Body, "The other person answers your proposal.") {
		t.Error("accepting one's own proposal says nothing")
	}
	if r := ana.PostForm(ship, actions["accept"], nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", r.StatusCode)
	}
	mtrHas(t, "the accepted outside meeting", mia.Get(ship).Body, "in both calendars")
}
