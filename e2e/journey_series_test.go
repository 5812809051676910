package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestJourneySeriesOneCardGoingToAllAndCancelFollowing(t *testing.T) {
	w := newWorld(t)
	grace := w.memberOverHTTP(t, "Grace Hopper", "grace@example.com")
	path := hostGroupOverHTTP(t, grace, "COBOL Club", "cobol", "#1f6feb")
	start, end := sessionTimes(3)
	r := grace.PostForm(path+"/sessions/new", path+"/sessions", url.Values{"title": {"Weekly COBOL"},
		"description": {"We pair on COBOL."}, "format": {"workshop"}, "timezone": {sessionZone}, "start": {start}, "end": {end},
		"online_url": {"https://meet.example/room"}, "capacity": {"1"}, "listed": {"on"},
		"repeat": {"weekly"}, "recurrence_count": {"3"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule the series: %d\n%s", r.StatusCode, r.Body)
	}
	first := r.Header.Get("Location")
	ev, err := w.app.Events.Get(t.Context(), strings.TrimPrefix(first, "/s/"))
	if err != nil {
		t.Fatal(err)
	}
	_, occ, err := w.app.Events.Series(t.Context(), ev.SeriesID)
	if err != nil || len(occ) != 3 {
		t.Fatalf("series: %d dates, %v", len(occ), err)
	}
	// Someone takes the only seat of the second date first.
	ada := w.memberOverHTTP(t, "Ada Early", "ada@example.com")
	joinOverHTTP(t, ada, path)
	second := "/s/" + occ[1].ID
	if r := ada.PostForm(second, second+"/rsvp", url.Values{"going": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ada's RSVP: %d", r.StatusCode)
	}

	loc, _ := time.LoadLocation(sessionZone)
	day := func(i int) string { return occ[i].Start.In(loc).Format("Mon 2 Jan") }
	weekday := occ[0].Start.In(loc).Weekday().String()

	// Lin sees the series as one card on the group page.
	lin := newPerson(t)
	w.devSignIn(lin, "Lin Late", "lin@example.com")
	lin.open(w.app.URL + path)
	lin.see("Every " + weekday + " · 3 sessions · next " + day(0))
	cards, err := chromedp.Run(lin.ctx, chromedp.Evaluate[int](`[...document.querySelectorAll(".session-card h3")].filter(h => h.innerText.includes("Weekly COBOL")).length`))
	if err != nil || cards != 1 {
		t.Fatalf("the group page shows %d cards of the series (%v), want 1", cards, err)
	}
	lin.click(`.session-card h3 a`)
	lin.see("1 of 3 · every "+weekday, day(1), day(2), "I'm going to all")
	lin.checkA11y("session page of a series")
	lin.click(`form[action$="/going-all"] button[type=submit]`)
	lin.see("Going to 2 dates; on the waitlist for 1 (" + day(1) + " #1).")
	lin.screenshot("series-going-to-all")

	// Grace cancels the second date and the following one.
	host := newPerson(t)
	w.devSignIn(host, "Grace Hopper", "grace@example.com")
	host.open(w.app.URL + second)
	host.do("open the cancel form", chromedp.Click(chromedp.CSS(`details.confirm summary`)))
	host.do("choose following", chromedp.Click(chromedp.CSS(`input[name=scope][value=following]`)))
	host.click(`form[action$="/cancel"] button[type=submit]`)
	host.see("Cancelled 2 dates of the series.")
	for i, want := range []bool{false, true, true} {
		got, err := w.app.Events.Get(t.Context(), occ[i].ID)
		if err != nil || (got.Status == "cancelled") != want {
			t.Errorf("date %d: %s (%v), want cancelled %v", i+1, got.Status, err, want)
		}
	}
	w.smtp.WaitFor(t, "lin@example.com", "Cancelled")
}
