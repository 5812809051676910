package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// keptViews is how many views of route the app sent as kept from the
// visitor's last view.
func keptViews(t *testing.T, app *apptest.App, route string) float64 {
	t.Helper()
	return app.CounterOf(t, "http_page_views_total", "route", route, "page", "kept")
}

// keptView requests path (of route) and returns the page and whether the
// app sent it as kept from the visitor's last view.
func keptView(t *testing.T, app *apptest.App, c *apptest.Client, route, path string) (string, bool) {
	t.Helper()
	before := keptViews(t, app, route)
	r := c.Get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, r.StatusCode, r.Body)
	}
	return r.Body, keptViews(t, app, route) > before
}

// settledView views path until nothing is left to settle, and fails
// unless the next view is the last one's body kept, read without a round
// trip; it returns that body. Two views settle a page: the first after a
// change may write what it computed (mentor suggestions keep a ranking),
// which the second reads and keeps.
func settledView(t *testing.T, app *apptest.App, c *apptest.Client, route, path string) string {
	t.Helper()
	for range 2 {
		app.SettleNearCache(t)
		c.Get(path)
	}
	app.SettleNearCache(t)
	before := keptViews(t, app, route)
	body, trips := viewTrips(t, app, c, route, path)
	if kept := keptViews(t, app, route) > before; !kept || trips != 0 {
		t.Fatalf("a repeat view of %s, nothing changed: kept %v, %d round trips; want it kept, none", path, kept, trips)
	}
	return body
}

// changed views path after a change and fails unless its body was built
// again and shows want.
func changed(t *testing.T, app *apptest.App, c *apptest.Client, route, path, what string, want ...string) {
	t.Helper()
	body, kept := keptView(t, app, c, route, path)
	if kept {
		t.Fatalf("%s: %s was sent as kept from before", what, path)
	}
	sesContains(t, what+", "+path, body, want...)
}

// keptFixture starts an app whose events clock stands at the start of a
// minute, with an organizer's group of slug and a session in it, and a
// member.
func keptFixture(t *testing.T, slug string) (*apptest.App, *apptest.Clock, sesPerson, *groups.Group, string, sesPerson) {
	t.Helper()
	clock := apptest.NewClock(time.Now().Truncate(time.Minute))
	app := apptest.Start(t, apptest.Options{EventClock: clock})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, slug, nil)
	id := sesCreate(t, org, g, sesForm("Kept talk"))
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)
	return app, clock, org, g, id, member
}

// The dashboard keeps a visitor's body for their next view, and builds
// it again after any change to what it showed, made on this instance or
// another, after the visitor's own change, and in a new minute.
func TestTheDashboardKeptShowsEveryChange(t *testing.T) {
	app, clock, org, g, id, member := keptFixture(t, "kept")
	ctx := context.Background()
	const route, path = "/dashboard", "/dashboard"
	view := func(p sesPerson) string { return settledView(t, app, p.Client, route, path) }

	sesContains(t, "the member's dashboard", view(member), "Hello, Mo Member", "Kept talk")
	sesContains(t, "the organizer's dashboard", view(org), "Hello, Olga Organizer", "0 going")

	// Through another instance's stores.
	in := g.Input()
	in.Name = "Renamed elsewhere"
	if _, err := groups.NewStore(app.Redis, app.Prefix).Update(ctx, g.ID, org.User.ID, in); err != nil {
		t.Fatal(err)
	}
	changed(t, app, member.Client, route, path, "the group renamed elsewhere", "Renamed elsewhere")
	view(member)
	if _, err := auth.NewStore(app.Redis, app.Prefix).UpdateProfile(ctx, member.User.ID, auth.ProfileUpdate{Name: "Mo Renamed"}); err != nil {
		t.Fatal(err)
	}
	changed(t, app, member.Client, route, path, "the member renamed elsewhere", "Hello, Mo Renamed")
	view(member)

	// Through this one: a new session, the member's answer, seen by both.
	sesCreate(t, org, g, sesForm("Second talk"))
	changed(t, app, member.Client, route, path, "a new session", "Second talk")
	view(member)
	sesRSVP(t, member, id, "yes")
	changed(t, app, member.Client, route, path, "the member's answer", "Going and waitlisted")
	changed(t, app, org.Client, route, path, "the member's answer, for the organizer", "1 going")
	view(member)

	// A new minute: the times on the page may read otherwise.
	clock.Advance(time.Minute)
	changed(t, app, member.Client, route, path, "a minute later", "Hello, Mo Renamed")
}

// Mentor suggestions keep a visitor's body for their next view with the
// same filters, and build it again after a change to a mentor, to the
// visitor's profile, for other filters and in a new minute.
func TestSuggestionsKeptShowEveryChange(t *testing.T) {
	clock, sessions := apptest.NewClock(time.Now().Truncate(time.Minute)), apptest.NewClock(time.Now())
	app := apptest.Start(t, apptest.Options{MentorClock: clock, SessionClock: sessions})
	ctx := context.Background()
	ana := mtrSignIn(t, app, "Ana Platform", "")
	mtrMentor(t, app, ana, nil)
	me := mtrSignIn(t, app, "Mia Mentee", "")
	mtrMentee(t, app, me, nil)
	const route, path = "/mentors/suggestions", "/mentors/suggestions"
	view := func(path string) string { return settledView(t, app, me.Client, route, path) }
	sesContains(t, "suggestions", view(path), "Ana Platform", "I build Go services.")

	// Bob becomes a mentor, and rewrites his bio, through another
	// instance's store.
	elsewhere := mentors.NewStore(app.Redis, app.Prefix)
	bob := mtrSignIn(t, app, "Bob Backend", "")
	bobSays := func(bio string) {
		if _, err := elsewhere.SaveMentorProfile(ctx, match.MentorProfile{UserID: bob.ID, Skills: []match.Skill{{Name: "go", Level: 3}},
			Paths: []string{"backend"}, Years: 5, Languages: []string{"en"}, TimeZone: "Europe/Berlin", Capacity: 2, Bio: bio}); err != nil {
			t.Fatal(err)
		}
	}
	bobSays("Bob's bio.")
	changed(t, app, me.Client, route, path, "a new mentor elsewhere", "Bob Backend", "Bob&#39;s bio.")
	view(path)
	bobSays("Bob rewrote it.")
	changed(t, app, me.Client, route, path, "a mentor's new bio", "Bob rewrote it.")
	view(path)
	mtrMentee(t, app, me, func(m *match.MenteeProfile) { m.Goals, m.WantSkills = "Kubernetes, please.", []string{"kubernetes"} })
	changed(t, app, me.Client, route, path, "the visitor's new profile", "Ana Platform")

	filtered := path + "?skill=rust"
	changed(t, app, me.Client, route, filtered, "other filters", "No mentor fits these filters")
	sesContains(t, "the filtered suggestions kept", view(filtered), "No mentor fits these filters")
	// A visitor keeps one view of a page, whatever its query.
	changed(t, app, me.Client, route, path, "the suggestions without filters, after the filtered ones", "Ana Platform")
	sesContains(t, "the suggestions without filters kept", view(path), "Ana Platform")

	clock.Advance(time.Minute)
	changed(t, app, me.Client, route, path, "a minute later", "Ana Platform")

	// The visitor's session ends while their page is kept: the next view
	// sends them to sign in, reading nothing from Redis.
	view(path)
	sessions.Advance(auth.SessionTTL + time.Minute)
	before, n := app.RoundTrips(t, http.MethodGet, route)
	if r := me.Get(path); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a kept page after the session ended: %d, want a redirect to sign in", r.StatusCode)
	}
	if after, m := app.RoundTrips(t, http.MethodGet, route); m != n+1 || after != before {
		t.Errorf("a kept page after the session ended: %v round trips, want none", after-before)
	}
}

// The home, group, session and discovery pages keep a visitor's page as
// well, signed in or not, and build it anew after a change to anything
// they show.
func TestPagesKeptShowEveryChange(t *testing.T) {
	app, _, org, g, id, member := keptFixture(t, "kept-pages")
	ctx := context.Background()
	pages := []struct{ route, path string }{{"/", "/"}, {"/g/:slug", "/g/" + g.Slug}, {"/s/:id", "/s/" + id}, {"/groups", "/groups"}}
	for _, p := range pages {
		settledView(t, app, member.Client, p.route, p.path)
	}

	in := g.Input()
	in.Name = "Renamed elsewhere"
	if _, err := groups.NewStore(app.Redis, app.Prefix).Update(ctx, g.ID, org.User.ID, in); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		changed(t, app, member.Client, p.route, p.path, "the group renamed elsewhere", "Renamed elsewhere")
		settledView(t, app, member.Client, p.route, p.path)
	}

	// Someone else's answer and name, on the session page.
	sesRSVP(t, org, id, "yes")
	changed(t, app, member.Client, "/s/:id", "/s/"+id, "the organizer's answer", "1 going")
	settledView(t, app, member.Client, "/s/:id", "/s/"+id)
	if _, err := auth.NewStore(app.Redis, app.Prefix).UpdateProfile(ctx, org.User.ID, auth.ProfileUpdate{Name: "Olga Renamed"}); err != nil {
		t.Fatal(err)
	}
	changed(t, app, member.Client, "/s/:id", "/s/"+id, "the organizer renamed elsewhere", "Olga Renamed")

	// A kept page carries the visitor's own form values: their token, a
	// fresh one-time value, and its forms work.
	page := settledView(t, app, member.Client, "/s/:id", "/s/"+id)
	again, kept := keptView(t, app, member.Client, "/s/:id", "/s/"+id)
	token, once := formValues(t, page)
	if token2, once2 := formValues(t, again); !kept || token2 != token || once2 == once || token != member.CSRF("/profile") {
		t.Fatalf("kept views' form values: token %q then %q (the session's: %q), once %q then %q", token, token2, member.CSRF("/profile"), once, once2)
	}
	if r := member.Post("/s/"+id+"/rsvp", url.Values{"_csrf": {token}, "_once": {once}, "going": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("an answer from a kept page: %d\n%s", r.StatusCode, r.Body)
	}
	if st := sesStatus(t, app, id, member.User.ID); st.Status != "going" {
		t.Fatalf("the answer from a kept page recorded %q", st.Status)
	}
	// Someone else signed in gets a page of their own.
	nina := sesSignIn(t, app, "Nina Newcomer", "")
	nina.Get("/dashboard") // shows the sign-in notice
	sesContains(t, "the member's answer", settledView(t, app, member.Client, "/s/:id", "/s/"+id), "You&#39;re going")
	sesLacks(t, "another person's view", nina.Get("/s/"+id).Body, "You&#39;re going")

	// Visitors without a session share one kept page, which is no
	// signed-in visitor's, and one per zone their browser reports.
	anon, other := app.NewClient(t), app.NewClient(t)
	shared := settledView(t, app, anon, "/s/:id", "/s/"+id)
	sesContains(t, "a visitor's session page", shared, "Olga Renamed", "Sign in")
	sesLacks(t, "a visitor's session page", shared, "Sign out", "Mo Renamed", `name="_csrf" value="`+token)
	if _, kept := keptView(t, app, other, "/s/:id", "/s/"+id); !kept {
		t.Error("another visitor's view was built again")
	}
	other.SetCookie("tz", "Asia/Tokyo")
	changed(t, app, other, "/s/:id", "/s/"+id, "a visitor in another zone", "Tokyo")
	in.Name = "Renamed again"
	if _, err := groups.NewStore(app.Redis, app.Prefix).Update(ctx, g.ID, org.User.ID, in); err != nil {
		t.Fatal(err)
	}
	changed(t, app, anon, "/s/:id", "/s/"+id, "the group renamed again, for a visitor", "Renamed again")
}

// formValues are the CSRF token and one-time value of page's first form.
func formValues(t *testing.T, page string) (token, once string) {
	t.Helper()
	m := regexp.MustCompile(`name="_csrf" value="([^"]*)"><input type="hidden" name="_once" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no form on the page")
	}
	return m[1], m[2]
}
