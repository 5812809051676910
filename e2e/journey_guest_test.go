package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// An organizer invites an address nobody holds; its owner takes a seat
// from the mail without an account, then signs in through GitHub with that
// verified address and finds the seat theirs.
func TestAnInvitedAddressRSVPsAsAGuestThenSignsIn(t *testing.T) {
	w := newWorld(t)
	host := w.memberOverHTTP(t, "Hedy Lamarr", "hedy@example.com")
	where := hostGroupOverHTTP(t, host, "Platform Guild", "platform, kubernetes", "#0f766e")
	session := scheduleOverHTTP(t, host, where, "Running Kubernetes upgrades", "20", false)
	eventID := strings.TrimPrefix(session, "/s/")

	org := newPerson(t)
	w.devSignIn(org, "Hedy Lamarr", "hedy@example.com")
	org.open(w.app.URL + session)
	org.fill(map[string]string{"#invite-emails": "Nia.Newcomer@example.com, not-an-address"})
	org.click(`form[action="` + session + `/invite"] button[type=submit]`)
	org.see("Invitations to Running Kubernetes upgrades", "nia.newcomer@example.com", "not-an-address")
	org.checkA11y("invitation report")
	org.screenshot("invite-report")

	// A visitor asks for a link from the public page with an address the
	// browser lets through: the form comes back as typed, the error
	// beside the address.
	kenji := newPerson(t)
	kenji.open(w.app.URL + session)
	kenji.do("open the guest form", chromedp.Click(chromedp.CSS("details.guest-rsvp > summary")))
	kenji.fill(map[string]string{"#guest-name": "Kenji Visitor", "#guest-email": "kenji@example"})
	kenji.click(`form[action="` + session + `/guest-rsvp"] button[type=submit]`)
	kenji.see("Give one email address")
	if v := eval[string](kenji, "name kept", `document.querySelector("#name").value`); v != "Kenji Visitor" {
		t.Errorf("e2e: the refused guest form lost the name: %q", v)
	}
	kenji.checkA11y("guest form with an error")
	kenji.fill(map[string]string{"#email": "kenji@example.com"})
	kenji.click(`form[action="` + session + `/guest-rsvp"] button[type=submit]`)
	kenji.see("Check your inbox", "kenji@example.com")

	invite := w.smtp.WaitFor(t, "nia.newcomer@example.com", "Running Kubernetes upgrades")
	link := goingLink.FindString(invite.Text)
	if link == "" {
		t.Fatalf("the invitation has no Going link:\n%s", invite.Text)
	}
	nia := newPerson(t)
	nia.open(link)
	nia.see("Running Kubernetes upgrades")
	nia.click(`form[action^="/rsvp/"] button[type=submit]`)
	nia.see("You are going")
	if st := w.status(t, eventID, "nia.newcomer@example.com"); st.Status != events.RSVPGoing {
		t.Fatalf("Nia after Going: %+v", st)
	}

	w.signInWithGitHub(nia, apptest.GitHubUser{ID: 7070, Login: "nia", Name: "Nia Newcomer",
		Emails: []apptest.GitHubEmail{{Email: "nia.newcomer@example.com", Primary: true, Verified: true}}})
	nia.open(w.app.URL + session)
	nia.see("You're going", "Nia Newcomer")
	nia.open(w.app.URL + "/dashboard")
	nia.see("Hello, Nia Newcomer", "Running Kubernetes upgrades")
	nia.screenshot("guest-signed-in-dashboard")
}
