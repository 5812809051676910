package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

var goingLink = regexp.MustCompile(`https?://\S+/rsvp/[a-z2-7]+\?answer=going`)
var notGoingLink = regexp.MustCompile(`https?://\S+/rsvp/[a-z2-7]+\?answer=not-going`)

func sessionForm(title, capacity string, extra ...string) url.Values {
	start := time.Now().Add(72 * time.Hour).In(time.UTC)
	v := url.Values{"title": {title}, "description": {"Hands-on."}, "format": {"workshop"}, "timezone": {"Europe/Berlin"},
		"start": {start.Format("2006-01-02T15:04")}, "end": {start.Add(2 * time.Hour).Format("2006-01-02T15:04")},
		"online_url": {"https://meet.example/secret-room"}, "capacity": {capacity}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func TestEmailedInviteRSVPWithoutSigningIn(t *testing.T) {
	t.Parallel()
	smtp := apptest.StartSMTP(t)
	app := apptest.Start(t, apptest.Options{SMTPURL: smtp.URL()})
	host := app.NewClient(t)
	host.DevSignIn("Hal Host", "hal@host.example")
	where := createGroup(t, host, groupForm("Invite Testers"))

	people := map[string]*apptest.Client{}
	for _, p := range []struct{ name, email string }{
		{"Ann First", "ann@x.example"}, {"Ben Second", "ben@x.example"}, {"Quiet Quinn", "quinn@x.example"},
	} {
		c := app.NewClient(t)
		c.DevSignIn(p.name, p.email)
		c.PostForm(where, where+"/join", nil)
		people[p.email] = c
	}
	// Quinn wants no invitations.
	people["quinn@x.example"].PostForm("/profile", "/profile", url.Values{"name": {"Quiet Quinn"}, "no_invites": {"on"}, "reminder_hours": {"24"}})

	r := host.PostForm(where+"/sessions/new", where+"/sessions", sessionForm("Fuzzing <Go> & friends", "1", "announce", "on"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
	}
	eventPath := r.Header.Get("Location")
	eventID := strings.TrimPrefix(eventPath, "/s/")

	ann := smtp.WaitFor(t, "ann@x.example", "Fuzzing <Go> & friends")
	ben := smtp.WaitFor(t, "ben@x.example", "Fuzzing")
	for _, m := range []apptest.Mail{ann, ben} {
		if m.CalendarMethod != "REQUEST" || !strings.Contains(m.Calendar, "UID:"+eventID+"@focusgroups") {
			t.Fatalf("invite calendar part: method %q\n%s", m.CalendarMethod, m.Calendar)
		}
		if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(m.Header.Get("List-Unsubscribe"), "/unsubscribe/") {
			t.Fatalf("unsubscribe headers: %v", m.Header)
		}
		if !strings.Contains(m.HTML, "Fuzzing &lt;Go&gt; &amp; friends") || strings.Contains(m.Text, "secret-room") {
			t.Fatalf("invite body: escaping or a leaked online link:\n%s", m.Text)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(ann.Calendar))
	if err != nil || len(cal.Events()) != 1 || cal.Events()[0].Id() != eventID+"@focusgroups" {
		t.Fatalf("calendar parses to %v, %v", cal, err)
	}
	app.WaitMailDrained(t)
	for _, m := range smtp.Mails() {
		for _, to := range m.To {
			if to == "quinn@x.example" || to == "hal@host.example" {
				t.Fatalf("%s got an invitation (opted out, or the organizer who announced)", to)
			}
		}
	}

	// Ann follows Going: a GET shows what will happen and changes nothing.
	scanner := app.NewClient(t)
	annGoing := goingLink.FindString(ann.Text)
	page := scanner.Get(annGoing)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "You will be going to") || !strings.Contains(page.Body, "Ann First") {
		t.Fatalf("confirm page: %d\n%s", page.StatusCode, page.Body)
	}
	annUser, _ := app.Users.FindByEmail(context.Background(), "ann@x.example")
	if st, _ := app.Events.StatusOf(context.Background(), eventID, annUser.ID); st.Status != events.RSVPNone {
		t.Fatalf("GET changed the RSVP to %q", st.Status)
	}
	// The confirm button posts without a session or CSRF token.
	done := scanner.Post(annGoing, url.Values{"answer": {"going"}})
	if done.StatusCode != http.StatusOK || !strings.Contains(done.Body, "You are going") || !strings.Contains(done.Body, "Add to calendar") {
		t.Fatalf("confirm: %d\n%s", done.StatusCode, done.Body)
	}
	if st, _ := app.Events.StatusOf(context.Background(), eventID, annUser.ID); st.Status != events.RSVPGoing {
		t.Fatalf("after POST Ann is %q", st.Status)
	}
	// Confirming twice keeps one seat.
	scanner.Post(annGoing, url.Values{"answer": {"going"}})

	// Ben's link: the session is full, so he joins the waitlist.
	benGoing := goingLink.FindString(ben.Text)
	if page := scanner.Get(benGoing); !strings.Contains(page.Body, "This session is full") {
		t.Fatalf("full session confirm page:\n%s", page.Body)
	}
	if done := scanner.Post(benGoing, url.Values{"answer": {"going"}}); !strings.Contains(done.Body, "number 1 on the waitlist") {
		t.Fatalf("waitlist answer:\n%s", done.Body)
	}

	// Ann changes her mind from the same mail: Ben is promoted and mailed.
	annNo := notGoingLink.FindString(ann.Text)
	if done := scanner.Post(annNo, url.Values{"answer": {"not-going"}}); !strings.Contains(done.Body, "not going") {
		t.Fatalf("not going:\n%s", done.Body)
	}
	promoted := smtp.WaitFor(t, "ben@x.example", "seat")
	benNo := notGoingLink.FindString(promoted.Text)
	if !strings.Contains(promoted.Text, "Fuzzing") || benNo == "" {
		t.Fatalf("promotion mail without a one-click way to give the seat back:\n%s", promoted.Text)
	}
	if page := scanner.Get(benNo); !strings.Contains(page.Body, "not going") {
		t.Fatalf("give-back link from the promotion mail:\n%s", page.Body)
	}

	// Ann's token cannot be bent to another session, and tampering fails kindly.
	tampered := strings.Replace(annGoing, "/rsvp/", "/rsvp/x", 1)
	if r := scanner.Post(tampered, url.Values{"answer": {"going"}}); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "This link no longer works") {
		t.Fatalf("tampered link: %d\n%s", r.StatusCode, r.Body)
	}
	if r := scanner.Post(annGoing, url.Values{"answer": {"maybe"}}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad answer: %d", r.StatusCode)
	}

	// The organizer sees the delivery state of the announcement (the
	// workers record "sent" just after the SMTP server accepts).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p := host.Get(eventPath)
		if strings.Contains(p.Body, "Announcement: 2 of 2 sent") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery state missing:\n%s", p.Body)
		}
	}
	// Announcing again sends nobody a second invitation.
	before := len(smtp.Mails())
	host.PostForm(eventPath, eventPath+"/announce", nil)
	app.WaitMailDrained(t)
	for _, m := range smtp.Mails()[before:] {
		if strings.Contains(m.Subject, "Fuzzing") && m.CalendarMethod == "REQUEST" {
			t.Fatalf("second announcement re-sent an invite to %v", m.To)
		}
	}
}

// linkedMember makes a session called title in a new group hosted by Hal
// and a member, Mia, with an emailed RSVP link to it: the session, Mia
// and her link's token.
func linkedMember(t *testing.T, app *apptest.App, title string) (events.Event, *auth.User, string) {
	t.Helper()
	host := app.NewClient(t)
	host.DevSignIn("Hal Host", "hal@host.example")
	where := createGroup(t, host, groupForm(title+" Group"))
	r := host.PostForm(where+"/sessions/new", where+"/sessions", sessionForm(title, ""))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
	}
	ctx := context.Background()
	ev, err := app.Events.Get(ctx, strings.TrimPrefix(r.Header.Get("Location"), "/s/"))
	if err != nil {
		t.Fatal(err)
	}
	member := app.NewClient(t)
	member.DevSignIn("Mia Member", "mia@x.example")
	member.PostForm(where, where+"/join", nil)
	mia, err := app.Users.FindByEmail(ctx, "mia@x.example")
	if err != nil {
		t.Fatal(err)
	}
	token, err := app.Events.IssueRSVPToken(ctx, ev, mia.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ev, mia, token
}

// An emailed RSVP link works until the session ends, not a moment longer:
// the token's key lives on for a grace period (a session moved later keeps
// its links), so the web layer is what refuses it.
func TestRSVPLinkStopsWorkingWhenTheSessionEnds(t *testing.T) {
	t.Parallel()
	clock := apptest.NewClock(time.Now())
	app := apptest.Start(t, apptest.Options{Clock: clock})
	ev, mia, token := linkedMember(t, app, "Ends on time")
	link := "/rsvp/" + token + "?answer=going"
	scanner := app.NewClient(t)

	clock.Set(ev.End.Add(-time.Second))
	if page := scanner.Get(link); page.StatusCode != http.StatusOK || strings.Contains(page.Body, "This link no longer works") {
		t.Fatalf("a second before the end: %d\n%s", page.StatusCode, page.Body)
	}
	for _, at := range []time.Time{ev.End, ev.End.Add(time.Hour)} {
		clock.Set(at)
		if page := scanner.Get(link); page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "This link no longer works") {
			t.Fatalf("GET at %s (end %s): %d\n%s", at, ev.End, page.StatusCode, page.Body)
		}
		if done := scanner.Post(link, url.Values{"answer": {"going"}}); done.StatusCode != http.StatusOK || !strings.Contains(done.Body, "This link no longer works") {
			t.Fatalf("POST at %s (end %s): %d\n%s", at, ev.End, done.StatusCode, done.Body)
		}
	}
	if st, _ := app.Events.StatusOf(context.Background(), ev.ID, mia.ID); st.Status != events.RSVPNone {
		t.Fatalf("an ended session's link changed the RSVP to %q", st.Status)
	}
}

// The page an emailed RSVP link opens reads the token, then the person,
// the session, its group and the person's standing together: two round
// trips, after the link's two rate limits (per link and per network,
// each one atomic script on a key of its own, both in one round trip).
// It took six.
func TestRSVPLinkPageReadsInTwoRoundTripsAfterItsLimits(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	_, _, token := linkedMember(t, app, "Counted")
	scanner := app.NewClient(t)
	if n := pageTrips(t, app, scanner, "/rsvp/:token", "/rsvp/"+token+"?answer=going"); n != 3 {
		t.Errorf("the RSVP link's page: %d round trips, want 3 (the rate limits, the token, the rest)", n)
	}
	sesContains(t, "the RSVP link's page", scanner.Get("/rsvp/"+token+"?answer=going").Body, "Counted", "Mia Member")
}
