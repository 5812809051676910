package web

import (
	"strconv"

	"github.com/focusgroups/focusgroups/events"
)

// rsvpChoice is where a viewer stands on a session and what they can
// answer, in the words every surface uses (the session page, the cards and
// the emailed-link pages), so a full session never offers a plain "Going"
// and a waitlisted person sees their place and how to leave it.
type rsvpChoice struct {
	Status  string // "You are going.", "#3 on the waitlist"…; "" before any answer
	Hint    string // what happens next, when there is something to say
	Yes     string // the label of the "going" button; "" when there is none
	No      string // the label of the "not going" button; "" when there is none
	Hosting bool   // the viewer hosts the session
	Badge   string // the short form cards show: "Going", "#3 on the waitlist"…
}

// rsvpChoiceOf is the choice of a viewer with standing st on a session of
// capacity seats (0: no limit) that needs approval or not, who hosts it or
// not.
func rsvpChoiceOf(st events.Standing, capacity int, approval, hosting bool) rsvpChoice {
	full := capacity > 0 && st.SeatsLeft == 0
	join := "Going"
	switch {
	case approval:
		join = "Request a seat"
	case full:
		join = "Join the waitlist"
	}
	if hosting {
		return rsvpChoice{Status: "You're hosting", Hosting: true, Badge: "You're hosting"}
	}
	switch st.Status {
	case events.RSVPGoing:
		c := rsvpChoice{Status: "You are going.", No: "Not going", Badge: "Going"}
		if st.CheckedIn {
			c.Status = "You are going, and you are checked in."
		}
		return c
	case events.RSVPWaitlisted:
		place := "#" + strconv.Itoa(st.Position) + " on the waitlist"
		if st.Position <= 0 {
			place = "On the waitlist"
		}
		return rsvpChoice{Status: place, Hint: "You get a seat, and an email, when one frees up.", No: "Leave the waitlist", Badge: place}
	case events.RSVPPending:
		return rsvpChoice{Status: "Your request to attend awaits an organizer's approval.", No: "Withdraw the request", Badge: "Request waiting"}
	case events.RSVPNotGoing:
		return rsvpChoice{Status: "You said you are not going.", Yes: "Changed your mind? " + changedMind(join)}
	case events.RSVPRemoved:
		return rsvpChoice{Status: "An organizer removed you from this session."}
	}
	return rsvpChoice{Yes: join, No: "Not going"}
}

// changedMind turns a join label into the words after "Changed your
// mind?".
func changedMind(join string) string {
	if join == "Going" {
		return "I'm going"
	}
	return join
}
