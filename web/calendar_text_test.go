package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mail"
)

// assertCleanCalendar checks what strict calendar clients check: the body
// parses (golang-ical), is valid UTF-8, and holds no control character
// other than the CR LF ending each line. It returns the parsed calendar.
func assertCleanCalendar(t *testing.T, what, body string) *ics.Calendar {
	t.Helper()
	if !utf8.ValidString(body) {
		t.Fatalf("%s: invalid UTF-8:\n%q", what, body)
	}
	for i, r := range body {
		switch {
		case r == '\r' && strings.HasPrefix(body[i:], "\r\n"):
		case r == '\n' && i > 0 && body[i-1] == '\r':
		case unicode.IsControl(r):
			t.Fatalf("%s: control character %U at byte %d:\n%q", what, r, i, body)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: golang-ical cannot parse it: %v\n%s", what, err, body)
	}
	if len(cal.Events()) == 0 {
		t.Fatalf("%s: no events:\n%s", what, body)
	}
	return cal
}

// Every calendar the app serves (a session's .ics, the group feed, the
// personal feed, the invitation's calendar part) is clean, with text the
// forms accept and with text stored before the forms refused control
// characters.
func TestEveryCalendarIsCleanText(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	org := sesSignIn(t, app, "Cal Organizer", "")
	g := sesGroup(t, app, org, "clean-calendars", nil)
	form := sesForm("Generics, iterators; and 東京 ☕ — a long title that the calendar must fold")
	form.Set("description", "Line one, with a comma;\r\nline two with a back\\slash.\r\n\r\n"+strings.Repeat("Käse 東京 ", 20))
	id := sesCreate(t, org, g, form)
	old := sesCreate(t, org, g, sesForm("Stored before the forms checked"))
	// A session and a group as they could be stored before the forms
	// refused control characters and invalid UTF-8.
	eventKey := app.Prefix + "event:{" + old + "}"
	var stored map[string]any
	if err := json.Unmarshal([]byte(app.Redis.HGet(ctx, eventKey, "data").Val()), &stored); err != nil {
		t.Fatal(err)
	}
	stored["title"], stored["description"], stored["venue"] = "T\x00itle\xff", "a\x00b\r\nc\x1b[0m\rd\te", "Room\x7f 1\n2"
	data, _ := json.Marshal(stored)
	if err := app.Redis.HSet(ctx, eventKey, "data", data).Err(); err != nil {
		t.Fatal(err)
	}
	if err := app.Redis.HSet(ctx, app.Prefix+"group:{"+g.ID+"}", "name", "Old\x00 group\xff").Err(); err != nil {
		t.Fatal(err)
	}
	for _, rev := range []string{"crev", "drev"} { // as every change to what pages show of a group does
		if err := app.Redis.HIncrBy(ctx, app.Prefix+"group:{"+g.ID+"}", rev, 1).Err(); err != nil {
			t.Fatal(err)
		}
	}
	fan := sesSignIn(t, app, "Cal Fan", "")
	sesJoin(t, app, g, fan)
	// The invitation's calendar part, built by notify.
	if r := org.PostForm("/s/"+old, "/s/"+old+"/announce", nil); r.StatusCode != 303 {
		t.Fatalf("announce: %d\n%s", r.StatusCode, r.Body)
	}
	sesRSVP(t, fan, id, "yes")
	sesRSVP(t, fan, old, "yes")
	token, err := app.Events.ResetFeedToken(ctx, fan.User.ID)
	if err != nil {
		t.Fatal(err)
	}

	summaries := func(cal *ics.Calendar) map[string]bool {
		out := map[string]bool{}
		for _, ev := range cal.Events() {
			out[ev.GetProperty(ics.ComponentPropertySummary).Value] = true
		}
		return out
	}
	for _, c := range []struct{ what, path string }{
		{"session .ics", "/s/" + id + "/calendar.ics"},
		{"old session .ics", "/s/" + old + "/calendar.ics"},
		{"group feed", "/g/" + g.Slug + "/calendar.ics"},
		{"personal feed", "/calendar/" + token + ".ics"},
	} {
		r := fan.Get(c.path)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", c.what, r.StatusCode)
		}
		cal := assertCleanCalendar(t, c.what, r.Body)
		got := summaries(cal)
		if c.path != "/s/"+old+"/calendar.ics" && !got["Generics, iterators; and 東京 ☕ — a long title that the calendar must fold"] {
			t.Errorf("%s: the title did not survive the round trip: %v", c.what, got)
		}
		if c.path != "/s/"+id+"/calendar.ics" && !got["Title\uFFFD"] {
			t.Errorf("%s: the stored title is not cleaned to %q: %v", c.what, "Title\uFFFD", got)
		}
	}

	app.WaitMailDrained(t)
	list, err := app.Mail.Mailbox.List(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	invites := 0
	for _, m := range list {
		if m.Kind != mail.KindInvite {
			continue
		}
		for _, a := range m.Attachments {
			if strings.HasPrefix(a.ContentType, "text/calendar") {
				invites++
				cal := assertCleanCalendar(t, "invite to "+m.To, string(a.Content))
				if !summaries(cal)["Title\uFFFD"] {
					t.Errorf("invite to %s: %v", m.To, summaries(cal))
				}
			}
		}
	}
	if invites == 0 {
		t.Fatal("no invitation with a calendar part was sent")
	}
}
