package web

import "github.com/focusgroups/focusgroups/events"

// seatsFor describes the seats left to someone whose status is status:
// only those still to answer read that new RSVPs join the waitlist.
func seatsFor(capacity, left int, status events.RSVPStatus) string {
	if capacity > 0 && left == 0 && events.Active(status) {
		return "Full (" + plural(capacity, "seat") + ")"
	}
	return seatsText(capacity, left)
}
