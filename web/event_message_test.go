package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// TestOrganizersWriteToTheirPeople: an organizer writes to those going,
// the waitlist and everyone who answered; a real mail server receives one
// mail per person (guests too), people who turned mail off or muted the
// group get none, and the session page logs each message for organizers.
func TestOrganizersWriteToTheirPeople(t *testing.T) {
	t.Parallel()
	srv := apptest.StartSMTP(t)
	app := apptest.Start(t, apptest.Options{SMTPURL: srv.URL()})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "writers", nil)
	form := sesForm("Room change night")
	form.Set("capacity", "3")
	id := sesCreate(t, org, g, form)
	people := map[string]sesPerson{}
	for _, p := range []struct{ name, email, answer string }{
		{"Gus Going", "gus@example.com", "yes"}, {"Mute Muriel", "muriel@example.com", "yes"}, {"Off Otto", "otto@example.com", "yes"},
		{"Wendy Waiting", "wendy@example.com", "yes"}, {"Nora No", "nora@example.com", "no"},
	} {
		people[p.name] = sesSignIn(t, app, p.name, p.email)
		sesJoin(t, app, g, people[p.name])
		sesRSVP(t, people[p.name], id, p.answer)
	}
	guest, _, err := app.Users.Guest(ctx, "vera@example.com", "Vera Visitor")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Events.RSVP(ctx, id, guest.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Users.Unsubscribe(ctx, people["Mute Muriel"].User.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Users.Unsubscribe(ctx, people["Off Otto"].User.ID, ""); err != nil {
		t.Fatal(err)
	}
	page := "/s/" + id
	compose := page + "/message"
	sesContains(t, "the session page", org.Get(page).Body, `href="`+compose+`"`, "No messages sent yet", `id="danger-h"`)

	send := func(audience, subject, body string) *apptest.Response {
		return org.PostForm(compose, compose, url.Values{"audience": {audience}, "subject": {subject}, "body": {body}})
	}
	r := send("going", "We moved to room 4", "Same time, room 4 on the second floor.\nBring a laptop.")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page {
		t.Fatalf("send to those going: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	sesContains(t, "after sending", org.Follow(r).Body, "Your message is on its way to 3 people.")
	m := srv.WaitFor(t, "gus@example.com", "We moved to room 4")
	sesContains(t, "the mail", m.Text, "Olga Organizer of Group writers wrote about Room change night", "room 4 on the second floor.", "Bring a laptop.", page)
	if m.Header.Get("List-Unsubscribe") == "" {
		t.Error("the message has no List-Unsubscribe header")
	}
	if r := send("waitlist", "A seat may free up", "Keep an eye on your inbox."); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send to the waitlist: %d\n%s", r.StatusCode, r.Body)
	}
	srv.WaitFor(t, "wendy@example.com", "A seat may free up")
	srv.WaitFor(t, "vera@example.com", "A seat may free up") // the guest
	if r := send("answered", "Slides are up", "Find them on the group page."); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send to everyone who answered: %d\n%s", r.StatusCode, r.Body)
	}
	for _, to := range []string{"gus@example.com", "wendy@example.com", "nora@example.com", "vera@example.com"} {
		srv.WaitFor(t, to, "Slides are up")
	}
	app.WaitMailDrained(t)
	counts := map[string]int{}
	for _, m := range srv.Mails() {
		for _, to := range m.To {
			counts[to]++
		}
	}
	for to, want := range map[string]int{"gus@example.com": 2, "wendy@example.com": 2, "vera@example.com": 2, "nora@example.com": 1,
		"muriel@example.com": 0, "otto@example.com": 0, "olga@example.com": 0} {
		if counts[to] != want {
			t.Errorf("%s got %d messages, want %d", to, counts[to], want)
		}
	}

	// The log, for organizers only, in the viewer's zone.
	body := html.UnescapeString(org.Get(page).Body)
	sesContains(t, "the log", body, "Slides are up", "Olga Organizer to everyone who answered (6)", "A seat may free up",
		"Olga Organizer to the waitlist (2)", "We moved to room 4", "Olga Organizer to those going (3)")
	if !loggedAt.MatchString(body) {
		t.Error("the log does not say when, in the viewer's zone (CET, the session's, as Olga chose none)")
	}
	if strings.Index(body, "Slides are up") > strings.Index(body, "We moved to room 4") {
		t.Error("the log is not newest first")
	}
	gus := people["Gus Going"]
	sesLacks(t, "a member's session page", gus.Get(page).Body, "Slides are up", "Messages to attendees")
	if r := gus.Get(compose); r.StatusCode != http.StatusForbidden {
		t.Errorf("message form as a member: %d, want 403", r.StatusCode)
	}
	if r := gus.PostForm(page, compose, url.Values{"audience": {"going"}, "subject": {"Hi"}, "body": {"Hi"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("message as a member: %d, want 403", r.StatusCode)
	}
	if r := org.Post(compose, url.Values{"audience": {"going"}, "subject": {"Hi"}, "body": {"Hi"}, "_csrf": {"forged"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("message with a forged token: %d, want 403", r.StatusCode)
	}
	if r := app.NewClient(t).Get(compose); r.StatusCode != http.StatusSeeOther {
		t.Errorf("message form signed out: %d, want a redirect to sign in", r.StatusCode)
	}
}

// TestMessagesRefuseBadInputAndTooMany: bad messages get the form back
// with a clear 422, nothing sent; past the hourly limit a 429 says when to
// try again, and an hour later the organizer may write again.
func TestMessagesRefuseBadInputAndTooMany(t *testing.T) {
	t.Parallel()
	clock := apptest.NewClock(time.Now())
	app := apptest.Start(t, apptest.Options{Clock: clock})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "limits", nil)
	id := sesCreate(t, org, g, sesForm("Rate limited"))
	compose := "/s/" + id + "/message"
	gus := sesSignIn(t, app, "Gus Going", "gus@example.com")
	sesJoin(t, app, g, gus)
	sesRSVP(t, gus, id, "yes")
	send := func(v url.Values) *apptest.Response { return org.PostForm(compose, compose, v) }
	ok := url.Values{"audience": {"going"}, "subject": {"Room 4"}, "body": {"We moved."}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for kk, vv := range ok {
			out[kk] = vv
		}
		out.Set(k, v)
		return out
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"empty body", with("body", "  "), "Write the message."},
		{"body too long", with("body", strings.Repeat("a", events.MaxMessageBody+1)), "Keep the message to 5000 characters (it has 5001)."},
		{"empty subject", with("subject", ""), "Write a subject"},
		{"subject too long", with("subject", strings.Repeat("s", events.MaxMessageSubject+1)), "Keep the subject to 120 characters"},
		{"subject on two lines", with("subject", "Room\n4"), "The subject must be one line"},
		{"control characters", with("body", "We\x00moved"), "The message cannot contain control characters"},
		{"invalid UTF-8", with("body", "We \xff moved"), "not text (invalid UTF-8)"},
		{"wrong audience", with("audience", "everyone"), "Choose who gets the message."},
		{"no audience", with("audience", ""), "Choose who gets the message."},
		{"nobody on the waitlist", with("audience", "waitlist"), "Nobody is on the waitlist, so there is nobody to write to."},
	} {
		r := send(tc.form)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.name, r.StatusCode)
			continue
		}
		sesContains(t, tc.name, html.UnescapeString(r.Body), tc.want, "Please fix the fields marked below")
	}
	if body := html.UnescapeString(send(with("body", "")).Body); !strings.Contains(body, ">Room 4<") && !strings.Contains(body, `value="Room 4"`) {
		t.Error("the form lost the subject after an error")
	}
	if log := sesLog(t, app, id); len(log) != 0 {
		t.Fatalf("bad messages were logged: %+v", log)
	}

	for i := range events.MessagesPerHour {
		if r := send(ok); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("message %d: %d\n%s", i+1, r.StatusCode, r.Body)
		}
		clock.Advance(time.Minute)
	}
	r := send(ok)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("message past the limit: %d, want 429", r.StatusCode)
	}
	sesContains(t, "the 429 page", r.Body, "5 messages an hour", "was not sent", "try again in 56 minutes")
	if ra := r.Header.Get("Retry-After"); ra != "3301" {
		t.Errorf("Retry-After %q, want 3301", ra)
	}
	if n := len(sesLog(t, app, id)); n != events.MessagesPerHour {
		t.Fatalf("%d messages logged, want %d", n, events.MessagesPerHour)
	}
	clock.Advance(56 * time.Minute)
	if r := send(ok); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("an hour after the first message: %d, want it sent", r.StatusCode)
	}
}

// loggedAt is a log line's end: whom, how many, and when with the zone.
var loggedAt = regexp.MustCompile(`to those going \(3\), \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d CET`)

// sesLog reads a session's message log.
func sesLog(t *testing.T, app *apptest.App, id string) []events.SentMessage {
	t.Helper()
	p := app.Redis.Pipeline()
	read := app.Events.QueueMessages(context.Background(), p, id)
	if _, err := p.Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	log, err := read()
	if err != nil {
		t.Fatal(err)
	}
	return log
}
