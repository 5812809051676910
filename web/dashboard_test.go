package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// An organizer sees what they host with who answered, and what waits
// for them; a member answers a session of their group without leaving
// the dashboard, and sees their place in line.
func TestDashboardShowsHostingAndAnswersInPlace(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "weekly", nil)
	small := sesForm("Pairing night")
	small.Set("capacity", "1")
	pairing := sesCreate(t, org, g, small)
	ask := sesForm("Ask first")
	ask.Set("approval", "on")
	asked := sesCreate(t, org, g, ask)
	seated, waiting, member := sesSignIn(t, app, "Sam Seated", ""), sesSignIn(t, app, "Wes Waiting", ""), sesSignIn(t, app, "Mo Member", "")
	for _, p := range []sesPerson{seated, waiting, member} {
		sesJoin(t, app, g, p)
	}
	sesRSVP(t, seated, pairing, "yes")
	sesRSVP(t, waiting, pairing, "yes")
	sesRSVP(t, waiting, asked, "yes")

	dash := org.Get("/dashboard").Body
	sesContains(t, "the organizer's dashboard", dash, `id="hosting-h">Hosting`, "Pairing night", "Ask first",
		"<strong>1 going</strong> · 1 on the waitlist · 0 awaiting approval", "<strong>0 going</strong> · 0 on the waitlist · 1 awaiting approval",
		`href="/s/`+asked+`/attendees">Ask first</a>: 1 person asks for a seat`, "You&#39;re hosting")
	sesLacks(t, "the organizer's dashboard", dash, "no sessions coming up", "First steps", `id="answer-h"`)

	sesContains(t, "the waitlisted member's dashboard", waiting.Get("/dashboard").Body, "#1 on the waitlist", "Seat requested")

	dash = member.Get("/dashboard").Body
	sesContains(t, "the member's dashboard", dash, `id="answer-h">Coming up in your groups`, `action="/s/`+pairing+`/rsvp"`,
		`name="back" value="dashboard"`, `value="yes">Join the waitlist</button>`, `value="yes">Request a seat</button>`,
		"Next session: ", "You are not going to any session yet.")
	sesLacks(t, "the member's dashboard", dash, `id="hosting-h"`, "First steps")

	r := member.PostForm("/dashboard", "/s/"+pairing+"/rsvp", url.Values{"going": {"yes"}, "back": {"dashboard"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("answering on the dashboard: %d to %q, want 303 to /dashboard", r.StatusCode, r.Header.Get("Location"))
	}
	dash = member.Follow(r).Body
	sesContains(t, "the dashboard after answering", dash, "waitlist", "#2 on the waitlist")
	if strings.Contains(dash, `action="/s/`+pairing+`/rsvp"`) {
		t.Error("the session answered stays among those to answer")
	}
	if st := sesStatus(t, app, pairing, member.User.ID); st.Position != 2 {
		t.Errorf("the member's standing after answering: %+v, want second on the waitlist", st)
	}

	// A form that says neither yes nor no changes nothing, whatever it came from.
	r = member.PostForm("/dashboard", "/s/"+asked+"/rsvp", url.Values{"going": {"maybe"}, "back": {"dashboard"}})
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("an RSVP of maybe: %d, want 400", r.StatusCode)
	}
	if st := sesStatus(t, app, asked, member.User.ID); st.Status != "" {
		t.Errorf("an RSVP of maybe recorded %q", st.Status)
	}
	// Only "dashboard" sends the answer back there: no open redirect.
	r = member.PostForm("/dashboard", "/s/"+asked+"/rsvp", url.Values{"going": {"no"}, "back": {"https://evil.example/"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/s/"+asked {
		t.Errorf("an answer with a foreign back: %d to %q, want the session page", r.StatusCode, r.Header.Get("Location"))
	}
}

// Someone new, with no groups and no sessions, gets first steps.
func TestDashboardFirstStepsForSomeoneNew(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	newbie := sesSignIn(t, app, "Nina New", "")
	sesContains(t, "a new person's dashboard", newbie.Get("/dashboard").Body, "First steps", `href="/groups">Discover groups</a>`,
		`href="/groups/new">Host a group</a>`, `href="/mentors/profile/mentee">Set up a mentoring profile</a>`, `href="/profile#tz">Set your time zone</a>`)
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	sesGroup(t, app, org, "weekly", nil)
	sesLacks(t, "an organizer's dashboard", org.Get("/dashboard").Body, "First steps")
}

// Once this instance has seen a person's groups, the dashboard reads
// everything with the session, in one round trip (a view in a new minute
// is built afresh, not kept), and nothing from Redis once memory holds it
// all (internal/nearcache); a
// group joined since is read in a second and a third on the next view,
// and shown at once.
func TestDashboardReadsInOnePipelineOnceItKnowsTheGroups(t *testing.T) {
	// Lists are read by the minute; the clock moves on only when told.
	clock := apptest.NewClock(time.Now().Truncate(time.Minute))
	app := apptest.Start(t, apptest.Options{EventClock: clock})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "first-group", nil)
	sesCreate(t, org, g, sesForm("Known group session"))
	member := sesSignIn(t, app, "Mo Member", "")
	sesJoin(t, app, g, member)

	for _, c := range []*apptest.Client{member.Client, org.Client} {
		c.Get("/dashboard")        // this instance learns the person's groups
		clock.Advance(time.Minute) // so the next view is built, not kept
		if _, n := viewTrips(t, app, c, "/dashboard", "/dashboard"); n != 1 {
			t.Errorf("a dashboard view built once this instance knows the groups: %d round trips, want 1", n)
		}
	}

	g2 := sesGroup(t, app, org, "second-group", nil)
	sesCreate(t, org, g2, sesForm("New group session"))
	sesJoin(t, app, g2, member)
	before, _ := app.RoundTrips(t, http.MethodGet, "/dashboard")
	dash := member.Get("/dashboard").Body
	after, _ := app.RoundTrips(t, http.MethodGet, "/dashboard")
	if n := int(after - before); n != 3 {
		t.Errorf("the first view after joining a group: %d round trips, want 3 (its sessions read after the lists)", n)
	}
	sesContains(t, "the dashboard after joining a second group", dash, "Known group session", "New group session")

	if n := pageTrips(t, app, member.Client, "/dashboard", "/dashboard"); n != 0 {
		t.Errorf("the next view: %d round trips, want none (all in memory, the session too)", n)
	}
	leave := member.PostForm("/g/"+g.Slug, "/g/"+g.Slug+"/leave", nil)
	if leave.StatusCode != http.StatusSeeOther {
		t.Fatalf("leaving the first group: %d", leave.StatusCode)
	}
	member.Follow(leave) // the page it leads to shows (and clears) the notice
	before, _ = app.RoundTrips(t, http.MethodGet, "/dashboard")
	dash = member.Get("/dashboard").Body
	after, _ = app.RoundTrips(t, http.MethodGet, "/dashboard")
	if n := int(after - before); n != 1 {
		t.Errorf("the first view after leaving a group: %d round trips, want 1 (the left group's reads made for nothing)", n)
	}
	sesContains(t, "the dashboard after leaving the first group", dash, "New group session")
	sesLacks(t, "the dashboard after leaving the first group", dash, "Known group session")
}

// keyLog is a go-redis hook that keeps the commands sent on keys ending
// in one of suffixes, as "command key".
type keyLog struct {
	suffixes []string
	mu       sync.Mutex
	sent     []string
}

func (k *keyLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (k *keyLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		k.note(cmd)
		return next(ctx, cmd)
	}
}

func (k *keyLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			k.note(cmd)
		}
		return next(ctx, cmds)
	}
}

func (k *keyLog) note(cmd redis.Cmder) {
	args := cmd.Args()
	if len(args) < 2 {
		return
	}
	key := fmt.Sprint(args[1])
	for _, s := range k.suffixes {
		if strings.HasSuffix(key, s) {
			k.mu.Lock()
			k.sent = append(k.sent, cmd.Name()+" "+key)
			k.mu.Unlock()
			return
		}
	}
}

// take returns the commands kept since the last take.
func (k *keyLog) take() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := k.sent
	k.sent = nil
	return out
}

// The dashboard reads who waits and who asks to join only where the
// viewer organizes or hosts: a member's view reads none of it. Someone
// promoted, or made a host, sees the counts on their next view (one round
// trip more, once), and the view after that reads them in one again.
// What a view reads with its first round trip is what the view before
// read after it (see speculate), so reads a role no longer needs stop on
// the second view after the change; nothing of them is shown before.
func TestDashboardReadsOrganizerCountsOnlyWhereNeeded(t *testing.T) {
	log := &keyLog{suffixes: []string{":requests", ":pending", ":waitlist"}}
	app := apptest.Start(t, apptest.Options{NoNearCache: true, RedisHooks: []redis.Hook{log}})
	ctx := context.Background()
	owner := sesSignIn(t, app, "Olga Owner", "olga@example.com")
	g := sesGroup(t, app, owner, "reviewed", func(in *groups.Input) { in.JoinPolicy = groups.Approval })
	small := sesForm("Pairing night")
	small.Set("capacity", "1")
	sesCreate(t, owner, g, small)
	member, asker := sesSignIn(t, app, "Mo Member", ""), sesSignIn(t, app, "Ari Asker", "")
	if err := app.Groups.Apply(ctx, g.ID, member.User.ID, "", member.User.VerifiedEmails()); err != nil {
		t.Fatal(err)
	}
	if err := app.Groups.Approve(ctx, g.ID, owner.User.ID, member.User.ID); err != nil {
		t.Fatal(err)
	}
	if err := app.Groups.Apply(ctx, g.ID, asker.User.ID, "", asker.User.VerifiedEmails()); err != nil {
		t.Fatal(err)
	}
	// view returns the member's dashboard, its round trips and what it
	// read that only organizers and hosts see (their own place on a
	// waitlist is theirs to see).
	view := func() (body string, trips int, organizerReads []string) {
		t.Helper()
		log.take()
		before, _ := app.RoundTrips(t, http.MethodGet, "/dashboard")
		r := member.Get("/dashboard")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("dashboard: %d", r.StatusCode)
		}
		after, _ := app.RoundTrips(t, http.MethodGet, "/dashboard")
		for _, c := range log.take() {
			if !strings.HasPrefix(c, "zrank ") && (strings.Contains(c, "event:{") || strings.Contains(c, "group:{")) {
				organizerReads = append(organizerReads, c)
			}
		}
		return r.Body, int(after - before), organizerReads
	}
	const counts, joinRequests = "<strong>0 going</strong> · 0 on the waitlist · 0 awaiting approval", "1 request to join"

	view() // a first view reads every count: it cannot know the role in time
	view() // this one's guesses are the first view's reads
	body, trips, reads := view()
	if trips != 1 || len(reads) > 0 {
		t.Errorf("a member's dashboard: %d round trips reading %q, want 1 reading nothing only organizers see", trips, reads)
	}
	sesLacks(t, "a member's dashboard", body, `id="hosting-h"`, joinRequests)

	if err := app.Groups.Promote(ctx, g.ID, owner.User.ID, member.User.ID); err != nil {
		t.Fatal(err)
	}
	body, trips, _ = view()
	if trips != 2 {
		t.Errorf("the first view after a promotion: %d round trips, want 2", trips)
	}
	sesContains(t, "the dashboard after a promotion", body, `id="hosting-h"`, "Pairing night", counts, joinRequests)
	body, trips, reads = view()
	if trips != 1 || len(reads) == 0 {
		t.Errorf("an organizer's next view: %d round trips reading %q, want 1 with the counts", trips, reads)
	}
	sesContains(t, "an organizer's next view", body, counts, joinRequests)

	if err := app.Groups.Demote(ctx, g.ID, owner.User.ID, member.User.ID); err != nil {
		t.Fatal(err)
	}
	hosted := sesForm("Talk by Mo")
	hosted.Add("hosts", member.User.ID)
	sesCreate(t, owner, g, hosted)
	body, _, _ = view() // the demotion is found here, and remembered
	sesContains(t, "a demoted host's first view", body, `id="hosting-h"`, "Talk by Mo", counts)
	sesLacks(t, "a demoted host's first view", body, joinRequests)
	body, _, _ = view() // its guesses are the organizer's reads of the view before
	sesLacks(t, "a demoted host's second view", body, joinRequests)
	body, trips, reads = view()
	sesContains(t, "a host's dashboard", body, `id="hosting-h"`, "Talk by Mo", counts)
	sesLacks(t, "a host's dashboard", body, joinRequests)
	if trips != 1 {
		t.Errorf("a host's view: %d round trips, want 1", trips)
	}
	for _, c := range reads {
		if strings.HasSuffix(c, ":requests") {
			t.Errorf("a host who does not organize had the requests to join read: %q", c)
		}
	}
}

// A member of busy groups gets the soonest sessions they have not
// answered, though the dashboard reads their standing only in the
// soonest few: when those do not make the list, it reads the rest. A
// session they host far ahead still shows under Hosting.
func TestDashboardFindsTheSoonestToAnswerReadingFew(t *testing.T) {
	log := &keyLog{suffixes: []string{":rsvp"}}
	app := apptest.Start(t, apptest.Options{NoNearCache: true, RedisHooks: []redis.Hook{log}})
	ctx := context.Background()
	owner := sesSignIn(t, app, "Olga Owner", "olga@example.com")
	member := sesSignIn(t, app, "Mo Member", "")
	org := events.Actor{UserID: owner.User.ID, Organizer: true}
	var all []events.Event // every upcoming session of the member's groups
	var gs []*groups.Group
	for i := range 3 {
		g := sesGroup(t, app, owner, fmt.Sprintf("busy-%d", i), nil)
		sesJoin(t, app, g, member)
		gs = append(gs, g)
		for week := range 8 { // single sessions: a series would show as one card
			start := time.Now().UTC().AddDate(0, 0, 2+i+7*week).Truncate(time.Hour).Add(time.Duration(i) * time.Hour)
			ev, err := app.Events.Create(ctx, org, g.ID, events.Input{Title: fmt.Sprintf("Meetup %d.%d", i, week), Format: "talk", TimeZone: "UTC",
				Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Hour).Format("2006-01-02T15:04"), OnlineURL: "https://meet.example/w"})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ev)
		}
	}
	slices.SortFunc(all, func(a, b events.Event) int { return a.Start.Compare(b.Start) })
	answer := func(ev events.Event, going bool) {
		t.Helper()
		if _, err := app.Events.RSVP(ctx, ev.ID, member.User.ID, going); err != nil {
			t.Fatal(err)
		}
	}
	answered := map[string]bool{}
	answer(all[0], true)
	answer(all[2], false)
	answered[all[0].ID], answered[all[2].ID] = true, true
	// want is the soonest ten sessions not answered.
	want := func() []string {
		var out []string
		for _, ev := range all {
			if !answered[ev.ID] && len(out) < 10 {
				out = append(out, ev.ID)
			}
		}
		return out
	}
	view := func(p sesPerson) (toAnswer []string, body string, trips int, rsvpReads int) {
		t.Helper()
		log.take()
		toAnswer, body, trips = dashToAnswer(t, app, p)
		return toAnswer, body, trips, len(log.take())
	}

	// The first view reads every answer, the second reads few but guesses
	// what the first read, the third picks as many as the second needed.
	view(member)
	view(member)
	view(member)
	got, _, trips, reads := view(member)
	if !slices.Equal(got, want()) {
		t.Errorf("to answer: %v, want the soonest ten not answered %v", got, want())
	}
	if trips != 1 || reads > 17 {
		t.Errorf("a member's view: %d round trips reading %d answers, want 1 reading at most 17 (of %d sessions)", trips, reads, len(all))
	}

	// Twelve more of the soonest answered: the few read first do not make
	// ten, so the rest are read too.
	for _, ev := range all {
		if !answered[ev.ID] && len(answered) < 14 {
			answer(ev, false)
			answered[ev.ID] = true
		}
	}
	got, _, trips, _ = view(member)
	if !slices.Equal(got, want()) {
		t.Errorf("to answer after answering most: %v, want %v", got, want())
	}
	if trips != 2 {
		t.Errorf("a view whose first picks are answered: %d round trips, want 2 (the rest read after)", trips)
	}
	// The next view reads as many as that one needed, in one.
	got, _, trips, _ = view(member)
	if !slices.Equal(got, want()) || trips != 1 {
		t.Errorf("the view after: %d round trips, to answer %v; want 1, %v", trips, got, want())
	}

	// Someone who answered nothing is made host of a session far ahead,
	// beyond the few read first: it shows under Hosting with its seats,
	// the first time (two round trips more: the new session, then its
	// counts) and after (one more, until the guesses catch up).
	host := sesSignIn(t, app, "Hal Host", "")
	for _, g := range gs {
		sesJoin(t, app, g, host)
	}
	view(host)
	view(host)
	in := events.Input{Title: "Hal's talk", Format: "talk", TimeZone: "UTC", OnlineURL: "https://meet.example/hal",
		Start: time.Now().UTC().AddDate(0, 0, 70).Format("2006-01-02T15:04"), End: time.Now().UTC().AddDate(0, 0, 70).Add(time.Hour).Format("2006-01-02T15:04"),
		Hosts: []string{host.User.ID}}
	talk, err := app.Events.Create(ctx, org, gs[2].ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Events.RSVP(ctx, talk.ID, member.User.ID, true); err != nil {
		t.Fatal(err)
	}
	for i, wantTrips := range []int{3, 2, 1} {
		got, body, trips, _ := view(host)
		sesContains(t, "the dashboard of a member who hosts far ahead", body, `id="hosting-h"`, "Hal&#39;s talk", "<strong>1 going</strong>")
		if len(got) != 10 || trips != wantTrips {
			t.Errorf("view %d after becoming a host: %d round trips, %d to answer; want %d, 10", i+1, trips, len(got), wantTrips)
		}
	}
}

// Sessions to answer in a group the viewer hosts in (read whole) start
// late: they must not hide the sessions of the viewer's other groups that
// were not among the few read first but start sooner.
func TestDashboardToAnswerIsTheSoonestAcrossGroupsReadWholeAndNot(t *testing.T) {
	app := apptest.Start(t, apptest.Options{NoNearCache: true})
	ctx := context.Background()
	owner := sesSignIn(t, app, "Olga Owner", "olga@example.com")
	viewer := sesSignIn(t, app, "Vic Viewer", "")
	org := events.Actor{UserID: owner.User.ID, Organizer: true}
	soon, late := sesGroup(t, app, owner, "soon", nil), sesGroup(t, app, owner, "late", nil)
	sesJoin(t, app, soon, viewer)
	sesJoin(t, app, late, viewer)
	create := func(g *groups.Group, weeks, hour int, hosts ...string) events.Event {
		t.Helper()
		start := time.Now().UTC().AddDate(0, 0, 2+7*weeks).Truncate(time.Hour).Add(time.Duration(hour) * time.Hour)
		ev, err := app.Events.Create(ctx, org, g.ID, events.Input{Title: fmt.Sprintf("%s %d", g.Slug, weeks), Format: "talk", TimeZone: "UTC",
			Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Hour).Format("2006-01-02T15:04"), OnlineURL: "https://meet.example/s",
			Hosts: hosts})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	var soonOnes, lateOnes []events.Event
	for week := range 20 {
		soonOnes = append(soonOnes, create(soon, week, 0))
	}
	for week := 30; week < 42; week++ {
		lateOnes = append(lateOnes, create(late, week, 1))
	}
	create(late, 45, 1, viewer.User.ID) // the viewer hosts there: that group is read whole
	view := func() (ids []string, trips int) {
		t.Helper()
		ids, _, trips = dashToAnswer(t, app, viewer)
		return ids, trips
	}
	view()
	view() // the hosting is remembered
	for _, ev := range soonOnes[:15] {
		if _, err := app.Events.RSVP(ctx, ev.ID, viewer.User.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	var want []string
	for _, ev := range append(soonOnes[15:], lateOnes[:5]...) {
		want = append(want, ev.ID)
	}
	for i, wantTrips := range []int{2, 1} { // the rest read after, then guessed
		got, trips := view()
		if !slices.Equal(got, want) || trips != wantTrips {
			t.Errorf("view %d: %d round trips, to answer %v; want %d, the last five of the soon group then the first five of the late one %v", i+1, trips, got, wantTrips, want)
		}
	}
}

var answerForm = regexp.MustCompile(`action="/s/(\w+)/rsvp"`)

// dashToAnswer views p's dashboard and returns the sessions it lists to
// answer, in order, the page and the view's round trips.
func dashToAnswer(t *testing.T, app *apptest.App, p sesPerson) (ids []string, body string, trips int) {
	t.Helper()
	before, _ := app.RoundTrips(t, http.MethodGet, "/dashboard")
	body = p.Get("/dashboard").Body
	after, _ := app.RoundTrips(t, http.MethodGet, "/dashboard")
	_, section, _ := strings.Cut(body, `id="answer-h"`)
	section, _, _ = strings.Cut(section, "</section>")
	for _, m := range answerForm.FindAllStringSubmatch(section, -1) {
		ids = append(ids, m[1])
	}
	return ids, body, int(after - before)
}
