package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// An organizer invites an address nobody holds to a session of an
// invitation-only group; the guest takes a seat from the mail, without an
// account; signing in later through GitHub with that verified address
// finds the seat and the membership theirs.
func TestAGuestInvitedByAddressRSVPsThenSignsIn(t *testing.T) {
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Providers: []auth.ProviderConfig{gh.Config()}})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "guests-welcome", func(in *groups.Input) { in.JoinPolicy = groups.Invite })
	id := sesCreate(t, org, g, sesForm("Guests welcome"))

	r := org.PostForm("/s/"+id, "/s/"+id+"/invite", url.Values{"emails": {"Gia.Guest@Example.com, olga@example.com\nnot-an-address"}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("invite: %d\n%s", r.StatusCode, r.Body)
	}
	sesContains(t, "the invitation report", r.Body, "<li>gia.guest@example.com</li>", "not-an-address")
	guest, err := app.Users.FindByEmail(context.Background(), "gia.guest@example.com")
	if err != nil || !guest.Guest {
		t.Fatalf("the guest: %+v, %v", guest, err)
	}
	m := waitForMail(t, app, "gia.guest@example.com", "Guests welcome")
	link := goingLink.FindString(m.Text)
	if link == "" {
		t.Fatalf("no Going link in the invitation:\n%s", m.Text)
	}
	anon := app.NewClient(t)
	if done := anon.Post(link, url.Values{"answer": {"going"}}); done.StatusCode != http.StatusOK || !strings.Contains(done.Body, "You are going") {
		t.Fatalf("the guest's Going: %d\n%s", done.StatusCode, done.Body)
	}
	if st, _ := app.Events.StatusOf(context.Background(), id, guest.ID); st.Status != events.RSVPGoing {
		t.Fatalf("the guest is %q", st.Status)
	}
	sesContains(t, "the attendees page", org.Get("/s/"+id+"/attendees").Body, `gia.guest <span class="badge">guest</span>`)
	sesContains(t, "the attendees CSV", org.Get("/s/"+id+"/attendees.csv").Body, "gia.guest,gia.guest@example.com,going,no,yes")

	// Inviting again sends nothing new: no second session or group invitation.
	again := org.PostForm("/s/"+id, "/s/"+id+"/invite", url.Values{"emails": {"gia.guest@example.com"}})
	sesContains(t, "inviting again", again.Body, "already invited to this session")
	app.WaitMailDrained(t)
	list, err := app.Mail.Mailbox.List(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	groupInvites := 0
	for _, m := range list {
		if strings.Contains(m.To, "gia.guest@example.com") && strings.Contains(m.Subject, "invited you to join") {
			groupInvites++
		}
	}
	if groupInvites != 1 {
		t.Fatalf("%d group invitations to the guest, want 1", groupInvites)
	}

	c := app.NewClient(t)
	gh.SignInAs(apptest.GitHubUser{ID: 4242, Login: "gia", Name: "Gia Guest",
		Emails: []apptest.GitHubEmail{{Email: "gia.guest@example.com", Primary: true, Verified: true}}})
	signInGitHub(t, c, gh, apptest.GitHubUser{ID: 4242, Login: "gia", Name: "Gia Guest",
		Emails: []apptest.GitHubEmail{{Email: "gia.guest@example.com", Primary: true, Verified: true}}})
	sesContains(t, "Gia's dashboard after signing in", c.Get("/dashboard").Body, "Hello, Gia Guest", "Guests welcome")
	sesContains(t, "Gia's session page", c.Get("/s/"+id).Body, "You&#39;re going")
	u, err := app.Users.Get(context.Background(), guest.ID)
	if err != nil || u.Guest || len(u.Identities) != 1 {
		t.Fatalf("the account after sign-in: %+v, %v", u, err)
	}
	if st, _ := app.Groups.Standing(context.Background(), g.ID, guest.ID); !st.Role.IsMember() {
		t.Fatal("answering Going through the invitation did not make Gia a member")
	}
}

// The group's invitation form takes a pasted list: it reports each
// address sent, skipped or unreadable, sends the good ones, and refuses
// an empty list or more than 500 addresses with a 422.
func TestGroupInvitationsByPastedList(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "pasted", func(in *groups.Input) { in.JoinPolicy = groups.Invite })
	mem := sesSignIn(t, app, "Mo Member", "mo@example.com")
	if err := app.Groups.Invite(context.Background(), g.ID, org.User.ID, mem.User.ID); err != nil {
		t.Fatal(err)
	}
	if err := app.Groups.AcceptInvite(context.Background(), g.ID, mem.User.ID, mem.User.VerifiedEmails()); err != nil {
		t.Fatal(err)
	}
	off, _, err := app.Users.Guest(context.Background(), "quiet@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Users.UpdateProfile(context.Background(), off.ID, auth.ProfileUpdate{Name: "Quiet", TimeZone: "UTC", Mail: auth.MailPrefs{Off: true}}); err != nil {
		t.Fatal(err)
	}
	list := "new1@example.com; new2@example.com\nmo@example.com, new1@example.com\nquiet@example.com\nbroken@\n"
	r := org.PostForm("/g/"+g.Slug+"/members", "/g/"+g.Slug+"/invite", url.Values{"emails": {list}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("invite: %d\n%s", r.StatusCode, r.Body)
	}
	sesContains(t, "the report", r.Body, "Sent <span class=\"muted\">(2)</span>", "<li>new1@example.com</li>", "<li>new2@example.com</li>",
		"mo@example.com: already a member", "quiet@example.com: has turned off all mail", "listed more than once", "<code>broken@</code>")
	waitForMail(t, app, "new2@example.com", "invited you to join")
	r = org.PostForm("/g/"+g.Slug+"/members", "/g/"+g.Slug+"/invite", url.Values{"emails": {"new2@example.com"}})
	sesContains(t, "inviting again", r.Body, "new2@example.com: already invited")

	var many strings.Builder
	for i := range 501 {
		fmt.Fprintf(&many, "p%d@example.com\n", i)
	}
	for _, bad := range []string{"", " \n , ", many.String()} {
		if r := org.PostForm("/g/"+g.Slug+"/members", "/g/"+g.Slug+"/invite", url.Values{"emails": {bad}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a list of %d bytes: %d, want 422", len(bad), r.StatusCode)
		}
	}
	if u, err := app.Users.FindByEmail(context.Background(), "p0@example.com"); err == nil {
		t.Fatalf("a refused list still made %+v", u)
	}
	if r := mem.PostForm("/g/"+g.Slug, "/g/"+g.Slug+"/invite", url.Values{"emails": {"x@example.com"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a member inviting: %d, want 403", r.StatusCode)
	}
}

// A CSV upload invites its rows, names the guests it makes, and a file
// with no email column, not in UTF-8 or over 500 rows gets a 422.
func TestGroupInvitationsByCSV(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "csv-club", func(in *groups.Input) { in.JoinPolicy = groups.Invite })
	path := "/g/" + g.Slug + "/invite"
	token := org.CSRF("/g/" + g.Slug + "/members")
	upload := func(content string) *apptest.Response {
		return org.PostFile(path, url.Values{"_csrf": {token}}, "csv", "people.csv", []byte(content))
	}
	r := upload("\ufeffName,Email\nRoza Ruiz,roza@example.com\n\"Tanaka, Kei\",kei@example.com\nNo Address,\nBroken,broken@\n")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("upload: %d\n%s", r.StatusCode, r.Body)
	}
	sesContains(t, "the CSV report", r.Body, "Sent <span class=\"muted\">(2)</span>", "<li>roza@example.com</li>", "<code>broken@</code>")
	if u, err := app.Users.FindByEmail(context.Background(), "kei@example.com"); err != nil || u.Name != "Tanaka, Kei" || !u.Guest {
		t.Fatalf("the guest from the CSV: %+v, %v", u, err)
	}
	var many strings.Builder
	many.WriteString("email\n")
	for i := range 501 {
		fmt.Fprintf(&many, "row%d@example.com\n", i)
	}
	for name, content := range map[string]string{
		"no email column": "name,address\nAda,ada@example.com\n",
		"not UTF-8":       "email,name\nzoe@example.com,Zo\xe9\n",
		"over 500 rows":   many.String(),
		"header only":     "email\n",
		"not CSV":         "email\n\"unterminated@example.com\n",
	} {
		if r := upload(content); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d, want 422\n%s", name, r.StatusCode, r.Body)
		}
	}
	if _, err := app.Users.FindByEmail(context.Background(), "row0@example.com"); err == nil {
		t.Fatal("a refused file still made guests")
	}
}

// Someone who already has an account answers as a guest at another
// address; when their provider later verifies that address too, the
// guest's seat and membership move to the account and the guest is gone.
func TestAnAccountTakesOverAGuestAtAnAddressItLaterVerifies(t *testing.T) {
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Providers: []auth.ProviderConfig{gh.Config()}})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "take-over", func(in *groups.Input) { in.JoinPolicy = groups.Invite })
	id := sesCreate(t, org, g, sesForm("Two addresses, one person"))

	c := app.NewClient(t)
	work := apptest.GitHubUser{ID: 5151, Login: "kai", Name: "Kai Two",
		Emails: []apptest.GitHubEmail{{Email: "kai@work.example", Primary: true, Verified: true}}}
	signInGitHub(t, c, gh, work)
	account, err := app.Users.FindByEmail(context.Background(), "kai@work.example")
	if err != nil {
		t.Fatal(err)
	}

	org.PostForm("/s/"+id, "/s/"+id+"/invite", url.Values{"emails": {"kai@home.example"}})
	m := waitForMail(t, app, "kai@home.example", "Two addresses")
	if done := app.NewClient(t).Post(goingLink.FindString(m.Text), url.Values{"answer": {"going"}}); !strings.Contains(done.Body, "You are going") {
		t.Fatalf("the guest's Going:\n%s", done.Body)
	}
	guest, err := app.Users.FindByEmail(context.Background(), "kai@home.example")
	if err != nil || !guest.Guest {
		t.Fatalf("the guest: %+v, %v", guest, err)
	}

	both := work
	both.Emails = append(both.Emails, apptest.GitHubEmail{Email: "kai@home.example", Verified: true})
	signInGitHub(t, c, gh, both)
	sesContains(t, "Kai's session page after taking the guest over", c.Get("/s/"+id).Body, "You&#39;re going")
	if st, _ := app.Groups.Standing(context.Background(), g.ID, account.ID); !st.Role.IsMember() {
		t.Fatal("the guest's membership did not move to the account")
	}
	if _, err := app.Users.Get(context.Background(), guest.ID); err == nil {
		t.Fatal("the guest record is still there")
	}
	if u, err := app.Users.FindByEmail(context.Background(), "kai@home.example"); err != nil || u.ID != account.ID {
		t.Fatalf("the address now finds %v, %v; want the account", u, err)
	}
	sesContains(t, "the attendees page", org.Get("/s/"+id+"/attendees").Body, "Kai Two")
}
