package notify

import (
	"context"
	"fmt"

	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/mentors"
)

// MentorNotice mails one mentoring notice. It is the mentors store's
// Notify hook: an error leaves the notice recorded, to be relayed again.
func (n *Notifier) MentorNotice(ctx context.Context, note mentors.Notice) error {
	users, err := n.Users.GetMany(ctx, []string{note.To, note.Other})
	if err != nil {
		return fmt.Errorf("notify: mentor notice %s: %w", note.Key, err)
	}
	to, ok := users[note.To]
	if !ok {
		return nil
	}
	addr, ok := reachable(to)
	if !ok {
		return nil
	}
	other, otherEmail := "Your match", ""
	if o, ok := users[note.Other]; ok {
		other, otherEmail = o.Name, o.PrimaryEmail()
	}
	requestURL := n.BaseURL + "/mentors/requests/" + note.RequestID
	m := mail.Message{To: addr, ToName: to.Name, IdempotencyKey: note.Key,
		UnsubscribeURL: n.unsubscribeURL(to.ID, mail.ScopeAll)}
	generic := func(subject, body, url string) {
		m.Kind = mail.KindGeneric
		m.Data = map[string]any{"Subject": subject, "Body": body, "URL": url, "ActionLabel": "Open focusgroups"}
	}
	switch note.Kind {
	case mentors.NoticeRequestReceived:
		m.Kind = mail.KindMentorRequest
		m.Data = map[string]any{"MenteeName": other, "Message": note.Text, "RequestURL": requestURL}
	case mentors.NoticeRequestAccepted:
		m.Kind = mail.KindMentorOutcome
		m.Data = map[string]any{"MentorName": other, "Outcome": "accepted", "URL": n.BaseURL + "/mentors", "Contact": otherEmail}
	case mentors.NoticeRequestDeclined:
		m.Kind = mail.KindMentorOutcome
		m.Data = map[string]any{"MentorName": other, "Outcome": "declined", "URL": n.BaseURL + "/mentors/suggestions"}
	case mentors.NoticeQuestionAsked:
		generic(other+" has a question about your mentoring request", other+" asked: "+note.Text, requestURL)
	case mentors.NoticeQuestionAnswered:
		generic(other+" answered your question", other+" wrote: "+note.Text, requestURL)
	case mentors.NoticeMentorshipEnded:
		body := other + " ended your mentorship."
		if note.Text != "" {
			body += " Their note: " + note.Text
		}
		generic("Your mentorship with "+other+" has ended", body, n.BaseURL+"/mentors")
	case mentors.NoticeMentorPaused:
		generic("We paused your mentor profile",
			"A mentoring request waited too long for an answer, so we paused your profile and stopped suggesting you. "+
				"Switch it back on from your mentor profile whenever you have time again.", n.BaseURL+"/mentors/profile/mentor")
	case mentors.NoticeRequestExpired:
		generic("Your mentoring request expired",
			other+" did not answer in time. Other mentors would be glad to help: have a look at your suggestions.", n.BaseURL+"/mentors/suggestions")
	case mentors.NoticeRoundMatch:
		m.Kind = mail.KindMentorIntro
		mentor, mentee := to.Name, other
		if note.MentorID != note.To {
			mentor, mentee = other, to.Name
		}
		m.Data = map[string]any{"MentorName": mentor, "MenteeName": mentee, "Topics": note.Reasons.String(), "URL": n.BaseURL + "/mentors",
			"Contact": otherEmail, "ContactName": other}
	case mentors.NoticeMeeting:
		n.meetingMail(&m, note, to, users[note.Other])
	case mentors.NoticeCheckIn:
		n.checkInMail(&m, note, note.MentorID == note.To, other)
	default:
		return nil
	}
	if err := n.enqueueDurably(ctx, m); err != nil {
		return fmt.Errorf("notify: mentor notice %s: %w", note.Key, err)
	}
	return nil
}
