package web_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

var metaTag = regexp.MustCompile(`<meta (?:property|name)="(?:og:|twitter:|description|robots)[^>]*>|<link rel="canonical"[^>]*>`)

// head returns the link-preview tags of a page, one a line.
func previewTags(body string) string {
	return strings.Join(metaTag.FindAllString(body, -1), "\n")
}

// Public and unlisted group and session pages tell link previews their
// title, date, place and group, with absolute addresses from the
// configured base URL; unlisted ones ask search engines to stay away.
func TestPagesThatTravelCarryLinkPreviews(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	for _, vis := range []groups.Visibility{groups.Public, groups.Unlisted} {
		t.Run(string(vis), func(t *testing.T) {
			g := sesGroup(t, app, org, "travel-"+string(vis), func(in *groups.Input) {
				in.Visibility = vis
				in.Description = "We **build** things in Go."
			})
			id := sesCreate(t, org, g, sesForm("Profiling Go services"))
			anon := app.NewClient(t)

			s := previewTags(anon.Get("/s/" + id).Body)
			sesContains(t, "the session's preview", s,
				`<link rel="canonical" href="`+app.URL+`/s/`+id+`">`,
				`<meta property="og:url" content="`+app.URL+`/s/`+id+`">`,
				`<meta property="og:title" content="Profiling Go services">`,
				`<meta property="og:type" content="website">`,
				`<meta property="og:site_name" content="focusgroups">`,
				`<meta name="twitter:card" content="`,
				`<meta name="description" content="`,
				"(Europe/Berlin) · Betahaus, Berlin and online · Group travel-"+string(vis)+". We pair on Go.",
			)
			gp := previewTags(anon.Get("/g/" + g.Slug).Body)
			sesContains(t, "the group's preview", gp,
				`<link rel="canonical" href="`+app.URL+`/g/`+g.Slug+`">`,
				`<meta property="og:title" content="Group travel-`+string(vis)+`">`,
				`<meta property="og:description" content="Focus group · Berlin and online · 1 member. We build things in Go.">`,
				`<meta name="twitter:card" content="`,
			)
			for what, tags := range map[string]string{"session": s, "group": gp} {
				noindex := strings.Contains(tags, `<meta name="robots" content="noindex">`)
				if noindex != (vis == groups.Unlisted) {
					t.Errorf("%s page of a %s group: noindex %v", what, vis, noindex)
				}
			}
			// The group's preview follows its changes: a new description
			// and a new member.
			in := g.Input()
			in.Description = "We **test** things in Go."
			if _, err := app.Groups.Update(context.Background(), g.ID, org.User.ID, in); err != nil {
				t.Fatal(err)
			}
			if err := app.Groups.Join(context.Background(), g.ID, sesSignIn(t, app, "Nia New", "").User.ID, nil); err != nil {
				t.Fatal(err)
			}
			sesContains(t, "the group's preview after a change", previewTags(anon.Get("/g/"+g.Slug).Body),
				`<meta property="og:description" content="Focus group · Berlin and online · 2 members. We test things in Go.">`)
		})
	}
}

// The canonical address comes from the configured base URL, never from
// the Host header a request brings.
func TestCanonicalIgnoresTheHostHeader(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "hosty", nil)
	req, err := http.NewRequest(http.MethodGet, app.URL+"/g/"+g.Slug, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	tags := previewTags(string(b))
	sesContains(t, "the preview", tags, `<link rel="canonical" href="`+app.URL+`/g/hosty">`)
	sesLacks(t, "the preview", tags, "evil.example")
}

// Private groups and their sessions never tell link previews or search
// engines anything, even to their members.
func TestPrivatePagesCarryNoLinkPreviews(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "secret", func(in *groups.Input) {
		in.Visibility = groups.Private
		in.JoinPolicy = groups.Invite
		in.Domains = []string{"example.com"}
	})
	id := sesCreate(t, org, g, sesForm("Internal roadmap"))
	for _, path := range []string{"/s/" + id, "/g/" + g.Slug} {
		r := org.Get(path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
		if tags := previewTags(r.Body); tags != "" {
			t.Errorf("%s carries preview tags:\n%s", path, tags)
		}
		sesContains(t, path, r.Body, "Only members of this private group can open the link.")
		if r := app.NewClient(t).Get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s for a visitor: %d, want 404", path, r.StatusCode)
		}
	}
}

// Titles, venues and descriptions with quotes, angle brackets and
// ampersands stay inside their attributes, and the map link searches for
// exactly the venue.
func TestLinkPreviewsEscapeWhatPeopleType(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "escapes", func(in *groups.Input) { in.Name = `Go & "Friends" <Berlin>` })
	form := sesForm(`Generics "deep" <dive> & 'more'`)
	form.Set("venue", `Café "Zur Post" <b> & Co, Berlin`)
	form.Set("description", `A "quoted" <script>alert(1)</script> talk`)
	id := sesCreate(t, org, g, form)
	body := app.NewClient(t).Get("/s/" + id).Body
	tags := previewTags(body)
	sesContains(t, "the preview", tags,
		`<meta property="og:title" content="Generics &#34;deep&#34; &lt;dive&gt; &amp; &#39;more&#39;">`,
		`Café &#34;Zur Post&#34; &lt;b&gt; &amp; Co, Berlin and online · Go &amp; &#34;Friends&#34; &lt;Berlin&gt;. A &#34;quoted&#34; alert(1) talk">`,
	)
	sesLacks(t, "the page", body, "<dive>", "<Berlin>", "<b> &", "<script>alert")
	sesContains(t, "the map link", body,
		`<a href="https://www.openstreetmap.org/search?query=Caf%C3%A9&#43;%22Zur&#43;Post%22&#43;%3Cb%3E&#43;%26&#43;Co%2C&#43;Berlin" rel="noopener noreferrer">Map`)
	gtags := previewTags(app.NewClient(t).Get("/g/" + g.Slug).Body)
	sesContains(t, "the group's preview", gtags, `<meta property="og:title" content="Go &amp; &#34;Friends&#34; &lt;Berlin&gt;">`)
}
