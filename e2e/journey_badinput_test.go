package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBadInputDoubleClicksAndTheBackButton(t *testing.T) {
	w := newWorld(t)
	p := newPerson(t)
	w.devSignIn(p, "Eve Editor", "eve@example.com")

	// Missing and invalid fields: the messages sit next to their fields, the
	// input is kept, nothing is stored.
	p.open(w.app.URL + "/groups/new")
	kept := map[string]string{
		"#slug":        "Not A Slug!",
		"#description": "We pair on **real** bugs every Thursday.",
		"#topics":      "go, debugging",
		"#cover":       "javascript:alert(1)",
	}
	p.fill(kept)
	p.click(`form[action="/groups"] button[type=submit]`)
	p.see("Please fix the fields marked below")
	order := eval[[]string](p, "the error summary's order", `Array.from(document.querySelectorAll(".error-summary a")).map(a => a.getAttribute("href").slice(1))`)
	if want := []string{"name", "slug", "cover"}; !slices.Equal(order, want) {
		t.Errorf("e2e: the error summary lists %v, want the form's order %v", order, want)
	}
	for _, field := range []string{"name", "slug", "cover"} {
		if got := p.attr("#"+field, "aria-invalid"); got != "true" {
			t.Errorf("#%s: aria-invalid=%q, want true", field, got)
		}
		if got := p.attr("#"+field, "aria-describedby"); got != field+"-error" {
			t.Errorf("#%s: aria-describedby=%q", field, got)
		}
		next, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(function (f) { var n = f.nextElementSibling; return n && n.id === f.id + "-error" ? n.innerText : ""; })(document.getElementById(`+jsString(field)+`))`))
		if err != nil {
			p.fail("read the message next to #"+field, err)
		}
		if strings.TrimSpace(next) == "" {
			t.Errorf("#%s has no message right after it", field)
		}
	}
	if got := p.attr("#topics", "aria-invalid"); got != "" {
		t.Errorf("a valid field is marked invalid: #topics aria-invalid=%q", got)
	}
	for sel, want := range kept {
		if got := p.value(sel); got != want {
			t.Errorf("%s: kept %q, want %q", sel, got, want)
		}
	}
	if n := w.groupCount(t, "eve@example.com"); n != 0 {
		t.Fatalf("bad input stored %d groups", n)
	}
	p.checkA11y("group form with errors")
	p.screenshot("form-errors")

	// Corrected, then a double click on the submit button: one group.
	p.fill(map[string]string{"#name": "Double Click Club", "#slug": "", "#cover": "#0f766e"})
	p.clickTwice(`form[action="/groups"] button[type=submit]`)
	p.see("Your group is live", "Double Click Club")
	if n := w.groupCount(t, "eve@example.com"); n != 1 {
		t.Fatalf("a double click created %d groups", n)
	}

	// A session has no unique name to save it: a double click must still
	// make one.
	g, err := w.app.Groups.GetBySlug(context.Background(), "double-click-club")
	if err != nil {
		t.Fatal(err)
	}
	p.open(w.app.URL + "/g/double-click-club/sessions/new")
	start, end := sessionTimes(5)
	p.fill(map[string]string{"#title": "Bisecting a flaky test", "#timezone": sessionZone, "#start": start, "#end": end, "#capacity": "8", "#online_url": "https://meet.example/bisect"})
	p.clickTwice(`form.session-form button[type=submit]`)
	p.see("Bisecting a flaky test", "8 of 8 seats left")
	sessionPage := p.location()
	upcoming := func() int {
		evs, err := w.app.Events.GroupUpcoming(context.Background(), g.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	if n := upcoming(); n != 1 {
		t.Fatalf("a double click scheduled %d sessions", n)
	}

	// Back after the POST shows the form again (a GET), never a
	// resubmission, and forward shows the one session.
	urls, _ := p.history()
	for _, u := range urls {
		if u == w.app.URL+"/g/double-click-club/sessions" {
			t.Fatalf("the POST's own response is in the history, so back or reload would re-post: %q", urls)
		}
	}
	p.goHistory(-1)
	if loc := p.location(); loc != w.app.URL+"/g/double-click-club/sessions/new" {
		t.Fatalf("back after scheduling led to %s", loc)
	}
	p.see("Schedule a session")
	if n := upcoming(); n != 1 {
		t.Fatalf("going back re-posted: %d sessions", n)
	}
	p.goHistory(+1)
	if loc := p.location(); loc != sessionPage {
		t.Fatalf("forward led to %s, want %s", loc, sessionPage)
	}
	p.see("Bisecting a flaky test")
	if n := upcoming(); n != 1 {
		t.Fatalf("going forward re-posted: %d sessions", n)
	}
}
