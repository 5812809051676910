package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// The personal RSVP links of an invitation mail.
var (
	goingLink = regexp.MustCompile(`https?://\S+/rsvp/[a-z2-7]+\?answer=going`)
)

// devSignIn signs p in through development sign-in in the browser.
func (w *world) devSignIn(p *person, name, email string) {
	p.t.Helper()
	p.open(w.app.URL + "/dev/signin")
	p.fill(map[string]string{"#name": name, "#email": email})
	p.click(`form[action="/dev/signin"] button[type=submit]`)
}

// member is someone set up over HTTP, for the parts of a journey that are
// not what the test is about.
type member struct {
	*apptest.Client
	Name, Email string
}

// memberOverHTTP signs someone in by development sign-in over HTTP.
func (w *world) memberOverHTTP(t *testing.T, name, email string) member {
	t.Helper()
	c := w.app.NewClient(t)
	c.DevSignIn(name, email)
	return member{Client: c, Name: name, Email: email}
}

// hostGroupOverHTTP has host create an open, public group with a cover
// colour and returns its path (/g/slug).
func hostGroupOverHTTP(t *testing.T, host member, name, topics, cover string) string {
	t.Helper()
	r := host.PostForm("/groups/new", "/groups", url.Values{"name": {name}, "description": {"We learn together, one session at a time."},
		"topics": {topics}, "paths": {"architecture"}, "online": {"on"}, "cover": {cover}, "visibility": {"public"}, "join_policy": {"open"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/g/") {
		t.Fatalf("create group %q: %d\n%s", name, r.StatusCode, r.Body)
	}
	return r.Header.Get("Location")
}

// joinOverHTTP makes m a member of the group at path.
func joinOverHTTP(t *testing.T, m member, path string) {
	t.Helper()
	if r := m.PostForm(path, path+"/join", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s joins %s: %d\n%s", m.Name, path, r.StatusCode, r.Body)
	}
}

// scheduleOverHTTP has host schedule a session of the group at path, three
// days ahead, and returns the session's path (/s/id).
func scheduleOverHTTP(t *testing.T, host member, path, title, capacity string, announce bool) string {
	t.Helper()
	start, end := sessionTimes(3)
	v := url.Values{"title": {title}, "description": {"Bring a laptop; we pair on real code."}, "format": {"workshop"},
		"timezone": {sessionZone}, "start": {start}, "end": {end}, "online_url": {"https://meet.example/room"}, "capacity": {capacity}, "listed": {"on"}}
	if announce {
		v.Set("announce", "on")
	}
	r := host.PostForm(path+"/sessions/new", path+"/sessions", v)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/s/") {
		t.Fatalf("schedule %q: %d\n%s", title, r.StatusCode, r.Body)
	}
	return r.Header.Get("Location")
}

// sessionZone is the time zone the journeys schedule sessions in.
const sessionZone = "Europe/Berlin"

// sessionTimes returns the wall-clock start and end ("2006-01-02T15:04", as
// a datetime-local input takes them) of an evening session days ahead in
// sessionZone.
func sessionTimes(days int) (start, end string) {
	loc, err := time.LoadLocation(sessionZone)
	if err != nil {
		panic(err)
	}
	d := time.Now().In(loc).AddDate(0, 0, days)
	s := time.Date(d.Year(), d.Month(), d.Day(), 18, 30, 0, 0, loc)
	return s.Format("2006-01-02T15:04"), s.Add(2 * time.Hour).Format("2006-01-02T15:04")
}

// userID looks a person up by email.
func (w *world) userID(t *testing.T, email string) string {
	t.Helper()
	u, err := w.app.Users.FindByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u.ID
}

// groupCount is how many groups the person with email belongs to.
func (w *world) groupCount(t *testing.T, email string) int {
	t.Helper()
	gs, err := w.app.Groups.UserGroups(context.Background(), w.userID(t, email))
	if err != nil {
		t.Fatal(err)
	}
	return len(gs)
}

// tabTo presses Tab from the top of the page until sel has the focus, as a
// keyboard user would, and fails when it is never reached.
func (p *person) tabTo(sel string) {
	p.t.Helper()
	p.do("blur", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	for range 60 {
		p.do("press Tab", chromedp.KeyEvent(kb.Tab))
		hit, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.activeElement !== null && document.activeElement.matches(`+jsString(sel)+`)`))
		if err != nil {
			p.fail("read focus", err)
		}
		if hit {
			return
		}
	}
	p.t.Fatalf("e2e: %s is not reachable with the Tab key on %s", sel, p.location())
}

// pressEnter presses Enter on the focused element and waits for the page
// it leads to.
func (p *person) pressEnter() {
	p.t.Helper()
	p.waitLoad("press Enter", chromedp.KeyEvent(kb.Enter))
}

// waitLoad runs a step that navigates and waits for the new page to load.
// RunResponse follows the navigation the step starts (by its loader), so
// a load event still arriving from the page before, which a bare wait
// for the next load event would take, cannot end the wait early.
func (p *person) waitLoad(what string, step chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, step); err != nil {
		p.fail(what, err)
	}
}

// history returns the URLs of the tab's history and the current index.
func (p *person) history() ([]string, int) {
	p.t.Helper()
	res, err := chromedp.Call(p.ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		p.fail("read history", err)
	}
	urls := make([]string, len(res.Entries))
	for i, e := range res.Entries {
		urls[i] = e.URL
	}
	return urls, int(res.CurrentIndex)
}

// goHistory moves delta steps through the tab's history, like the back
// (-1) and forward (+1) buttons, and waits until that page has loaded,
// whether from the network or from the back-forward cache.
func (p *person) goHistory(delta int) {
	p.t.Helper()
	res, err := chromedp.Call(p.ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		p.fail("read history", err)
	}
	i := int(res.CurrentIndex) + delta
	if i < 0 || i >= len(res.Entries) {
		p.t.Fatalf("e2e: no history entry %d steps from %d", delta, res.CurrentIndex)
	}
	target := res.Entries[i]
	if _, err := chromedp.Call(p.ctx, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: target.ID}); err != nil {
		p.fail("go through history", err)
	}
	p.waitFor("wait for "+target.URL, `location.href === `+jsString(target.URL)+` && document.readyState === "complete"`)
}

// waitFor waits until the JavaScript expression cond is true on the page,
// asking afresh each time, as the page's JavaScript context changes when
// a navigation lands under a poll.
func (p *person) waitFor(what, cond string) {
	p.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		done, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && done {
			return
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("not true after 20 s: " + cond)
			}
			p.fail(what, err)
		}
	}
}

// clickTwice clicks sel twice in quick succession, as an impatient double
// click does, and waits for the page that follows.
func (p *person) clickTwice(sel string) {
	p.t.Helper()
	p.do("find "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.ScrollIntoView(chromedp.CSS(sel)))
	box, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]float64](`(function () { var r = document.querySelector(`+jsString(sel)+`).getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`))
	if err != nil {
		p.fail("locate "+sel, err)
	}
	x, y := box[0], box[1]
	p.waitLoad("click twice on "+sel, chromedp.Steps(chromedp.MouseClickXY(x, y), chromedp.Sleep(20*time.Millisecond), chromedp.MouseClickXY(x, y)))
}

// attr reads an attribute of the element sel ("" when absent).
func (p *person) attr(sel, name string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {getAttribute(){return ""}}).getAttribute(`+jsString(name)+`) || ""`))
	if err != nil {
		p.fail("read "+sel+"@"+name, err)
	}
	return v
}

// value reads the current value of the form field sel.
func (p *person) value(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.fail("read value of "+sel, err)
	}
	return v
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// everyDay is weekly availability from hour from to hour to, every day.
func everyDay(from, to int) []match.Slot {
	var out []match.Slot
	for d := time.Sunday; d <= time.Saturday; d++ {
		out = append(out, match.Slot{Day: d, StartMin: from * 60, EndMin: to * 60})
	}
	return out
}
