package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

func groupForm(name string, extra ...string) url.Values {
	v := url.Values{"name": {name}, "description": {"We **practise** Go.\n\n<script>alert('x')</script>"},
		"topics": {"Go, k8s"}, "paths": {"devops"}, "online": {"on"}, "cover": {"#0f766e"},
		"visibility": {"public"}, "join_policy": {"open"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func createGroup(t *testing.T, c *apptest.Client, form url.Values) string {
	t.Helper()
	r := c.PostForm("/groups/new", "/groups", form)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/g/") {
		t.Fatalf("create group: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	return r.Header.Get("Location")
}

func TestHostAGroup(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Rob Pike", "rob@golang.example")

	where := createGroup(t, host, groupForm("Go Study Circle"))
	if where != "/g/go-study-circle" {
		t.Fatalf("slug suggested from the name: %s", where)
	}
	page := host.Follow(host.Get(where))
	for _, want := range []string{"Go Study Circle", "<strong>practise</strong>", "kubernetes", "DevOps", "Edit group", "1 member", "Your group is live"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("group page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, "<script>alert") {
		t.Fatal("a script from the description reached the page")
	}

	before, _ := app.Redis.Keys(context.Background(), app.Prefix+"group:*").Result()
	bad := []struct {
		field, value, says string
	}{
		{"name", "", "name"},
		{"name", strings.Repeat("n", 200), "80"},
		{"slug", "go-study-circle", "taken"},
		{"slug", "admin", "reserved"},
		{"slug", "Bad Slug!", "letters"},
		{"topics", manyTopics(50), "10"},
		{"paths", "astrology", "path"},
		{"domains", "not a domain", "domain"},
		{"cover", "javascript:alert(1)", "colour"},
	}
	for _, b := range bad {
		form := groupForm("Another group")
		form.Set(b.field, b.value)
		r := host.PostForm("/groups/new", "/groups", form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `aria-invalid="true"`) || !strings.Contains(strings.ToLower(r.Body), b.says) {
			t.Errorf("%s=%q: status %d, want 422 mentioning %q", b.field, truncateForLog(b.value), r.StatusCode, b.says)
		}
		if b.field != "name" && !strings.Contains(r.Body, `value="Another group"`) {
			t.Errorf("%s: the form lost the typed name", b.field)
		}
	}
	after, _ := app.Redis.Keys(context.Background(), app.Prefix+"group:*").Result()
	if len(after) != len(before) {
		t.Fatalf("bad input stored keys: %d → %d", len(before), len(after))
	}
}

func manyTopics(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "topic%d,", i)
	}
	return b.String()
}

func truncateForLog(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

func TestGroupOrganizerPagesNeedOrganizers(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	owner := app.NewClient(t)
	owner.DevSignIn("Owner Olga", "")
	where := createGroup(t, owner, groupForm("Platform Guild"))

	coorg := app.NewClient(t)
	coorg.DevSignIn("Cora Coorganizer", "")
	member := app.NewClient(t)
	member.DevSignIn("Mo Member", "")
	outsider := app.NewClient(t)
	outsider.DevSignIn("Otto Outsider", "")
	for _, c := range []*apptest.Client{coorg, member} {
		if r := c.PostForm(where, where+"/join", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("join: %d", r.StatusCode)
		}
	}
	g, err := app.Groups.GetBySlug(context.Background(), "platform-guild")
	if err != nil {
		t.Fatal(err)
	}
	members, _, _ := app.Groups.Members(context.Background(), g.ID, 1, 10)
	ids := map[string]string{}
	for _, m := range members {
		u, _ := app.Users.Get(context.Background(), m.UserID)
		ids[u.Name] = u.ID
	}
	owner.PostForm(where+"/members", where+"/members/"+ids["Cora Coorganizer"]+"/promote", nil)
	if role, _ := app.Groups.Role(context.Background(), g.ID, ids["Cora Coorganizer"]); role != "organizer" {
		t.Fatalf("promotion did not happen: %q", role)
	}

	anonymous := app.NewClient(t)
	pages := []string{where + "/edit", where + "/requests"}
	for _, p := range pages {
		for name, tc := range map[string]struct {
			c      *apptest.Client
			status int
		}{"owner": {owner, 200}, "co-organizer": {coorg, 200}, "member": {member, 403}, "outsider": {outsider, 403}, "anonymous": {anonymous, 303}} {
			if r := tc.c.Get(p); r.StatusCode != tc.status {
				t.Errorf("GET %s as %s: %d, want %d", p, name, r.StatusCode, tc.status)
			}
		}
	}
	// Organizer actions by the wrong people change nothing.
	for name, c := range map[string]*apptest.Client{"member": member, "outsider": outsider} {
		r := c.PostForm("/profile", where+"/members/"+ids["Mo Member"]+"/remove", nil)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("remove as %s: %d", name, r.StatusCode)
		}
		r = c.PostForm("/profile", where+"/edit", groupForm("Hijacked"))
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("edit as %s: %d", name, r.StatusCode)
		}
		r = c.PostForm("/profile", where+"/delete", url.Values{"confirm": {"platform-guild"}})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("delete as %s: %d", name, r.StatusCode)
		}
	}
	// Ban and lift the ban from the members page.
	if r := owner.Follow(owner.PostForm(where+"/members", where+"/members/"+ids["Mo Member"]+"/ban", url.Values{"confirmed": {"yes"}})); !strings.Contains(r.Body, "Banned: they cannot rejoin") || !strings.Contains(r.Body, "Lift ban") {
		t.Fatalf("ban: %s", r.Body)
	}
	if r := member.Follow(member.PostForm(where, where+"/join", nil)); !strings.Contains(r.Body, "can no longer join") {
		t.Fatal("a banned member could rejoin")
	}
	if r := owner.Follow(owner.PostForm(where+"/members", where+"/members/"+ids["Mo Member"]+"/unban", nil)); !strings.Contains(r.Body, "Ban lifted") || strings.Contains(r.Body, "Lift ban") {
		t.Fatalf("unban: %s", r.Body)
	}
	if r := member.Follow(member.PostForm(where, where+"/join", nil)); !strings.Contains(r.Body, "Welcome to the group") {
		t.Fatal("could not rejoin after the ban was lifted")
	}
	if r := anonymous.Post(where+"/join", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous POST without a session: %d", r.StatusCode)
	}
	// A co-organizer may not delete; the owner may, after confirming.
	if r := coorg.PostForm(where, where+"/delete", url.Values{"confirm": {"platform-guild"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("delete as co-organizer: %d", r.StatusCode)
	}
	if r := owner.Follow(owner.PostForm(where+"/edit", where+"/delete", url.Values{"confirm": {"wrong"}})); !strings.Contains(r.Body, "to confirm deleting") {
		t.Error("delete without confirmation was not refused")
	}
	if r := owner.Follow(owner.PostForm(where+"/edit", where+"/delete", url.Values{"confirm": {"platform-guild"}})); !strings.Contains(r.Body, "was deleted") {
		t.Fatalf("owner delete: %s", r.Body)
	}
	if r := member.Get(where); r.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted group page: %d", r.StatusCode)
	}
	// The owner cannot just leave.
	o2 := app.NewClient(t)
	o2.DevSignIn("Solo Owner", "")
	w2 := createGroup(t, o2, groupForm("Solo Group"))
	if r := o2.Follow(o2.PostForm(w2, w2+"/leave", nil)); !strings.Contains(r.Body, "transfer ownership") {
		t.Fatal("owner could leave without transferring")
	}
}

func TestPrivateAndUnlistedGroupsStayHidden(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Priya Private", "")
	priv := createGroup(t, host, groupForm("Secret Staff Engineers", "visibility", "private", "topics", "staffplus"))
	unl := createGroup(t, host, groupForm("Quiet Rustaceans", "visibility", "unlisted", "topics", "staffplus"))
	createGroup(t, host, groupForm("Open Staffplus", "topics", "staffplus"))

	visitor := app.NewClient(t)
	visitor.DevSignIn("Vic Visitor", "")
	for _, c := range []*apptest.Client{visitor, app.NewClient(t)} {
		if r := c.Get(priv); r.StatusCode != http.StatusNotFound {
			t.Errorf("private group for outsider: %d", r.StatusCode)
		}
		if r := c.Get(priv + "/members"); r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusSeeOther {
			t.Errorf("private members for outsider: %d", r.StatusCode)
		}
		if r := c.Get(unl); r.StatusCode != http.StatusOK {
			t.Errorf("unlisted group by link: %d", r.StatusCode)
		}
		for _, q := range []string{"/groups?topic=staffplus", "/groups?q=secret", "/groups?q=quiet", "/groups"} {
			body := c.Get(q).Body
			if strings.Contains(body, "Secret Staff") || strings.Contains(body, "Quiet Rustaceans") {
				t.Errorf("%s lists a private or unlisted group", q)
			}
		}
	}
	if body := visitor.Get("/groups?topic=staffplus").Body; !strings.Contains(body, "Open Staffplus") ||
		!strings.Contains(body, `aria-current="true"`) || !strings.Contains(body, `href="/groups">Clear filters`) {
		t.Error("topic search: public group, active topic or clear-filters link missing")
	}
	if body := visitor.Get("/groups").Body; strings.Contains(body, "Clear filters") {
		t.Error("an unfiltered list offers to clear filters")
	}
	if r := host.Get(priv); r.StatusCode != http.StatusOK {
		t.Errorf("private group for its owner: %d", r.StatusCode)
	}
}

func TestCompanyOnlyAndApprovalFlow(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Acme Host", "host@acme.example")
	where := createGroup(t, host, groupForm("Acme Architects", "domains", "acme.example", "join_policy", "approval", "question", "Which team are you on?"))

	outsider := app.NewClient(t)
	outsider.DevSignIn("Other Corp", "dev@other.example")
	page := outsider.Get(where)
	if !strings.Contains(page.Body, "verified email at acme.example") || strings.Contains(page.Body, "Send request") {
		t.Fatalf("outsider sees a way in:\n%s", page.Body)
	}
	if r := outsider.Follow(outsider.PostForm("/profile", where+"/apply", url.Values{"answer": {"let me in"}})); !strings.Contains(r.Body, "verified company email") {
		t.Fatalf("outsider apply: %s", r.Body)
	}

	colleague := app.NewClient(t)
	colleague.DevSignIn("Acme Colleague", "c@ACME.example")
	page = colleague.Get(where)
	if !strings.Contains(page.Body, "Which team are you on?") {
		t.Fatalf("applicant does not see the question:\n%s", page.Body)
	}
	if r := colleague.Follow(colleague.PostForm(where, where+"/join", nil)); !strings.Contains(r.Body, "send a request") {
		t.Fatal("joining an approval group directly was not refused")
	}
	if r := colleague.Follow(colleague.PostForm(where, where+"/apply", url.Values{"answer": {"Payments <b>team</b>"}})); !strings.Contains(r.Body, "Your request was sent") {
		t.Fatalf("apply: %s", r.Body)
	}
	reqs := host.Get(where + "/requests")
	if !strings.Contains(reqs.Body, "Acme Colleague") || !strings.Contains(reqs.Body, "Payments &lt;b&gt;team&lt;/b&gt;") {
		t.Fatalf("requests page:\n%s", reqs.Body)
	}
	g, _ := app.Groups.GetBySlug(context.Background(), "acme-architects")
	u, _ := app.Users.FindByEmail(context.Background(), "c@acme.example")
	approve := where + "/requests/" + u.ID + "/approve"
	if r := host.Follow(host.PostForm(where+"/requests", approve, nil)); !strings.Contains(r.Body, "Request approved") {
		t.Fatalf("approve: %s", r.Body)
	}
	if r := host.Follow(host.PostForm(where+"/requests", approve, nil)); !strings.Contains(r.Body, "already decided") {
		t.Fatalf("second approve: %s", r.Body)
	}
	if dash := colleague.Get("/dashboard"); !strings.Contains(dash.Body, "approved, welcome") || !strings.Contains(dash.Body, "Acme Architects") {
		t.Fatalf("dashboard does not show the outcome:\n%s", dash.Body)
	}
	if n := app.Redis.ZCard(context.Background(), app.Prefix+"group:{"+g.ID+"}:members").Val(); n != 2 {
		t.Fatalf("members after approval: %d", n)
	}
}

func TestInviteByEmailAndAccept(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Ivy Inviter", "")
	where := createGroup(t, host, groupForm("Invite Club", "join_policy", "invite", "visibility", "private"))

	guest := app.NewClient(t)
	guest.DevSignIn("Gus Guest", "gus@guest.example")
	// The answer is the same whether or not the address has an account
	// (without one, it gets a guest invitation), so the form cannot be
	// used to look people up.
	unknown := host.PostForm(where+"/members", where+"/invite", url.Values{"emails": {"nobody@nowhere.example"}})
	known := host.PostForm(where+"/members", where+"/invite", url.Values{"emails": {"gus@guest.example"}})
	for i, r := range []*apptest.Response{unknown, known} {
		addr := []string{"nobody@nowhere.example", "gus@guest.example"}[i]
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Sent <span class=\"muted\">(1)</span>") ||
			!strings.Contains(r.Body, "<li>"+addr+"</li>") || strings.Contains(r.Body, "Gus Guest") {
			t.Fatalf("invite answer for %s: %d\n%s", addr, r.StatusCode, r.Body)
		}
	}
	waitForMail(t, app, "nobody@nowhere.example", "Ivy Inviter invited you to join Invite Club")
	waitForMail(t, app, "gus@guest.example", "Ivy Inviter invited you to join Invite Club")
	dash := guest.Get("/dashboard")
	if !strings.Contains(dash.Body, "Invite Club") || !strings.Contains(dash.Body, "Accept") {
		t.Fatalf("dashboard lacks the invitation:\n%s", dash.Body)
	}
	if r := guest.Follow(guest.PostForm("/dashboard", where+"/invitation/accept", nil)); !strings.Contains(r.Body, "Welcome to the group") {
		t.Fatalf("accept: %s", r.Body)
	}
	if r := guest.Get(where + "/members"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Ivy Inviter") {
		t.Fatalf("member list for the new member: %d", r.StatusCode)
	}
}

var onceInput = regexp.MustCompile(`name="_once" value="([a-z2-7]+)"`)

func TestTheSameFormPostedTwiceCountsOnce(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Dora Double", "")
	page := host.Get("/groups/new")
	once := onceInput.FindStringSubmatch(page.Body)
	if once == nil {
		t.Fatal("the form has no one-time field")
	}
	form := groupForm("Double Click Club")
	form.Set("_once", once[1])
	form.Set("_csrf", host.CSRF("/groups/new"))
	first := host.Post("/groups", form)
	again := host.Post("/groups", form) // a double click, or back and resubmit
	if first.StatusCode != http.StatusSeeOther || again.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("first %d %s, again %d %s", first.StatusCode, first.Header.Get("Location"), again.StatusCode, again.Header.Get("Location"))
	}
	u, _ := app.Users.FindByEmail(context.Background(), "dora-double@dev.focusgroups.test")
	if mine, _ := app.Groups.UserGroups(context.Background(), u.ID); len(mine) != 1 {
		t.Fatalf("%d groups after a double post, want 1", len(mine))
	}
	// A failed post is forgotten: fixing the form and sending it works.
	bad := groupForm("")
	bad.Set("_once", once[1])
	bad.Set("_csrf", host.CSRF("/groups/new"))
	if r := host.Post("/groups", bad); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", r.StatusCode)
	}
	good := groupForm("Second Club")
	good.Set("_once", once[1])
	good.Set("_csrf", host.CSRF("/groups/new"))
	if r := host.Post("/groups", good); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/g/second-club" {
		t.Fatalf("corrected form: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

// The group page may remember which group a slug named; a slug that moved
// to another group, or whose group was deleted, still shows the group that
// holds it now.
func TestAMovedSlugShowsTheGroupThatHoldsItNow(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	owner := sesSignIn(t, app, "Sam Slugger", "")
	first := sesGroup(t, app, owner, "moving", func(in *groups.Input) { in.Name = "First Movers" })
	anon := app.NewClient(t)
	sesContains(t, "/g/moving", anon.Get("/g/moving").Body, "First Movers")

	in := groups.Input{Name: "First Movers", Slug: "moved", Description: "We meet.", Topics: []string{"go"},
		Paths: []string{"architecture"}, City: "Berlin", Online: true}
	if _, err := app.Groups.Update(context.Background(), first.ID, owner.User.ID, in); err != nil {
		t.Fatal(err)
	}
	if r := anon.Get("/g/moving"); r.StatusCode != http.StatusNotFound {
		t.Errorf("/g/moving after the group moved to /g/moved: %d, want 404", r.StatusCode)
	}
	sesContains(t, "/g/moved", anon.Get("/g/moved").Body, "First Movers")

	sesGroup(t, app, owner, "moving", func(in *groups.Input) { in.Name = "Second Movers" })
	r := anon.Get("/g/moving")
	sesContains(t, "/g/moving", r.Body, "Second Movers")
	sesLacks(t, "/g/moving", r.Body, "First Movers")

	if err := app.Groups.Delete(context.Background(), first.ID, owner.User.ID); err != nil {
		t.Fatal(err)
	}
	if r := anon.Get("/g/moved"); r.StatusCode != http.StatusNotFound {
		t.Errorf("/g/moved after its group was deleted: %d, want 404", r.StatusCode)
	}
	third := sesGroup(t, app, owner, "moved", func(in *groups.Input) { in.Name = "Third Movers"; in.Visibility = groups.Private })
	if r := anon.Get("/g/moved"); r.StatusCode != http.StatusNotFound {
		t.Errorf("/g/moved now held by a private group, for an outsider: %d, want 404", r.StatusCode)
	}
	sesContains(t, "/g/moved", owner.Get("/g/moved").Body, third.Name)
}

// A guest (someone with no account yet, who answered an emailed
// invitation) is a member like anyone on the members page, marked as a
// guest, but cannot be reported, made a co-organizer or made the owner
// until they sign in.
func TestGuestMembersCannotBeGivenTheGroup(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Owner", "olga@example.com")
	g := sesGroup(t, app, org, "guests-inside", nil)
	guest, _, err := app.Users.Guest(ctx, "gia@example.com", "Gia Guest")
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Groups.Join(ctx, g.ID, guest.ID, nil); err != nil {
		t.Fatal(err)
	}
	members := "/g/" + g.Slug + "/members"
	body := org.Get(members).Body
	sesContains(t, "the members page", body, "Gia Guest", `<span class="badge">guest</span></td>`, "/members/"+guest.ID+"/remove")
	sesLacks(t, "the members page", body, "/report?kind=person&amp;id="+guest.ID, "/members/"+guest.ID+"/promote", "/members/"+guest.ID+"/transfer")
	for _, action := range []string{"promote", "transfer"} {
		r := org.PostForm(members, members+"/"+guest.ID+"/"+action, url.Values{"confirmed": {"yes"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != members {
			t.Fatalf("%s a guest: %d %s", action, r.StatusCode, r.Header.Get("Location"))
		}
		sesContains(t, action+" a guest", org.Follow(r).Body, "Gia Guest has no account yet")
		if st, err := app.Groups.Standing(ctx, g.ID, guest.ID); err != nil || st.Role != groups.RoleMember {
			t.Fatalf("after %s: %+v %v, want still a member", action, st, err)
		}
	}
	if owner, _ := app.Groups.Get(ctx, g.ID); owner.OwnerID != org.User.ID {
		t.Fatalf("the owner is %s, want %s", owner.OwnerID, org.User.ID)
	}
}
