package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// People have pages at /u/<handle> (given at sign-in): name, bio,
// links, the groups the viewer may see, mentoring; names in lists link
// there; a page limited to people in one's groups is not found by anyone
// else; what people write is escaped; guests have no page.
func TestPersonPages(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	ana := sesSignIn(t, app, "Ana Author", "ana@example.com")
	bob := sesSignIn(t, app, "Bob Buddy", "bob@example.com")
	eve := sesSignIn(t, app, "Eve Elsewhere", "eve@example.com")
	g := sesGroup(t, app, ana, "page-group", nil)
	sesJoin(t, app, g, bob)
	sesGroup(t, app, ana, "secret-circle", func(in *groups.Input) { in.Visibility = groups.Private; in.JoinPolicy = groups.Invite })
	u, err := app.Users.Get(context.Background(), ana.User.ID)
	if err != nil || u.Handle == "" {
		t.Fatalf("no handle after sign-in: %+v %v", u, err)
	}
	r := ana.PostForm("/profile", "/profile/page", url.Values{"handle": {u.Handle}, "bio": {"I <b>build</b> things <script>alert(1)</script>"},
		"website": {"javascript:alert(1)"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a javascript: website: %d, want 422", r.StatusCode)
	}
	sesContains(t, "a javascript: website", r.Body, `id="website-error"`, "https://", `value="javascript:alert(1)" maxlength="300" autofocus`,
		"I &lt;b&gt;build&lt;/b&gt; things &lt;script&gt;")
	if r := ana.PostForm("/profile", "/profile", url.Values{"name": {"Ana Author"}, "tz": {"Europe/Berlin"}, "reminder_hours": {"48"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the settings: %d", r.StatusCode)
	}
	r = ana.PostForm("/profile", "/profile/page", url.Values{"handle": {"No Spaces"}, "bio": {"kept"}, "website": {"ftp://ana.example"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a bad address and website: %d, want 422", r.StatusCode)
	}
	sesContains(t, "a bad address and website", r.Body, `id="handle-error"`, `id="website-error"`, `value="no spaces" maxlength="30" autocomplete="off" autofocus`, ">kept</textarea>",
		`id="reminder_hours" name="reminder_hours" value="48"`, `href="/profile" aria-current="page"`)
	if got, _ := app.Users.Get(context.Background(), ana.User.ID); got.Handle != u.Handle || got.Bio != "" {
		t.Fatalf("a refused page saved something: handle %q, bio %q", got.Handle, got.Bio)
	}
	r = ana.PostForm("/profile", "/profile/page", url.Values{"handle": {"ana-a"}, "bio": {"I <b>build</b> things <script>alert(1)</script>"},
		"website": {"https://ana.example"}})
	sesContains(t, "saving the page", ana.Follow(r).Body, "Your page is saved")
	page := "/u/ana-a"
	body := bob.Get(page).Body
	sesContains(t, "Ana's page", body, "Ana Author", "I &lt;b&gt;build&lt;/b&gt; things", `href="https://ana.example" rel="noopener noreferrer nofollow">ana.example</a>`, "Group page-group", "Report Ana Author")
	sesLacks(t, "Ana's page", body, "<script>alert(1)", "secret-circle")
	sesContains(t, "her own page", ana.Get(page).Body, "Group secret-circle")
	sesContains(t, "members list", bob.Get("/g/"+g.Slug+"/members").Body, `<a href="/u/ana-a">Ana Author</a>`)
	hosted := sesCreate(t, ana, g, sesForm("Ana's talk"))
	sesContains(t, "the session she hosts", bob.Get("/s/"+hosted).Body, `<h3>Hosted by</h3><p><a href="/u/ana-a">Ana Author</a></p>`)
	if r := bob.Get("/u/" + u.Handle); r.StatusCode != http.StatusNotFound {
		t.Errorf("the old address: %d", r.StatusCode)
	}

	// Limited to people in her groups.
	ana.PostForm("/profile", "/profile/page", url.Values{"handle": {"ana-a"}, "bio": {"hi"}, "members_only": {"on"}})
	if r := bob.Get(page); r.StatusCode != http.StatusOK {
		t.Errorf("a member of a shared group: %d", r.StatusCode)
	}
	for who, c := range map[string]*apptest.Client{"an outsider": eve.Client, "a visitor signed out": app.NewClient(t)} {
		if r := c.Get(page); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "Ana Author") {
			t.Errorf("%s: %d", who, r.StatusCode)
		}
	}
	if r := ana.Get(page); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "Edit your page") {
		t.Errorf("her own page: %d", r.StatusCode)
	}
	if r := bob.PostForm("/profile", "/profile/page", url.Values{"handle": {"ana-a"}, "bio": {"Bob's bio"}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "That address is taken") || !strings.Contains(r.Body, `value="ana-a"`) || !strings.Contains(r.Body, ">Bob&#39;s bio</textarea>") {
		t.Errorf("taking someone's address: %d, want 422 with what was typed", r.StatusCode)
	}
	before, _ := app.RoundTrips(t, http.MethodGet, "/u/:handle")
	bob.Get(page)
	if after, _ := app.RoundTrips(t, http.MethodGet, "/u/:handle"); after-before > 3 {
		t.Errorf("a person page took %v round trips", after-before)
	}
	if r := bob.Get("/u/nobody-here"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown handle: %d", r.StatusCode)
	}
}
