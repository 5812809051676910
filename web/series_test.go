package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// sesSeries schedules a weekly series of n sessions through the form and
// returns the first one's ID and its start day in Berlin.
func sesSeries(t *testing.T, org sesPerson, g *groups.Group, n string, title string) (string, time.Time) {
	t.Helper()
	form := sesForm(title)
	form.Set("repeat", "weekly")
	form.Set("recurrence_count", n)
	id := sesCreate(t, org, g, form)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start, _ := time.ParseInLocation("2006-01-02T15:04", form.Get("start"), berlin)
	return id, start
}

// sesSeriesDates creates a weekly series of n dates and returns them in
// start order, with the first date's start.
func sesSeriesDates(t *testing.T, app *apptest.App, org sesPerson, g *groups.Group, n int, title string) ([]events.Event, time.Time) {
	t.Helper()
	first, start := sesSeries(t, org, g, strconv.Itoa(n), title)
	ev, err := app.Events.Get(t.Context(), first)
	if err != nil {
		t.Fatal(err)
	}
	_, occ, err := app.Events.Series(t.Context(), ev.SeriesID)
	if err != nil || len(occ) != n {
		t.Fatalf("series: %d occurrences, %v", len(occ), err)
	}
	return occ, start
}

func TestSeriesShowsAsOneCardOnGroupAndHomePages(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	_, start := sesSeries(t, org, g, "4", "Weekly COBOL")
	single := sesForm("One-off Fortran")
	sesCreate(t, org, g, single)

	want := "Every " + start.Weekday().String() + " · 4 sessions · next " + start.Format("Mon 2 Jan")
	for _, path := range []string{"/g/" + g.Slug, "/"} {
		body := org.Get(path).Body
		sesContains(t, path, body, want, "One-off Fortran")
		if n := strings.Count(body, "Weekly COBOL"); n != 1 {
			t.Errorf("%s shows the series title %d times, want once (one card)", path, n)
		}
	}
}

func TestSeriesSessionPageSaysWhichDateAndLinksTheOthers(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	occ, start := sesSeriesDates(t, app, org, g, 3, "Weekly COBOL")
	day := start.Weekday().String()
	body := org.Get("/s/" + occ[1].ID).Body
	sesContains(t, "the second date's page", body, "2 of 3 · every "+day,
		`<a href="/s/`+occ[0].ID+`">`+start.Format("Mon 2 Jan")+`</a>`,
		`<strong aria-current="page">`+start.AddDate(0, 0, 7).Format("Mon 2 Jan")+`</strong>`,
		`<a href="/s/`+occ[2].ID+`">`+start.AddDate(0, 0, 14).Format("Mon 2 Jan")+`</a>`)
	single := sesCreate(t, org, g, sesForm("One-off Fortran"))
	sesLacks(t, "a single session's page", org.Get("/s/"+single).Body, "series-nav")
}

func TestGoingToAllSaysWhichDatesSeatedAndWhichWaitlisted(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	form := sesForm("Weekly COBOL")
	form.Set("repeat", "weekly")
	form.Set("recurrence_count", "3")
	form.Set("capacity", "1")
	first := sesCreate(t, org, g, form)
	ev, _ := app.Events.Get(t.Context(), first)
	_, occ, err := app.Events.Series(t.Context(), ev.SeriesID)
	if err != nil {
		t.Fatal(err)
	}
	early := sesSignIn(t, app, "Ada Early", "")
	sesJoin(t, app, g, early)
	sesRSVP(t, early, occ[1].ID, "yes")

	// A visitor of the open public group joins by answering for all.
	late := sesSignIn(t, app, "Lin Late", "")
	page := late.Get("/s/" + first).Body
	sesContains(t, "the series page", page, "I'm going to all", "Each of the 3 dates")
	r := late.PostForm("/s/"+first, "/s/"+first+"/going-all", nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("going to all: %d\n%s", r.StatusCode, r.Body)
	}
	second := occ[1].Start.In(berlinZone(t)).Format("Mon 2 Jan")
	sesContains(t, "the reply", late.Follow(r).Body, "Going to 2 dates; on the waitlist for 1 ("+second+" #1).")
	for i, want := range []events.RSVPStatus{events.RSVPGoing, events.RSVPWaitlisted, events.RSVPGoing} {
		if st := sesStatus(t, app, occ[i].ID, late.User.ID); st.Status != want {
			t.Errorf("date %d: %q, want %q", i+1, st.Status, want)
		}
	}
	if role, _ := app.Groups.Role(t.Context(), g.ID, late.User.ID); role != groups.RoleMember {
		t.Errorf("answering for all did not make Lin a member: %q", role)
	}
}

func TestGoingToAllRefusesBadRequests(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	closed := sesGroup(t, app, org, "cobol-private", func(in *groups.Input) { in.Visibility, in.JoinPolicy = groups.Private, groups.Invite })
	seriesID, _ := sesSeries(t, org, g, "2", "Weekly COBOL")
	privateID, _ := sesSeries(t, org, closed, "2", "Secret COBOL")
	single := sesCreate(t, org, g, sesForm("One-off Fortran"))
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)

	for _, tc := range []struct{ name, id string }{
		{"a single session", single},
		{"an unknown session", "aaaaaaaaaaaaaaaaaaaaaaaa"},
		{"a malformed ID", "..%2f"},
		{"a series of a private group", privateID},
	} {
		r := member.PostForm("/s/"+seriesID, "/s/"+tc.id+"/going-all", nil)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", tc.name, r.StatusCode)
		}
	}
	if r := app.NewClient(t).Post("/s/"+seriesID+"/going-all", nil); r.StatusCode < 300 || r.StatusCode >= 500 {
		t.Errorf("signed out: %d, want a redirect or 4xx", r.StatusCode)
	}

	ev, _ := app.Events.Get(t.Context(), seriesID)
	_, occ, _ := app.Events.Series(t.Context(), ev.SeriesID)
	for _, o := range occ {
		if _, err := app.Events.Cancel(t.Context(), events.Actor{UserID: org.User.ID, Organizer: true}, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	sesLacks(t, "a cancelled series' page", member.Get("/s/"+seriesID).Body, "I'm going to all")
	r := member.PostForm("/s/"+seriesID, "/s/"+seriesID+"/going-all", nil)
	sesContains(t, "going to all of a cancelled series", member.Follow(r).Body, "No dates of this series are left to answer")
	for _, o := range occ {
		if st := sesStatus(t, app, o.ID, member.User.ID); st.Status != events.RSVPNone {
			t.Errorf("a cancelled date recorded %q", st.Status)
		}
	}
}

func berlinZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestOrganizerCancelsThisAndFollowingDates(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	first, _ := sesSeries(t, org, g, "4", "Weekly COBOL")
	ev, _ := app.Events.Get(t.Context(), first)
	_, occ, _ := app.Events.Series(t.Context(), ev.SeriesID)
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)

	sesContains(t, "the organizer's series page", org.Get("/s/"+occ[1].ID).Body,
		`value="this" checked`, `value="following"`, `value="all"`)
	if r := member.PostForm("/s/"+occ[1].ID, "/s/"+occ[1].ID+"/cancel", url.Values{"scope": {"all"}}); r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusNotFound {
		t.Errorf("a member cancelling: %d, want 403 or 404", r.StatusCode)
	}
	if r := org.PostForm("/s/"+occ[1].ID, "/s/"+occ[1].ID+"/cancel", url.Values{"scope": {"everything"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown scope: %d, want 400", r.StatusCode)
	}
	for _, o := range occ {
		if got, _ := app.Events.Get(t.Context(), o.ID); got.Status != events.StatusScheduled {
			t.Fatalf("a refused cancel changed %s", o.ID)
		}
	}
	r := org.PostForm("/s/"+occ[1].ID, "/s/"+occ[1].ID+"/cancel", url.Values{"scope": {"following"}})
	sesContains(t, "the reply", org.Follow(r).Body, "Cancelled 3 dates of the series.")
	for i, o := range occ {
		got, _ := app.Events.Get(t.Context(), o.ID)
		if want := i >= 1; (got.Status == events.StatusCancelled) != want {
			t.Errorf("date %d: %s, want cancelled %v", i+1, got.Status, want)
		}
	}
	if r := org.PostForm("/s/"+first, "/s/"+first+"/cancel", url.Values{"scope": {"this"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel the first: %d", r.StatusCode)
	}
	r = org.PostForm("/s/"+first, "/s/"+first+"/cancel", url.Values{"scope": {"all"}})
	sesContains(t, "cancelling a cancelled series", org.Follow(r).Body, "already cancelled or over; nothing changed")
}

func TestGoingToAllFromTheInvitationLink(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	first, start := sesSeries(t, org, g, "3", "Weekly COBOL")
	single := sesCreate(t, org, g, sesForm("One-off Fortran"))
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)
	ev, _ := app.Events.Get(t.Context(), first)
	one, _ := app.Events.Get(t.Context(), single)
	tokens, err := app.Events.IssueRSVPTokens(t.Context(), ev, []string{member.User.ID})
	if err != nil {
		t.Fatal(err)
	}
	singleTokens, err := app.Events.IssueRSVPTokens(t.Context(), one, []string{member.User.ID})
	if err != nil {
		t.Fatal(err)
	}
	guest := app.NewClient(t) // the link works without signing in
	link := "/rsvp/" + tokens[member.User.ID] + "/all"
	sesContains(t, "the link page", guest.Get(link).Body, "every "+start.Weekday().String(), "Confirm: I'm going to all")
	if st := sesStatus(t, app, first, member.User.ID); st.Status != events.RSVPNone {
		t.Fatalf("opening the link answered %q", st.Status)
	}
	sesContains(t, "the reply", guest.Post(link, nil).Body, "Going to 3 dates.")
	_, occ, _ := app.Events.Series(t.Context(), ev.SeriesID)
	for i, o := range occ {
		if st := sesStatus(t, app, o.ID, member.User.ID); st.Status != events.RSVPGoing {
			t.Errorf("date %d: %q, want going", i+1, st.Status)
		}
	}
	for _, bad := range []string{"/rsvp/" + singleTokens[member.User.ID] + "/all", "/rsvp/nosuchtoken/all"} {
		sesContains(t, bad, guest.Get(bad).Body, "This link no longer works")
		sesContains(t, bad, guest.Post(bad, nil).Body, "This link no longer works")
	}
	if st := sesStatus(t, app, single, member.User.ID); st.Status != events.RSVPNone {
		t.Errorf("a single session's link answered %q through /all", st.Status)
	}
}

func TestADateTheViewerAnsweredKeepsItsOwnCard(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	first, start := sesSeries(t, org, g, "3", "Weekly COBOL")
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)
	ev, _ := app.Events.Get(t.Context(), first)
	_, occ, _ := app.Events.Series(t.Context(), ev.SeriesID)
	sesRSVP(t, member, occ[1].ID, "yes")

	body := member.Get("/g/" + g.Slug).Body
	sesContains(t, "the member's group page", body,
		"Every "+start.Weekday().String()+" · 2 sessions · next "+start.Format("Mon 2 Jan"), `href="/s/`+occ[1].ID+`"`)
	if n := strings.Count(body, "Weekly COBOL"); n != 2 {
		t.Errorf("the group page shows the series title %d times, want twice (the series and the date Mo goes to)", n)
	}
}

// A series date's page reads the other dates with its first round trip
// once any view of it on this instance has read them (see speculate), for
// every viewer, and shows a date cancelled since.
func TestSeriesSessionPageReadsInOneRoundTripAndFollowsChanges(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{NoNearCache: true})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	occ, _ := sesSeriesDates(t, app, org, g, 3, "Weekly COBOL")
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)
	path := "/s/" + occ[1].ID
	if n := pageTrips(t, app, member.Client, "/s/:id", path); n != 1 {
		t.Errorf("a series date seen before: %d round trips, want 1", n)
	}
	anon := app.NewClient(t)
	body, n := viewTrips(t, app, anon, "/s/:id", path)
	if n != 1 {
		t.Errorf("a visitor's first view of a date others saw: %d round trips, want 1", n)
	}
	sesContains(t, "the visitor's view", body, "2 of 3")
	sesLacks(t, "the visitor's view", body, "(cancelled)")

	if _, err := app.Events.Cancel(t.Context(), events.Actor{UserID: org.User.ID, Organizer: true}, occ[2].ID); err != nil {
		t.Fatal(err)
	}
	if body, n = viewTrips(t, app, member.Client, "/s/:id", path); n != 1 {
		t.Errorf("the view after a date was cancelled: %d round trips, want 1", n)
	}
	sesContains(t, "the view after a date was cancelled", body, `<a href="/s/`+occ[2].ID+`">`, "(cancelled)")
}
