package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/timefmt"
)

func TestSeriesInvitationNamesTheSeriesAndListsItsDatesInTheReadersZone(t *testing.T) {
	t.Parallel()
	f := newSMTPFixture(t)
	f.member("ada", "America/New_York")
	start := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)
	_, occ, err := f.events.CreateSeries(f.ctx, events.Actor{UserID: f.owner.ID, Organizer: true}, f.group.ID, events.Input{
		Title: "Weekly profiling", Format: "workshop", TimeZone: "UTC", OnlineURL: "https://meet.example/room",
		Start: start.Format("2006-01-02T15:04"), End: start.Add(90 * time.Minute).Format("2006-01-02T15:04"),
	}, events.Recurrence{Frequency: "weekly", Count: "3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.events.Cancel(f.ctx, events.Actor{UserID: f.owner.ID, Organizer: true}, occ[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.n.Announce(f.ctx, occ[0], f.group, f.owner.ID); err != nil {
		t.Fatal(err)
	}
	m := f.smtp.WaitFor(t, "ada@example.com", "Invitation: Weekly profiling")
	ny := timefmt.Zone("America/New_York")
	rule := "every " + start.In(ny).Weekday().String()
	for _, part := range []string{m.Text, m.HTML} {
		if !strings.Contains(part, "invites you to a series, "+rule+": 2 dates.") {
			t.Errorf("the invitation does not name the series:\n%s", part)
		}
		for _, o := range []events.Event{occ[0], occ[2]} {
			if d := timefmt.Range(o.Start, o.End, ny); !strings.Contains(part, d) {
				t.Errorf("the invitation lacks the date %q in Ada's zone", d)
			}
		}
		if !strings.Contains(part, "https://fg.example/rsvp/") || !strings.Contains(part, "/all") {
			t.Errorf("the invitation lacks the going-to-all link")
		}
		if d := timefmt.Range(occ[1].Start, occ[1].End, ny); strings.Contains(part, d) {
			t.Errorf("the invitation lists the cancelled date %q", d)
		}
	}
}
