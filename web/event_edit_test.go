package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

func TestEditSessionSeriesAndCancel(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Niklaus Wirth", "")
	g := sesGroup(t, app, org, "pascal", nil)
	ctx := t.Context()

	id := sesCreate(t, org, g, sesForm("Algorithms + Data Structures"))
	edit := "/s/" + id + "/edit"
	page := org.Get(edit)
	sesContains(t, "edit form", page.Body, `value="Algorithms &#43; Data Structures"`, `value="`+sesWall(10, 18, 30, "Europe/Berlin")+`"`,
		`<option value="Europe/Berlin" selected>`, `<option value="workshop" selected>`)
	sesLacks(t, "edit form of a single session", page.Body, `name="scope"`)

	form := sesForm("Algorithms + Data Structures")
	form.Set("end", sesWall(9, 18, 0, "Europe/Berlin"))
	r := org.PostForm(edit, edit, form)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "The end must be after the start") || !strings.Contains(r.Body, `id="end-error"`) {
		t.Fatalf("bad edit: %d", r.StatusCode)
	}
	form = sesForm("Oberon, revisited")
	form.Set("start", sesWall(12, 9, 0, "Europe/Berlin"))
	form.Set("end", sesWall(12, 11, 0, "Europe/Berlin"))
	page = org.Follow(org.PostForm(edit, edit, form))
	sesContains(t, "after edit", page.Body, "The session is saved", "Oberon, revisited")
	ev, _ := app.Events.Get(ctx, id)
	if ev.Title != "Oberon, revisited" || ev.Sequence != 1 {
		t.Fatalf("stored edit: %q seq %d", ev.Title, ev.Sequence)
	}
	if gr, _ := app.Groups.Get(ctx, g.ID); !gr.NextSessionAt.Equal(ev.Start) {
		t.Fatalf("next session after moving: %v, want %v", gr.NextSessionAt, ev.Start)
	}

	// A weekly series: change the third and every later session.
	series := sesForm("Weekly Modula")
	series.Set("start", sesWall(20, 18, 0, "Europe/Berlin"))
	series.Set("end", sesWall(20, 19, 0, "Europe/Berlin"))
	series.Set("repeat", "weekly")
	series.Set("recurrence_count", "4")
	first := sesCreate(t, org, g, series)
	ev, _ = app.Events.Get(ctx, first)
	_, occ, err := app.Events.Series(ctx, ev.SeriesID)
	if err != nil || len(occ) != 4 {
		t.Fatalf("series: %d occurrences, %v", len(occ), err)
	}
	third := occ[2]
	thirdEdit := "/s/" + third.ID + "/edit"
	sesContains(t, "edit form in a series", org.Get(thirdEdit).Body, `name="scope" value="following"`)
	loc, _ := time.LoadLocation("Europe/Berlin")
	day := third.Start.In(loc).Format("2006-01-02")
	change := sesForm("Weekly Modula, later")
	change.Set("start", day+"T19:00")
	change.Set("end", day+"T20:30")
	change.Set("scope", "following")
	page = org.Follow(org.PostForm(thirdEdit, thirdEdit, change))
	sesContains(t, "after series edit", page.Body, "Saved 2 sessions of the series")
	_, occ, _ = app.Events.Series(ctx, ev.SeriesID)
	for i, o := range occ {
		wantTitle, wantHour := "Weekly Modula", 18
		if i >= 2 {
			wantTitle, wantHour = "Weekly Modula, later", 19
		}
		if o.Title != wantTitle || o.Start.In(loc).Hour() != wantHour {
			t.Errorf("occurrence %d: %q at %s", i, o.Title, o.Start.In(loc))
		}
	}

	// Cancel: stays visible as cancelled, cannot be edited, next session moves on.
	page = org.Follow(org.PostForm("/s/"+id, "/s/"+id+"/cancel", nil))
	sesContains(t, "after cancel", page.Body, "The session is cancelled", `class="banner cancelled"`)
	sesLacks(t, "after cancel", page.Body, "Cancel this session", `action="/s/`+id+`/rsvp"`)
	if r := org.Get(edit); r.StatusCode != http.StatusConflict {
		t.Fatalf("editing a cancelled session: %d", r.StatusCode)
	}
	if gr, _ := app.Groups.Get(ctx, g.ID); !gr.NextSessionAt.Equal(occ[0].Start) {
		t.Fatalf("next session after cancelling: %v, want %v", gr.NextSessionAt, occ[0].Start)
	}
	anon := app.NewClient(t)
	sesContains(t, "anonymous view of a cancelled session", anon.Get("/s/"+id).Body, "Cancelled.", "Oberon, revisited")
}

func TestSessionCardsOnGroupDashboardAndHome(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Anita Borg", "")
	g := sesGroup(t, app, org, "systers", nil)
	fan := sesSignIn(t, app, "Card Reader", "")
	sesJoin(t, app, g, fan)
	form := sesForm("Cards & <tables>")
	form.Set("capacity", "10")
	id := sesCreate(t, org, g, form)
	sesRSVP(t, fan, id, "yes")

	want := []string{`href="/s/` + id + `"`, "Cards &amp; &lt;tables&gt;", "Workshop", "9 of 10 seats left", "· in "}
	for path, c := range map[string]*apptest.Client{"/g/systers": fan.Client, "/dashboard": fan.Client, "/": app.NewClient(t)} {
		page := c.Get(path)
		if page.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, page.StatusCode)
			continue
		}
		sesContains(t, path, page.Body, want...)
	}
	sesContains(t, "dashboard card", fan.Get("/dashboard").Body, `<span class="badge ok">You&#39;re going</span>`)
}
