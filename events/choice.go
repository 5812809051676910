package events

import (
	"slices"
	"strconv"
)

// Choice is what one person reads and may press about one session: one
// wording per RSVP state, built by ChoiceFor only, so that cards, the
// session page, the RSVP-link pages and mail all say the same.
type Choice struct {
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

// ChoiceFacts is what ChoiceFor needs to know of a session besides
// the viewer's standing.
type ChoiceFacts struct {
	Capacity int
	Approval bool // an organizer approves each person
	Hosting  bool // the viewer organizes the group or hosts the session
}

// ChoiceFactsOf describes ev for viewer userID; organizer says whether
// they organize its group.
func ChoiceFactsOf(ev Event, userID string, organizer bool) ChoiceFacts {
	return ChoiceFacts{
		Capacity: ev.Capacity, Approval: ev.ApprovalRequired,
		Hosting: organizer || (userID != "" && slices.Contains(ev.Hosts, userID)),
	}
}

// ChoiceFor maps the viewer's standing in a session to its wording
// and buttons.
func ChoiceFor(st Standing, s ChoiceFacts) Choice {
	if s.Hosting {
		c := Choice{Hosting: true, Status: "You're hosting"}
		if Active(st.Status) {
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
	case RSVPGoing:
		return Choice{Status: "You're going", No: "Not going"}
	case RSVPWaitlisted:
		status := "On the waitlist"
		if st.Position > 0 {
			status = "#" + strconv.Itoa(st.Position) + " on the waitlist"
		}
		return Choice{Status: status, No: "Leave the waitlist"}
	case RSVPPending:
		return Choice{Status: "Seat requested", No: "Withdraw your request"}
	case RSVPNotGoing:
		yes, _ := ask()
		if yes == "Going" {
			yes = "I'm going"
		}
		return Choice{Status: "Not going", Lead: "Changed your mind?", Yes: yes}
	case RSVPRemoved:
		return Choice{Status: "Removed by an organizer"}
	}
	yes, primary := ask()
	return Choice{Yes: yes, YesPrimary: primary, No: "Not going"}
}

// Active reports whether status holds or waits for a seat.
func Active(status RSVPStatus) bool {
	return status == RSVPGoing || status == RSVPWaitlisted || status == RSVPPending
}
