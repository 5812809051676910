package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mail"
)

// waitForMail polls the dev mailbox until a mail to addr whose subject
// contains subject arrives.
func waitForMail(t *testing.T, app *apptest.App, addr, subject string) mail.StoredMail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		list, err := app.Mail.Mailbox.List(context.Background(), 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			if strings.Contains(m.To, addr) && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail to %s about %q arrived", addr, subject)
	return mail.StoredMail{}
}

var unsubscribeLink = regexp.MustCompile(`https?://[^\s"<>]+/unsubscribe/[A-Za-z0-9._~-]+`)

func TestJoinRequestMailsAndOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Hana Host", "hana@host.example")
	where := createGroup(t, host, groupForm("Reviewed Group", "join_policy", "approval", "question", "Why join?"))

	applicant := app.NewClient(t)
	applicant.DevSignIn("Ari Applicant", "ari@applicant.example")
	applicant.PostForm(where, where+"/apply", url.Values{"answer": {"To learn Go"}})

	req := waitForMail(t, app, "hana@host.example", "Ari Applicant")
	if !strings.Contains(req.Text, "To learn Go") || !strings.Contains(req.Text, where+"/requests") {
		t.Fatalf("join request mail:\n%s", req.Text)
	}
	u, _ := app.Users.FindByEmail(context.Background(), "ari@applicant.example")
	host.PostForm(where+"/requests", where+"/requests/"+u.ID+"/approve", nil)
	outcome := waitForMail(t, app, "ari@applicant.example", "approved")
	if len(outcome.Headers["List-Unsubscribe"]) == 0 || outcome.Headers["List-Unsubscribe-Post"][0] != "List-Unsubscribe=One-Click" {
		t.Fatalf("unsubscribe headers: %v", outcome.Headers)
	}

	link := unsubscribeLink.FindString(outcome.Headers["List-Unsubscribe"][0])
	if link == "" {
		t.Fatalf("no unsubscribe URL in %q", outcome.Headers["List-Unsubscribe"])
	}
	stranger := app.NewClient(t) // a mail client or scanner: no cookies
	if r := stranger.Get(link); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Reviewed Group") {
		t.Fatalf("unsubscribe page: %d\n%s", r.StatusCode, r.Body)
	}
	// The link's two rate limits together, then the person and the group.
	path := strings.TrimPrefix(link, app.URL)
	if n := pageTrips(t, app, stranger, "/unsubscribe/:token", path); n != 2 {
		t.Errorf("the unsubscribe page: %d round trips, want 2", n)
	}
	if after, _ := app.Users.Get(context.Background(), u.ID); len(after.Mail.MutedGroups) != 0 {
		t.Fatal("GET on the unsubscribe link changed the settings")
	}
	// RFC 8058 one-click: a POST with that body and no session.
	r := stranger.Post(link, url.Values{"List-Unsubscribe": {"One-Click"}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "no longer get session announcements") {
		t.Fatalf("one-click unsubscribe: %d\n%s", r.StatusCode, r.Body)
	}
	after, _ := app.Users.Get(context.Background(), u.ID)
	g, _ := app.Groups.GetBySlug(context.Background(), "reviewed-group")
	if len(after.Mail.MutedGroups) != 1 || after.Mail.MutedGroups[0] != g.ID || after.Mail.Off {
		t.Fatalf("prefs after unsubscribe: %+v", after.Mail)
	}

	for _, bad := range []string{link[:len(link)-2] + "xx", app.URL + "/unsubscribe/nonsense"} {
		r := stranger.Post(bad, nil)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "This link no longer works") || !strings.Contains(r.Body, "Sign in") {
			t.Errorf("tampered link %s: %d", bad, r.StatusCode)
		}
	}
}

func TestDevMailboxOnlyInDevelopment(t *testing.T) {
	t.Parallel()
	dev := apptest.Start(t, apptest.Options{})
	host := dev.NewClient(t)
	host.DevSignIn("Mia Mailbox", "mia@mail.example")
	where := createGroup(t, host, groupForm("Mailbox Group", "join_policy", "approval"))
	other := dev.NewClient(t)
	other.DevSignIn("Ola Other", "ola@mail.example")
	other.PostForm(where, where+"/apply", url.Values{"answer": {"<script>x</script>"}})
	m := waitForMail(t, dev, "mia@mail.example", "Ola Other")

	list := host.Get("/dev/mailbox")
	if list.StatusCode != http.StatusOK || !strings.Contains(list.Body, "/dev/mailbox/"+m.ID) {
		t.Fatalf("mailbox list: %d", list.StatusCode)
	}
	show := host.Get("/dev/mailbox/" + m.ID)
	if !strings.Contains(show.Body, `src="/dev/mailbox/`+m.ID+`/html"`) || !strings.Contains(show.Body, "sandbox=") {
		t.Fatalf("mail page:\n%s", show.Body)
	}
	html := host.Get("/dev/mailbox/" + m.ID + "/html")
	if csp := html.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
		t.Fatalf("mail HTML CSP: %q", csp)
	}
	if strings.Contains(html.Body, "<script>x") {
		t.Fatal("a script from user input reached the mail HTML")
	}

	prod := apptest.Start(t, apptest.Options{Production: true})
	if r := prod.NewClient(t).Get("/dev/mailbox"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("dev mailbox in production: %d", r.StatusCode)
	}
}
