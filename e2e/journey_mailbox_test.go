package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// The dev mailbox exists only without SMTP, so this journey runs its own
// app: an invitation as a developer sees it, and its Going link.
func TestInvitationInTheDevMailboxAndItsGoingLink(t *testing.T) {
	w := &world{app: apptest.Start(t, apptest.Options{})}
	host := w.memberOverHTTP(t, "Hedy Lamarr", "hedy@example.com")
	where := hostGroupOverHTTP(t, host, "Platform Engineering Berlin", "kubernetes, platform, go", "#1d4ed8")
	dan := w.memberOverHTTP(t, "Dan Okafor", "dan@example.com")
	joinOverHTTP(t, dan, where)
	scheduleOverHTTP(t, host, where, "Golden paths with Backstage", "20", true)

	p := newPerson(t)
	p.open(w.app.URL + "/dev/mailbox")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.text(), "dan@example.com"); {
		if time.Now().After(deadline) {
			t.Fatalf("the invitation never reached the dev mailbox:\n%s", p.text())
		}
		time.Sleep(100 * time.Millisecond)
		p.open(w.app.URL + "/dev/mailbox")
	}
	p.checkA11y("dev mailbox")
	p.click(`table a[href^="/dev/mailbox/"]`)
	p.see("Golden paths with Backstage", "List-Unsubscribe", "Attachment")
	p.do("wait for the mail's frame", chromedp.Sleep(300*time.Millisecond))
	p.checkA11y("a mail in the dev mailbox")
	p.screenshot("mail")

	text, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("pre.mailtext")))
	if err != nil {
		p.fail("read the mail text", err)
	}
	link := goingLink.FindString(text)
	if link == "" {
		t.Fatalf("the mail has no Going link:\n%s", text)
	}
	p.open(link)
	p.see("Golden paths with Backstage", "You will be going to", "20 of 20 seats left", "Confirm: I'm going")
	p.checkA11y("RSVP confirmation")
	p.screenshot("rsvp")
	p.click(`form[action^="/rsvp/"] button[type=submit]`)
	p.see("You are going", "19 of 20 seats left", "Add to calendar")
}
