package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
)

// An invitation's yes button reads as on the session page: "Request a
// seat" where an organizer approves each person, "Going" otherwise.
func TestInvitationSaysRequestASeatWhereApprovalIsNeeded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.member("berta", "Europe/Berlin")
	open := f.session("", 72*time.Hour)
	if _, err := f.n.Announce(f.ctx, open, f.group, ""); err != nil {
		t.Fatal(err)
	}
	inv := f.mailsTo("berta@example.com", 1)[0]
	if !strings.Contains(inv.Text, "Going: ") || strings.Contains(inv.Text, "Request a seat") {
		t.Fatalf("the invitation to an open session:\n%s", inv.Text)
	}

	start := time.Now().UTC().Add(96 * time.Hour).Truncate(time.Minute)
	asked, err := f.events.Create(f.ctx, events.Actor{UserID: f.owner.ID, Organizer: true}, f.group.ID, events.Input{
		Title: "Profiling Go, by approval", Format: "workshop", TimeZone: "UTC", OnlineURL: "https://meet.example/room",
		Start: start.Format("2006-01-02T15:04"), End: start.Add(90 * time.Minute).Format("2006-01-02T15:04"), ApprovalRequired: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.n.Announce(f.ctx, asked, f.group, ""); err != nil {
		t.Fatal(err)
	}
	inv = f.mailsTo("berta@example.com", 2)[0]
	if !strings.Contains(inv.Text, "Request a seat: ") || !strings.Contains(inv.HTML, ">Request a seat<") || strings.Contains(inv.Text, "Going: ") {
		t.Fatalf("the invitation to a session needing approval:\n%s\n%s", inv.Text, inv.HTML)
	}
}
