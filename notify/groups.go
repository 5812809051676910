package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mail"
)

// JoinRequest tells the organizers of g that applicantID asked to join.
func (n *Notifier) JoinRequest(ctx context.Context, g *groups.Group, applicantID, answer string) {
	orgs, err := n.Groups.Organizers(ctx, g.ID)
	if err != nil {
		n.logger().Error("notify: join request", "group", g.ID, "err", err)
		return
	}
	ids := []string{applicantID}
	for _, o := range orgs {
		ids = append(ids, o.UserID)
	}
	users, err := n.Users.GetMany(ctx, ids)
	if err != nil {
		n.logger().Error("notify: join request", "group", g.ID, "err", err)
		return
	}
	applicant, ok := users[applicantID]
	if !ok {
		return
	}
	stamp := n.now().Format("20060102T150405")
	for _, o := range orgs {
		u, ok := users[o.UserID]
		if !ok {
			continue
		}
		addr, ok := reachable(u)
		if !ok {
			continue
		}
		n.enqueue(ctx, mail.Message{Kind: mail.KindJoinRequest, To: addr, ToName: u.Name,
			Data: map[string]any{"GroupName": g.Name, "RequesterName": applicant.Name, "Message": answer,
				"Question": g.Question, "ReviewURL": n.BaseURL + "/g/" + g.Slug + "/requests"},
			UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
			IdempotencyKey: "join-request:" + g.ID + ":" + applicantID + ":" + u.ID + ":" + stamp})
	}
}

// JoinOutcome tells userID whether the organizers of g let them in.
func (n *Notifier) JoinOutcome(ctx context.Context, g *groups.Group, userID string, approved bool) {
	u, err := n.Users.Get(ctx, userID)
	if err != nil {
		n.logger().Error("notify: join outcome", "group", g.ID, "err", err)
		return
	}
	addr, ok := reachable(u)
	if !ok {
		return
	}
	outcome := "declined"
	if approved {
		outcome = "approved"
	}
	n.enqueue(ctx, mail.Message{Kind: mail.KindJoinOutcome, To: addr, ToName: u.Name,
		Data:           map[string]any{"GroupName": g.Name, "Outcome": outcome, "Approved": approved, "GroupURL": n.BaseURL + "/g/" + g.Slug},
		UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
		IdempotencyKey: "join-outcome:" + g.ID + ":" + userID + ":" + outcome})
}

// GroupInvite tells userID that inviterID invited them to join g.
func (n *Notifier) GroupInvite(ctx context.Context, g *groups.Group, userID, inviterID string) {
	users, err := n.Users.GetMany(ctx, []string{userID, inviterID})
	if err != nil {
		n.logger().Error("notify: group invite", "group", g.ID, "err", err)
		return
	}
	u, ok := users[userID]
	if !ok {
		return
	}
	addr, ok := reachable(u)
	if !ok {
		return
	}
	inviter := "An organizer"
	if i, ok := users[inviterID]; ok {
		inviter = i.Name
	}
	n.enqueue(ctx, mail.Message{Kind: mail.KindGeneric, To: addr, ToName: u.Name,
		Data: map[string]any{"Subject": inviter + " invited you to join " + g.Name,
			"Body": inviter + " invited you to " + g.Name + " on focusgroups. Accept or decline on the group's page.",
			"URL":  n.BaseURL + "/g/" + g.Slug, "ActionLabel": "See the invitation"},
		UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
		IdempotencyKey: "group-invite:" + g.ID + ":" + userID})
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
// sign-ups until deadline.
func (n *Notifier) RoundOpened(ctx context.Context, g *groups.Group, roundID, by string, deadline time.Time) (int, error) {
	queued := 0
	err := n.eachInvitee(ctx, g, map[string]bool{by: true}, func(invited []*auth.User) error {
		batch := make([]mail.Message, len(invited))
		for i, u := range invited {
			addr, _ := reachable(u)
			batch[i] = mail.Message{Kind: mail.KindGeneric, To: addr, ToName: u.Name,
				Data: map[string]any{"Subject": g.Name + " is matching mentors and mentees",
					"Body": g.Name + " opened a mentoring round. Sign up as a mentor or as a mentee before " + timefmt.Local(deadline, u.Location()) + "; the organizers then match everyone and introduce each pair.",
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
