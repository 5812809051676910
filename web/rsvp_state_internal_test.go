package web

import (
	"testing"

	"github.com/focusgroups/focusgroups/events"
)

func TestSeatsForOnlyInvitesThoseStillToAnswer(t *testing.T) {
	cases := []struct {
		status   events.RSVPStatus
		capacity int
		left     int
		want     string
	}{
		{"", 2, 0, "Full (2 seats): new RSVPs join the waitlist"},
		{events.RSVPNotGoing, 2, 0, "Full (2 seats): new RSVPs join the waitlist"},
		{events.RSVPGoing, 2, 0, "Full (2 seats)"},
		{events.RSVPWaitlisted, 2, 0, "Full (2 seats)"},
		{events.RSVPGoing, 4, 1, "1 of 4 seats left"},
		{events.RSVPGoing, 0, -1, "No seat limit"},
	}
	for _, tc := range cases {
		if got := seatsFor(tc.capacity, tc.left, tc.status); got != tc.want {
			t.Errorf("seatsFor(%d, %d, %q) = %q, want %q", tc.capacity, tc.left, tc.status, got, tc.want)
		}
	}
}
