package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// withoutJavaScript turns script execution off in p's tab.
func (p *person) withoutJavaScript() {
	p.t.Helper()
	p.do("disable JavaScript", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
}

// inTimeZone makes p's browser report zone as its own.
func (p *person) inTimeZone(zone string) {
	p.t.Helper()
	p.do("set the browser's time zone", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	}))
}

func TestEverythingWorksWithoutJavaScript(t *testing.T) {
	w := newWorld(t)
	host := w.memberOverHTTP(t, "Hedy Lamarr", "hedy@example.com")
	where := hostGroupOverHTTP(t, host, "Embedded Rust", "rust, embedded", "#b45309")
	session := scheduleOverHTTP(t, host, where, "Blinking an LED, safely", "5", false)

	p := newPerson(t)
	p.inTimeZone("Asia/Tokyo")
	p.withoutJavaScript()

	// The proof that scripts are off: app.js would pick the browser's zone.
	w.devSignIn(p, "Noah Noscript", "noah@example.com")
	p.open(w.app.URL + "/mentors/profile/mentee")
	if tz := p.value("#time_zone"); tz != "" {
		t.Fatalf("the time zone was pre-selected as %q, so JavaScript ran", tz)
	}

	// Sign-in posted and redirected; so do creating a group, joining one and
	// RSVPing with a named submit button.
	p.open(w.app.URL + "/groups/new")
	p.fill(map[string]string{"#name": "No Script Club", "#topics": "html, progressive-enhancement", "#description": "Pages that work."})
	p.click(`form[action="/groups"] button[type=submit]`)
	p.see("Your group is live", "No Script Club")
	if loc := p.location(); loc != w.app.URL+"/g/no-script-club" {
		t.Fatalf("creating a group did not redirect to its page: at %s", loc)
	}
	if n := w.groupCount(t, "noah@example.com"); n != 1 {
		t.Fatalf("Noah is in %d groups", n)
	}

	p.open(w.app.URL + where)
	p.click(`form[action="` + where + `/join"] button`)
	p.see("2 members")
	p.open(w.app.URL + session)
	p.click(`form[action="` + session + `/rsvp"] button[value=yes]`)
	p.see("You are going.", "4 of 5 seats left")
	if loc := p.location(); !strings.HasSuffix(loc, session) {
		t.Fatalf("the RSVP did not redirect to the session page: at %s", loc)
	}
}
