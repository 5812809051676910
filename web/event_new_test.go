package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

func TestOrganizerSchedulesASessionAndBadInputStoresNothing(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Grace Hopper", "")
	speaker := sesSignIn(t, app, "Alan Kay", "")
	g := sesGroup(t, app, org, "cobol-club", nil)
	sesJoin(t, app, g, speaker)
	ctx := context.Background()

	bad := []struct {
		field, value, says string
	}{
		{"title", "", "Give the session a title"},
		{"title", "Go", "at least 3 characters"},
		{"format", "karaoke", "Choose one of the listed formats"},
		{"timezone", "Mars/Olympus_Mons", "Choose a time zone"},
		{"start", "tomorrow-ish", "Give the start date and time"},
		{"start", sesWall(-2, 18, 0, "Europe/Berlin"), "The start is in the past"},
		{"end", sesWall(10, 17, 0, "Europe/Berlin"), "The end must be after the start"},
		{"end", sesWall(11, 18, 0, "Europe/Berlin"), "at most 12 hours"},
		{"capacity", "0", "at least 1"},
		{"capacity", "-5", "at least 1"},
		{"capacity", "many", "whole number"},
		{"capacity", "1000000", "at most 10,000"},
		{"online_url", "javascript:alert(1)", "full http:// or https:// address"},
		{"online_url", "ftp://files.example/x", "full http:// or https:// address"},
		{"rsvp_closes", "soon", "Give a date and time"},
		{"hosts", "aaaaaaaaaaaaaaaaaaaaaaaa", "members of the group"},
		{"repeat", "yearly", "Choose how often"},
		{"recurrence_count", "99", "from 2 to 52"},
	}
	for _, b := range bad {
		form := sesForm("Mainframes for everyone")
		form.Set(b.field, b.value)
		if b.field == "recurrence_count" {
			form.Set("repeat", "weekly")
		}
		r := org.PostForm("/g/"+g.Slug+"/sessions/new", "/g/"+g.Slug+"/sessions", form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, b.says) || !strings.Contains(r.Body, `aria-invalid="true"`) {
			t.Errorf("%s=%q: status %d, want 422 saying %q", b.field, b.value, r.StatusCode, b.says)
			continue
		}
		// The form comes back as typed.
		kept := `value="Mainframes for everyone"`
		if b.field == "title" {
			kept = `value="Betahaus, Berlin"`
		}
		sesContains(t, b.field+" form", r.Body, kept)
	}
	form := sesForm("Mainframes for everyone")
	form.Del("venue")
	form.Del("online_url")
	if r := org.PostForm("/g/"+g.Slug+"/sessions/new", "/g/"+g.Slug+"/sessions", form); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "venue, an online link, or both") {
		t.Errorf("no venue and no link: %d", r.StatusCode)
	}
	if up, _ := app.Events.GroupUpcoming(ctx, g.ID, 10); len(up) != 0 {
		t.Fatalf("bad input stored %d sessions", len(up))
	}

	good := sesForm("Mainframes <b>for</b> everyone")
	good.Set("capacity", "25")
	good.Add("hosts", speaker.User.ID)
	id := sesCreate(t, org, g, good)
	page := org.Get("/s/" + id)
	sesContains(t, "new session page", page.Body, "The session is scheduled", "Mainframes &lt;b&gt;for&lt;/b&gt; everyone",
		"Workshop", "Alan Kay", "<strong>pair</strong>", "25 of 25 seats left", "Europe/Berlin")
	ev, err := app.Events.Get(ctx, id)
	if err != nil || ev.Capacity != 25 || ev.TimeZone != "Europe/Berlin" || len(ev.Hosts) != 1 || ev.Hosts[0] != speaker.User.ID || !ev.Listed {
		t.Fatalf("stored %+v, %v", ev, err)
	}
	if g2, _ := app.Groups.Get(ctx, g.ID); !g2.NextSessionAt.Equal(ev.Start) {
		t.Fatalf("group's next session %v, want %v", g2.NextSessionAt, ev.Start)
	}

	series := sesForm("Weekly COBOL")
	series.Set("repeat", "weekly")
	series.Set("recurrence_count", "4")
	sesCreate(t, org, g, series)
	if up, _ := app.Events.GroupUpcoming(ctx, g.ID, 10); len(up) != 5 {
		t.Fatalf("after a 4-session series the group has %d upcoming sessions, want 5", len(up))
	}
}
