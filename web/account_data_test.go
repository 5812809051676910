package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
	"github.com/focusgroups/focusgroups/moderation"
	"github.com/focusgroups/focusgroups/skills"
)

// keysNaming lists every key under the app's prefix whose name or content
// (string, hash fields and values, set and sorted-set members, list
// elements, stream entries) holds one of needles, case aside.
func keysNaming(t *testing.T, app *apptest.App, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	has := func(s string) bool {
		s = strings.ToLower(s)
		for _, n := range needles {
			if strings.Contains(s, strings.ToLower(n)) {
				return true
			}
		}
		return false
	}
	var found []string
	iter := app.Redis.Scan(ctx, 0, app.Prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		var text []string
		switch app.Redis.Type(ctx, key).Val() {
		case "string":
			text = []string{app.Redis.Get(ctx, key).Val()}
		case "hash":
			for f, v := range app.Redis.HGetAll(ctx, key).Val() {
				text = append(text, f, v)
			}
		case "set":
			text = app.Redis.SMembers(ctx, key).Val()
		case "zset":
			text = app.Redis.ZRange(ctx, key, 0, -1).Val()
		case "list":
			text = app.Redis.LRange(ctx, key, 0, -1).Val()
		case "stream":
			for _, e := range app.Redis.XRange(ctx, key, "-", "+").Val() {
				text = append(text, fmt.Sprint(e.Values))
			}
		}
		if has(key) || has(strings.Join(text, "\n")) {
			found = append(found, key)
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return found
}

// A person with a full history exports their data, then deletes their
// account: their seat goes to the next person on the waitlist, their
// mentor gets the seat back, and no key in Redis holds their ID or any of
// their addresses any more.
func TestDeletingAnAccountLeavesNoTrace(t *testing.T) {
	smtp := apptest.StartSMTP(t)
	app := apptest.Start(t, apptest.Options{SMTPURL: smtp.URL()})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	del := sesSignIn(t, app, "Dee Leaving", "dee@example.com")
	next := sesSignIn(t, app, "Nat Next", "nat@example.com")
	uid := del.User.ID

	// Groups: co-organizer of one, member of another, invited to a third,
	// applied to a fourth, banned from a fifth.
	main := sesGroup(t, app, org, "history", nil)
	sesJoin(t, app, main, del)
	sesJoin(t, app, main, next)
	if err := app.Groups.Promote(ctx, main.ID, org.User.ID, uid); err != nil {
		t.Fatal(err)
	}
	other := sesGroup(t, app, org, "other", nil)
	sesJoin(t, app, other, del)
	invited := sesGroup(t, app, org, "invited", func(in *groups.Input) { in.JoinPolicy = groups.Invite })
	if err := app.Groups.Invite(ctx, invited.ID, org.User.ID, uid); err != nil {
		t.Fatal(err)
	}
	applied := sesGroup(t, app, org, "applied", func(in *groups.Input) { in.JoinPolicy = groups.Approval })
	if err := app.Groups.Apply(ctx, applied.ID, uid, "please", del.User.VerifiedEmails()); err != nil {
		t.Fatal(err)
	}
	banned := sesGroup(t, app, org, "banned", nil)
	if err := app.Groups.Ban(ctx, banned.ID, org.User.ID, uid); err != nil {
		t.Fatal(err)
	}

	// Sessions: the one seat, with Nat behind; one hosted; one declined.
	f := sesForm("One seat")
	f.Set("capacity", "1")
	seat := sesCreate(t, org, main, f)
	sesRSVP(t, del, seat, "yes")
	sesRSVP(t, next, seat, "yes")
	hosted := sesCreate(t, del, main, sesForm("Dee's talk"))
	declined := sesCreate(t, org, main, sesForm("Not for me"))
	sesRSVP(t, del, declined, "no")
	if r := org.PostForm("/s/"+seat, "/s/"+seat+"/announce", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("announce: %d", r.StatusCode)
	}
	if _, err := app.Events.ResetFeedToken(ctx, uid); err != nil {
		t.Fatal(err)
	}
	p, err := app.Events.Propose(ctx, main.ID, uid, events.ProposalInput{Title: "Fuzzing", Kind: "learn"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.Events.Upvote(ctx, main.ID, p.ID, uid); err != nil {
		t.Fatal(err)
	}

	// Mentoring both ways, skills, blocks, a report, a token, a webhook,
	// the code of conduct.
	mentor := mtrSignIn(t, app, "Mo Mentor", "")
	mtrMentor(t, app, mentor, nil)
	delMentee := mtrPerson{Client: del.Client, ID: uid, Name: del.User.Name}
	mtrMentee(t, app, delMentee, nil)
	mtrMentor(t, app, delMentee, nil)
	req, err := app.Mentors.Ask(ctx, uid, mentor.ID, "Teach me, please")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Mentors.Accept(ctx, mentor.ID, req.ID); err != nil {
		t.Fatal(err)
	}
	mentee := mtrSignIn(t, app, "Mae Mentee", "")
	mtrMentee(t, app, mentee, nil)
	if _, err := app.Mentors.Ask(ctx, mentee.ID, uid, "Would you mentor me?"); err != nil {
		t.Fatal(err)
	}
	del.PostForm("/skills", "/skills", url.Values{"teach": {"Go:4"}, "learn": {"Rust"}, "path": {"devops"}})
	del.PostForm("/blocks", "/blocks/"+org.User.ID, nil)
	next.PostForm("/blocks", "/blocks/"+uid, nil)
	if _, err := app.Moderation.File(ctx, moderation.Report{Scope: main.ID, Kind: moderation.TargetPerson, TargetID: next.User.ID,
		Subject: next.User.ID, Reporter: uid, Reason: "spam", Details: "from dee@example.com"}); err != nil {
		t.Fatal(err)
	}
	makeToken(t, del, "script", "read", "")
	del.PostForm("/g/"+main.Slug+"/webhooks", "/g/"+main.Slug+"/webhooks", url.Values{"kind": {"json"}, "url": {"http://127.0.0.1:9/x"}, "events": {"session.scheduled"}})
	org.PostForm("/g/"+other.Slug+"/conduct", "/g/"+other.Slug+"/conduct", url.Values{"code": {"Be kind."}})
	del.PostForm("/g/"+other.Slug+"/conduct", "/g/"+other.Slug+"/conduct/accept", url.Values{"version": {"1"}})
	app.WaitMailDrained(t)
	before := keysNaming(t, app, uid, "dee@example.com")
	t.Logf("%d keys name the person before the deletion", len(before))
	if len(before) < 20 {
		t.Fatal("the history did not leave the person in enough keys to make this test worth it")
	}

	// Export first.
	exp := del.Get("/profile/export")
	var data map[string]any
	if err := json.Unmarshal([]byte(exp.Body), &data); err != nil || !strings.Contains(exp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %v\n%s", err, exp.Body)
	}
	for _, k := range []string{"profile", "identities", "addresses", "memberships", "rsvps", "mentoring", "skills", "blocked", "api_tokens", "mail_settings"} {
		if _, ok := data[k]; !ok {
			t.Errorf("the export lacks %q", k)
		}
	}
	if strings.Contains(exp.Body, "fg_") || strings.Contains(exp.Body, `"hash"`) {
		t.Error("the export carries a token's secret or hash")
	}
	sameAsTheStores(t, app, uid, exp.Body)

	// Bad deletions change nothing.
	if r := del.PostForm("/profile/delete", "/profile/delete", url.Values{"confirm": {"please"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a wrong confirmation: %d", r.StatusCode)
	}
	if r := org.PostForm("/profile/delete", "/profile/delete", url.Values{"confirm": {"delete"}}); r.StatusCode != http.StatusConflict ||
		!strings.Contains(r.Body, "Hand each over") {
		t.Errorf("an owner deletes their account: %d", r.StatusCode)
	}
	if r := del.Post("/profile/delete", url.Values{"_csrf": {"forged"}, "confirm": {"delete"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a forged deletion: %d", r.StatusCode)
	}

	r := del.PostForm("/profile/delete", "/profile/delete", url.Values{"confirm": {"delete"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", r.StatusCode, r.Body)
	}
	app.WaitMailDrained(t)
	if left := keysNaming(t, app, uid, "dee@example.com"); len(left) > 0 {
		t.Fatalf("keys still naming the deleted person: %v", left)
	}
	if st := sesStatus(t, app, seat, next.User.ID); st.Status != events.RSVPGoing {
		t.Errorf("Nat was not promoted: %q", st.Status)
	}
	if ms, _ := app.Mentors.MentorProfile(ctx, mentor.ID); ms.Active != 0 {
		t.Errorf("the mentor still has %d mentees", ms.Active)
	}
	if _, err := app.Users.Get(ctx, uid); err == nil {
		t.Error("the user record is still there")
	}
	if r := del.Get("/dashboard"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the deleted person's cookie still signs in: %d", r.StatusCode)
	}
	if body := org.Get("/s/" + hosted).Body; !strings.Contains(body, "Dee&#39;s talk") {
		t.Error("the session the person hosted is gone for the others")
	}
	if _, _, err := app.Users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: "dee-leaving", Name: "Dee Again",
		Emails: []auth.Email{{Address: "dee@example.com", Verified: true}}}); err != nil {
		t.Fatalf("signing up again with the same address: %v", err)
	}
}

// A deleted mentor leaves the suggestions of the instance that deleted
// them at once, though the list remembered them a moment before.
func TestADeletedMentorLeavesSuggestionsAtOnce(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	dee := mtrSignIn(t, app, "Dee Departing", "")
	mtrMentor(t, app, dee, nil)
	sam := mtrSignIn(t, app, "Sam Seeker", "")
	mtrMentee(t, app, sam, nil)
	mtrHas(t, "suggestions before", sam.Get("/mentors/suggestions").Body, "Dee Departing")
	if r := dee.PostForm("/profile/delete", "/profile/delete", url.Values{"confirm": {"delete"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", r.StatusCode, r.Body)
	}
	r := sam.Get("/mentors/suggestions")
	if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "Dee Departing") {
		t.Fatalf("suggestions after the mentor deleted their account: %d, still naming them: %v", r.StatusCode, strings.Contains(r.Body, "Dee Departing"))
	}
}

// sameAsTheStores fails unless the export body (read in three round trips)
// holds what each store's own read of the person gives.
func sameAsTheStores(t *testing.T, app *apptest.App, uid, body string) {
	t.Helper()
	ctx := context.Background()
	var got struct {
		Memberships []struct {
			Group, Slug string
			Role        groups.Role
		} `json:"memberships"`
		Invitations  []string                           `json:"invitations"`
		Applications []string                           `json:"applications"`
		RSVPs        []struct{ Session, Status string } `json:"rsvps"`
		Mentoring    struct {
			MentorProfile *match.MentorProfile `json:"mentor_profile"`
			MenteeProfile *match.MenteeProfile `json:"mentee_profile"`
			Mentorships   []mentors.Mentorship `json:"mentorships"`
			Requests      []mentors.Request    `json:"requests"`
		} `json:"mentoring"`
		Skills    skills.Profile          `json:"skills"`
		Blocked   []string                `json:"blocked"`
		APITokens []struct{ Name string } `json:"api_tokens"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	same := func(what string, got, want any) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("the export's %s:\n%s\nthe store's:\n%s", what, g, w)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ms, err := app.Groups.UserGroups(ctx, uid)
	must(err)
	var memberships []string
	for _, m := range ms {
		memberships = append(memberships, m.Group.Name+"|"+m.Group.Slug+"|"+string(m.Role))
	}
	var gotMemberships []string
	for _, m := range got.Memberships {
		gotMemberships = append(gotMemberships, m.Group+"|"+m.Slug+"|"+string(m.Role))
	}
	same("memberships", gotMemberships, memberships)
	invs, err := app.Groups.UserInvitations(ctx, uid)
	must(err)
	apps, err := app.Groups.UserApplications(ctx, uid)
	must(err)
	if len(got.Invitations) != len(invs) || len(got.Applications) != len(apps) {
		t.Errorf("the export has %d invitations and %d applications, the store %d and %d", len(got.Invitations), len(got.Applications), len(invs), len(apps))
	}
	sessions, err := app.Events.UserSessions(ctx, uid, time.Unix(0, 0), time.Time{}, 1000)
	must(err)
	var rsvps, gotRSVPs []string
	for _, s := range sessions {
		rsvps = append(rsvps, s.Event.ID+"|"+string(s.Status))
	}
	for _, r := range got.RSVPs {
		gotRSVPs = append(gotRSVPs, r.Session+"|"+r.Status)
	}
	same("RSVPs", gotRSVPs, rsvps)
	mentorProfile, err := app.Mentors.MentorProfile(ctx, uid)
	must(err)
	menteeProfile, err := app.Mentors.MenteeProfile(ctx, uid)
	must(err)
	same("mentor profile", got.Mentoring.MentorProfile, mentorProfile)
	same("mentee profile", got.Mentoring.MenteeProfile, menteeProfile)
	myMentors, err := app.Mentors.MyMentors(ctx, uid)
	must(err)
	myMentees, err := app.Mentors.MyMentees(ctx, uid)
	must(err)
	same("mentorships", got.Mentoring.Mentorships, append(myMentors, myMentees...))
	in, err := app.Mentors.PendingIn(ctx, uid)
	must(err)
	out, err := app.Mentors.PendingOut(ctx, uid)
	must(err)
	same("requests", got.Mentoring.Requests, append(in, out...))
	effective, err := (&skills.Sync{Skills: app.Skills, Mentors: app.Mentors, Groups: app.Groups}).Effective(ctx, uid)
	must(err)
	same("skills", got.Skills, effective)
	p := app.Redis.Pipeline()
	getBlocks := app.Moderation.QueueBlocks(ctx, p, uid)
	_, _ = p.Exec(ctx)
	blocked, _, err := getBlocks()
	must(err)
	if len(got.Blocked) != len(blocked) {
		t.Errorf("the export has %d people blocked, the store %d", len(got.Blocked), len(blocked))
	}
	for _, id := range got.Blocked {
		if !blocked[id] {
			t.Errorf("the export names %s as blocked, the store does not", id)
		}
	}
	tokens, err := app.Tokens.List(ctx, uid)
	must(err)
	if len(got.APITokens) != len(tokens) {
		t.Errorf("the export has %d tokens, the store %d", len(got.APITokens), len(tokens))
	}
	if len(got.RSVPs) == 0 || len(got.Mentoring.Mentorships) == 0 || len(got.Mentoring.Requests) == 0 || got.Skills.Empty() ||
		len(got.Memberships) == 0 || len(got.Blocked) == 0 {
		t.Errorf("the person's history left parts of the export empty: %s", body)
	}
}

// The export is limited to ten an hour per person: the eleventh is told
// to wait, and someone else's exports are not counted against them.
func TestExportsAreLimitedPerPerson(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	busy := sesSignIn(t, app, "Bo Busy", "bo@example.com")
	calm := sesSignIn(t, app, "Cy Calm", "cy@example.com")
	for i := range 10 {
		if r := busy.Get("/profile/export"); r.StatusCode != http.StatusOK {
			t.Fatalf("export %d: %d", i+1, r.StatusCode)
		}
	}
	r := busy.Get("/profile/export")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || strings.Contains(r.Body, `"profile"`) {
		t.Fatalf("the eleventh export: %d, Retry-After %q, want 429 without the data", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := calm.Get("/profile/export"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Cy Calm") {
		t.Fatalf("another person's export: %d", r.StatusCode)
	}
}
