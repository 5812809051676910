package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// junkValues stand in for route parameters, query values and form fields:
// empty, too long, hash-tag braces, control characters, path tricks,
// numbers out of range and non-ASCII.
var junkValues = []string{
	"x", "{x}", "a}{b", "%00", "..%2F..%2Fetc", strings.Repeat("z", 1000),
	"-1", "99999999999999999999", "1e308", "ünïcødé", "<script>", "0",
}

// TestNoInputReachesA500 visits every route with junk in each parameter,
// query and form field, signed in as the owner of a real group and
// session, and asserts the app always answers below 500.
func TestNoInputReachesA500(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	owner := app.NewClient(t)
	owner.DevSignIn("Jules Junk", "jules@junk.example")
	where := createGroup(t, owner, groupForm("Junk Group"))
	r := owner.PostForm(where+"/sessions/new", where+"/sessions", sessionForm("Junk talk", "5"))
	session := r.Header.Get("Location")
	csrf := owner.CSRF("/profile")

	gets := []string{
		"/g/{v}", "/g/{v}/edit", "/g/{v}/members", "/g/{v}/requests", "/g/{v}/proposals", "/g/{v}/rounds",
		"/g/{v}/calendar.ics", "/g/{v}/sessions/new", where + "/rounds/{v}", where + "/sessions/new?proposal={v}",
		"/s/{v}", "/s/{v}/edit", "/s/{v}/attendees", "/s/{v}/attendees.csv", "/s/{v}/calendar.ics",
		"/rsvp/{v}", "/rsvp/{v}?answer={v}", "/rsvp/{v}/calendar.ics", "/unsubscribe/{v}", "/calendar/{v}.ics",
		"/mentors/requests/{v}", "/mentors/mentorships/{v}", "/mentors/suggestions?skill={v}&path={v}&language={v}&max_tz={v}",
		"/dev/mailbox/{v}", "/dev/mailbox/{v}/html", "/dev/mailbox/{v}/attachments/{v}", "/auth/{v}", "/auth/{v}/callback?state={v}&code={v}",
		"/groups?q={v}&topic={v}&path={v}&city={v}&sort={v}&page={v}", where + "/members?page={v}", "/signin?next={v}",
	}
	posts := []string{
		"/g/{v}/join", "/g/{v}/apply", "/g/{v}/leave", "/g/{v}/edit", "/g/{v}/delete", "/g/{v}/invite",
		where + "/members/{v}/{v}", where + "/requests/{v}/{v}", where + "/proposals/{v}/upvote", where + "/rounds/{v}/{v}",
		where + "/rounds", where + "/proposals", where + "/sessions", where + "/invite", where + "/edit",
		session + "/rsvp", session + "/edit", session + "/capacity", session + "/attendees/{v}/{v}",
		"/s/{v}/rsvp", "/s/{v}/announce", "/rsvp/{v}", "/unsubscribe/{v}",
		"/mentors/requests", "/mentors/requests/{v}/{v}", "/mentors/mentorships/{v}/end",
		"/mentors/profile/mentor", "/mentors/profile/mentee", "/mentors/profile/mentor/pause",
		"/profile", "/profile/identities/{v}/unlink",
	}
	fields := []string{"name", "slug", "description", "topics", "paths", "city", "cover", "visibility", "join_policy",
		"domains", "email", "answer", "going", "answer", "title", "format", "start", "end", "timezone", "capacity",
		"online_url", "repeat", "recurrence_count", "recurrence_until", "scope", "hosts", "mentor", "message", "skills",
		"languages", "time_zone", "hours_per_week", "goals", "deadline", "tz", "reminder_hours", "present", "feedback"}
	check := func(method, path string, r *apptest.Response) {
		t.Helper()
		if r.StatusCode >= 500 {
			t.Errorf("%s %s: %d", method, truncateForLog(path), r.StatusCode)
		}
	}
	for _, v := range junkValues {
		esc := url.PathEscape(v)
		for _, p := range gets {
			path := strings.ReplaceAll(p, "{v}", esc)
			check("GET", path, owner.Get(path))
		}
		form := url.Values{"_csrf": {csrf}}
		for _, f := range fields {
			form.Set(f, v)
		}
		for _, p := range posts {
			path := strings.ReplaceAll(p, "{v}", esc)
			r := owner.Post(path, form)
			check("POST", path, r)
			if r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/signin") {
				t.Fatalf("POST %s signed the owner out", path)
			}
		}
	}
}
