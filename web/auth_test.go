package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
)

var ada = apptest.GitHubUser{ID: 1815, Login: "ada", Name: "Ada Lovelace", Avatar: "https://avatars.example/ada.png",
	Emails: []apptest.GitHubEmail{{Email: "ada@example.com", Primary: true, Verified: true}, {Email: "ada@old.example", Verified: false}}}

func signInGitHub(t *testing.T, c *apptest.Client, gh *apptest.FakeGitHub, u apptest.GitHubUser) *apptest.Response {
	t.Helper()
	gh.SignInAs(u)
	r := c.Get("/auth/github")
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), gh.URL+"/login/oauth/authorize") {
		t.Fatalf("begin: status %d location %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = c.Get(r.Header.Get("Location")) // the provider's authorize page
	if r.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", r.StatusCode)
	}
	return c.Get(r.Header.Get("Location")) // back to our callback
}

// sessionKey is the Redis key of the session a session cookie names.
func sessionKey(app *apptest.App, cookie string) string {
	sid, _, _ := strings.Cut(cookie, ".")
	return app.Prefix + "sess:{" + sid + "}"
}

func sessionKeyExists(t *testing.T, app *apptest.App, id string) bool {
	t.Helper()
	n, err := app.Redis.Exists(context.Background(), sessionKey(app, id)).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestGitHubSignInRunsTheWholeExchange(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Production: true, Providers: []auth.ProviderConfig{gh.Config()}})
	c := app.NewClient(t)

	page := c.Get("/signin")
	if !strings.Contains(page.Body, "Continue with GitHub") || strings.Contains(page.Body, "Development sign-in") {
		t.Fatalf("sign-in page should offer GitHub only:\n%s", page.Body)
	}
	before := c.Cookie("fg_session")

	r := signInGitHub(t, c, gh, ada)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/profile" {
		t.Fatalf("callback: status %d location %q body %s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	after := c.Cookie("fg_session")
	if after == "" || after == before {
		t.Fatalf("session ID was not rotated at sign-in: before %q after %q", before, after)
	}
	if before != "" && sessionKeyExists(t, app, before) {
		t.Fatal("the pre-sign-in session still exists in Redis")
	}

	profile := c.Get("/profile")
	if profile.StatusCode != http.StatusOK || !strings.Contains(profile.Body, "Ada Lovelace") || !strings.Contains(profile.Body, "ada@example.com") {
		t.Fatalf("profile: status %d\n%s", profile.StatusCode, profile.Body)
	}

	// The planted pre-sign-in ID is worthless now.
	attacker := app.NewClient(t)
	attacker.SetCookie("fg_session", before)
	if r := attacker.Get("/profile"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session ID still signs in: status %d", r.StatusCode)
	}

	// What we stored about her.
	u := userBySignIn(t, app, auth.Profile{Provider: "github", Subject: "1815", Emails: []auth.Email{{Address: "ada@example.com", Verified: true}}})
	if u.Name != "Ada Lovelace" || u.AvatarURL != ada.Avatar {
		t.Fatalf("stored user = %+v", u)
	}
	if len(u.Emails) != 2 || !u.Emails[0].Verified || u.Emails[1].Verified {
		t.Fatalf("emails and verified flags = %+v", u.Emails)
	}

	// Signing in again finds the same user.
	c2 := app.NewClient(t)
	r = signInGitHub(t, c2, gh, ada)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("second sign-in: status %d location %q", r.StatusCode, r.Header.Get("Location"))
	}
	if again := c2.Get("/profile"); !strings.Contains(again.Body, "Ada Lovelace") {
		t.Fatal("second sign-in did not reach the same profile")
	}
	if u2 := userBySignIn(t, app, auth.Profile{Provider: "github", Subject: "1815", Emails: []auth.Email{{Address: "ada@example.com", Verified: true}}}); u2.ID != u.ID {
		t.Fatalf("second sign-in made a new user %s, want %s", u2.ID, u.ID)
	}
}

// userBySignIn finds the user a profile belongs to (signing in again is
// idempotent for an existing identity).
func userBySignIn(t *testing.T, app *apptest.App, p auth.Profile) *auth.User {
	t.Helper()
	u, created, err := app.Users.SignIn(context.Background(), p)
	if err != nil || created {
		t.Fatalf("look up %s/%s: created=%v err=%v", p.Provider, p.Subject, created, err)
	}
	return u
}

func TestSignInFailuresGetClearPages(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Production: true, Providers: []auth.ProviderConfig{gh.Config()}, ProviderTimeout: 300 * time.Millisecond})

	begin := func(t *testing.T) (*apptest.Client, string) {
		c := app.NewClient(t)
		r := c.Get("/auth/github")
		loc, _ := url.Parse(r.Header.Get("Location"))
		return c, loc.Query().Get("state")
	}
	cases := []struct {
		name   string
		run    func(t *testing.T) *apptest.Response
		status int
		says   string
	}{
		{"forged state", func(t *testing.T) *apptest.Response {
			c, _ := begin(t)
			return c.Get("/auth/github/callback?state=forged&code=abc")
		}, 400, "did not start here"},
		{"no sign-in in progress", func(t *testing.T) *apptest.Response {
			return app.NewClient(t).Get("/auth/github/callback?state=x&code=abc")
		}, 400, "did not start here"},
		{"access denied at the provider", func(t *testing.T) *apptest.Response {
			c, state := begin(t)
			return c.Get("/auth/github/callback?error=access_denied&state=" + state)
		}, 403, "did not allow GitHub"},
		{"missing code", func(t *testing.T) *apptest.Response {
			c, state := begin(t)
			return c.Get("/auth/github/callback?state=" + state)
		}, 400, "without a sign-in code"},
		{"unknown provider", func(t *testing.T) *apptest.Response {
			return app.NewClient(t).Get("/auth/myspace")
		}, 404, "nothing at this address"},
		{"unknown provider callback", func(t *testing.T) *apptest.Response {
			c, state := begin(t)
			return c.Get("/auth/myspace/callback?code=x&state=" + state)
		}, 400, "did not start here"},
		{"code the provider does not know", func(t *testing.T) *apptest.Response {
			c, state := begin(t)
			return c.Get("/auth/github/callback?code=made-up&state=" + state)
		}, 502, "GitHub did not answer as expected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.run(t)
			if r.StatusCode != tc.status || !strings.Contains(r.Body, tc.says) {
				t.Fatalf("status %d, want %d; body should say %q:\n%s", r.StatusCode, tc.status, tc.says, r.Body)
			}
		})
	}

	t.Run("state is single use", func(t *testing.T) {
		c := app.NewClient(t)
		first := signInGitHub(t, c, gh, ada)
		if first.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", first.StatusCode)
		}
		replay := c.Get(first.Request.URL.String())
		if replay.StatusCode != http.StatusBadRequest {
			t.Fatalf("replayed callback: status %d", replay.StatusCode)
		}
	})
}

func TestTokenEndpointFailuresAreBadGateway(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		setup func(*apptest.FakeGitHub)
	}{
		{"fails", func(f *apptest.FakeGitHub) { f.TokenStatus = http.StatusInternalServerError }},
		{"times out", func(f *apptest.FakeGitHub) { f.TokenDelay = time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := apptest.StartGitHub(t)
			tc.setup(gh)
			app := apptest.Start(t, apptest.Options{Production: true, Providers: []auth.ProviderConfig{gh.Config()}, ProviderTimeout: 300 * time.Millisecond})
			c := app.NewClient(t)
			r := signInGitHub(t, c, gh, ada)
			if r.StatusCode != http.StatusBadGateway || !strings.Contains(r.Body, "Nothing was changed") {
				t.Fatalf("status %d:\n%s", r.StatusCode, r.Body)
			}
			if p := c.Get("/profile"); p.StatusCode != http.StatusSeeOther {
				t.Fatal("signed in although the token exchange failed")
			}
		})
	}
}

func TestGitHubAccountWithoutVerifiedEmailIsRefused(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Production: true, Providers: []auth.ProviderConfig{gh.Config()}})
	c := app.NewClient(t)
	r := signInGitHub(t, c, gh, apptest.GitHubUser{ID: 7, Login: "ghost", Emails: []apptest.GitHubEmail{{Email: "g@example.com", Primary: true}}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "verified email address") {
		t.Fatalf("status %d:\n%s", r.StatusCode, r.Body)
	}
	keys, _ := app.Redis.Keys(context.Background(), app.Prefix+"user:*").Result()
	if len(keys) != 0 {
		t.Fatalf("a user was stored: %v", keys)
	}
}

func TestOIDCSignInForLinkedInAndCompanySSO(t *testing.T) {
	t.Parallel()
	linkedin := apptest.StartOIDC(t)
	sso := apptest.StartOIDC(t)
	app := apptest.Start(t, apptest.Options{Production: true, Providers: []auth.ProviderConfig{
		linkedin.Config("linkedin", "LinkedIn"), sso.Config("sso", "Acme SSO"),
	}})

	signIn := func(t *testing.T, c *apptest.Client, provider string) *apptest.Response {
		r := c.Get("/auth/" + provider)
		if r.StatusCode != http.StatusFound {
			t.Fatalf("begin %s: %d %s", provider, r.StatusCode, r.Body)
		}
		return c.Follow(r)
	}

	c := app.NewClient(t)
	if page := c.Get("/signin"); !strings.Contains(page.Body, "Continue with LinkedIn") || !strings.Contains(page.Body, "Continue with Acme SSO") {
		t.Fatalf("sign-in page misses a provider:\n%s", page.Body)
	}
	linkedin.SignInAs(&apptest.OIDCUser{Subject: "li-42", Name: "Grace Hopper", GivenName: "Grace", FamilyName: "Hopper",
		Picture: "https://media.licdn.example/grace.jpg", Email: "grace@navy.example", EmailVerified: true, Locale: "en_US"})
	if r := signIn(t, c, "linkedin"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Grace Hopper") {
		t.Fatalf("LinkedIn sign-in ended at %d:\n%s", r.StatusCode, r.Body)
	}
	grace := userBySignIn(t, app, auth.Profile{Provider: "linkedin", Subject: "li-42", Emails: []auth.Email{{Address: "x@y.z"}}})
	if grace.AvatarURL != "https://media.licdn.example/grace.jpg" || len(grace.Emails) == 0 || !grace.Emails[0].Verified {
		t.Fatalf("LinkedIn user stored as %+v", grace)
	}

	// The company IdP reports the same verified address: it links to Grace.
	c2 := app.NewClient(t)
	sso.SignInAs(&apptest.OIDCUser{Subject: "emp-9", Name: "G. Hopper", Email: "grace@navy.example", EmailVerified: true})
	if r := signIn(t, c2, "sso"); !strings.Contains(r.Body, "Grace Hopper") {
		t.Fatalf("company SSO with a verified matching email did not link:\n%s", r.Body)
	}
	linked := userBySignIn(t, app, auth.Profile{Provider: "sso", Subject: "emp-9", Emails: []auth.Email{{Address: "x@y.z"}}})
	if linked.ID != grace.ID || len(linked.Identities) != 2 {
		t.Fatalf("linked user = %+v, want Grace with two identities", linked)
	}

	// An unverified claim to the same address must not take over her account.
	c3 := app.NewClient(t)
	sso.SignInAs(&apptest.OIDCUser{Subject: "emp-666", Name: "Mallory", Email: "grace@navy.example", EmailVerified: false})
	if r := signIn(t, c3, "sso"); !strings.Contains(r.Body, "Mallory") || strings.Contains(r.Body, "Grace Hopper") {
		t.Fatalf("unverified email reached Grace's account:\n%s", r.Body)
	}
	mallory := userBySignIn(t, app, auth.Profile{Provider: "sso", Subject: "emp-666", Emails: []auth.Email{{Address: "x@y.z"}}})
	if mallory.ID == grace.ID {
		t.Fatal("unverified email took over an account")
	}
}

func TestSignOutDestroysTheSession(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	c := app.NewClient(t)
	c.DevSignIn("Linus", "")
	id := c.Cookie("fg_session")
	if !sessionKeyExists(t, app, id) {
		t.Fatal("no session in Redis after sign-in")
	}
	if r := c.Get("/signout"); r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /signout should not sign out: %d", r.StatusCode)
	}
	r := c.PostForm("/profile", "/signout", nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d %s", r.StatusCode, r.Body)
	}
	if sessionKeyExists(t, app, id) {
		t.Fatal("session still in Redis after sign-out")
	}
	replay := app.NewClient(t)
	replay.SetCookie("fg_session", id)
	if r := replay.Get("/profile"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session cookie still works: %d", r.StatusCode)
	}
}

func TestDevelopmentSignInOnlyInDevelopment(t *testing.T) {
	t.Parallel()
	dev := apptest.Start(t, apptest.Options{})
	c := dev.NewClient(t)
	if r := c.Get("/"); !strings.Contains(r.Body, "Development mode") {
		t.Fatal("development banner missing")
	}
	c.DevSignIn("Margaret Hamilton", "margaret@nasa.example")
	if r := c.Get("/profile"); !strings.Contains(r.Body, "Margaret Hamilton") || !strings.Contains(r.Body, "Development mode") {
		t.Fatalf("profile after dev sign-in:\n%s", r.Body)
	}
	bad := dev.NewClient(t)
	r := bad.PostForm("/dev/signin", "/dev/signin", url.Values{"name": {"   "}, "email": {"not-an-email"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Type the name") || !strings.Contains(r.Body, "does not look like an email") {
		t.Fatalf("bad dev sign-in: %d\n%s", r.StatusCode, r.Body)
	}

	prod := apptest.Start(t, apptest.Options{Production: true})
	p := prod.NewClient(t)
	if r := p.Get("/dev/signin"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /dev/signin in production: %d", r.StatusCode)
	}
	if r := p.Post("/dev/signin", url.Values{"name": {"Eve"}}); r.StatusCode != http.StatusNotFound {
		t.Fatalf("POST /dev/signin in production: %d", r.StatusCode)
	}
	if r := p.Get("/"); strings.Contains(r.Body, "Development mode") {
		t.Fatal("production shows the development banner")
	}
}

func TestAuthEndpointsAreRateLimited(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Production: true, Providers: []auth.ProviderConfig{gh.Config()},
		AuthRateLimit: ratelimit.Limit{Max: 3, Per: time.Hour}})
	c := app.NewClient(t)
	for i := range 3 {
		if r := c.Get("/auth/github"); r.StatusCode != http.StatusFound {
			t.Fatalf("request %d: %d", i+1, r.StatusCode)
		}
	}
	r := c.Get("/auth/github")
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.Body, "Too many attempts") {
		t.Fatalf("4th request: %d\n%s", r.StatusCode, r.Body)
	}
	// One request refills every 20 minutes.
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 19*60 || s > 20*60 {
		t.Fatalf("Retry-After %q, want about 20 minutes", r.Header.Get("Retry-After"))
	}
}

func TestCrawlersDoNotFillRedisWithSessions(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	for range 10 {
		c := app.NewClient(t)
		for _, p := range []string{"/", "/groups", "/signin", "/no-such-page"} {
			c.Get(p)
		}
	}
	keys, _ := app.Redis.Keys(context.Background(), app.Prefix+"sess:*").Result()
	if len(keys) != 0 {
		t.Fatalf("anonymous page views stored %d sessions", len(keys))
	}
	// Starting a sign-in needs a session, but only for half an hour.
	gh := apptest.StartGitHub(t)
	app2 := apptest.Start(t, apptest.Options{Providers: []auth.ProviderConfig{gh.Config()}})
	c := app2.NewClient(t)
	c.Get("/auth/github")
	id := c.Cookie("fg_session")
	if ttl := app2.Redis.TTL(context.Background(), sessionKey(app2, id)).Val(); ttl <= 0 || ttl > 30*time.Minute {
		t.Fatalf("sign-in-in-progress session TTL %v", ttl)
	}
	signInGitHub(t, c, gh, ada)
	id = c.Cookie("fg_session")
	if ttl := app2.Redis.TTL(context.Background(), sessionKey(app2, id)).Val(); ttl < 24*time.Hour {
		t.Fatalf("signed-in session TTL %v, want the full session lifetime", ttl)
	}
}

func TestRateLimitsBehindAProxyCannotBeDodged(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Providers: []auth.ProviderConfig{gh.Config()}, AuthRateLimit: ratelimit.Limit{Max: 2, Per: time.Hour}, TrustProxy: true})
	get := func(xff string) int {
		req, _ := http.NewRequest(http.MethodGet, app.URL+"/auth/github", nil)
		req.Header.Set("X-Forwarded-For", xff)
		c := app.NewClient(t)
		resp, err := c.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// The client makes up the first entries; the balancer appends the last.
	for i, xff := range []string{"1.1.1.1, 203.0.113.9", "2.2.2.2, 203.0.113.9"} {
		if s := get(xff); s != http.StatusFound {
			t.Fatalf("request %d: %d", i, s)
		}
	}
	if s := get("3.3.3.3, 203.0.113.9"); s != http.StatusTooManyRequests {
		t.Fatalf("a forged first entry dodged the limit: %d", s)
	}
	if s := get("203.0.113.10"); s != http.StatusFound {
		t.Fatalf("another client was limited: %d", s)
	}
}
