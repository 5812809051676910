package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// sesSeries schedules a weekly series of n sessions through the form and
// returns the first one's ID and its start day in Berlin.
func sesSeries(t *testing.T, org sesPerson, g *groups.Group, n string, title string) (string, time.Time) {
	t.Helper()
	form := sesForm(title)
	form.Set("repeat", "weekly")
	form.Set("recurrence_count", n)
	id := sesCreate(t, org, g, form)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start, _ := time.ParseInLocation("2006-01-02T15:04", form.Get("start"), berlin)
	return id, start
}

func TestSeriesShowsAsOneCardOnGroupAndHomePages(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	_, start := sesSeries(t, org, g, "4", "Weekly COBOL")
	single := sesForm("One-off Fortran")
	sesCreate(t, org, g, single)

	want := "Every " + start.Weekday().String() + " · 4 sessions · next " + start.Format("Mon 2 Jan")
	for _, path := range []string{"/g/" + g.Slug, "/"} {
		body := org.Get(path).Body
		sesContains(t, path, body, want, "One-off Fortran")
		if n := strings.Count(body, "Weekly COBOL"); n != 1 {
			t.Errorf("%s shows the series title %d times, want once (one card)", path, n)
		}
	}
}

func TestSeriesSessionPageSaysWhichDateAndLinksTheOthers(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	first, start := sesSeries(t, org, g, "3", "Weekly COBOL")
	ev, err := app.Events.Get(t.Context(), first)
	if err != nil {
		t.Fatal(err)
	}
	_, occ, err := app.Events.Series(t.Context(), ev.SeriesID)
	if err != nil || len(occ) != 3 {
		t.Fatalf("series: %d occurrences, %v", len(occ), err)
	}
	day := start.Weekday().String()
	body := org.Get("/s/" + occ[1].ID).Body
	sesContains(t, "the second date's page", body, "2 of 3 · every "+day,
		`<a href="/s/`+occ[0].ID+`">`+start.Format("Mon 2 Jan")+`</a>`,
		`<strong aria-current="page">`+start.AddDate(0, 0, 7).Format("Mon 2 Jan")+`</strong>`,
		`<a href="/s/`+occ[2].ID+`">`+start.AddDate(0, 0, 14).Format("Mon 2 Jan")+`</a>`)
	single := sesCreate(t, org, g, sesForm("One-off Fortran"))
	sesLacks(t, "a single session's page", org.Get("/s/"+single).Body, "series-nav")
}
