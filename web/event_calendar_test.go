package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

func sesIsCalendar(t *testing.T, what string, r *apptest.Response, uids ...string) {
	t.Helper()
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("%s: %d %q", what, r.StatusCode, r.Header.Get("Content-Type"))
	}
	sesContains(t, what, r.Body, "BEGIN:VCALENDAR\r\n", "METHOD:PUBLISH\r\n", "BEGIN:VTIMEZONE", "TZID:Europe/Berlin")
	for _, uid := range uids {
		sesContains(t, what, r.Body, "UID:"+uid+"@focusgroups\r\n")
	}
}

func TestCalendarDownloadsAndFeeds(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Leslie Lamport", "")
	g := sesGroup(t, app, org, "paxos", nil)
	first := sesCreate(t, org, g, sesForm("Time, clocks and ordering"))
	second := sesCreate(t, org, g, sesForm("Paxos made simple"))
	anon := app.NewClient(t)

	sesIsCalendar(t, "session .ics", anon.Get("/s/"+first+"/calendar.ics"), first)
	feed := anon.Get("/g/paxos/calendar.ics")
	sesIsCalendar(t, "group feed", feed, first, second)
	sesContains(t, "group feed", feed.Body, "X-WR-CALNAME:Group paxos")
	sesLacks(t, "group feed", feed.Body, "secret-room")
	if r := anon.Get("/g/no-such-group/calendar.ics"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("feed of a missing group: %d", r.StatusCode)
	}
	if r := anon.Get("/s/aaaaaaaaaaaaaaaaaaaaaaaa/calendar.ics"); r.StatusCode != http.StatusNotFound {
		t.Fatalf(".ics of a missing session: %d", r.StatusCode)
	}
	unlisted := sesGroup(t, app, org, "paxos-unlisted", func(in *groups.Input) { in.Visibility = groups.Unlisted })
	u1 := sesCreate(t, org, unlisted, sesForm("Unlisted but linkable"))
	sesIsCalendar(t, "unlisted group feed", anon.Get("/g/paxos-unlisted/calendar.ics"), u1)

	// Personal feed: made on /calendar, webcal address, only sessions the person goes to.
	fan := sesSignIn(t, app, "Feed Fan", "")
	sesJoin(t, app, g, fan)
	sesRSVP(t, fan, first, "yes")
	page := fan.Get("/calendar")
	sesContains(t, "calendar page before", page.Body, "Make my calendar address")
	page = fan.Follow(fan.PostForm("/calendar", "/profile/calendar/reset", nil))
	m := regexp.MustCompile(`value="webcal://[^"/]+(/calendar/[a-z2-7]+\.ics)"`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("calendar page shows no webcal address:\n%s", page.Body)
	}
	if !strings.Contains(page.Body, `href="webcal://`) {
		t.Fatalf("the subscribe button does not link to the webcal address:\n%s", page.Body)
	}
	oldFeed := m[1]
	r := anon.Get(oldFeed)
	sesIsCalendar(t, "personal feed", r, first)
	sesContains(t, "personal feed", r.Body, "secret-room")
	sesLacks(t, "personal feed", r.Body, second)

	// Cancelled sessions stay in the feed, marked cancelled.
	org.Follow(org.PostForm("/s/"+first, "/s/"+first+"/cancel", nil))
	sesContains(t, "feed after cancelling", anon.Get(oldFeed).Body, "STATUS:CANCELLED")

	// A new address retires the old one.
	page = fan.Follow(fan.PostForm("/calendar", "/profile/calendar/reset", nil))
	m = regexp.MustCompile(`value="webcal://[^"/]+(/calendar/[a-z2-7]+\.ics)"`).FindStringSubmatch(page.Body)
	if m == nil || m[1] == oldFeed {
		t.Fatalf("reset did not show a new address: %v", m)
	}
	if r := anon.Get(oldFeed); r.StatusCode != http.StatusNotFound {
		t.Fatalf("old feed after reset: %d", r.StatusCode)
	}
	sesIsCalendar(t, "new personal feed", anon.Get(m[1]), first)
	for _, bad := range []string{"/calendar/nope.ics", "/calendar/" + strings.Repeat("a", 52) + ".ics"} {
		if r := anon.Get(bad); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, r.StatusCode)
		}
	}
	// Another signed-in person does not see Fan's address.
	sesLacks(t, "someone else's calendar page", org.Get("/calendar").Body, m[1])
}
