package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mail"
)

// GroupNotice mails what a group notice says: a join request to the
// organizers, its outcome to the applicant, an invitation to the invitee.
// It is the groups store's Notify hook: an error leaves the notice
// recorded, to be relayed again.
func (n *Notifier) GroupNotice(ctx context.Context, note groups.Notice) error {
	g, err := n.Groups.Get(ctx, note.GroupID)
	if errors.Is(err, groups.ErrNotFound) {
		return nil // the group is gone: nothing left to tell
	}
	if err == nil {
		switch note.Kind {
		case groups.NoticeJoinRequest:
			err = n.joinRequest(ctx, g, note)
		case groups.NoticeApproved, groups.NoticeDeclined:
			err = n.joinOutcome(ctx, g, note)
		case groups.NoticeInvited:
			err = n.groupInvite(ctx, g, note)
		}
	}
	if err != nil {
		return fmt.Errorf("notify: group notice %s %s: %w", note.Kind, note.ID, err)
	}
	return nil
}

// joinRequest tells the organizers of g that note.UserID asked to join.
func (n *Notifier) joinRequest(ctx context.Context, g *groups.Group, note groups.Notice) error {
	orgs, err := n.Groups.Organizers(ctx, g.ID)
	if err != nil {
		return err
	}
	ids := []string{note.UserID}
	for _, o := range orgs {
		ids = append(ids, o.UserID)
	}
	users, err := n.Users.GetMany(ctx, ids)
	if err != nil {
		return err
	}
	applicant, ok := users[note.UserID]
	if !ok {
		return nil
	}
	for _, o := range orgs {
		u, ok := users[o.UserID]
		if !ok {
			continue
		}
		addr, ok := reachable(u)
		if !ok {
			continue
		}
		err := n.enqueueDurably(ctx, mail.Message{Kind: mail.KindJoinRequest, To: addr, ToName: u.Name,
			Data: map[string]any{"GroupName": g.Name, "RequesterName": applicant.Name, "Message": note.Text,
				"Question": g.Question, "ReviewURL": n.BaseURL + "/g/" + g.Slug + "/requests"},
			UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
			IdempotencyKey: "join-request:" + g.ID + ":" + note.UserID + ":" + u.ID + ":" + note.ID})
		if err != nil {
			return err
		}
	}
	return nil
}

// joinOutcome tells the applicant whether the organizers let them in.
func (n *Notifier) joinOutcome(ctx context.Context, g *groups.Group, note groups.Notice) error {
	users, err := n.Users.GetMany(ctx, []string{note.UserID})
	if err != nil {
		return err
	}
	u, ok := users[note.UserID]
	if !ok {
		return nil
	}
	addr, ok := reachable(u)
	if !ok {
		return nil
	}
	approved := note.Kind == groups.NoticeApproved
	return n.enqueueDurably(ctx, mail.Message{Kind: mail.KindJoinOutcome, To: addr, ToName: u.Name,
		Data:           map[string]any{"GroupName": g.Name, "Outcome": string(note.Kind), "Approved": approved, "GroupURL": n.BaseURL + "/g/" + g.Slug},
		UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
		IdempotencyKey: "join-outcome:" + g.ID + ":" + note.UserID + ":" + note.ID})
}

// groupInvite tells the invitee that an organizer invited them to join g.
func (n *Notifier) groupInvite(ctx context.Context, g *groups.Group, note groups.Notice) error {
	users, err := n.Users.GetMany(ctx, []string{note.UserID, note.ActorID})
	if err != nil {
		return err
	}
	u, ok := users[note.UserID]
	if !ok {
		return nil
	}
	addr, ok := reachable(u)
	if !ok {
		return nil
	}
	inviter := "An organizer"
	if i, ok := users[note.ActorID]; ok {
		inviter = i.Name
	}
	return n.enqueueDurably(ctx, mail.Message{Kind: mail.KindGeneric, To: addr, ToName: u.Name,
		Data: map[string]any{"Subject": inviter + " invited you to join " + g.Name,
			"Body": inviter + " invited you to " + g.Name + " on focusgroups. Accept or decline on the group's page.",
			"URL":  n.BaseURL + "/g/" + g.Slug, "ActionLabel": "See the invitation"},
		UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
		// Inviting again refreshes the invitation without mailing again.
		IdempotencyKey: "group-invite:" + g.ID + ":" + note.UserID})
}

// VerifyEmail sends the link that proves u reads mail at addr. It is an
// account mail, so it goes out whatever u's mail preferences say.
func (n *Notifier) VerifyEmail(ctx context.Context, u *auth.User, addr, link string) {
	n.enqueue(ctx, mail.Message{Kind: mail.KindGeneric, To: addr, ToName: u.Name,
		Data: map[string]any{"Subject": "Confirm your address for focusgroups",
			"Body": u.Name + " asked to add " + addr + " to their focusgroups account. If that was you, confirm it within a day. If not, ignore this mail: nothing changes.",
			"URL":  link, "ActionLabel": "Confirm this address"},
		UnsubscribeURL: n.unsubscribeURL(u.ID, mail.ScopeAll),
		IdempotencyKey: "verify-email:" + u.ID + ":" + addr + ":" + n.now().Format(time.RFC3339Nano)})
}

// RoundOpened tells the members of g (but the organizer who opened it, and
// those who take no announcements from g) that a mentoring round takes
// sign-ups until deadline, shown in each member's zone or, for members
// with none, in zone, the one the organizer typed the deadline in.
func (n *Notifier) RoundOpened(ctx context.Context, g *groups.Group, roundID, by string, deadline time.Time, zone string) (int, error) {
	queued := 0
	err := n.eachInvitee(ctx, g, map[string]bool{by: true}, func(invited []*auth.User) error {
		batch := make([]mail.Message, len(invited))
		for i, u := range invited {
			addr, _ := reachable(u)
			batch[i] = mail.Message{Kind: mail.KindGeneric, To: addr, ToName: u.Name,
				Data: map[string]any{"Subject": g.Name + " is matching mentors and mentees",
					"Body": g.Name + " opened a mentoring round. Sign up as a mentor or as a mentee before " + timefmt.Local(deadline, readerZone(u, zone)) + "; the organizers then match everyone and introduce each pair.",
					"URL":  n.BaseURL + "/g/" + g.Slug + "/rounds/" + roundID, "ActionLabel": "Sign up"},
				UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
				IdempotencyKey: "round-open:" + roundID + ":" + u.ID}
		}
		if _, err := n.Mail.Outbox.EnqueueAll(ctx, batch); err != nil {
			return err
		}
		queued += len(batch)
		return nil
	})
	if err != nil {
		return queued, fmt.Errorf("notify: round opened: %w", err)
	}
	return queued, nil
}

// RoundUnmatched tells the people a published round left without a pair
// why, and what they can do next: mentees can ask a mentor directly,
// mentors stay findable; both hear of the next round. unmatched maps user
// IDs to the round's reason in words.
func (n *Notifier) RoundUnmatched(ctx context.Context, g *groups.Group, roundID string, mentees, mentors map[string]string) error {
	ids := make([]string, 0, len(mentees)+len(mentors))
	for id := range mentees {
		ids = append(ids, id)
	}
	for id := range mentors {
		ids = append(ids, id)
	}
	users, err := n.Users.GetMany(ctx, ids)
	if err != nil {
		return fmt.Errorf("notify: round unmatched: %w", err)
	}
	var batch []mail.Message
	for _, id := range ids {
		u, ok := users[id]
		if !ok {
			continue
		}
		addr, ok := reachable(u)
		if !ok {
			continue
		}
		data := map[string]any{"Subject": "No mentoring pair for you this time in " + g.Name}
		if why, mentee := mentees[id]; mentee {
			data["Body"] = "The mentoring round of " + g.Name + " has published its pairs, and it could not pair you: " + why +
				". You do not have to wait for the next round: browse the mentor directory, where the best fit for you comes first, and ask one directly. " +
				"Updating your mentee profile (skills you want to learn, languages, availability) widens the choice. " +
				"You will also hear when " + g.Name + " opens its next round."
			data["URL"], data["ActionLabel"] = n.BaseURL+"/mentors/directory", "Browse the mentor directory"
		} else {
			data["Body"] = "The mentoring round of " + g.Name + " has published its pairs, and none of its mentees was paired with you: " + mentors[id] +
				". Thank you for offering your time. Mentees can still find you and ask you directly while your profile says you are available, " +
				"and you will hear when " + g.Name + " opens its next round."
			data["URL"], data["ActionLabel"] = n.BaseURL+"/mentors/profile/mentor", "Check your mentor profile"
		}
		batch = append(batch, mail.Message{Kind: mail.KindGeneric, To: addr, ToName: u.Name, Data: data,
			UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)), IdempotencyKey: "round-unmatched:" + roundID + ":" + u.ID})
	}
	if len(batch) == 0 {
		return nil
	}
	if _, err := n.Mail.Outbox.EnqueueAll(ctx, batch); err != nil {
		return fmt.Errorf("notify: round unmatched: %w", err)
	}
	return nil
}
