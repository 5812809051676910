package events

import (
	"testing"
)

func TestChoiceHasOneWordingPerState(t *testing.T) {
	free := ChoiceFacts{Capacity: 10}
	full := ChoiceFacts{Capacity: 2}
	approval := ChoiceFacts{Capacity: 10, Approval: true}
	hosting := ChoiceFacts{Capacity: 2, Hosting: true}
	seats := func(status RSVPStatus, left, pos int) Standing {
		return Standing{Status: status, SeatsLeft: left, Position: pos}
	}
	cases := []struct {
		name string
		st   Standing
		s    ChoiceFacts
		want Choice
	}{
		{"not answered, seats free", seats("", 5, 0), free, Choice{Yes: "Going", YesPrimary: true, No: "Not going"}},
		{"not answered, no limit", seats("", -1, 0), ChoiceFacts{}, Choice{Yes: "Going", YesPrimary: true, No: "Not going"}},
		{"not answered, full", seats("", 0, 0), full, Choice{Yes: "Join the waitlist", No: "Not going"}},
		{"not answered, approval needed", seats("", 5, 0), approval, Choice{Yes: "Request a seat", No: "Not going"}},
		{"going", seats(RSVPGoing, 0, 0), full, Choice{Status: "You're going", No: "Not going"}},
		{"waitlisted third", seats(RSVPWaitlisted, 0, 3), full, Choice{Status: "#3 on the waitlist", No: "Leave the waitlist"}},
		{"waitlisted, place unknown", seats(RSVPWaitlisted, 0, 0), full, Choice{Status: "On the waitlist", No: "Leave the waitlist"}},
		{"awaiting approval", seats(RSVPPending, 5, 0), approval, Choice{Status: "Seat requested", No: "Withdraw your request"}},
		{"said no, seats free", seats(RSVPNotGoing, 5, 0), free, Choice{Status: "Not going", Lead: "Changed your mind?", Yes: "I'm going"}},
		{"said no, full", seats(RSVPNotGoing, 0, 0), full, Choice{Status: "Not going", Lead: "Changed your mind?", Yes: "Join the waitlist"}},
		{"said no, approval needed", seats(RSVPNotGoing, 5, 0), approval, Choice{Status: "Not going", Lead: "Changed your mind?", Yes: "Request a seat"}},
		{"removed", seats(RSVPRemoved, 5, 0), free, Choice{Status: "Removed by an organizer"}},
		{"organizer, not answered", seats("", 0, 0), hosting, Choice{Hosting: true, Status: "You're hosting"}},
		{"organizer with a seat", seats(RSVPGoing, 0, 0), hosting, Choice{Hosting: true, Status: "You're hosting", No: "Not going"}},
	}
	for _, tc := range cases {
		if got := ChoiceFor(tc.st, tc.s); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestChoiceFactsOfHostingCoversOrganizersAndHosts(t *testing.T) {
	ev := Event{Capacity: 3, ApprovalRequired: true, Hosts: []string{"h1"}}
	for _, tc := range []struct {
		uid       string
		organizer bool
		want      bool
	}{{"h1", false, true}, {"o1", true, true}, {"m1", false, false}, {"", false, false}} {
		got := ChoiceFactsOf(ev, tc.uid, tc.organizer)
		if got.Hosting != tc.want || got.Capacity != 3 || !got.Approval {
			t.Errorf("ChoiceFactsOf(%q, %v) = %+v, want hosting %v", tc.uid, tc.organizer, got, tc.want)
		}
	}
}
