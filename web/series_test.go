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
