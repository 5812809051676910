package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// phoneWidth is the narrow screen of issue 13: a common phone, 390 px.
const phoneWidth = 390

// asPhone makes p's screen a 390 × 844 touch phone until asDesktop.
func (p *person) asPhone() {
	p.t.Helper()
	p.do("phone screen", chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
}

// asDesktop makes p's screen 1,280 px wide again.
func (p *person) asDesktop() {
	p.t.Helper()
	p.do("desktop screen", chromedp.EmulateViewport(1280, 900))
}

// eval runs a script on the page and returns its result.
func eval[T any](p *person, what, script string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](script))
	if err != nil {
		p.fail(what, err)
	}
	return v
}

// fitsPhone opens path on a phone and fails unless the page fits its width
// (nothing scrolls sideways, naming what sticks out) and axe finds nothing
// serious at that width; then it runs axe on the same page on a desktop.
func (p *person) fitsPhone(base, path string) {
	p.t.Helper()
	p.asPhone()
	p.open(base + path)
	wide := eval[string](p, "measure "+path, `(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return "";
		const out = [];
		document.querySelectorAll("body *").forEach(el => {
			const r = el.getBoundingClientRect();
			if (r.right > w + 0.5 && out.length < 5) out.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + " ends at " + Math.round(r.right));
		});
		return "scrollWidth " + document.documentElement.scrollWidth + " > " + w + ": " + out.join("; ");
	})()`)
	if wide != "" {
		p.t.Errorf("e2e: %s scrolls sideways on a %d px phone: %s", path, phoneWidth, wide)
	}
	p.checkA11y(path + " (phone)")
	p.asDesktop()
	p.checkA11y(path + " (desktop)")
}

// tall fails unless every element sel matches (at least one) is at least
// 44 px high on the current screen: a tap target a thumb can hit.
func (p *person) tall(sel string) {
	p.t.Helper()
	got := eval[[]float64](p, "measure "+sel, `[...document.querySelectorAll(`+jsString(sel)+`)].filter(e => e.offsetParent !== null || getComputedStyle(e).position === "fixed").map(e => e.getBoundingClientRect().height)`)
	if len(got) == 0 {
		p.t.Errorf("e2e: no visible %s on %s", sel, p.location())
	}
	for _, h := range got {
		if h < 44 {
			p.t.Errorf("e2e: %s on %s is %.0f px high, want at least 44", sel, p.location(), h)
		}
	}
}

func TestPhoneEveryKeyPageFitsAndIsEasyToTap(t *testing.T) {
	w := newWorld(t)
	base := w.app.URL

	// A host with a group of many topics, members with long names, and a
	// session with a long title that was announced by mail.
	hostHTTP := w.memberOverHTTP(t, "Grace Brewster Murray Hopper", "grace@example.com")
	where := hostGroupOverHTTP(t, hostHTTP, "Distributed Systems Reading Group of Greater Berlin",
		"distributed-systems, consensus, raft, paxos, kubernetes, observability, databases, go, rust, networking", "#0f766e")
	hostGroupOverHTTP(t, hostHTTP, "Secure Software Supply Chains", "security, testing, performance, architecture, cloud, devops", "#7c3aed")
	for i, name := range []string{"Bartholomew Featherstonehaugh-Smythe", "Cem Demir", "Dana Scully"} {
		joinOverHTTP(t, w.memberOverHTTP(t, name, fmt.Sprintf("m%d@example.com", i)), where)
	}
	session := scheduleOverHTTP(t, hostHTTP, where, "Reading Lamport's Time, Clocks, and the Ordering of Events in a Distributed System", "2", true)
	cem := w.memberOverHTTP(t, "Cem Demir", "m1@example.com")
	if r := cem.PostForm(session, session+"/rsvp", url.Values{"going": {"yes"}}); r.StatusCode != 303 {
		t.Fatalf("Cem's RSVP: %d\n%s", r.StatusCode, r.Body)
	}
	invite := w.smtp.WaitFor(t, "m2@example.com", "Reading Lamport")
	rsvpLink := goingLink.FindString(invite.Text)
	if rsvpLink == "" {
		t.Fatalf("the invitation has no Going link:\n%s", invite.Text)
	}

	// Signed out: home, sign-in, Discover, the group, the session, the RSVP link.
	guest := newPerson(t)
	for _, path := range []string{"/", "/signin", "/groups", where, session, strings.TrimPrefix(rsvpLink, base)} {
		guest.fitsPhone(base, path)
	}

	// The host, signed in, on every page she uses.
	host := newPerson(t)
	w.devSignIn(host, "Grace Brewster Murray Hopper", "grace@example.com")
	for _, path := range []string{"/dashboard", "/profile", "/groups?topic=raft", where, where + "/members", where + "/edit",
		where + "/sessions/new", session, session + "/attendees", session + "/edit", "/groups/new",
		where + "/requests", where + "/proposals", where + "/rounds", "/calendar", "/dev/mailbox",
		"/mentors", "/mentors/profile/mentor", "/mentors/profile/mentee", "/mentors/suggestions"} {
		host.fitsPhone(base, path)
	}

	// The header stays one row: the name and Sign out sit behind a Menu
	// that opens without script, each entry easy to tap.
	host.asPhone()
	host.open(base + "/dashboard")
	if h := eval[float64](host, "header height", `document.querySelector("header.site").getBoundingClientRect().height`); h > 72 {
		t.Errorf("e2e: the phone header is %.0f px high: it wraps", h)
	}
	host.tall(".nav-narrow > summary")
	host.do("open the menu", chromedp.Click(chromedp.CSS(".nav-narrow > summary")))
	host.tall(".nav-narrow li a")
	host.tall(".nav-narrow li button")
	if name := eval[string](host, "menu", `document.querySelector(".nav-narrow nav").innerText`); !strings.Contains(name, "Grace Brewster Murray Hopper") || !strings.Contains(name, "Sign out") {
		t.Errorf("e2e: the open menu shows %q, want the name and Sign out", name)
	}
	host.checkA11y("open menu (phone)")
	host.screenshot("menu-open")

	// Members are cards: every Manage button is on screen and labelled.
	host.asPhone()
	host.open(base + where + "/members")
	if out := eval[int](host, "members", `[...document.querySelectorAll("table.stacked td.actions button")].filter(b => b.getBoundingClientRect().right > document.documentElement.clientWidth).length`); out != 0 {
		t.Errorf("e2e: %d Manage buttons are off screen on a phone", out)
	}
	if label := eval[string](host, "card label", `getComputedStyle(document.querySelector("table.stacked td.actions"), "::before").content`); label != `"Manage"` {
		t.Errorf("e2e: the Manage cell of a member card is labelled %s", label)
	}
	host.tall("table.stacked td.actions button")
	host.screenshot("members")

	// Discover: the filters wait behind Filters on a phone, open on a
	// desktop or when one is on; the tag chips are easy to tap.
	host.asPhone()
	host.open(base + "/groups")
	if eval[bool](host, "filters", `document.querySelector("details.filter-box").open`) {
		t.Error("e2e: Discover's filters are open on a phone with no filter on")
	}
	host.tall("details.filter-box > summary")
	host.screenshot("discover-filters")
	host.asPhone()
	host.do("open the filters", chromedp.Click(chromedp.CSS("details.filter-box > summary")))
	host.tall(".topic-cloud .tag")
	host.asPhone()
	host.open(base + "/groups?topic=raft")
	if !eval[bool](host, "filters", `document.querySelector("details.filter-box").open`) {
		t.Error("e2e: Discover's filters are closed while a topic filter is on")
	}
	host.asDesktop()
	host.open(base + "/groups")
	if !eval[bool](host, "filters", `document.querySelector("details.filter-box").open`) {
		t.Error("e2e: Discover's filters are closed on a desktop")
	}

	// A member on the session page: the RSVP bar at the foot of the
	// screen carries the RSVP card's own buttons and answers.
	dana := newPerson(t)
	w.devSignIn(dana, "Dana Scully", "m2@example.com")
	dana.asPhone()
	dana.open(base + session)
	bar := eval[[]float64](dana, "RSVP bar", `(() => { const r = document.querySelector(".rsvp-bar").getBoundingClientRect(); return [r.top, r.bottom, r.height]; })()`)
	if bar[1] < 843 || bar[1] > 845 || bar[2] == 0 {
		t.Errorf("e2e: the RSVP bar is not at the foot of the phone screen: top %.0f, bottom %.0f", bar[0], bar[1])
	}
	dana.tall(".rsvp-bar button")
	dana.tall(".nav-narrow > summary")
	dana.screenshot("session-bar")
	dana.asPhone()
	dana.open(base + session)
	dana.click(`.rsvp-bar button[value=yes]`)
	dana.see("You are going.")
	if st := eval[string](dana, "bar state", `document.querySelector(".rsvp-bar-state").innerText`); !strings.Contains(st, "going") {
		t.Errorf("e2e: after answering, the RSVP bar says %q", st)
	}
	barFits(t, dana, "going")
	dana.click(`.rsvp-bar button[value=no]`)
	dana.see("You are not going.")
	barFits(t, dana, "not going")
	dana.asDesktop()
	dana.open(base + session)
	if d := eval[string](dana, "bar on desktop", `getComputedStyle(document.querySelector(".rsvp-bar")).display`); d != "none" {
		t.Errorf("e2e: the RSVP bar shows on a desktop (display %s)", d)
	}
}

// barFits fails unless the phone's RSVP bar keeps its state to two lines
// at most and every button on screen.
func barFits(t *testing.T, p *person, when string) {
	t.Helper()
	r := eval[[]float64](p, "RSVP bar layout", `(() => {
		const bar = document.querySelector(".rsvp-bar"), state = bar.querySelector(".rsvp-bar-state");
		let right = 0;
		bar.querySelectorAll("button, .button").forEach(b => { right = Math.max(right, b.getBoundingClientRect().right); });
		return [state.getBoundingClientRect().height, parseFloat(getComputedStyle(state).lineHeight), right, document.documentElement.clientWidth];
	})()`)
	if r[0] > 2*r[1]+1 || r[2] > r[3] {
		t.Errorf("e2e: the RSVP bar when %s: state %.0f px high (lines of %.0f px), buttons to %.0f px on a %.0f px screen", when, r[0], r[1], r[2], r[3])
	}
}
