package web

import (
	"testing"

	"github.com/focusgroups/focusgroups/events"
)

// Every standing gets its own words and buttons: a full session offers
// the waitlist, an approval session a request, a waitlisted person their
// place and a way off the list, someone who said no a way back, a host
// nothing to answer.
func TestRSVPChoiceForEveryState(t *testing.T) {
	open := events.Standing{SeatsLeft: 3}
	full := events.Standing{SeatsLeft: 0}
	with := func(st events.Standing, s events.RSVPStatus, pos int) events.Standing {
		st.Status, st.Position = s, pos
		return st
	}
	cases := []struct {
		name     string
		st       events.Standing
		capacity int
		approval bool
		hosting  bool
		want     rsvpChoice
	}{
		{"no answer, seats left", open, 10, false, false, rsvpChoice{Yes: "Going", No: "Not going"}},
		{"no answer, no limit", events.Standing{SeatsLeft: -1}, 0, false, false, rsvpChoice{Yes: "Going", No: "Not going"}},
		{"no answer, full", full, 10, false, false, rsvpChoice{Yes: "Join the waitlist", No: "Not going"}},
		{"no answer, approval", open, 10, true, false, rsvpChoice{Yes: "Request a seat", No: "Not going"}},
		{"going", with(full, events.RSVPGoing, 0), 10, false, false, rsvpChoice{Status: "You are going.", No: "Not going", Badge: "Going"}},
		{"waitlisted", with(full, events.RSVPWaitlisted, 3), 10, false, false, rsvpChoice{Status: "#3 on the waitlist",
			Hint: "You get a seat, and an email, when one frees up.", No: "Leave the waitlist", Badge: "#3 on the waitlist"}},
		{"pending", with(open, events.RSVPPending, 0), 10, true, false, rsvpChoice{Status: "Your request to attend awaits an organizer's approval.",
			No: "Withdraw the request", Badge: "Request waiting"}},
		{"said no, seats left", with(open, events.RSVPNotGoing, 0), 10, false, false, rsvpChoice{Status: "You said you are not going.", Yes: "Changed your mind? I'm going"}},
		{"said no, full", with(full, events.RSVPNotGoing, 0), 10, false, false, rsvpChoice{Status: "You said you are not going.", Yes: "Changed your mind? Join the waitlist"}},
		{"said no, approval", with(open, events.RSVPNotGoing, 0), 10, true, false, rsvpChoice{Status: "You said you are not going.", Yes: "Changed your mind? Request a seat"}},
		{"removed", with(open, events.RSVPRemoved, 0), 10, false, false, rsvpChoice{Status: "An organizer removed you from this session."}},
		{"hosting", with(open, events.RSVPGoing, 0), 10, false, true, rsvpChoice{Status: "You're hosting", Hosting: true, Badge: "You're hosting"}},
	}
	for _, tc := range cases {
		if got := rsvpChoiceOf(tc.st, tc.capacity, tc.approval, tc.hosting); got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// Someone with a seat in a full session is not told that new RSVPs join
// the waitlist.
func TestSeatsTextForTheViewer(t *testing.T) {
	for _, tc := range []struct {
		capacity, left int
		mine           bool
		want           string
	}{
		{0, -1, false, "No seat limit"},
		{2, 0, false, "Full (2 seats): new RSVPs join the waitlist"},
		{2, 0, true, "Full (2 seats)"},
		{5, 1, true, "1 of 5 seats left"},
		{5, 3, false, "3 of 5 seats left"},
	} {
		if got := seatsText(tc.capacity, tc.left, tc.mine); got != tc.want {
			t.Errorf("seatsText(%d, %d, %v) = %q, want %q", tc.capacity, tc.left, tc.mine, got, tc.want)
		}
	}
}
