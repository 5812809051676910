package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

var hrefOf = func(label string) *regexp.Regexp {
	return regexp.MustCompile(`href="([^"]+)"[^>]*>` + regexp.QuoteMeta(label) + `<`)
}

// A signed-out visitor of the home page finds "Host a group", signs in
// for the first time with GitHub and lands on the new-group form, not on
// the profile.
func TestHostAGroupGoesThroughSignInToTheForm(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	app := apptest.Start(t, apptest.Options{Production: true, Providers: []auth.ProviderConfig{gh.Config()}})
	c := app.NewClient(t)

	home := c.Get("/").Body
	m := hrefOf("Host a group").FindStringSubmatch(home)
	if m == nil {
		t.Fatalf("the signed-out home page has no Host a group link:\n%s", home)
	}
	signin := c.Get(html.UnescapeString(m[1]))
	sesContains(t, "the sign-in page", signin.Body, "Sign in to host a group", "straight to the form")
	m = hrefOf("Continue with GitHub").FindStringSubmatch(signin.Body)
	if m == nil {
		t.Fatalf("no GitHub button:\n%s", signin.Body)
	}
	gh.SignInAs(ada)
	r := c.Get(html.UnescapeString(m[1]))
	if r.StatusCode != http.StatusFound {
		t.Fatalf("begin: %d", r.StatusCode)
	}
	r = c.Get(r.Header.Get("Location"))
	r = c.Get(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/groups/new" {
		t.Fatalf("after a first sign-in: %d to %q, want the new-group form", r.StatusCode, r.Header.Get("Location"))
	}
	form := c.Follow(r)
	sesContains(t, "the new-group form", form.Body, `action="/groups"`, "Welcome to focusgroups, Ada Lovelace")

	// Signed in, the same button goes straight to the form.
	if m := hrefOf("Host a group").FindStringSubmatch(c.Get("/").Body); m == nil || m[1] != "/groups/new" {
		t.Fatalf("signed-in Host a group link: %v", m)
	}
}

// Development sign-in keeps the way back too, and a first sign-in with no
// errand still lands on the profile to check the settings.
func TestFirstSignInGoesWhereTheVisitorWasGoing(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	c := app.NewClient(t)
	page := c.Get("/dev/signin?next=%2Fgroups%2Fnew")
	sesContains(t, "the dev sign-in form", page.Body, `name="next" value="/groups/new"`)
	r := c.PostForm("/dev/signin?next=%2Fgroups%2Fnew", "/dev/signin", map[string][]string{"name": {"Hana Host"}, "next": {"/groups/new"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/groups/new" {
		t.Fatalf("first dev sign-in with next: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	for next, want := range map[string]string{"": "/profile", "//evil.example/x": "/profile"} {
		c := app.NewClient(t)
		r := c.PostForm("/dev/signin", "/dev/signin", map[string][]string{"name": {"Nina New " + strings.Trim(next, "/")}, "next": {next}})
		if got := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("first sign-in with next %q: %d to %q, want %q", next, r.StatusCode, got, want)
		}
	}
}
