package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

func TestProfileSettingsAreSavedAndValidated(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	c := app.NewClient(t)
	c.DevSignIn("Barbara Liskov", "barbara@mit.example")

	r := c.PostForm("/profile", "/profile", url.Values{
		"name": {"Barbara L."}, "tz": {"America/New_York"}, "reminder_hours": {"1, 48"}, "no_invites": {"on"},
	})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.StatusCode, r.Body)
	}
	page := c.Get("/profile")
	for _, want := range []string{"Your profile is saved", "Barbara L.", `<option value="America/New_York" selected>`, `value="48, 1"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("profile page lacks %q", want)
		}
	}
	u := userBySignIn(t, app, auth.Profile{Provider: "dev", Subject: "barbara-liskov", Emails: []auth.Email{{Address: "barbara@mit.example", Verified: true}}})
	if u.TimeZone != "America/New_York" || !u.Mail.NoInvites || u.Mail.NoReminders || len(u.Mail.ReminderHours) != 2 {
		t.Fatalf("stored %+v / %+v", u, u.Mail)
	}

	bad := []struct {
		field, value, says string
	}{
		{"name", "", "Please enter the name"},
		{"name", strings.Repeat("x", 81), "at most 80"},
		{"tz", "Mars/Olympus_Mons", "Pick a time zone"},
		{"tz", "Local", "Pick a time zone"},
		{"reminder_hours", "soon", "as numbers"},
		{"reminder_hours", "0", "1 to 168"},
		{"reminder_hours", "1,2,3,4", "at most three"},
	}
	for _, b := range bad {
		form := url.Values{"name": {"Barbara"}, "tz": {"Europe/Berlin"}, "reminder_hours": {"24"}}
		form.Set(b.field, b.value)
		r := c.PostForm("/profile", "/profile", form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, b.says) || !strings.Contains(r.Body, `aria-invalid="true"`) {
			t.Errorf("%s=%q: status %d, want 422 saying %q\n%s", b.field, b.value, r.StatusCode, b.says, r.Body)
		}
	}
	after, _ := app.Users.Get(context.Background(), u.ID)
	if after.Name != "Barbara L." || after.TimeZone != "America/New_York" {
		t.Fatalf("bad input changed the profile: %+v", after)
	}
}

func TestLinkAndUnlinkProviders(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Providers: []auth.ProviderConfig{gh.Config()}})
	c := app.NewClient(t)
	c.DevSignIn("Ken Thompson", "ken@bell.example")

	// Only sign-in method: cannot unlink.
	r := c.PostForm("/profile", "/profile/identities/dev/unlink", nil)
	if page := c.Follow(r); !strings.Contains(page.Body, "cannot remove your only way to sign in") {
		t.Fatalf("unlinking the only identity:\n%s", page.Body)
	}

	// Link GitHub (a different address, so this is an explicit link).
	gh.SignInAs(apptest.GitHubUser{ID: 99, Login: "ken", Name: "Ken", Emails: []apptest.GitHubEmail{{Email: "ken@unix.example", Primary: true, Verified: true}}})
	r = c.Get("/auth/github?link=1")
	page := c.Follow(r)
	if !strings.Contains(page.Body, "GitHub is now linked") || !strings.Contains(page.Body, "ken@unix.example") {
		t.Fatalf("after linking:\n%s", page.Body)
	}

	// Someone else cannot link the same GitHub account.
	other := app.NewClient(t)
	other.DevSignIn("Dennis Ritchie", "")
	page = other.Follow(other.Get("/auth/github?link=1"))
	if !strings.Contains(page.Body, "already linked to another") {
		t.Fatalf("second link of one GitHub account:\n%s", page.Body)
	}

	// Now the dev identity can go, and GitHub still signs Ken in.
	page = c.Follow(c.PostForm("/profile", "/profile/identities/dev/unlink", nil))
	if !strings.Contains(page.Body, "no longer linked") {
		t.Fatalf("unlink:\n%s", page.Body)
	}
	fresh := app.NewClient(t)
	if r := signInGitHub(t, fresh, gh, apptest.GitHubUser{ID: 99, Login: "ken", Emails: []apptest.GitHubEmail{{Email: "ken@unix.example", Primary: true, Verified: true}}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with linked GitHub: %d", r.StatusCode)
	}
	if p := fresh.Get("/profile"); !strings.Contains(p.Body, "Ken Thompson") {
		t.Fatal("GitHub sign-in did not reach Ken's account")
	}
	if r := c.PostForm("/profile", "/profile/identities/nope/unlink", nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unlink unknown provider: %d", r.StatusCode)
	}
}

func TestStateChangesNeedCSRFAndSaneInput(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	c := app.NewClient(t)
	c.DevSignIn("Frances Allen", "")

	if r := c.Post("/profile", url.Values{"name": {"Hacked"}}); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "could not confirm that this form came from this site") {
		t.Fatalf("POST without CSRF token: %d\n%s", r.StatusCode, r.Body)
	}
	if r := c.Post("/profile", url.Values{"name": {"Hacked"}, "_csrf": {"wrong-token"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("POST with a wrong CSRF token: %d", r.StatusCode)
	}
	if r := c.Post("/signout", nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out without CSRF token: %d", r.StatusCode)
	}
	if status := oversizedPost(t, app.URL, "/profile", 300<<10); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized form: %d", status)
	}
	if p := c.Get("/profile"); !strings.Contains(p.Body, "Frances Allen") {
		t.Fatal("rejected posts changed the profile")
	}

	garbage := app.NewClient(t)
	garbage.SetCookie("fg_session", "%00<script>not-a-session")
	if r := garbage.Get("/"); r.StatusCode != http.StatusOK {
		t.Fatalf("garbage session cookie: %d", r.StatusCode)
	}
	if r := garbage.Get("/profile"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin?next=") {
		t.Fatalf("garbage cookie on a private page: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestOperationalEndpointsAndHeaders(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{Production: true})
	c := app.NewClient(t)
	if r := c.Get("/healthz"); r.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", r.StatusCode)
	}
	if r := c.Get("/readyz"); r.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d", r.StatusCode)
	}
	home := c.Get("/")
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	} {
		if got := home.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	if csp := home.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
	c.Get("/no/such/page?token=secret")
	m := c.Get("/metrics")
	if m.StatusCode != http.StatusOK || !strings.Contains(m.Body, `http_requests_total{method="GET",route="/healthz",status="200"} 1`) ||
		!strings.Contains(m.Body, `route="unmatched",status="404"`) || !strings.Contains(m.Body, "http_request_duration_seconds_bucket") {
		t.Fatalf("metrics:\n%s", m.Body)
	}
	if strings.Contains(m.Body, "secret") || strings.Contains(m.Body, "/no/such/page") {
		t.Fatal("metrics leak raw paths")
	}
	if r := c.Get("/no/such/page"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "nothing at this address") {
		t.Fatalf("404 page: %d", r.StatusCode)
	}
	jsonReq, _ := http.NewRequest(http.MethodGet, app.URL+"/no/such/page", nil)
	jsonReq.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(jsonReq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("JSON 404: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// oversizedPost announces a body of n bytes and reads the answer before
// sending it: the server refuses on the Content-Length alone, and a client
// still writing the body would race the closed connection.
func oversizedPost(t *testing.T, base, path string, n int) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", path, n, strings.Repeat("a", n))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("oversized POST: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestSignedOutVisitorsSeeTheirBrowserZone(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Zed Zone", "")
	where := createGroup(t, host, groupForm("Zone Group"))
	r := host.PostForm(where+"/sessions/new", where+"/sessions", sessionForm("Zones talk", ""))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", r.StatusCode)
	}
	visitor := app.NewClient(t)
	visitor.SetCookie("tz", "Asia%2FTokyo")
	if page := visitor.Get("/groups"); !strings.Contains(page.Body, "Next session: ") || !strings.Contains(page.Body, "(Asia/Tokyo), in 2 days") {
		t.Fatalf("discovery card lacks the next session in the visitor's zone:\n%s", page.Body)
	}
	if page := visitor.Get(r.Header.Get("Location")); !strings.Contains(page.Body, "JST (Asia/Tokyo)") {
		t.Fatalf("signed-out session page is not in the browser's zone:\n%s", page.Body)
	}
	junk := app.NewClient(t)
	junk.SetCookie("tz", "..%2F..%2Fetc%2Fpasswd")
	if page := junk.Get(r.Header.Get("Location")); page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "(Europe/Berlin)") || utcShown.MatchString(page.Body) {
		t.Fatalf("a junk zone cookie: %d, want the session's own zone and no UTC:\n%s", page.StatusCode, page.Body)
	}
}

var verifyLink = regexp.MustCompile(`https?://\S+/verify-email/[a-z2-7]+`)

func TestAddingAWorkAddressOpensCompanyGroups(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Wanda Work", "wanda@acme.example")
	where := createGroup(t, host, groupForm("Acme Staff", "domains", "acme.example"))

	ed := app.NewClient(t)
	ed.DevSignIn("Ed Employee", "ed@home.example")
	if r := ed.Follow(ed.PostForm(where, where+"/join", nil)); !strings.Contains(r.Body, "verified company email") {
		t.Fatal("joined a company group without a work address")
	}
	bad := ed.PostForm("/profile", "/profile/emails", url.Values{"email": {"not an address"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `id="new-email-error"`) || !strings.Contains(bad.Body, `value="not an address"`) {
		t.Fatalf("bad address: %d", bad.StatusCode)
	}
	if r := ed.Follow(ed.PostForm("/profile", "/profile/emails", url.Values{"email": {"Ed@Acme.example"}})); !strings.Contains(r.Body, "We sent a link to ed@acme.example") {
		t.Fatalf("add address: %s", r.Body)
	}
	m := waitForMail(t, app, "ed@acme.example", "Confirm your address")
	link := verifyLink.FindString(m.Text)
	if link == "" {
		t.Fatalf("no confirmation link:\n%s", m.Text)
	}
	scanner := app.NewClient(t)
	if page := scanner.Get(link); !strings.Contains(page.Body, "Confirm ed@acme.example") {
		t.Fatalf("confirm page:\n%s", page.Body)
	}
	if n := pageTrips(t, app, scanner, "/verify-email/:token", strings.TrimPrefix(link, app.URL)); n > 3 {
		t.Errorf("the confirmation link's page: %d round trips, want at most 3", n)
	}
	if r := ed.Follow(ed.PostForm(where, where+"/join", nil)); !strings.Contains(r.Body, "verified company email") {
		t.Fatal("opening the link (GET) already verified the address")
	}
	if done := scanner.Post(link, nil); !strings.Contains(done.Body, "Address confirmed") {
		t.Fatalf("confirm: %d\n%s", done.StatusCode, done.Body)
	}
	if r := ed.Follow(ed.PostForm(where, where+"/join", nil)); !strings.Contains(r.Body, "Welcome to the group") {
		t.Fatalf("could not join with the confirmed work address:\n%s", r.Body)
	}
	if again := scanner.Post(link, nil); !strings.Contains(again.Body, "This link no longer works") {
		t.Fatal("a confirmation link worked twice")
	}
}
