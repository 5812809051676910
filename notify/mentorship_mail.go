package notify

import (
	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/mentors"
)

// meetingMail fills m with a mentorship meeting's calendar mail for to:
// the time in both people's zones, and the invitation, update or
// cancellation as an iCalendar part.
func (n *Notifier) meetingMail(m *mail.Message, note mentors.Notice, to, other *auth.User) {
	start, _ := note.MeetingTimes()
	otherName, otherZone, otherAddr := "your mentoring partner", "", ""
	if other != nil {
		otherName, otherZone, otherAddr = other.Name, other.TimeZone, other.PrimaryEmail()
	}
	when := mentors.BothZones(start, readerZone(to, "UTC"), timefmt.Zone(otherZone))
	shipURL := n.BaseURL + "/mentors/mentorships/" + note.MentorshipID
	subject, body := "Meeting with "+otherName+": "+when, "You meet "+otherName+" on "+when+". The invitation is attached for your calendar."
	switch {
	case note.Method == "CANCEL":
		subject, body = "Cancelled: meeting with "+otherName, "Your meeting with "+otherName+" on "+when+" is cancelled."
	case note.Sequence > 0:
		subject, body = "Moved: meeting with "+otherName+" to "+when, "Your meeting with "+otherName+" is now on "+when+". The updated invitation is attached."
	}
	m.Kind = mail.KindGeneric
	m.Data = map[string]any{"Subject": subject, "Body": body, "URL": shipURL, "ActionLabel": "Open the mentorship"}
	m.ICS = &mail.Calendar{Method: note.Method, Data: mentors.MeetingICS(note, mentors.MeetingInvite{
		Summary: "Mentoring: " + to.Name + " and " + otherName, URL: shipURL,
		Organizer: "mailto:" + n.organizerAddress(), Attendees: []string{to.PrimaryEmail(), otherAddr}})}
}

// checkInMail fills m with a mentorship's "How is it going?" mail: one
// link per answer, each opening a page that asks to confirm.
func (n *Notifier) checkInMail(m *mail.Message, note mentors.Notice, toMentor bool, otherName string) {
	link := n.BaseURL + "/checkin/" + note.Text
	body := "How is your mentorship with " + otherName + " going? Answer with one click:\n\n" +
		"Great: " + link + "?answer=great\n" +
		"OK: " + link + "?answer=ok\n" +
		"Stuck: " + link + "?answer=stuck\n\n"
	if toMentor {
		body += "Your mentee gets the same question; you see both answers on the mentorship page."
	} else {
		body += "Your mentor sees your answer on the mentorship page."
	}
	m.Kind = mail.KindGeneric
	m.Data = map[string]any{"Subject": "How is it going with " + otherName + "?", "Body": body, "URL": link, "ActionLabel": "Answer"}
}
