package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/moderation"
)

// A group with a code of conduct asks for it before anyone joins, and
// again of those who accepted an older version; accepting goes on to the
// join in one step.
func TestCodeOfConductIsAcceptedBeforeJoining(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "coc", nil)
	page := "/g/" + g.Slug + "/conduct"
	sesContains(t, "conduct page, no code yet", org.Get(page).Body, "Here is a code to start from", "We are here to learn from each other")
	if r := org.PostForm(page, page, url.Values{"code": {"Be **kind**.\x01"}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "control characters") {
		t.Fatalf("a code with a control character: %d", r.StatusCode)
	}
	if r := org.PostForm(page, page, url.Values{"code": {"Be **kind**. <script>alert(1)</script>"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the code: %d\n%s", r.StatusCode, r.Body)
	}

	mia := sesSignIn(t, app, "Mia Member", "mia@example.com")
	body := mia.Get(page).Body
	sesContains(t, "conduct page", body, "<strong>kind</strong>", "Do you accept it?")
	sesLacks(t, "conduct page", body, "<script>alert(1)")
	r := mia.PostForm("/g/"+g.Slug, "/g/"+g.Slug+"/join", nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page+"?then=join" {
		t.Fatalf("join without accepting: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if st, _ := app.Groups.Standing(context.Background(), g.ID, mia.User.ID); st.Role != groups.RoleNone {
		t.Fatalf("joined without accepting: %v", st.Role)
	}
	sesContains(t, "conduct page on the way to joining", mia.Follow(r).Body, "Accept and join", `name="then" value="join"`)
	if r := mia.PostForm(page+"?then=join", page+"/accept", url.Values{"version": {"1"}, "then": {"join"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept and join: %d\n%s", r.StatusCode, r.Body)
	}
	if st, _ := app.Groups.Standing(context.Background(), g.ID, mia.User.ID); st.Role != groups.RoleMember {
		t.Fatalf("accepting did not join: %v", st.Role)
	}

	// A new version asks again; accepting the version read earlier fails.
	if r := org.PostForm(page, page, url.Values{"code": {"Be kind, and on time."}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("change the code: %d", r.StatusCode)
	}
	sesContains(t, "conduct page after a change", mia.Get(page).Body, "The code changed since you accepted it")
	sesContains(t, "group page after a change", mia.Get("/g/"+g.Slug).Body, "code of conduct is new or has changed")
	sesContains(t, "members page", mia.Get("/g/"+g.Slug+"/members").Body, `href="/report?kind=person&amp;id=`+org.User.ID+`&amp;group=coc"`)
	r = mia.PostForm(page, page+"/accept", url.Values{"version": {"1"}})
	sesContains(t, "accepting an old version", mia.Follow(r).Body, "changed the code while you read it")
	if r := mia.PostForm(page, page+"/accept", url.Values{"version": {"x"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a broken version: %d", r.StatusCode)
	}
	sesContains(t, "conduct page after accepting", mia.Follow(mia.PostForm(page, page+"/accept", url.Values{"version": {"2"}})).Body,
		"Thank you for accepting")
	sesLacks(t, "group page after accepting", mia.Get("/g/"+g.Slug).Body, "code of conduct is new or has changed")
	if r := mia.PostForm(page, page, url.Values{"code": {"Mine now."}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member edits the code: %d", r.StatusCode)
	}
}

// Reports go to the group's organizers (sessions, members) or the site's
// admins (the group, its organizers); each queue shows only to them, and
// their actions are logged and take effect.
func TestReportsReachTheRightQueueAndActionsTakeEffect(t *testing.T) {
	app := apptest.Start(t, apptest.Options{AdminEmails: []string{"ada@example.com"}})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	admin := sesSignIn(t, app, "Ada Admin", "ada@example.com")
	mia := sesSignIn(t, app, "Mia Member", "mia@example.com")
	troll := sesSignIn(t, app, "Tom Troll", "tom@example.com")
	g := sesGroup(t, app, org, "safe", nil)
	sesJoin(t, app, g, mia)
	sesJoin(t, app, g, troll)
	id := sesCreate(t, org, g, sesForm("Safe session"))

	report := func(p sesPerson, q url.Values, form url.Values) *apptest.Response {
		t.Helper()
		form.Set("kind", q.Get("kind"))
		form.Set("id", q.Get("id"))
		if q.Get("group") != "" {
			form.Set("group", q.Get("group"))
		}
		return p.PostForm("/report?"+q.Encode(), "/report", form)
	}
	// Bad reports.
	if r := mia.Get("/report?kind=planet&id=x"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d", r.StatusCode)
	}
	if r := mia.Get("/report?kind=session&id=nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown session: %d", r.StatusCode)
	}
	personQ := url.Values{"kind": {"person"}, "id": {troll.User.ID}, "group": {g.Slug}}
	if r := report(mia, personQ, url.Values{"details": {"no reason"}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "Choose what the problem is") {
		t.Errorf("no reason: %d", r.StatusCode)
	}
	if r := report(mia, personQ, url.Values{"reason": {"spam"}, "details": {strings.Repeat("x", 2001)}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("too many details: %d", r.StatusCode)
	}
	if r := mia.Post("/report", url.Values{"_csrf": {"forged"}, "kind": {"person"}, "id": {troll.User.ID}, "reason": {"spam"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a forged report: %d", r.StatusCode)
	}

	// A member reported in the group goes to its organizers, with a block.
	r := report(mia, personQ, url.Values{"reason": {"harassment"}, "details": {"<b>rude</b> at the last session"}, "block": {"on"}})
	sesContains(t, "after reporting", mia.Follow(r).Body, "went to the organizers of Group safe", "You blocked Tom Troll")
	sesContains(t, "blocks page", mia.Get("/blocks").Body, "Tom Troll", "Unblock")
	// A session goes to the organizers; the group itself to the admins.
	report(mia, url.Values{"kind": {"session"}, "id": {id}}, url.Values{"reason": {"unsafe"}})
	r = report(troll, url.Values{"kind": {"group"}, "id": {g.Slug}}, url.Values{"reason": {"other"}, "details": {"the organizers are mean"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("report a group: %d\n%s", r.StatusCode, r.Body)
	}
	sesContains(t, "after reporting a group", troll.Follow(r).Body, "went to the site&#39;s admins")

	queue := "/g/" + g.Slug + "/moderation"
	body := org.Get(queue).Body
	sesContains(t, "group queue", body, "Open (2)", "Tom Troll", "Harassment or threats", "&lt;b&gt;rude&lt;/b&gt;", "Safe session", "Mia Member")
	sesLacks(t, "group queue", body, "the organizers are mean")
	if r := mia.Get(queue); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member opens the group queue: %d", r.StatusCode)
	}
	if r := org.Get("/admin/moderation"); r.StatusCode != http.StatusForbidden {
		t.Errorf("an organizer opens the admin queue: %d", r.StatusCode)
	}
	sesContains(t, "admin queue", admin.Get("/admin/moderation").Body, "the organizers are mean", "Open (1)")

	reports, err := app.Moderation.Reports(context.Background(), g.ID, 100)
	if err != nil || len(reports) != 2 {
		t.Fatalf("%d group reports: %v", len(reports), err)
	}
	var personReport string
	for _, rep := range reports {
		if rep.Subject == troll.User.ID && rep.Kind == "person" {
			personReport = rep.ID
		}
	}
	// Warn without a note is refused; with one, the mail goes out.
	r = org.PostForm(queue, queue+"/"+personReport+"/warn", nil)
	sesContains(t, "warn without a note", org.Follow(r).Body, "Write the warning in the note")
	if r := org.PostForm(queue, queue+"/"+personReport+"/warn", url.Values{"note": {"Please be kind."}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("warn: %d\n%s", r.StatusCode, r.Body)
	}
	m := waitForMail(t, app, "tom@example.com", "A warning from the organizers of Group safe")
	sesContains(t, "warning mail", m.Text, "Please be kind.")
	if r := mia.PostForm("/g/"+g.Slug, queue+"/"+personReport+"/remove", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member acts on a report: %d", r.StatusCode)
	}
	if r := org.PostForm(queue, queue+"/"+personReport+"/suspend", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("an organizer suspends: %d", r.StatusCode)
	}
	if r := org.PostForm(queue, queue+"/"+personReport+"/remove", url.Values{"note": {"second time"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.StatusCode)
	}
	if st, _ := app.Groups.Standing(context.Background(), g.ID, troll.User.ID); st.Role != groups.RoleNone {
		t.Fatalf("still a member after removal: %v", st.Role)
	}
	if r := org.PostForm(queue, queue+"/"+personReport+"/resolve", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: %d", r.StatusCode)
	}
	sesContains(t, "group queue after acting", org.Get(queue).Body, "Open (1)", "Resolved", "Warned by mail by Olga Organizer",
		"Removed from the group by Olga Organizer", "second time")

	// The admin suspends the person the group report is about: their
	// session ends and they cannot sign in again until it is lifted.
	adminReports, err := app.Moderation.Reports(context.Background(), moderation.AdminScope, 100)
	if err != nil || len(adminReports) != 1 {
		t.Fatalf("%d admin reports: %v", len(adminReports), err)
	}
	trollReport, err := app.Moderation.File(context.Background(), withSubject(adminReports[0], troll.User.ID))
	if err != nil {
		t.Fatal(err)
	}
	if r := admin.PostForm("/admin/moderation", "/admin/moderation/"+trollReport.ID+"/suspend", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d", r.StatusCode)
	}
	if r := troll.Get("/dashboard"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
		t.Errorf("a suspended person's session: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	again := app.NewClient(t)
	if r := again.PostForm("/dev/signin", "/dev/signin", url.Values{"name": {"Tom Troll"}, "email": {"tom@example.com"}}); r.StatusCode != http.StatusForbidden ||
		!strings.Contains(r.Body, "suspended") {
		t.Errorf("a suspended person signs in: %d", r.StatusCode)
	}
	if r := admin.PostForm("/admin/moderation", "/admin/moderation/"+trollReport.ID+"/unsuspend", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("lift: %d", r.StatusCode)
	}
	if u, _ := app.Users.Get(context.Background(), troll.User.ID); u.Suspended {
		t.Error("the suspension was not lifted")
	}
}

func withSubject(r moderation.Report, subject string) moderation.Report {
	r.Subject = subject
	return r
}

// Blocked people cannot ask each other for mentoring, whoever blocked.
func TestBlocksStopMentoringRequests(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	mentor := mtrSignIn(t, app, "Mona Mentor", "")
	mentee := mtrSignIn(t, app, "Max Mentee", "")
	mtrMentor(t, app, mentor, nil)
	mtrMentee(t, app, mentee, nil)
	if r := mentor.PostForm("/blocks", "/blocks/"+mentee.ID, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("block: %d", r.StatusCode)
	}
	if r := mentor.PostForm("/blocks", "/blocks/"+mentor.ID, nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("blocking yourself: %d", r.StatusCode)
	}
	r := mentee.PostForm("/mentors/suggestions", "/mentors/requests", url.Values{"mentor": {mentor.ID}, "message": {"Could you help me with Go?"}})
	sesContains(t, "asking a mentor who blocked you", mentee.Follow(r).Body, "You cannot send this mentor a request")
	if n, _ := app.Mentors.PendingIn(context.Background(), mentor.ID); len(n) != 0 {
		t.Fatalf("the request went through: %v", n)
	}
	if r := mentor.PostForm("/blocks", "/blocks/"+mentee.ID+"/delete", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("unblock: %d", r.StatusCode)
	}
	r = mentee.PostForm("/mentors/suggestions", "/mentors/requests", url.Values{"mentor": {mentor.ID}, "message": {"Could you help me with Go?"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/mentors/requests/") {
		t.Fatalf("asking after the unblock: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

// Someone who blocked a person is not shown to them among the people
// going; organizers still see everyone.
func TestBlockedPeopleDoNotSeeTheBlockersRSVP(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	ann := sesSignIn(t, app, "Ann Blocker", "ann@example.com")
	ben := sesSignIn(t, app, "Ben Blocked", "ben@example.com")
	g := sesGroup(t, app, org, "blocks", nil)
	sesJoin(t, app, g, ann)
	sesJoin(t, app, g, ben)
	id := sesCreate(t, org, g, sesForm("Quiet please"))
	sesRSVP(t, ann, id, "yes")
	sesRSVP(t, ben, id, "yes")
	sesContains(t, "Ben's view before the block", ben.Get("/s/"+id).Body, "Ann Blocker")
	if r := ann.PostForm("/blocks", "/blocks/"+ben.User.ID, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("block: %d", r.StatusCode)
	}
	sesLacks(t, "Ben's view after the block", ben.Get("/s/"+id).Body, "Ann Blocker")
	sesContains(t, "the organizer's view", org.Get("/s/"+id).Body, "Ann Blocker", "Ben Blocked")
	sesContains(t, "Ann's view", ann.Get("/s/"+id).Body, "Ben Blocked", "Ann Blocker")
}

// An organizer's message does not reach someone who blocked them; the
// others get it with a link to report it, and the report goes to the
// site's admins (messages come from organizers).
func TestMessagesRespectBlocksAndCanBeReported(t *testing.T) {
	app := apptest.Start(t, apptest.Options{AdminEmails: []string{"ada@example.com"}})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	admin := sesSignIn(t, app, "Ada Admin", "ada@example.com")
	ann := sesSignIn(t, app, "Ann Attendee", "ann@example.com")
	bob := sesSignIn(t, app, "Bob Blocker", "bob@example.com")
	g := sesGroup(t, app, org, "messages", nil)
	sesJoin(t, app, g, ann)
	sesJoin(t, app, g, bob)
	id := sesCreate(t, org, g, sesForm("Room change"))
	sesRSVP(t, ann, id, "yes")
	sesRSVP(t, bob, id, "yes")
	if r := bob.PostForm("/blocks", "/blocks/"+org.User.ID, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("block: %d", r.StatusCode)
	}
	r := org.PostForm("/s/"+id+"/message", "/s/"+id+"/message", url.Values{"audience": {"going"}, "subject": {"We moved to room 2"}, "body": {"See you there."}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", r.StatusCode, r.Body)
	}
	m := waitForMail(t, app, "ann@example.com", "We moved to room 2")
	sesContains(t, "Ann's mail", m.Text, "See you there.", "/report?kind=message&id="+id+"&msg=")
	app.WaitMailDrained(t)
	list, err := app.Mail.Mailbox.List(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range list {
		if strings.Contains(got.To, "bob@example.com") && strings.Contains(got.Subject, "We moved to room 2") {
			t.Fatal("the message reached someone who blocked its sender")
		}
	}
	link := m.Text[strings.Index(m.Text, "/report?"):]
	link = strings.Fields(link)[0]
	sesContains(t, "report form", ann.Get(link).Body, "the message “We moved to room 2” about Room change", `name="msg"`)
	q, _ := url.ParseQuery(link[strings.Index(link, "?")+1:])
	form := url.Values{"kind": {"message"}, "id": {q.Get("id")}, "msg": {q.Get("msg")}, "reason": {"harassment"}}
	r = ann.PostForm(link, "/report", form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("report the message: %d\n%s", r.StatusCode, r.Body)
	}
	sesContains(t, "admin queue", admin.Get("/admin/moderation").Body, "We moved to room 2", "Olga Organizer")
	if r := ann.Get("/report?kind=message&id=" + id + "&msg=nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown message: %d", r.StatusCode)
	}
}

// Deleting a group also drops what other packages kept under its hash
// tag: its skill map, webhooks and code of conduct.
func TestDeletingAGroupDropsItsMapHooksAndCode(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	owner := sesSignIn(t, app, "Olga Owner", "olga@example.com")
	g := sesGroup(t, app, owner, "gone-soon", nil)
	lea := sesSignIn(t, app, "Lea Learner", "")
	lea.PostForm("/skills", "/skills", url.Values{"learn": {"Rust"}, "teach": {"Go:3"}, "path": {"devops"}})
	sesJoin(t, app, g, lea)
	where := "/g/" + g.Slug
	owner.PostForm(where+"/conduct", where+"/conduct", url.Values{"code": {"Be kind."}})
	owner.PostForm(where+"/webhooks", where+"/webhooks", url.Values{"kind": {"json"}, "url": {"http://127.0.0.1:9/hook"}, "events": {"session.scheduled"}})
	tag := "{" + g.ID + "}"
	count := func() int {
		n := 0
		iter := app.Redis.Scan(context.Background(), 0, app.Prefix+"*"+tag+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			if strings.Contains(iter.Val(), "smap:") || strings.Contains(iter.Val(), "whk:") || strings.Contains(iter.Val(), "coc:") {
				n++
			}
		}
		return n
	}
	if n := count(); n < 8 {
		t.Fatalf("only %d map, webhook and code keys before the delete", n)
	}
	r := owner.PostForm(where+"/delete/confirm", where+"/delete", url.Values{"confirm": {g.Slug}, "confirmed": {"yes"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", r.StatusCode, r.Body)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d of the group's map, webhook and code keys are left", n)
	}
}
