package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// zoneCookie is the cookie the browser's script sets, as it sets it.
func zoneCookie(zone string) string { return url.QueryEscape(zone) }

// zoneSignIn signs a new visitor in through development sign-in from a
// browser whose script reported zone ("" for one without JavaScript).
func zoneSignIn(t *testing.T, app *apptest.App, name, zone string) sesPerson {
	t.Helper()
	c := app.NewClient(t)
	if zone != "" {
		c.SetCookie("tz", zoneCookie(zone))
	}
	c.DevSignIn(name, "")
	subject := auth.DevSubject(name)
	u := userBySignIn(t, app, auth.Profile{Provider: "dev", Subject: subject, Login: subject, Name: name,
		Emails: []auth.Email{{Address: subject + "@dev.focusgroups.test", Verified: true}}})
	return sesPerson{Client: c, User: u}
}

func selectedZone(zone string) string { return `<option value="` + zone + `" selected>` }

// The zone the browser reports is saved at the first sign-in, through a
// provider as through development sign-in, and the profile shows it as
// saved. A zone saved later is never overwritten by another browser, and
// a cookie that names no zone saves nothing.
func TestFirstSignInSavesTheBrowserZone(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Providers: []auth.ProviderConfig{gh.Config()}})
	ctx := context.Background()

	c := app.NewClient(t)
	c.SetCookie("tz", zoneCookie("Europe/Berlin"))
	ada := apptest.GitHubUser{ID: 4242, Login: "ada", Name: "Ada Zone", Emails: []apptest.GitHubEmail{{Email: "ada@zone.example", Primary: true, Verified: true}}}
	if r := signInGitHub(t, c, gh, ada); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("GitHub sign-in: %d", r.StatusCode)
	}
	u, err := app.Users.FindByEmail(ctx, "ada@zone.example")
	if err != nil || u.TimeZone != "Europe/Berlin" {
		t.Fatalf("after the first sign-in: zone %q, err %v; want Europe/Berlin saved", u.TimeZone, err)
	}
	profile := c.Get("/profile").Body
	sesContains(t, "the new member's profile", profile, selectedZone("Europe/Berlin"))
	sesLacks(t, "the new member's profile", profile, "No zone is saved yet")

	elsewhere := app.NewClient(t)
	elsewhere.SetCookie("tz", zoneCookie("America/Los_Angeles"))
	signInGitHub(t, elsewhere, gh, ada)
	if u, _ = app.Users.Get(ctx, u.ID); u.TimeZone != "Europe/Berlin" {
		t.Fatalf("signing in from another zone changed the saved one to %q", u.TimeZone)
	}

	// An older name some browsers report, missing from the zone list, is
	// offered on the profile, so saving the profile keeps it.
	kolkata := zoneSignIn(t, app, "Old Name Browser", "Asia/Calcutta")
	if kolkata.User.TimeZone != "Asia/Calcutta" {
		t.Fatalf("zone %q, want Asia/Calcutta", kolkata.User.TimeZone)
	}
	sesContains(t, "the profile of someone in Asia/Calcutta", kolkata.Get("/profile").Body, selectedZone("Asia/Calcutta"))

	for _, junk := range []string{"Mars/Olympus", "..%2F..%2Fetc%2Fpasswd", "%ZZ", "CET"} {
		p := app.NewClient(t)
		p.SetCookie("tz", junk)
		p.DevSignIn("Junk "+strings.Trim(auth.DevSubject(junk), "-")+" Cookie", "")
		body := p.Get("/profile").Body
		sesContains(t, "the profile after a junk zone cookie "+junk, body, "No zone is saved yet")
		sesLacks(t, "the profile after a junk zone cookie "+junk, body, " selected>")
	}
	none := zoneSignIn(t, app, "No Script", "")
	if none.User.TimeZone != "" {
		t.Fatalf("a sign-in without JavaScript saved zone %q", none.User.TimeZone)
	}
}

// A new session's zone is the organizer's, else that of the group's last
// session, else the organizer's browser's; with none known the form asks,
// and never offers UTC on its own.
func TestANewSessionStartsInTheRightZone(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	form := func(p sesPerson, g *groups.Group) string {
		t.Helper()
		r := p.Get("/g/" + g.Slug + "/sessions/new")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("new session form: %d", r.StatusCode)
		}
		return r.Body
	}

	berlin := zoneSignIn(t, app, "Bea Berlin", "Europe/Berlin")
	g := sesGroup(t, app, berlin, "zone-saved", nil)
	sesContains(t, "the form of an organizer with a saved zone", form(berlin, g), selectedZone("Europe/Berlin"))

	nobody := zoneSignIn(t, app, "Nico Nozone", "")
	empty := sesGroup(t, app, nobody, "zone-empty", nil)
	body := form(nobody, empty)
	zoneSelect, _, _ := strings.Cut(body[strings.Index(body, `<select id="timezone"`):], "</select>")
	sesLacks(t, "the zone field with no zone known", zoneSelect, " selected>")
	sesContains(t, "the zone field with no zone known", zoneSelect, `<option value="">Choose a time zone</option>`)
	r := nobody.PostForm("/g/"+empty.Slug+"/sessions/new", "/g/"+empty.Slug+"/sessions", url.Values{"title": {"No zone"}, "format": {"talk"},
		"start": {sesWall(3, 19, 0, "Europe/Berlin")}, "end": {sesWall(3, 20, 0, "Europe/Berlin")}, "online_url": {"https://meet.example/x"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Choose a time zone from the list") {
		t.Fatalf("a session without a zone: %d, want 422 asking for one", r.StatusCode)
	}

	tokyo := sesForm("Tokyo evening")
	tokyo.Set("timezone", "Asia/Tokyo")
	tokyo.Set("start", sesWall(5, 19, 0, "Asia/Tokyo"))
	tokyo.Set("end", sesWall(5, 21, 0, "Asia/Tokyo"))
	sesCreate(t, nobody, empty, tokyo)
	sesContains(t, "the form after a session in Tokyo", form(nobody, empty), selectedZone("Asia/Tokyo"))
	if got, _ := app.Groups.Get(ctx, empty.ID); got.TimeZone != "Asia/Tokyo" {
		t.Fatalf("the group records zone %q, want Asia/Tokyo", got.TimeZone)
	}

	// A group whose record names no zone yet (its sessions were made
	// before zones were recorded) still has its last session's.
	older := sesGroup(t, app, nobody, "zone-older", nil)
	start := time.Now().In(time.UTC).AddDate(0, 0, 4)
	if _, err := app.Events.Create(ctx, events.Actor{UserID: nobody.User.ID, Organizer: true}, older.ID, events.Input{
		Title: "Before zones were recorded", Format: "talk", TimeZone: "America/Sao_Paulo", OnlineURL: "https://meet.example/y",
		Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Hour).Format("2006-01-02T15:04"),
	}); err != nil {
		t.Fatal(err)
	}
	sesContains(t, "the form of a group with an older session", form(nobody, older), selectedZone("America/Sao_Paulo"))
	// That first form records the zone it found, so the next reads it with
	// the group, in the page's three round trips.
	if got, _ := app.Groups.Get(ctx, older.ID); got.TimeZone != "America/Sao_Paulo" {
		t.Fatalf("after its first form the group records zone %q, want America/Sao_Paulo", got.TimeZone)
	}
	if n := pageTrips(t, app, nobody.Client, "/g/:slug/sessions/new", "/g/"+older.Slug+"/sessions/new"); n > 3 {
		t.Fatalf("the form of a group whose zone was found among its sessions: %d round trips, want at most 3", n)
	}

	// With neither, the organizer's browser's zone.
	nobody.SetCookie("tz", zoneCookie("Australia/Sydney"))
	sesContains(t, "the form with only the browser's zone", form(nobody, sesGroup(t, app, nobody, "zone-browser", nil)), selectedZone("Australia/Sydney"))
}

// Nobody sees UTC unless they or the session are in UTC: every page and
// mail that shows a time, read by people with no zone saved and no
// JavaScript, shows the session's zone (Europe/Berlin) or the zone of the
// group's sessions, named; a visitor whose browser reported its zone sees
// that too.
func TestNoPageOrMailShowsUTCToPeopleWithoutAZone(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	const named = "(Europe/Berlin)"

	owner := zoneSignIn(t, app, "Olli Owner", "")
	g := sesGroup(t, app, owner, "zoneless", func(in *groups.Input) { in.JoinPolicy = groups.Approval })
	mia := zoneSignIn(t, app, "Mia Member", "")
	gus := zoneSignIn(t, app, "Gus Going", "")
	pat := zoneSignIn(t, app, "Pat Pending", "")
	for _, p := range []sesPerson{mia, gus, pat} {
		if err := app.Groups.Apply(ctx, g.ID, p.User.ID, "Hello", p.User.VerifiedEmails()); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []sesPerson{mia, gus} {
		if err := app.Groups.Approve(ctx, g.ID, owner.User.ID, p.User.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []sesPerson{owner, mia, gus, pat} {
		if p.User.TimeZone != "" {
			t.Fatalf("%s has zone %q; this test is about people with none", p.User.Name, p.User.TimeZone)
		}
	}

	form := sesForm("Berlin evening")
	form.Set("capacity", "1")
	form.Set("announce", "on")
	id := sesCreate(t, owner, g, form)
	invite := waitForMail(t, app, mia.User.PrimaryEmail(), "Invitation: Berlin evening")
	rsvp := goingLink.FindString(invite.Text)
	if rsvp == "" {
		t.Fatalf("no RSVP link in the invitation:\n%s", invite.Text)
	}
	sesRSVP(t, gus, id, "yes")
	sesRSVP(t, mia, id, "yes") // waitlisted
	sesRSVP(t, gus, id, "no")  // Mia gets the seat
	promoted := waitForMail(t, app, mia.User.PrimaryEmail(), "You have a seat")

	// Reminders, moved into the outbox by a scheduler whose clock stands
	// half an hour before the session.
	ev, err := app.Events.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	later := mail.NewOutbox(app.Redis, app.Prefix, mail.Options{Now: func() time.Time { return ev.Start.Add(-30 * time.Minute) }})
	due := mail.NewReminders(app.Redis, app.Prefix, later)
	due.Compose = app.Notify.ComposeReminders
	if n, err := due.Dispatch(ctx); err != nil || n != 2 {
		t.Fatalf("dispatching Mia's reminders: %d, %v; want 2", n, err)
	}
	reminder := waitForMail(t, app, mia.User.PrimaryEmail(), "Reminder: Berlin evening")

	// An organizer opens a mentoring round, the deadline typed in the
	// zone the form names: the group's sessions'.
	rounds := owner.Get("/g/" + g.Slug + "/rounds").Body
	sesContains(t, "the open-a-round form", rounds, "(Europe/Berlin))</span>")
	deadline := sesWall(6, 12, 0, "Europe/Berlin")
	r := owner.PostForm("/g/"+g.Slug+"/rounds", "/g/"+g.Slug+"/rounds", url.Values{"deadline": {deadline}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("open round: %d\n%s", r.StatusCode, r.Body)
	}
	roundPath := r.Header.Get("Location")
	roundMail := waitForMail(t, app, mia.User.PrimaryEmail(), "matching mentors")
	berlin := timefmt.Zone("Europe/Berlin")
	typed, err := time.ParseInLocation("2006-01-02T15:04", deadline, berlin)
	if err != nil {
		t.Fatal(err)
	}
	wantDeadline := timefmt.Local(typed, berlin) // "Thu 10 Dec 2026, 12:00 CET (Europe/Berlin)"
	sesContains(t, "the round page", mia.Get(roundPath).Body, wantDeadline)
	sesContains(t, "the round mail", roundMail.Text, wantDeadline)

	pages := []struct {
		who    string
		client *apptest.Client
		path   string
	}{
		{"a first-time visitor", app.NewClient(t), "/s/" + id},
		{"a first-time visitor", app.NewClient(t), "/g/" + g.Slug},
		{"a first-time visitor", app.NewClient(t), "/"},
		{"a first-time visitor", app.NewClient(t), "/groups"},
		{"a member", mia.Client, "/s/" + id},
		{"a member", mia.Client, "/g/" + g.Slug},
		{"a member", mia.Client, "/"},
		{"a member", mia.Client, "/dashboard"},
		{"a member", mia.Client, "/g/" + g.Slug + "/rounds"},
		{"a member", mia.Client, roundPath},
		{"a member signed out, from the emailed link", app.NewClient(t), rsvp},
		{"the organizer", owner.Client, "/g/" + g.Slug + "/members"},
		{"the organizer", owner.Client, "/g/" + g.Slug + "/requests"},
		{"the organizer", owner.Client, "/s/" + id + "/attendees"},
		{"the organizer", owner.Client, "/g/" + g.Slug + "/rounds"},
	}
	for _, pg := range pages {
		r := pg.client.Get(pg.path)
		what := pg.path + " as " + pg.who
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", what, r.StatusCode)
			continue
		}
		sesContains(t, what, r.Body, named)
		lacksUTC(t, what, r.Body)
	}
	ics := app.NewClient(t).Get("/s/" + id + "/calendar.ics").Body
	sesContains(t, "the session's .ics", ics, "TZID=Europe/Berlin")

	// The organizer moves the session, then cancels it.
	wasWhen := timefmt.Range(ev.Start, ev.End, berlin)
	form.Set("start", sesWall(10, 19, 0, "Europe/Berlin"))
	form.Set("end", sesWall(10, 20, 30, "Europe/Berlin"))
	form.Set("scope", "this")
	if r := owner.PostForm("/s/"+id+"/edit", "/s/"+id+"/edit", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.StatusCode, r.Body)
	}
	changed := waitForMail(t, app, mia.User.PrimaryEmail(), "Updated: Berlin evening")
	moved, err := app.Events.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sesContains(t, "the change mail", changed.Text, timefmt.Range(moved.Start, moved.End, berlin), "(was "+wasWhen+")")
	if r := owner.PostForm("/s/"+id, "/s/"+id+"/cancel", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", r.StatusCode, r.Body)
	}
	cancelled := waitForMail(t, app, mia.User.PrimaryEmail(), "Cancelled: Berlin evening")

	for _, m := range []struct {
		name        string
		mail        mail.StoredMail
		timeInTitle bool
	}{
		{"invitation", invite, true}, {"seat", promoted, false}, {"reminder", reminder, false},
		{"round opened", roundMail, false}, {"change", changed, true}, {"cancellation", cancelled, true},
	} {
		for part, text := range map[string]string{"subject": m.mail.Subject, "text": m.mail.Text, "HTML": m.mail.HTML} {
			if part != "subject" || m.timeInTitle {
				sesContains(t, "the "+m.name+" mail's "+part, text, named)
			}
			lacksUTC(t, "the "+m.name+" mail's "+part, text)
		}
	}
}

// A signed-out visitor sees the session's zone, named, until the browser's
// script has told the server theirs; then they see both, and nothing is
// written to Redis for them.
func TestSignedOutVisitorsSeeTheSessionZoneThenTheirOwn(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := zoneSignIn(t, app, "Ola Organizer", "Europe/Berlin")
	g := sesGroup(t, app, org, "zone-visitors", nil)
	id := sesCreate(t, org, g, sesForm("Visitors welcome"))

	ev, err := app.Events.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	inBerlin := timefmt.Range(ev.Start, ev.End, timefmt.Zone("Europe/Berlin"))   // "…, 18:30–20:00 CET (Europe/Berlin)"
	inLA := timefmt.Range(ev.Start, ev.End, timefmt.Zone("America/Los_Angeles")) // "…, 09:30–11:00 PST (America/Los_Angeles)"
	visitor := app.NewClient(t)
	first := visitor.Get("/s/" + id).Body
	sesContains(t, "the first visit", first, inBerlin)
	sesLacks(t, "the first visit", first, "At the session's location")
	lacksUTC(t, "the first visit", first)

	keys := func() []string {
		ks, err := app.Redis.Keys(context.Background(), app.Prefix+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(ks)
		return ks
	}
	before := keys()
	visitor.SetCookie("tz", zoneCookie("America/Los_Angeles"))
	next := visitor.Get("/s/" + id).Body
	sesContains(t, "the visit after the script ran", next, inLA, "At the session's location: "+inBerlin)
	lacksUTC(t, "the visit after the script ran", next)
	for _, path := range []string{"/", "/groups", "/g/" + g.Slug} {
		sesContains(t, path+" after the script ran", visitor.Get(path).Body, "(America/Los_Angeles)")
	}
	if after := keys(); !slices.Equal(after, before) {
		t.Fatalf("signed-out page views changed the Redis keys from\n%v\nto\n%v", before, after)
	}
	if visitor.Cookie("fg_session") != "" {
		t.Fatal("a signed-out visitor got a session cookie")
	}
}

// Pages with no session or group to take a zone from (the profile, a
// mentoring request, a mentorship) show days, not clock times, to someone
// whose zone is not known: never a time in UTC.
func TestPagesWithoutASessionShowNoUTC(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	mentor, mentee := mtrSignIn(t, app, "Mo Mentor", ""), mtrSignIn(t, app, "Em Mentee", "")
	mtrMentor(t, app, mentor, nil)
	mtrMentee(t, app, mentee, nil)
	req, err := app.Mentors.Ask(ctx, mentee.ID, mentor.ID, "Please mentor me")
	if err != nil {
		t.Fatal(err)
	}
	reqPage := mentor.Get("/mentors/requests/" + req.ID)
	ms, err := app.Mentors.Accept(ctx, mentor.ID, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Both pages give days in the zone of the viewer's mentoring profile
	// (Europe/Berlin for mtrMentor and mtrMentee), a day ahead of UTC
	// from 23:00 or 22:00 UTC.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	day := func(t time.Time, loc *time.Location) string { return t.In(loc).Format("2 Jan 2006") }
	for what, pg := range map[string]struct {
		r   *apptest.Response
		day string
	}{
		"the request page": {reqPage, day(req.Created, berlin)},
		"the mentorship":   {mentee.Get("/mentors/mentorships/" + ms.ID), day(ms.Started, berlin)},
	} {
		if pg.r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", what, pg.r.StatusCode)
			continue
		}
		mtrHas(t, what, pg.r.Body, pg.day)
		lacksUTC(t, what, pg.r.Body)
	}
	u, err := app.Users.Get(ctx, mentee.ID)
	if err != nil {
		t.Fatal(err)
	}
	mtrHas(t, "the profile", mentee.Get("/profile").Body, "Member since "+day(u.CreatedAt, time.UTC)+"</p>")
}

// A request's page gives its dates in the zone of the viewer's own
// mentoring profile when they have no zone of their own, for the mentor
// and the mentee alike. The zones are chosen a day away from UTC now, so
// a page in UTC shows another date whatever the hour.
func TestRequestPageShowsDatesInTheViewersProfileZone(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	away := "Pacific/Kiritimati" // UTC+14: tomorrow from 10:00 UTC
	if time.Now().UTC().Hour() < 10 {
		away = "Pacific/Pago_Pago" // UTC−11: yesterday until 11:00 UTC
	}
	loc, err := time.LoadLocation(away)
	if err != nil {
		t.Fatal(err)
	}
	mentor, mentee := mtrSignIn(t, app, "Zed Mentor", ""), mtrSignIn(t, app, "Zoe Mentee", "")
	mtrMentor(t, app, mentor, func(m *match.MentorProfile) { m.TimeZone = away })
	mtrMentee(t, app, mentee, func(m *match.MenteeProfile) { m.TimeZone = away })
	req, err := app.Mentors.Ask(ctx, mentee.ID, mentor.ID, "Please mentor me")
	if err != nil {
		t.Fatal(err)
	}
	want := req.Created.In(loc).Format("2 Jan 2006")
	if want == req.Created.UTC().Format("2 Jan 2006") {
		t.Fatalf("%s shows the same day as UTC at %s", away, req.Created)
	}
	for _, p := range []mtrPerson{mentor, mentee} {
		mtrHas(t, p.Name+"'s view of the request", p.Get("/mentors/requests/"+req.ID).Body, want)
	}
}

// utcShown matches UTC named as a zone ("19:00 UTC", "(UTC)"), not the
// letters inside a token or link (base64 tokens hold them now and then:
// an unsubscribe link did, and failed a run).
var utcShown = regexp.MustCompile(`(^|[\s(>;])UTC([\s),.;:<]|$)`)

// lacksUTC fails when body names UTC as a zone.
func lacksUTC(t *testing.T, what, body string) {
	t.Helper()
	if m := utcShown.FindStringIndex(body); m != nil {
		t.Errorf("%s shows UTC: …%s…", what, body[max(0, m[0]-60):min(len(body), m[1]+60)])
	}
}
