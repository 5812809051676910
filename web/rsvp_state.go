package web

import (
	"slices"
	"strconv"

	"github.com/focusgroups/focusgroups/events"
)

// rsvpChoice is what one viewer reads and may press about one session,
// the same on cards, the session page, the RSVP-link pages and in mail:
// one wording per state, built by rsvpChoiceFor only.
type rsvpChoice struct {
	// Hosting is set for those who organize the group or host the session.
	Hosting bool
	// Status is where the viewer stands in a few words ("#3 on the
	// waitlist", "You're hosting"); empty before they answer.
	Status string
	// Lead comes before the yes button ("Changed your mind?").
	Lead string
	// Yes labels the button that asks for a seat ("Going", "Join the
	// waitlist", "Request a seat", "I'm going"); empty when there is none.
	Yes string
	// YesPrimary is set when Yes is the main action of the card: a free
	// seat taken at once.
	YesPrimary bool
	// No labels the button that gives up the answer or says no ("Not
	// going", "Leave the waitlist"); empty when there is none.
	No string
}

// rsvpSession is what rsvpChoiceFor needs to know of a session besides
// the viewer's standing.
type rsvpSession struct {
	Capacity int
	Approval bool // an organizer approves each person
	Hosting  bool // the viewer organizes the group or hosts the session
}

// rsvpSessionOf describes ev for viewer userID; organizer says whether
// they organize its group.
func rsvpSessionOf(ev events.Event, userID string, organizer bool) rsvpSession {
	return rsvpSession{
		Capacity: ev.Capacity, Approval: ev.ApprovalRequired,
		Hosting: organizer || (userID != "" && slices.Contains(ev.Hosts, userID)),
	}
}

// rsvpChoiceFor maps the viewer's standing in a session to its wording
// and buttons.
func rsvpChoiceFor(st events.Standing, s rsvpSession) rsvpChoice {
	if s.Hosting {
		c := rsvpChoice{Hosting: true, Status: "You're hosting"}
		if rsvpActive(st.Status) {
			c.No = "Not going"
		}
		return c
	}
	ask := func() (string, bool) {
		switch {
		case s.Approval:
			return "Request a seat", false
		case s.Capacity > 0 && st.SeatsLeft == 0:
			return "Join the waitlist", false
		}
		return "Going", true
	}
	switch st.Status {
	case events.RSVPGoing:
		return rsvpChoice{Status: "You're going", No: "Not going"}
	case events.RSVPWaitlisted:
		status := "On the waitlist"
		if st.Position > 0 {
			status = "#" + strconv.Itoa(st.Position) + " on the waitlist"
		}
		return rsvpChoice{Status: status, No: "Leave the waitlist"}
	case events.RSVPPending:
		return rsvpChoice{Status: "Seat requested", No: "Withdraw your request"}
	case events.RSVPNotGoing:
		yes, _ := ask()
		if yes == "Going" {
			yes = "I'm going"
		}
		return rsvpChoice{Status: "Not going", Lead: "Changed your mind?", Yes: yes}
	case events.RSVPRemoved:
		return rsvpChoice{Status: "Removed by an organizer"}
	}
	yes, primary := ask()
	return rsvpChoice{Yes: yes, YesPrimary: primary, No: "Not going"}
}

// rsvpActive reports whether status holds or waits for a seat.
func rsvpActive(status events.RSVPStatus) bool {
	return status == events.RSVPGoing || status == events.RSVPWaitlisted || status == events.RSVPPending
}

// seatsFor describes the seats left to someone whose status is status:
// only those still to answer read that new RSVPs join the waitlist.
func seatsFor(capacity, left int, status events.RSVPStatus) string {
	if capacity > 0 && left == 0 && rsvpActive(status) {
		return "Full (" + plural(capacity, "seat") + ")"
	}
	return seatsText(capacity, left)
}
