package mentors

import (
	"strings"

	ics "github.com/arran4/golang-ical"
)

// MeetingInvite is what a meeting's calendar object says besides the
// meeting itself.
type MeetingInvite struct {
	Summary   string   // "Mentoring: Ana and Mia"
	URL       string   // the mentorship page
	Organizer string   // mailto: URI calendar clients reply to
	Attendees []string // the two people's addresses
}

// MeetingICS renders a meeting's calendar notice as one VCALENDAR with
// the notice's method (REQUEST or CANCEL): UID <meeting>@focusgroups,
// stable across changes, and the notice's SEQUENCE. Times are UTC.
func MeetingICS(n Notice, inv MeetingInvite) []byte {
	start, end := n.MeetingTimes()
	cal := ics.NewCalendarFor("focusgroups")
	cal.SetMethod(ics.Method(n.Method))
	cal.SetCalscale("GREGORIAN")
	ve := cal.AddEvent(n.MeetingID + "@focusgroups")
	ve.SetDtStampTime(n.At)
	ve.SetSequence(n.Sequence)
	ve.SetStartAt(start)
	ve.SetEndAt(end)
	ve.SetSummary(strings.TrimSpace(inv.Summary))
	if n.Method == "CANCEL" {
		ve.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ve.SetStatus(ics.ObjectStatusConfirmed)
	}
	if inv.URL != "" {
		ve.SetURL(inv.URL)
		ve.SetDescription("Your mentorship: " + inv.URL)
	}
	if inv.Organizer != "" {
		ve.SetOrganizer(inv.Organizer)
	}
	for _, a := range inv.Attendees {
		if a != "" {
			ve.AddAttendee("mailto:"+a, ics.ParticipationStatusNeedsAction, ics.WithRSVP(false))
		}
	}
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}
