package web

import (
	"testing"

	"github.com/focusgroups/focusgroups/events"
)

func TestRSVPChoiceHasOneWordingPerState(t *testing.T) {
	free := rsvpSession{Capacity: 10}
	full := rsvpSession{Capacity: 2}
	approval := rsvpSession{Capacity: 10, Approval: true}
	hosting := rsvpSession{Capacity: 2, Hosting: true}
	seats := func(status events.RSVPStatus, left, pos int) events.Standing {
		return events.Standing{Status: status, SeatsLeft: left, Position: pos}
	}
	cases := []struct {
		name string
		st   events.Standing
		s    rsvpSession
		want rsvpChoice
	}{
		{"not answered, seats free", seats("", 5, 0), free, rsvpChoice{Yes: "Going", YesPrimary: true, No: "Not going"}},
		{"not answered, no limit", seats("", -1, 0), rsvpSession{}, rsvpChoice{Yes: "Going", YesPrimary: true, No: "Not going"}},
		{"not answered, full", seats("", 0, 0), full, rsvpChoice{Yes: "Join the waitlist", No: "Not going"}},
		{"not answered, approval needed", seats("", 5, 0), approval, rsvpChoice{Yes: "Request a seat", No: "Not going"}},
		{"going", seats(events.RSVPGoing, 0, 0), full, rsvpChoice{Status: "You're going", No: "Not going"}},
		{"waitlisted third", seats(events.RSVPWaitlisted, 0, 3), full, rsvpChoice{Status: "#3 on the waitlist", No: "Leave the waitlist"}},
		{"waitlisted, place unknown", seats(events.RSVPWaitlisted, 0, 0), full, rsvpChoice{Status: "On the waitlist", No: "Leave the waitlist"}},
		{"awaiting approval", seats(events.RSVPPending, 5, 0), approval, rsvpChoice{Status: "Seat requested", No: "Withdraw your request"}},
		{"said no, seats free", seats(events.RSVPNotGoing, 5, 0), free, rsvpChoice{Status: "Not going", Lead: "Changed your mind?", Yes: "I'm going"}},
		{"said no, full", seats(events.RSVPNotGoing, 0, 0), full, rsvpChoice{Status: "Not going", Lead: "Changed your mind?", Yes: "Join the waitlist"}},
		{"said no, approval needed", seats(events.RSVPNotGoing, 5, 0), approval, rsvpChoice{Status: "Not going", Lead: "Changed your mind?", Yes: "Request a seat"}},
		{"removed", seats(events.RSVPRemoved, 5, 0), free, rsvpChoice{Status: "Removed by an organizer"}},
		{"organizer, not answered", seats("", 0, 0), hosting, rsvpChoice{Hosting: true, Status: "You're hosting"}},
		{"organizer with a seat", seats(events.RSVPGoing, 0, 0), hosting, rsvpChoice{Hosting: true, Status: "You're hosting", No: "Not going"}},
	}
	for _, tc := range cases {
		if got := rsvpChoiceFor(tc.st, tc.s); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

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

func TestSessionOfHostingCoversOrganizersAndHosts(t *testing.T) {
	ev := events.Event{Capacity: 3, ApprovalRequired: true, Hosts: []string{"h1"}}
	for _, tc := range []struct {
		uid       string
		organizer bool
		want      bool
	}{{"h1", false, true}, {"o1", true, true}, {"m1", false, false}, {"", false, false}} {
		got := rsvpSessionOf(ev, tc.uid, tc.organizer)
		if got.Hosting != tc.want || got.Capacity != 3 || !got.Approval {
			t.Errorf("rsvpSessionOf(%q, %v) = %+v, want hosting %v", tc.uid, tc.organizer, got, tc.want)
		}
	}
}
