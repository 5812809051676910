package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// Pages rendered once and remembered still carry each viewer's own form
// values and show every change at once.
func TestRememberedPagesCarryEachViewersFormsAndEveryChange(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Fran Organizer", "fran@example.com")
	g := sesGroup(t, app, org, "remembered", nil)
	ann := sesSignIn(t, app, "Ann Member", "ann@example.com")
	bob := sesSignIn(t, app, "Bob Member", "bob@example.com")
	sesJoin(t, app, g, ann)
	sesJoin(t, app, g, bob)
	id := sesCreate(t, org, g, sesForm("Remembered pages"))

	// Ann and Bob stand alike, so their pages share a body: each must
	// still get their own token and a fresh once ID on every view.
	annPage, bobPage := ann.Get("/s/"+id).Body, bob.Get("/s/"+id).Body
	annToken, bobToken := ann.CSRF("/s/"+id), bob.CSRF("/s/"+id)
	if annToken == bobToken {
		t.Fatal("two members got the same CSRF token")
	}
	if !regexp.MustCompile(`value="` + regexp.QuoteMeta(annToken) + `"`).MatchString(annPage) {
		t.Fatal("Ann's page lacks her token")
	}
	if regexp.MustCompile(regexp.QuoteMeta(annToken)).MatchString(bobPage) {
		t.Fatal("Bob's page carries Ann's token")
	}
	o1, o2 := onceInput.FindStringSubmatch(annPage), onceInput.FindStringSubmatch(ann.Get("/s/"+id).Body)
	if o1 == nil || o2 == nil || o1[1] == o2[1] {
		t.Fatalf("once IDs on two views: %v, %v; want two different ones", o1, o2)
	}
	// Bob's token does not work for Ann; her own does.
	r := ann.Post("/s/"+id+"/rsvp", url.Values{"_csrf": {bobToken}, "going": {"yes"}})
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("Ann posting with Bob's token: %d, want 403", r.StatusCode)
	}
	page := sesRSVP(t, ann, id, "yes").Body
	sesContains(t, "Ann's page after her RSVP", page, "You&#39;re going", "Ann Member")
	sesContains(t, "Bob's page after Ann's RSVP", bob.Get("/s/"+id).Body, "Ann Member", "Who's going")

	// A rename through this instance shows on the next view of any page.
	if _, err := app.Users.UpdateProfile(context.Background(), ann.User.ID, auth.ProfileUpdate{Name: "Ann Renamed", TimeZone: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	page = bob.Get("/s/" + id).Body
	sesContains(t, "Bob's page after Ann's rename", page, "Ann Renamed")
	sesLacks(t, "Bob's page after Ann's rename", page, "Ann Member")
	sesContains(t, "Ann's own header after her rename", ann.Get("/g/"+g.Slug).Body, "Ann Renamed")
}

// A change to a group that moved none of its revisions (made by hand, or
// by an app version from before them during a rolling deploy) shows on
// the group's pages once what this instance parsed of it is a minute old,
// remembered page parts included.
func TestRememberedPagesShowAHandEditWithinAMinute(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	app := apptest.Start(t, apptest.Options{GroupClock: clock})
	org := sesSignIn(t, app, "Fran Organizer", "fran@example.com")
	g := sesGroup(t, app, org, "hand-edited", nil)
	id := sesCreate(t, org, g, sesForm("Edited by hand"))
	visitor := app.NewClient(t)
	for _, path := range []string{"/s/" + id, "/g/" + g.Slug} {
		sesContains(t, path+" before the edit", visitor.Get(path).Body, g.Name)
	}
	if err := app.Redis.HSet(context.Background(), app.Prefix+"group:{"+g.ID+"}", "name", "Renamed by hand").Err(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	for _, path := range []string{"/s/" + id, "/g/" + g.Slug} {
		page := visitor.Get(path).Body
		sesContains(t, path+" a minute after the edit", page, "Renamed by hand")
		sesLacks(t, path+" a minute after the edit", page, g.Name)
	}
}

// Bodies rendered for the first time while layouts render elsewhere never
// fail: the template engine's shared "embed" function is set under its
// lock (a page once answered 500 here under load).
func TestFirstRendersAtOnceAllSucceed(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Fran Organizer", "fran@example.com")
	g := sesGroup(t, app, org, "concurrent", nil)
	var paths []string
	for i := range 12 {
		paths = append(paths, "/s/"+sesCreate(t, org, g, sesForm(fmt.Sprintf("Concurrent session %d", i))))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for i := range 48 {
		wg.Go(func() {
			c := app.NewClient(t)
			path := paths[i%len(paths)]
			if i%3 == 0 {
				path = "/g/" + g.Slug + "?v=" + fmt.Sprint(i) // a layout render with its own key
			}
			if r := c.Get(path); r.StatusCode != http.StatusOK {
				mu.Lock()
				failed = append(failed, fmt.Sprintf("%s: %d", path, r.StatusCode))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Fatalf("first renders at once failed: %v", failed)
	}
}
