package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/events"
)

func TestMemberDiscoversAGroupJoinsAndRSVPs(t *testing.T) {
	w := newWorld(t)
	host := w.memberOverHTTP(t, "Hedy Lamarr", "hedy@example.com")
	where := hostGroupOverHTTP(t, host, "Rust in Production", "rust, webassembly, performance", "#b45309")
	hostGroupOverHTTP(t, host, "Frontend Guild", "react, css, accessibility", "#0f766e")
	session := scheduleOverHTTP(t, host, where, "Shipping WebAssembly to the edge", "3", false)

	bea := newPerson(t)
	bea.open(w.app.URL + "/")
	bea.see("Shipping WebAssembly to the edge", "Rust in Production", "Frontend Guild")
	bea.checkA11y("home (signed out)")
	bea.screenshot("home")
	w.devSignIn(bea, "Bea Brown", "bea@example.com")

	// Bea looks for a topic; she uses the keyboard to search.
	bea.open(w.app.URL + "/groups")
	bea.see("Discover focus groups", "Rust in Production", "Frontend Guild")
	bea.fill(map[string]string{"#q": "webassembly"})
	bea.tabTo(`form[role=search] button[type=submit]`)
	bea.pressEnter()
	if !strings.Contains(bea.location(), "q=webassembly") {
		t.Fatalf("the search did not run: at %s", bea.location())
	}
	bea.see("1 group found", "Rust in Production", "webassembly")
	if strings.Contains(bea.text(), "Frontend Guild") {
		t.Fatal("a search for webassembly shows the Frontend Guild")
	}
	bea.checkA11y("discovery results")
	bea.screenshot("discover")

	// She opens the group and joins it.
	bea.click(`.gbody h3 a[href="` + where + `"]`)
	bea.see("Rust in Production", "Shipping WebAssembly to the edge", "1 member")
	bea.checkA11y("group page (visitor)")
	bea.click(`form[action="` + where + `/join"] button`)
	bea.see("2 members")
	if n := w.groupCount(t, "bea@example.com"); n != 1 {
		t.Fatalf("Bea is in %d groups after joining one", n)
	}

	// She RSVPs on the session page and sees a seat go.
	bea.click(`.session-card h3 a[href="` + session + `"]`)
	bea.see("Shipping WebAssembly to the edge", "3 of 3 seats left", "Are you going?")
	bea.click(`form[action="` + session + `/rsvp"] button[value=yes]`)
	bea.see("2 of 3 seats left", "You are going.")
	st, err := w.app.Events.StatusOf(context.Background(), strings.TrimPrefix(session, "/s/"), w.userID(t, "bea@example.com"))
	if err != nil || st.Status != events.RSVPGoing {
		t.Fatalf("stored RSVP: %+v, %v", st, err)
	}
	bea.checkA11y("session page (going)")
	bea.screenshot("session")

	// The group page and her dashboard agree.
	bea.open(w.app.URL + where)
	bea.see("2 of 3 seats left")
	bea.open(w.app.URL + "/dashboard")
	bea.see("Hello, Bea Brown", "Going and waitlisted", "Shipping WebAssembly to the edge", "Rust in Production")
	bea.checkA11y("dashboard")
	bea.screenshot("dashboard")
}
