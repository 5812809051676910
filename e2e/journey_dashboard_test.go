package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// rsvpOverHTTP has m say going (yes) or not going (no) to the session at path.
func rsvpOverHTTP(t *testing.T, m member, path, going string) {
	t.Helper()
	if r := m.PostForm(path, path+"/rsvp", url.Values{"going": {going}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s answers %s to %s: %d\n%s", m.Name, going, path, r.StatusCode, r.Body)
	}
}

// An organizer opens the dashboard and sees the sessions they host with
// who is going and waiting; a member answers a session of their group
// right on the dashboard.
func TestDashboardShowsHostingAndAnswersInPlace(t *testing.T) {
	w := &world{app: apptest.Start(t, apptest.Options{})}
	host := w.memberOverHTTP(t, "Hedy Lamarr", "hedy@example.com")
	where := hostGroupOverHTTP(t, host, "Go Pairing Nights", "go, pairing", "#1d4ed8")
	full := scheduleOverHTTP(t, host, where, "Pairing on generics", "2", false)
	open := scheduleOverHTTP(t, host, where, "Pairing on iterators", "5", false)
	for _, name := range []string{"Ana Alvarez", "Ben Brown", "Cy Chen"} {
		m := w.memberOverHTTP(t, name, strings.ToLower(strings.Fields(name)[0])+"@example.com")
		joinOverHTTP(t, m, where)
		rsvpOverHTTP(t, m, full, "yes")
	}
	mo := w.memberOverHTTP(t, "Mo Member", "mo@example.com")
	joinOverHTTP(t, mo, where)

	org := newPerson(t)
	w.devSignIn(org, "Hedy Lamarr", "hedy@example.com")
	org.open(w.app.URL + "/dashboard")
	org.see("Hosting", "Pairing on generics", "2 going · 1 on the waitlist · 0 awaiting approval",
		"Pairing on iterators", "0 going · 0 on the waitlist", "You're hosting", "Next session: ")
	if strings.Contains(org.text(), "no sessions coming up") {
		t.Fatal("the organizer's dashboard says there are no sessions coming up")
	}
	org.checkA11y("dashboard (organizer)")
	org.screenshot("dashboard-hosting")

	p := newPerson(t)
	w.devSignIn(p, "Mo Member", "mo@example.com")
	p.open(w.app.URL + "/dashboard")
	p.see("Coming up in your groups", "Pairing on generics", "Join the waitlist", "Pairing on iterators", "You are not going to any session yet.")
	p.checkA11y("dashboard (member with sessions to answer)")
	p.screenshot("dashboard-answer")
	p.click(`.to-answer form[action="` + open + `/rsvp"] button[value=yes]`)
	p.see("Going and waitlisted", "Pairing on iterators", "You're going")
	if loc := p.location(); !strings.HasSuffix(loc, "/dashboard") {
		t.Fatalf("answering on the dashboard left it for %s", loc)
	}
	st, err := w.app.Events.StatusOf(context.Background(), strings.TrimPrefix(open, "/s/"), w.userID(t, "mo@example.com"))
	if err != nil || st.Status != events.RSVPGoing {
		t.Fatalf("stored RSVP after answering on the dashboard: %+v, %v", st, err)
	}
}
