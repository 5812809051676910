package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// pageTrips requests path twice (the first warms the connection pool) and
// returns the Redis round trips the app recorded for the second request.
func pageTrips(t *testing.T, app *apptest.App, c *apptest.Client, route, path string) int {
	t.Helper()
	trips, _ := pageCost(t, app, c, route, path)
	return trips
}

// viewTrips requests path once and returns the page and the Redis round
// trips the app recorded for it.
func viewTrips(t *testing.T, app *apptest.App, c *apptest.Client, route, path string) (string, int) {
	t.Helper()
	before, n := app.RoundTrips(t, http.MethodGet, route)
	body := c.Get(path).Body
	after, m := app.RoundTrips(t, http.MethodGet, route)
	if m != n+1 {
		t.Fatalf("%s: %d requests recorded, want one more than %d", route, m, n)
	}
	return body, int(after - before)
}

// pageCost is pageTrips with the commands that may write among them.
func pageCost(t *testing.T, app *apptest.App, c *apptest.Client, route, path string) (trips, writes int) {
	t.Helper()
	if r := c.Get(path); r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	before, n := app.RoundTrips(t, http.MethodGet, route)
	wrote := app.Writes(t, http.MethodGet, route)
	if r := c.Get(path); r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	after, m := app.RoundTrips(t, http.MethodGet, route)
	if m != n+1 {
		t.Fatalf("%s: %d requests recorded, want one more than %d", route, m, n)
	}
	return int(after - before), int(app.Writes(t, http.MethodGet, route) - wrote)
}

// Every request's Redis round trips are recorded by route, for /metrics
// and for the tests that hold pages to their budget.
func TestRoundTripsAreRecordedByRoute(t *testing.T) {
	app := apptest.Start(t, apptest.Options{NoNearCache: true})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "trips", nil)
	id := sesCreate(t, org, g, sesForm("Counting round trips"))
	anon := app.NewClient(t)
	if n := pageTrips(t, app, anon, "/s/:id", "/s/"+id); n < 1 {
		t.Fatalf("the session page made %d round trips: it reads the session from Redis", n)
	}
	version := strings.Split(regexp.MustCompile(`/static/[0-9a-f]+/app\.css`).FindString(anon.Get("/").Body), "/")
	if len(version) != 4 {
		t.Fatalf("the home page links no versioned stylesheet: %v", version)
	}
	for route, path := range map[string]string{"/healthz": "/healthz", "/static/:name": "/static/app.css",
		"/static/:version/:name": "/static/" + version[2] + "/app.css"} {
		if n := pageTrips(t, app, anon, route, path); n != 0 {
			t.Fatalf("%s made %d round trips, want 0", path, n)
		}
	}
	// A static address that names no file is missing without reading
	// the session of whoever asks.
	before, n := app.RoundTrips(t, http.MethodGet, "/static/*")
	if r := org.Get("/static/a/" + version[2] + "/app.css"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("a static address of three parts: %d, want 404", r.StatusCode)
	}
	if after, m := app.RoundTrips(t, http.MethodGet, "/static/*"); m != n+1 || after != before {
		t.Fatalf("a missing static address made %v round trips over %d requests, want none over one", after-before, m-n)
	}
	r := anon.Get("/metrics")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", r.StatusCode)
	}
	sesContains(t, "/metrics", r.Body, `http_request_redis_roundtrips_bucket{method="GET",route="/s/:id"`)
}

// Every GET page reads Redis in at most three round trips, whoever views
// it: the session and the user in one, then the page's reads in one
// pipeline, or two when a first read decides what to read next. The
// test walks the app's route table: a GET route neither listed here nor
// named with the test that counts it (or why it is no page) fails it.
func TestPagesStayWithinThreeRoundTrips(t *testing.T) {
	app := apptest.Start(t, apptest.Options{AdminEmails: []string{"olga@example.com"}})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "budget", nil)
	id := sesCreate(t, org, g, sesForm("Pipelines in practice"))
	sesCreate(t, org, g, sesForm("Another session"))
	seriesID, _ := sesSeries(t, org, g, "4", "Weekly budget")
	member := sesSignIn(t, app, "Mia Member", "mia@example.com")
	sesJoin(t, app, g, member)
	sesRSVP(t, member, id, "yes")
	for _, name := range []string{"Gus Going", "Gil Going"} {
		p := sesSignIn(t, app, name, "")
		sesJoin(t, app, g, p)
		sesRSVP(t, p, id, "yes")
	}
	// The organizer hosts in a second group too, where someone asks to join.
	g2 := sesGroup(t, app, org, "hosting", func(in *groups.Input) { in.JoinPolicy = groups.Approval; in.Question = "Why?" })
	for _, title := range []string{"Hosted one", "Hosted two", "Hosted three"} {
		sesCreate(t, org, g2, sesForm(title))
	}
	asker := sesSignIn(t, app, "Ari Asker", "")
	if err := app.Groups.Apply(context.Background(), g2.ID, asker.User.ID, "I would like to join.", nil); err != nil {
		t.Fatal(err)
	}
	link, err := app.Groups.CreateLink(context.Background(), g.ID, org.User.ID, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mentor, mentee := budgetMentoring(t, app, org)
	mp := sesPerson{Client: mentor.Client, User: &auth.User{ID: mentor.ID, Name: mentor.Name}}
	sesJoin(t, app, g, mp)
	sesRSVP(t, mp, id, "yes")
	type viewer struct {
		name   string
		client *apptest.Client
	}
	viewers := []viewer{
		{"member going", member.Client},
		{"organizer", org.Client},
		{"anonymous", app.NewClient(t)},
	}
	signedIn := []viewer{
		{"member going", member.Client},
		{"organizer", org.Client},
		{"mentor with mentees and requests", mentor.Client},
		{"mentee with open requests", mentee.Client},
	}
	ships, err := app.Mentors.MyMentees(context.Background(), mentor.ID)
	if err != nil || len(ships) == 0 {
		t.Fatalf("the mentor's mentorships: %v", err)
	}
	if _, err := app.Mentors.AddGoal(context.Background(), mentor.ID, ships[0].ID, "Ship it"); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Mentors.AddNote(context.Background(), mentor.ID, ships[0].ID, "We met"); err != nil {
		t.Fatal(err)
	}
	shipPage := "/mentors/mentorships/" + ships[0].ID
	waiting, err := app.Mentors.PendingIn(context.Background(), mentor.ID)
	if err != nil || len(waiting) == 0 {
		t.Fatalf("the requests waiting for the mentor: %v", err)
	}
	requestPage := "/mentors/requests/" + waiting[0].ID
	ctx := context.Background()
	feed, err := app.Events.ResetFeedToken(ctx, member.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	occurrence, err := app.Events.Get(ctx, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	seriesLink, err := app.Events.IssueRSVPToken(ctx, occurrence, mp.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	rounds := "/g/" + g.Slug + "/rounds"
	opened := org.PostForm(rounds, rounds, url.Values{"deadline": {time.Now().Add(48 * time.Hour).Format("2006-01-02T15:04")}})
	round := opened.Header.Get("Location")
	if opened.StatusCode != http.StatusSeeOther || !strings.HasPrefix(round, rounds+"/") {
		t.Fatalf("open a matching round: %d %s", opened.StatusCode, round)
	}
	anonymous := []viewer{{"anonymous", app.NewClient(t)}}
	organizer := []viewer{{"organizer", org.Client}}
	type page struct {
		route, path string
		viewers     []viewer
	}
	pages := []page{
		{"/mentors/mentorships/:id", shipPage, []viewer{{"mentor", mentor.Client}}},
		{"/mentors/requests/:id", requestPage, []viewer{{"mentor", mentor.Client}}},
		{"/mentors/mentorships/:id/end", shipPage + "/end", []viewer{{"mentor", mentor.Client}}},
		{"/s/:id", "/s/" + id, viewers},
		{"/s/:id", "/s/" + seriesID, viewers},
		{"/g/:slug", "/g/" + g.Slug, viewers},
		{"/g/:slug/members", "/g/" + g.Slug + "/members", []viewer{{"member going", member.Client}, {"organizer", org.Client}}},
		{"/g/:slug/webhooks", "/g/" + g.Slug + "/webhooks", organizer},
		{"/g/:slug/moderation", "/g/" + g.Slug + "/moderation", organizer},
		{"/g/:slug/conduct", "/g/" + g.Slug + "/conduct", viewers},
		{"/g/:slug/skills", "/g/" + g.Slug + "/skills", []viewer{{"member going", member.Client}, {"organizer", org.Client}}},
		{"/skills", "/skills", signedIn},
		{"/groups/new", "/groups/new", signedIn},
		{"/skills/record", "/skills/record", signedIn},
		{"/blocks", "/blocks", signedIn},
		{"/report", "/report?kind=session&id=" + id, signedIn},
		{"/g/:slug/members/:uid/:action/confirm", "/g/" + g.Slug + "/members/" + member.User.ID + "/ban/confirm", organizer},
		{"/s/:id/message", "/s/" + id + "/message", organizer},
		{"/g/:slug/delete/confirm", "/g/" + g.Slug + "/delete/confirm", organizer},
		{"/join/:token", "/join/" + link.Token(), viewers},
		{"/", "/", viewers},
		{"/dashboard", "/dashboard", signedIn},
		{"/mentors", "/mentors", signedIn},
		{"/mentors/suggestions", "/mentors/suggestions", signedIn},
		{"/mentors/directory", "/mentors/directory", signedIn},
		{"/mentors/directory", "/mentors/directory?skill=go&language=en&max_tz_hours=3", signedIn},
		{"/mentors/suggestions", "/mentors/suggestions?skill=go&path=backend&language=en", signedIn},
		{"/profile/export", "/profile/export", signedIn},
		{"/calendar", "/calendar", signedIn},
		{"/profile", "/profile", signedIn},
		{"/mentors/profile/mentee", "/mentors/profile/mentee", []viewer{{"mentee with open requests", mentee.Client}}},
		{"/mentors/profile/mentor", "/mentors/profile/mentor", []viewer{{"mentor with mentees and requests", mentor.Client}}},
		{"/g/:slug/edit", "/g/" + g.Slug + "/edit", organizer},
		{"/g/:slug/proposals", "/g/" + g.Slug + "/proposals", []viewer{{"member going", member.Client}, {"organizer", org.Client}}},
		{"/g/:slug/rounds", "/g/" + g.Slug + "/rounds", organizer},
		{"/s/:id/calendar.ics", "/s/" + id + "/calendar.ics", viewers},
		{"/s/:id/attendees", "/s/" + id + "/attendees", organizer},
		{"/s/:id/attendees.csv", "/s/" + id + "/attendees.csv", organizer},
		{"/groups", "/groups", viewers},
		{"/groups", "/groups?q=go", viewers},
		{"/groups", "/groups?q=budget+go&topic=go&city=Berlin&online=on&sort=soonest&page=1", viewers},
		{"/g/:slug/requests", "/g/" + g2.Slug + "/requests", organizer},
		{"/g/:slug/calendar.ics", "/g/" + g.Slug + "/calendar.ics", viewers},
		{"/g/:slug/sessions/new", "/g/" + g.Slug + "/sessions/new", organizer},
		{"/s/:id/edit", "/s/" + id + "/edit", organizer},
		{"/s/:id/edit", "/s/" + seriesID + "/edit", organizer},
		{"/g/:slug/rounds/:id", round, organizer},
		{"/calendar/:token.ics", "/calendar/" + feed + ".ics", anonymous},
		{"/rsvp/:token/all", "/rsvp/" + seriesLink + "/all", anonymous},
		{"/rsvp/:token/calendar.ics", "/rsvp/" + seriesLink + "/calendar.ics", anonymous},
		{"/signin", "/signin", anonymous},
		{"/admin/moderation", "/admin/moderation", organizer},
		{"/skills/record.json", "/skills/record.json", signedIn},
		{"/skills/record.csv", "/skills/record.csv", signedIn},
		{"/profile/delete", "/profile/delete", signedIn},
		{"/api/v1/openapi.json", "/api/v1/openapi.json", anonymous},
	}
	// Every GET route is counted, here or in the test named, or is no
	// page that reads Redis.
	elsewhere := map[string]string{
		"/rsvp/:token":                    "TestRSVPLinkPageReadsInTwoRoundTripsAfterItsLimits",
		"/unsubscribe/:token":             "TestJoinRequestMailsAndOneClickUnsubscribe",
		"/verify-email/:token":            "TestAddingAWorkAddressOpensCompanyGroups",
		"/checkin/:token":                 "TestMentorshipCheckInsThroughConfirmedLinks",
		"/covers/:gid/:file":              "TestCoverUpload",
		"/u/:handle":                      "TestPersonPages",
		"/s/:id/share.png":                "TestShareImagesOfPagesThatTravel",
		"/g/:slug/share.png":              "TestShareImagesOfPagesThatTravel",
		"/api/v1/groups":                  "TestAPIListsStayWithinThreeRoundTrips",
		"/api/v1/groups/:slug":            "TestAPIListsStayWithinThreeRoundTrips",
		"/api/v1/sessions/:id":            "TestAPIListsStayWithinThreeRoundTrips",
		"/api/v1/me/sessions":             "TestAPIListsStayWithinThreeRoundTrips",
		"/api/v1/me/rsvps":                "TestAPIListsStayWithinThreeRoundTrips",
		"/healthz":                        "no Redis",
		"/static/:name":                   "TestRoundTripsAreRecordedByRoute",
		"/static/:version/:name":          "TestRoundTripsAreRecordedByRoute",
		"/static/*":                       "TestRoundTripsAreRecordedByRoute",
		"/readyz":                         "one PING",
		"/metrics":                        "no Redis",
		"/api/*":                          "the API's not found, no Redis",
		"/auth/:provider":                 "starts a sign-in: a redirect that records its state",
		"/auth/:provider/callback":        "the sign-in exchange, which writes the session",
		"/dev/signin":                     "development only",
		"/dev/mailbox":                    "development only",
		"/dev/mailbox/:id":                "development only",
		"/dev/mailbox/:id/html":           "development only",
		"/dev/mailbox/:id/attachments/:n": "development only",
	}
	var sources strings.Builder
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources.Write(b)
	}
	for _, route := range app.Routes(http.MethodGet) {
		if why, ok := elsewhere[route]; ok {
			if strings.HasPrefix(why, "Test") && !strings.Contains(sources.String(), "func "+why+"(t *testing.T)") {
				t.Errorf("GET %s: counted in %s, which is no test here", route, why)
			}
			continue
		}
		if !slices.ContainsFunc(pages, func(pg page) bool { return pg.route == route }) {
			t.Errorf("GET %s: no page of this test counts its round trips", route)
		}
	}
	// The pages that write have something to record; every other page
	// only reads (read-only scripts run with EVALSHA_RO). By path: a
	// search without filters writes nothing, and mentor suggestions whose
	// indexes did not change since their last view build no ranking.
	writers := map[string]string{
		"/join/" + link.Token():                 "the link's rate limit",
		"/profile/export":                       "its rate limit (ten an hour)",
		"/rsvp/" + seriesLink + "/all":          "the link's rate limits",
		"/rsvp/" + seriesLink + "/calendar.ics": "the link's rate limits",
		"/groups?q=go":                          "a search with filters intersects the index into scratch keys the same script deletes",
		"/groups?q=budget+go&topic=go&city=Berlin&online=on&sort=soonest&page=1": "the same",
	}
	for _, pg := range pages {
		for _, v := range pg.viewers {
			t.Run(pg.path+" "+v.name, func(t *testing.T) {
				n, w := pageCost(t, app, v.client, pg.route, pg.path)
				t.Logf("%s as %s: %d round trips, %d writes", pg.path, v.name, n, w)
				if n > 3 {
					t.Errorf("%s as %s: %d Redis round trips, want at most 3", pg.path, v.name, n)
				}
				if _, ok := writers[pg.path]; !ok && w > 0 {
					t.Errorf("%s as %s: %d Redis commands that may write, want none on a page that only shows", pg.path, v.name, w)
				}
			})
		}
	}
	// The pages read that fast still show everyone by name.
	sesContains(t, "the mentor's dashboard", mentor.Get("/dashboard").Body, "Pipelines in practice", "Group budget",
		"Ed Mentee", "Flo Mentee", "Gia Asker", "waiting for their answer to your question", "Hal Asker", "waiting for your answer", `<a href="#mentoring-h">1 mentoring request waits for your answer</a>`)
	sesContains(t, "the mentee's dashboard", mentee.Get("/dashboard").Body, "Ola Other Mentor", "Tia Third Mentor", "waiting for the mentor")
	sesContains(t, "the organizer's dashboard", org.Get("/dashboard").Body, "Group budget", "Ola Other Mentor", "Tia Third Mentor",
		"Pipelines in practice", "<strong>4 going</strong>", "Hosted three", `href="/g/hosting/requests">Group hosting</a>: 1 request to join`)
	sesContains(t, "the mentee's suggestions", mentee.Get("/mentors/suggestions").Body, "Max Mentor", "Ola Other Mentor", "Tia Third Mentor")
	sesContains(t, "discovery", member.Get("/groups?q=budget").Body, "Group budget", `href="/groups?topic=go"`)
}

// budgetMentoring sets up mentoring: a mentor with two mentees and two
// requests waiting, one of them with a question; a mentee with requests
// open to two mentors; and org, a mentee with a mentor and an open
// request. It returns the mentor and the mentee.
func budgetMentoring(t *testing.T, app *apptest.App, org sesPerson) (mentor, mentee mtrPerson) {
	t.Helper()
	ctx := context.Background()
	ment := mtrSignIn(t, app, "Max Mentor", "Europe/Berlin")
	mtrMentor(t, app, ment, func(m *match.MentorProfile) { m.Capacity = 5 })
	other := mtrSignIn(t, app, "Ola Other Mentor", "")
	mtrMentor(t, app, other, func(m *match.MentorProfile) {
		m.Skills = []match.Skill{{Name: "go", Level: 3}, {Name: "kubernetes", Level: 4}}
	})
	third := mtrSignIn(t, app, "Tia Third Mentor", "")
	mtrMentor(t, app, third, nil)
	mentees := []mtrPerson{
		mtrSignIn(t, app, "Ed Mentee", ""), mtrSignIn(t, app, "Flo Mentee", ""),
		mtrSignIn(t, app, "Gia Asker", ""), mtrSignIn(t, app, "Hal Asker", ""),
	}
	for i, e := range mentees {
		mtrMentee(t, app, e, nil)
		r, err := app.Mentors.Ask(ctx, e.ID, ment.ID, "Please mentor me")
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0, 1:
			if _, err := app.Mentors.Accept(ctx, ment.ID, r.ID); err != nil {
				t.Fatal(err)
			}
		case 2:
			if _, err := app.Mentors.AskQuestion(ctx, ment.ID, r.ID, "What do you build?"); err != nil {
				t.Fatal(err)
			}
		}
	}
	asker := mentees[3]
	for _, m := range []mtrPerson{other, third} {
		if _, err := app.Mentors.Ask(ctx, asker.ID, m.ID, "Hello"); err != nil {
			t.Fatal(err)
		}
	}
	orgMentee := mtrPerson{Client: org.Client, ID: org.User.ID, Name: org.User.Name}
	mtrMentee(t, app, orgMentee, nil)
	r, err := app.Mentors.Ask(ctx, org.User.ID, other.ID, "Hi")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Mentors.Accept(ctx, other.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Mentors.Ask(ctx, org.User.ID, third.ID, "Hi"); err != nil {
		t.Fatal(err)
	}
	return ment, asker
}

// The home page lists upcoming sessions of public groups and the public
// groups with most members; a group that turned private leaves both, even
// though its session is still in the listed index. A session's group need
// not be among the groups listed.
func TestHomeListsOnlyWhatIsPublic(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Hana Host", "")
	fan := sesSignIn(t, app, "Fay Fan", "")
	for i := range 6 {
		crowd := sesGroup(t, app, org, fmt.Sprintf("crowd-%d", i), func(in *groups.Input) { in.Name = fmt.Sprintf("Crowd %d", i) })
		sesJoin(t, app, crowd, fan)
	}
	quiet := sesGroup(t, app, org, "quiet", func(in *groups.Input) { in.Name = "Quiet Gophers" })
	sesCreate(t, org, quiet, sesForm("Open session"))
	hidden := sesGroup(t, app, org, "home-hidden", func(in *groups.Input) { in.Name = "Soon Private" })
	sesJoin(t, app, hidden, fan)
	sesCreate(t, org, hidden, sesForm("Later hidden"))
	in := groups.Input{Name: "Soon Private", Slug: "home-hidden", Description: "We meet.", Topics: []string{"go"},
		Paths: []string{"architecture"}, City: "Berlin", Online: true, Visibility: groups.Private}
	if _, err := app.Groups.Update(context.Background(), hidden.ID, org.User.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Groups.Recount(context.Background()); err != nil { // the joins' counts, in the order home lists by
		t.Fatal(err)
	}
	for who, c := range map[string]*apptest.Client{"anonymous": app.NewClient(t), "organizer": org.Client} {
		r := c.Get("/")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("home for %s: %d", who, r.StatusCode)
		}
		sesContains(t, "home for "+who, r.Body, "Open session", "Quiet Gophers", "Crowd 0", "Crowd 5")
		sesLacks(t, "home for "+who, r.Body, "Later hidden", "Soon Private")
	}
}

// Mentor suggestions rank with the session's own read, then read the
// candidates' profiles and the viewer's requests in a second round trip;
// once this instance has seen the same candidates and requests for the
// viewer, it reads them with the ranking, in one. What changed since
// shows all the same: a seat taken (read with the ranking) and a request
// withdrawn (the lists then name other records: two round trips, then
// one again), and mentors whose indexes changed. A signed-out visitor, or a cookie whose session is gone,
// is sent to sign in.
func TestMentorSuggestionsReadInOneRoundTripOnceKnown(t *testing.T) {
	app := apptest.Start(t, apptest.Options{NoNearCache: true})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	ment, mentee := budgetMentoring(t, app, org)
	if n := pageTrips(t, app, mentee.Client, "/mentors/suggestions", "/mentors/suggestions"); n != 1 {
		t.Errorf("suggestions seen before: %d round trips, want 1", n)
	}
	view := func(want int) string {
		t.Helper()
		before, _ := app.RoundTrips(t, http.MethodGet, "/mentors/suggestions")
		r := mentee.Get("/mentors/suggestions")
		after, _ := app.RoundTrips(t, http.MethodGet, "/mentors/suggestions")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("suggestions: %d", r.StatusCode)
		}
		if n := int(after - before); n != want {
			t.Errorf("suggestions: %d round trips, want %d", n, want)
		}
		return r.Body
	}
	body := view(1)
	sesContains(t, "the mentee's suggestions", body, "Max Mentor", "3 seats free", "You asked Ola Other Mentor already")
	asked := regexp.MustCompile(`You asked Ola Other Mentor already\. <a href="/mentors/requests/([a-z0-9]+)">`).FindStringSubmatch(body)
	if asked == nil {
		t.Fatalf("no link to the request to Ola in %s", body)
	}

	mtrAccepted(t, app, ment, "Lou Late")
	sesContains(t, "after Max took another mentee", view(1), "Max Mentor", "2 seats free", "You asked Ola Other Mentor already")

	if _, err := app.Mentors.Withdraw(ctx, mentee.ID, asked[1]); err != nil {
		t.Fatal(err)
	}
	body = view(2)
	sesContains(t, "after withdrawing the request to Ola", body, "Ola Other Mentor", "You asked Tia Third Mentor already")
	sesLacks(t, "after withdrawing the request to Ola", body, "You asked Ola Other Mentor already")
	view(1)

	// The ranking is remembered with the versions of the indexes it was
	// built from: a mentor who fits changes them, so it is built again
	// (a round trip between the versions and the new candidates'
	// profiles) and names them; a mentor the mentee's indexes do not name
	// (another language) changes nothing.
	nia := mtrSignIn(t, app, "Nia New Mentor", "")
	mtrMentor(t, app, nia, nil)
	sesContains(t, "after a new mentor who fits", view(3), "Nia New Mentor")
	view(1)
	spanish := mtrSignIn(t, app, "Sol Spanish Mentor", "")
	mtrMentor(t, app, spanish, func(m *match.MentorProfile) { m.Languages = []string{"es"} })
	sesLacks(t, "after a mentor in another language", view(1), "Sol Spanish Mentor")
	mtrMentor(t, app, ment, func(m *match.MentorProfile) {
		m.Capacity, m.Skills, m.Paths = 5, []match.Skill{{Name: "cobol", Level: 4}}, []string{"devops"}
	})
	// The ranking is built again; the candidates it names were read a
	// moment ago (see mentors.RecentMentorFor), so nothing more is read.
	sesLacks(t, "after Max stopped teaching Go", view(2), "Max Mentor")
	anon := app.NewClient(t)
	if r := anon.Get("/mentors/suggestions?skill=go"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin?next=%2Fmentors%2Fsuggestions%3Fskill%3Dgo" {
		t.Errorf("signed out: %d to %q, want 303 to sign in and back", r.StatusCode, r.Header.Get("Location"))
	}
	if r := org.PostForm("/", "/signout", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.StatusCode)
	}
	if r := org.Get("/mentors/suggestions"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
		t.Errorf("after signing out: %d to %q, want 303 to sign in", r.StatusCode, r.Header.Get("Location"))
	}
}

// Any GET page reads with its first round trip what its later ones read
// on the viewer's last view of the same address (handler.pageLater): the
// profile, which reads the person's groups after the session, is one
// round trip once seen, and shows a group joined since (read in a round
// trip of its own, once).
func TestAPageSeenBeforeReadsInOneRoundTrip(t *testing.T) {
	app := apptest.Start(t, apptest.Options{NoNearCache: true}) // guesses are made without it
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	member := sesSignIn(t, app, "Mia Member", "mia@example.com")
	sesJoin(t, app, sesGroup(t, app, org, "first-group", nil), member)
	if n := pageTrips(t, app, member.Client, "/profile", "/profile"); n != 1 {
		t.Errorf("the profile seen before: %d round trips, want 1", n)
	}
	g := sesGroup(t, app, org, "second-group", nil)
	sesJoin(t, app, g, member)
	body, n := viewTrips(t, app, member.Client, "/profile", "/profile")
	if n != 2 {
		t.Errorf("the profile after joining a group: %d round trips, want 2", n)
	}
	sesContains(t, "the profile after joining a group", body, `value="`+g.ID+`"`)
	if n := pageTrips(t, app, member.Client, "/profile", "/profile"); n != 1 {
		t.Errorf("the profile seen again: %d round trips, want 1", n)
	}
	// Another person's first view of the same address guesses nothing of
	// Mia's.
	if _, n := viewTrips(t, app, org.Client, "/profile", "/profile"); n < 2 {
		t.Errorf("Olga's first view of her profile: %d round trips, want her own reads after her session", n)
	}
}
