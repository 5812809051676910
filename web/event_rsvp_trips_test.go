package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/mail"
)

// rsvpCrowd signs n people in (none joins the group) and returns them
// with the CSRF token of the session page they answer on.
func rsvpCrowd(t testing.TB, app *apptest.App, n int, sessionID string) ([]*apptest.Client, []string) {
	t.Helper()
	clients, tokens := make([]*apptest.Client, n), make([]string, n)
	for i := range n {
		c := app.NewClient(t)
		c.DevSignIn(fmt.Sprintf("Crowd %05d", i), "")
		clients[i], tokens[i] = c, c.CSRF("/s/"+sessionID)
	}
	return clients, tokens
}

// rsvpForm is what the RSVP button posts: the CSRF token, the one-time
// value every form carries (see web.once) and the answer.
func rsvpForm(token, going string) url.Values {
	return url.Values{"_csrf": {token}, "_once": {ids.New()}, "going": {going}}
}

// rsvpPost answers going (yes/no) with token, as the session page's form
// does, and returns the round trips the app recorded for that request.
func rsvpPost(t testing.TB, app *apptest.App, c *apptest.Client, sessionID, token, going string) int {
	t.Helper()
	before, n := app.RoundTrips(t, http.MethodPost, "/s/:id/rsvp")
	if r := c.Post("/s/"+sessionID+"/rsvp", rsvpForm(token, going)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("RSVP %s: %d\n%s", going, r.StatusCode, r.Body)
	}
	after, m := app.RoundTrips(t, http.MethodPost, "/s/:id/rsvp")
	if m != n+1 {
		t.Fatalf("%d RSVP requests recorded, want one more than %d", m, n)
	}
	return int(after - before)
}

// An RSVP POST reads and writes Redis in a bounded number of round trips,
// whether it joins the group, takes a seat, waits, or hands a seat on. A
// "going" takes two: the session, user and the form's one-time claim with
// the session, group and standing; then the join and the RSVP script with
// everything that follows from them as the standing says they will turn
// out (the join's follow-ups, the personal index, the reminders, the
// form's record). The flash goes in a cookie.
func TestRSVPPostRoundTrips(t *testing.T) {
	app := apptest.Start(t, apptest.Options{AuthRateLimit: ratelimit.PerMinute(1000)})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "rsvp-trips", nil)
	f := sesForm("One seat")
	f.Set("capacity", "1")
	id := sesCreate(t, org, g, f)
	crowd, tokens := rsvpCrowd(t, app, 5, id)
	member := sesSignIn(t, app, "Mia Member", "")
	sesJoin(t, app, g, member)
	// Warm up: a seat taken, a place on the waitlist, the seat handed on,
	// so every script is loaded, as in a server that has run a while.
	for _, step := range []struct {
		who   int
		going string
	}{{3, "yes"}, {4, "yes"}, {3, "no"}, {4, "no"}} {
		rsvpPost(t, app, crowd[step.who], id, tokens[step.who], step.going)
	}
	cases := []struct {
		name   string
		c      *apptest.Client
		token  string
		going  string
		budget int
	}{
		{"a non-member joins and takes the seat", crowd[0], tokens[0], "yes", 2},
		{"a non-member joins onto the waitlist", crowd[1], tokens[1], "yes", 2},
		{"a member joins the waitlist", member.Client, member.CSRF("/s/" + id), "yes", 2},
		{"the same answer again", crowd[1], tokens[1], "yes", 2},
		{"dropping out hands the seat on", crowd[0], tokens[0], "no", 13},
		{"a non-member says no", crowd[2], tokens[2], "no", 4},
	}
	for _, tc := range cases {
		n := rsvpPost(t, app, tc.c, id, tc.token, tc.going)
		t.Logf("%s: %d round trips", tc.name, n)
		if n > tc.budget {
			t.Errorf("%s: %d Redis round trips, want at most %d", tc.name, n, tc.budget)
		}
	}
}

// A form posted to a session's address reads the session with the
// poster's own session, for the user the cookie names. A cookie altered
// to name an organizer of a private group gets those reads made as the
// organizer, and must not get to use them: the post is the poster's, who
// may not see the session (404) and so cannot answer it.
func TestAPostWhoseCookieNamesSomeoneElseSeesTheSessionAsThePoster(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org, _, id := privateSession(t, app, "hidden")
	eve := sesSignIn(t, app, "Eve Outsider", "eve@example.com")
	form := rsvpForm(eve.CSRF("/profile"), "yes")
	// Altered after the page above, whose answer set the cookie right.
	cookieName := auth.SessionCookie(false)
	sid, _, _ := strings.Cut(eve.Cookie(cookieName), ".")
	eve.SetCookie(cookieName, sid+"."+org.User.ID)
	if r := eve.Post("/s/"+id+"/rsvp", form); r.StatusCode != http.StatusNotFound {
		t.Fatalf("an outsider's post with a cookie naming the organizer: %d, want 404\n%s", r.StatusCode, r.Body)
	}
	if st := sesStatus(t, app, id, eve.User.ID); st.Status != "" {
		t.Fatalf("the outsider's post recorded %q", st.Status)
	}
	// The guest form reads the session as a signed-out visitor would,
	// whoever posts it: not with the reads made for the organizer.
	guest := url.Values{"_csrf": {org.CSRF("/s/" + id)}, "name": {"Gus Guest"}, "email": {"gus@example.com"}}
	if r := org.Post("/s/"+id+"/guest-rsvp", guest); r.StatusCode != http.StatusNotFound {
		t.Fatalf("the guest form of a private group's session: %d, want 404\n%s", r.StatusCode, r.Body)
	}
	// The organizer's own post, with the reads made with their session.
	if n := rsvpPost(t, app, org.Client, id, org.CSRF("/s/"+id), "yes"); n > 2 {
		t.Fatalf("the organizer's answer took %d round trips, want at most 2", n)
	}
	if st := sesStatus(t, app, id, org.User.ID); st.Status != "going" {
		t.Fatalf("the organizer is %q, want going", st.Status)
	}
}

// A POST's metrics keep their method label after the connection goes on
// to serve a GET (fasthttp reuses the buffer the method was read into).
func TestMetricsKeepThePostMethod(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "labels", nil)
	id := sesCreate(t, org, g, sesForm("Labels"))
	sesRSVP(t, org, id, "yes")
	body := org.Get("/metrics").Body
	sesContains(t, "/metrics", body, `http_request_redis_roundtrips_count{method="POST",route="/s/:id/rsvp"} 1`)
	sesLacks(t, "/metrics", body, `method="GETT"`)
}

// BenchmarkRSVPPost posts one new person's "going" per iteration, through
// the real app, to a 1,000-seat session of an open public group they are
// not yet a member of (so each answer also joins the group), as in
// httpbench's RSVP row. It reports the Redis round trips per post.
func BenchmarkRSVPPost(b *testing.B) {
	app := apptest.Start(b, apptest.Options{AuthRateLimit: ratelimit.PerMinute(1 << 30)})
	ctx := context.Background()
	org, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: "bench-host", Name: "Bench Host",
		Emails: []auth.Email{{Address: "host@bench.example", Verified: true}}})
	if err != nil {
		b.Fatal(err)
	}
	g, err := app.Groups.Create(ctx, org.ID, groups.Input{Name: "Bench group", Slug: "bench", Topics: []string{"go"},
		Paths: []string{"architecture"}, City: "Berlin", Online: true})
	if err != nil {
		b.Fatal(err)
	}
	f := sesForm("A thousand seats")
	ev, err := app.Events.Create(ctx, events.Actor{UserID: org.ID, Organizer: true}, g.ID, events.Input{Title: f.Get("title"),
		Format: f.Get("format"), Start: f.Get("start"), End: f.Get("end"), TimeZone: "Europe/Berlin", Venue: f.Get("venue"),
		Capacity: "1000", Listed: true})
	if err != nil {
		b.Fatal(err)
	}
	crowd, tokens := rsvpCrowd(b, app, b.N, ev.ID)
	before, n := app.RoundTrips(b, http.MethodPost, "/s/:id/rsvp")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if r := crowd[i].Post("/s/"+ev.ID+"/rsvp", rsvpForm(tokens[i], "yes")); r.StatusCode != http.StatusSeeOther {
			b.Fatalf("RSVP: %d", r.StatusCode)
		}
	}
	b.StopTimer()
	after, m := app.RoundTrips(b, http.MethodPost, "/s/:id/rsvp")
	b.ReportMetric((after-before)/float64(m-n), "roundtrips/op")
}

// The follow-ups an RSVP leaves for the end of the request are all done
// by the time the answer comes back: the person is on the group's member
// list and has it among their groups, the session is on their own list,
// and their reminders are scheduled. The same form posted twice (a double
// click) is done once.
func TestAnRSVPThatJoinsLeavesEveryFollowUpDone(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "follow-ups", nil)
	id := sesCreate(t, org, g, sesForm("Follow-ups"))
	pat := sesSignIn(t, app, "Pat Newcomer", "pat@example.com")
	form := rsvpForm(pat.CSRF("/s/"+id), "yes")
	for i := range 2 {
		if r := pat.Post("/s/"+id+"/rsvp", form); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/s/"+id {
			t.Fatalf("RSVP: %d to %q", r.StatusCode, r.Header.Get("Location"))
		}
		if i == 0 {
			sesContains(t, "the page after the RSVP", pat.Get("/s/"+id).Body, "You joined Group follow-ups. You are going.")
		}
	}
	mine, err := app.Groups.UserGroups(ctx, pat.User.ID)
	if err != nil || len(mine) != 1 || mine[0].Group.ID != g.ID {
		t.Fatalf("Pat's groups: %v (%v), want the group joined", mine, err)
	}
	sessions, err := app.Events.UserSessions(ctx, pat.User.ID, time.Now(), time.Time{}, 10)
	if err != nil || len(sessions) != 1 || sessions[0].Event.ID != id || sessions[0].Status != events.RSVPGoing {
		t.Fatalf("Pat's sessions: %v (%v), want the one going to", sessions, err)
	}
	if going, err := app.Events.Attendees(ctx, id); err != nil || len(going) != 1 {
		t.Fatalf("%d going (%v), want Pat once", len(going), err)
	}
	if n, err := app.Mail.CancelReminders(ctx, "event:"+id+":user:"+pat.User.ID+":"); err != nil || n != 2 {
		t.Fatalf("%d reminders scheduled (%v), want 24h and 1h", n, err)
	}
}

// joinScript says whether a command's arguments are the join script's:
// its sha, nine keys (the fourth is the bans), then the mode and the
// person.
func joinScript(a []any) bool {
	return len(a) > 13 && a[0] == "evalsha" && fmt.Sprint(a[2]) == "9" && a[12] == "join"
}

// rsvpScript says whether a command's arguments are the RSVP script's:
// its sha and seven keys, the session's first.
func rsvpScript(a []any) bool {
	return len(a) > 3 && a[0] == "evalsha" && fmt.Sprint(a[2]) == "7" && strings.Contains(fmt.Sprint(a[3]), ":event:{")
}

// A newcomer's "going" goes with their join in one round trip. Should
// the join fail all the same (banned in between), the answer is taken
// back: no seat, no answer, no membership, and the seat it held goes to
// the person who queued behind it meanwhile.
func TestAGoingWhoseJoinFailsIsTakenBack(t *testing.T) {
	// Bans the person a pipelined join names just before the pipeline
	// runs: an organizer's ban landing between the request's read and
	// its join.
	var app *apptest.App
	hook := &armedHook{match: joinScript, before: func(a []any) error {
		return app.Redis.SAdd(context.Background(), fmt.Sprint(a[6]), a[13]).Err()
	}}
	app = apptest.Start(t, apptest.Options{RedisHooks: []redis.Hook{hook}})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "taken-back", nil)
	f := sesForm("One seat")
	f.Set("capacity", "1")
	id := sesCreate(t, org, g, f)
	mia := sesSignIn(t, app, "Mia Member", "")
	sesJoin(t, app, g, mia)
	hook.after = func(ctx context.Context) {
		if res, err := app.Events.RSVP(ctx, id, mia.User.ID, true); err != nil || res.Status != events.RSVPWaitlisted {
			t.Errorf("Mia behind the newcomer: %+v %v, want waitlisted", res, err)
		}
	}
	eve := sesSignIn(t, app, "Eve Newcomer", "eve@example.com")
	token := eve.CSRF("/s/" + id)
	hook.armed.Store(true)
	r := eve.Post("/s/"+id+"/rsvp", rsvpForm(token, "yes"))
	if r.StatusCode != http.StatusSeeOther || hook.armed.Load() {
		t.Fatalf("RSVP: %d (join seen: %v)\n%s", r.StatusCode, !hook.armed.Load(), r.Body)
	}
	sesContains(t, "the page after the RSVP", eve.Follow(r).Body, "You cannot join Group taken-back, so you cannot RSVP to its sessions.")
	if st := sesStatus(t, app, id, eve.User.ID); st.Status != events.RSVPNone {
		t.Fatalf("Eve's answer is %q, want none", st.Status)
	}
	if st := sesStatus(t, app, id, mia.User.ID); st.Status != events.RSVPGoing {
		t.Fatalf("Mia is %q, want going: the seat taken back goes to her", st.Status)
	}
	if role, err := app.Groups.Role(ctx, g.ID, eve.User.ID); err != nil || role.IsMember() {
		t.Fatalf("Eve's role %q (%v), want none", role, err)
	}
	if sessions, err := app.Events.UserSessions(ctx, eve.User.ID, time.Now(), time.Time{}, 10); err != nil || len(sessions) != 0 {
		t.Fatalf("Eve's sessions: %v (%v), want none", sessions, err)
	}
	if n, err := app.Mail.CancelReminders(ctx, "event:"+id+":user:"+eve.User.ID+":"); err != nil || n != 0 {
		t.Fatalf("%d reminders for Eve (%v), want none", n, err)
	}
}

// Someone invited to a private group says they are going to one of its
// sessions: the invitation is accepted and the answer recorded in the
// same round trip, three in all.
func TestAnInvitedPersonsGoingAcceptsTheInvitation(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org, g, id := privateSession(t, app, "invited-going")
	// Every script loaded and the group's index entry as of its session's
	// zone (the join after that takes its count alone), as in a server
	// that has run a while.
	sesRSVP(t, org, id, "yes")
	ivy, wes := sesSignIn(t, app, "Ivy Invited", "ivy@example.com"), sesSignIn(t, app, "Wes Warm", "")
	for _, p := range []sesPerson{wes, ivy} {
		if err := app.Groups.Invite(t.Context(), g.ID, org.User.ID, p.User.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Groups.AcceptInvite(t.Context(), g.ID, wes.User.ID, nil); err != nil {
		t.Fatal(err)
	}
	token := ivy.CSRF("/s/" + id)
	ivy.Get("/s/" + id) // the session page, as before the answer
	if n := rsvpPost(t, app, ivy.Client, id, token, "yes"); n != 3 {
		t.Errorf("going while invited: %d round trips, want 3", n)
	}
	if role, err := app.Groups.Role(t.Context(), g.ID, ivy.User.ID); err != nil || !role.IsMember() {
		t.Fatalf("Ivy's role %q (%v), want a member", role, err)
	}
	if st := sesStatus(t, app, id, ivy.User.ID); st.Status != events.RSVPGoing {
		t.Fatalf("Ivy is %q, want going", st.Status)
	}
	sesContains(t, "the session after the answer", ivy.Get("/s/"+id).Body, "You joined Group invited-going. You are going.")
}

// privateSession makes an organizer, a private invitation-only group with
// the slug and one session of it.
func privateSession(t *testing.T, app *apptest.App, slug string) (sesPerson, *groups.Group, string) {
	t.Helper()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, slug, func(in *groups.Input) {
		in.Visibility, in.JoinPolicy = groups.Private, groups.Invite
	})
	return org, g, sesCreate(t, org, g, sesForm("Behind closed doors"))
}

// The reminders go with an answer as the reads made with the post expect
// it to turn out, and are set right when it turns out otherwise: a
// "going" that lost the last seat to someone else meanwhile gets none
// when they fall due, and one that found a seat freed meanwhile has
// both.
func TestRemindersFollowTheAnswerAsItTurnedOut(t *testing.T) {
	hook := &armedHook{match: rsvpScript} // before: another person's answer, between the post's reads and its writes
	app := apptest.Start(t, apptest.Options{RedisHooks: []redis.Hook{hook}})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "reminders", nil)
	f := sesForm("One seat")
	f.Set("capacity", "1")
	id := sesCreate(t, org, g, f)
	reminders := func(uid string) int {
		t.Helper()
		n, err := app.Mail.CancelReminders(ctx, "event:"+id+":user:"+uid+":")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	mia := sesSignIn(t, app, "Mia Member", "")
	sesJoin(t, app, g, mia)
	hook.before = func([]any) error { // not the post's round trips
		if res, err := app.Events.RSVP(ctx, id, mia.User.ID, true); err != nil || res.Status != events.RSVPGoing {
			t.Errorf("Mia takes the seat: %+v %v", res, err)
		}
		return nil
	}
	eve := sesSignIn(t, app, "Eve Newcomer", "eve@example.com")
	hook.armed.Store(true)
	if n := rsvpPost(t, app, eve.Client, id, eve.CSRF("/s/"+id), "yes"); n != 2 || hook.armed.Load() {
		t.Fatalf("a going that missed the seat: %d round trips (the seat taken meanwhile: %v), want 2: nothing to set right", n, !hook.armed.Load())
	}
	if st := sesStatus(t, app, id, eve.User.ID); st.Status != events.RSVPWaitlisted {
		t.Fatalf("Eve is %q, want waitlisted", st.Status)
	}
	ev, err := app.Events.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	later := mail.NewOutbox(app.Redis, app.Prefix, mail.Options{Now: func() time.Time { return ev.Start.Add(-30 * time.Minute) }})
	due := mail.NewReminders(app.Redis, app.Prefix, later)
	due.Wanted, due.Compose = app.Notify.RemindersWanted, app.Notify.ComposeReminders
	if n, err := due.Dispatch(ctx); err != nil || n != 0 {
		t.Fatalf("reminders sent to Eve, waitlisted: %d (%v), want none", n, err)
	}
	if n := reminders(eve.User.ID); n != 0 {
		t.Fatalf("Eve, waitlisted, still has %d reminders after they fell due, want none", n)
	}

	hook.before = func([]any) error { // not the post's round trips
		if _, err := app.Events.RSVP(ctx, id, eve.User.ID, false); err != nil {
			t.Error(err)
		}
		if _, err := app.Events.RSVP(ctx, id, mia.User.ID, false); err != nil {
			t.Error(err)
		}
		return nil
	}
	sam := sesSignIn(t, app, "Sam Second", "sam@example.com")
	hook.armed.Store(true)
	if n := rsvpPost(t, app, sam.Client, id, sam.CSRF("/s/"+id), "yes"); n != 3 || hook.armed.Load() {
		t.Fatalf("a going that found a seat: %d round trips (freed meanwhile: %v), want 3", n, !hook.armed.Load())
	}
	if st := sesStatus(t, app, id, sam.User.ID); st.Status != events.RSVPGoing {
		t.Fatalf("Sam is %q, want going", st.Status)
	}
	if n := reminders(sam.User.ID); n != 2 {
		t.Fatalf("Sam, going, has %d reminders, want 24h and 1h", n)
	}
}

// Due reminders go only to people going; one whose answer cannot be read
// goes all the same, and reminders of another kind are not asked about.
func TestRemindersWantedOnlyForPeopleGoing(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "wanted", nil)
	id := sesCreate(t, org, g, sesForm("Wanted"))
	sesRSVP(t, org, id, "yes")
	if err := app.Redis.Set(ctx, app.Prefix+"event:{broken}:rsvp", "not a hash", 0).Err(); err != nil {
		t.Fatal(err)
	}
	keys := []string{
		"event:" + id + ":user:" + org.User.ID + ":24h", // going
		"event:" + id + ":user:nobody:1h",               // no answer
		"event:broken:user:" + org.User.ID + ":1h",      // unreadable answer
		"digest:weekly:" + org.User.ID,                  // another kind
	}
	want, err := app.Notify.RemindersWanted(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(want, []bool{true, false, true, true}) {
		t.Fatalf("wanted %v, want [true false true true]", want)
	}
}
