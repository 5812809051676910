package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

var joinLinkURL = regexp.MustCompile(`value="(http[^"]*/join/([^"]+))"`)

// An organizer makes an invite link on the Members page; whoever opens it
// sees the group and joins after signing in, never by a mere GET; the
// link stops at its limit, when revoked, and when tampered with.
func TestInviteLinksFromMembersPageToMembership(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "by-link", func(in *groups.Input) { in.JoinPolicy = groups.Invite })
	members := "/g/" + g.Slug + "/members"

	stranger := sesSignIn(t, app, "Sam Stranger", "sam@example.com")
	if r := stranger.Post("/g/"+g.Slug+"/links", url.Values{"_csrf": {stranger.CSRF("/")}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a non-member creating a link: %d, want 403", r.StatusCode)
	}
	for _, bad := range []url.Values{{"expires": {"next week"}}, {"expires": {"2001-01-01"}}, {"limit": {"0"}}, {"limit": {"lots"}}} {
		if r := org.PostForm(members, "/g/"+g.Slug+"/links", bad); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("link with %v: %d, want 422\n%s", bad, r.StatusCode, r.Body)
		}
	}
	if r := org.Post("/g/"+g.Slug+"/links", url.Values{"limit": {"2"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a link created without the CSRF token: %d, want 403", r.StatusCode)
	}
	page := org.Follow(org.PostForm(members, "/g/"+g.Slug+"/links", url.Values{"limit": {"2"}})).Body
	sesContains(t, "members page after creating a link", page, "Invite link created", "0 of 2", "live")
	m := joinLinkURL.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no invite link on the members page:\n%s", page)
	}
	path := "/join/" + m[2]

	anon := app.NewClient(t)
	r := anon.Get(path)
	sesContains(t, "the link, signed out", r.Body, g.Name, "Sign in to join", "/signin?next="+url.QueryEscape(path))

	ann := sesSignIn(t, app, "Ann Newcomer", "ann@example.com")
	sesContains(t, "the link, signed in", ann.Get(path).Body, "Join "+g.Name)
	if st, _ := app.Groups.Standing(context.Background(), g.ID, ann.User.ID); st.Role.IsMember() {
		t.Fatal("opening the link made Ann a member")
	}
	r = ann.PostForm(path, path, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/g/"+g.Slug {
		t.Fatalf("joining by link: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	sesContains(t, "the group after joining", ann.Follow(r).Body, "Welcome to "+g.Name)
	sesContains(t, "the link as a member", ann.Get(path).Body, "You are already a member")

	bob := sesSignIn(t, app, "Bob Second", "bob@example.com")
	if r := bob.PostForm(path, path, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the second use: %d", r.StatusCode)
	}
	cat := sesSignIn(t, app, "Cat Third", "cat@example.com")
	r = cat.Get(path)
	if r.StatusCode != http.StatusGone {
		t.Fatalf("a used-up link: %d, want 410", r.StatusCode)
	}
	sesContains(t, "a used-up link", r.Body, "used as many times as the organizers allowed")
	sesContains(t, "members page after two uses", org.Get(members).Body, "2 of 2", "used up")

	page = org.Follow(org.PostForm(members, "/g/"+g.Slug+"/links", nil)).Body
	fresh := joinLinkURL.FindAllStringSubmatch(page, -1)
	if len(fresh) != 2 {
		t.Fatalf("want two links listed, got %d", len(fresh))
	}
	newest := "/join/" + fresh[0][2]
	secret := fresh[0][2][strings.Index(fresh[0][2], ".")+1:]
	if r := org.PostForm(members, "/g/"+g.Slug+"/links/"+secret+"/revoke", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	r = cat.Get(newest)
	if r.StatusCode != http.StatusGone {
		t.Fatalf("a revoked link: %d, want 410", r.StatusCode)
	}
	sesContains(t, "a revoked link", r.Body, "revoked this invite link")
	if r := cat.PostForm("/", newest, nil); r.StatusCode != http.StatusGone {
		t.Fatalf("posting to a revoked link: %d, want 410", r.StatusCode)
	}
	for _, tampered := range []string{newest + "x", "/join/" + g.ID + ".nope", "/join/nothing"} {
		if r := cat.Get(tampered); r.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", tampered, r.StatusCode)
		}
	}
	if st, _ := app.Groups.Standing(context.Background(), g.ID, cat.User.ID); st.Role.IsMember() {
		t.Fatal("Cat got in through a used-up or revoked link")
	}
}

// A company-only group's link still wants a verified company address,
// and says so before anyone tries.
func TestInviteLinksKeepTheCompanyRule(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@acme.example")
	g := sesGroup(t, app, org, "acme-link", func(in *groups.Input) {
		in.JoinPolicy, in.Domains = groups.Invite, []string{"acme.example"}
	})
	l, err := app.Groups.CreateLink(context.Background(), g.ID, org.User.ID, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := "/join/" + l.Token()
	out := sesSignIn(t, app, "Otto Outside", "otto@elsewhere.example")
	r := out.Get(path)
	sesContains(t, "the link for an outside address", r.Body, "verified email address at acme.example")
	sesLacks(t, "the link for an outside address", r.Body, "Join "+g.Name+"</button>")
	if r := out.PostForm(path, path, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("joining with an outside address: %d, want 403", r.StatusCode)
	}
	in := sesSignIn(t, app, "Ida Inside", "ida@acme.example")
	if r := in.PostForm(path, path, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("joining with a company address: %d", r.StatusCode)
	}
}
