package web

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// sessionRSVP records going (going=yes) or not going (going=no). Only
// members may say they are going; in an open public group, saying so also
// joins the group.
func (h *handler) sessionRSVP(c *fiber.Ctx) error {
	v, err := h.loadEvent(c)
	if err != nil {
		return err
	}
	var going bool
	switch c.FormValue("going") {
	case "yes":
		going = true
	case "no":
	default:
		return httpError(fiber.StatusBadRequest, "Choose going or not going", "The form did not say whether you are going. Go back and press one of the buttons.")
	}
	back := sessionPath(v.Event.ID)
	if c.FormValue("back") == "dashboard" {
		back = "/dashboard" // answered in place on the dashboard
	}
	answer, err := h.answerRSVP(c, v, currentUser(c), going)
	if err != nil {
		return err
	}
	if answer.Refusal != "" {
		return h.redirectWith(c, back, "error", answer.Refusal)
	}
	return h.redirectWith(c, back, "ok", answer.Message())
}

// rsvpAnswer is what saying going or not going did.
type rsvpAnswer struct {
	Result events.RSVPResult
	// Joined is set when answering joined an open public group.
	Joined bool
	Group  *groups.Group
	// Refusal explains why nothing was recorded; empty on success.
	Refusal string
	// Cause is the error behind Refusal (a window, membership or removal
	// error of the events or groups package), for the API's status code.
	Cause error
}

// Message tells the person what happened, in words.
func (a rsvpAnswer) Message() string {
	msg := rsvpOutcome(a.Result)
	if a.Joined {
		msg = "You joined " + a.Group.Name + ". " + msg
	}
	return msg
}

// answerRSVP records u's answer for the session in v, from the session page
// or from an emailed link. Only members may say they are going; in an open
// public group, saying so also joins the group. Reminders follow the answer.
// The follow-ups (the member's lists and the index's count after a join,
// the person's own index of sessions, the reminders) go with the
// session's write when the request ends, in one round trip.
func (h *handler) answerRSVP(c *fiber.Ctx, v eventView, u *auth.User, going bool) (rsvpAnswer, error) {
	ctx := c.UserContext()
	a := rsvpAnswer{Group: v.Group}
	if going {
		// Say no before joining the group for a session that takes no RSVPs;
		// the events package checks again atomically.
		a.Cause = windowError(v.Event, h.Events.Now())
		if a.Refusal = rsvpRefusal(a.Cause); a.Refusal != "" {
			return a, nil
		}
	}
	var res events.RSVPResult
	var indexed events.FollowUp
	var err error
	if going && !v.Member() {
		if !v.Standing.Invited && !openPublic(v.Group) { // invited to the session, so to the group too
			a.Refusal = "Only members of " + v.Group.Name + " can RSVP. Join the group first."
			a.Cause = groups.ErrForbidden
			return a, nil
		}
		if res, indexed, err = h.joinAndGo(c, v, u, &a); a.Refusal != "" {
			return a, err
		}
	} else {
		res, indexed, err = h.Events.RSVPQueued(ctx, v.Event.ID, u.ID, going)
	}
	if a.Refusal = rsvpRefusal(err); a.Refusal != "" {
		a.Cause = err
		return a, nil
	}
	if err != nil {
		return a, err
	}
	a.Result = res
	queueLastWrite(c, indexed)
	queueLastWrite(c, h.Notify.RSVPAnswered(ctx, v.Event, v.Group, u, res))
	return a, nil
}

// joinAndGo joins u to the group of the session in v (accepting their
// invitation when they have one) and records their "going", for
// answerRSVP; a refusal to join goes in a. When what was read with the
// request says the join will succeed, both are sent in one round trip,
// and should the join fail all the same (a ban or a change of the group's
// rules in between), the answer is taken back. Otherwise the join goes
// alone, first, and its refusal is the answer.
func (h *handler) joinAndGo(c *fiber.Ctx, v eventView, u *auth.User, a *rsvpAnswer) (events.RSVPResult, events.FollowUp, error) {
	ctx := c.UserContext()
	emails := u.VerifiedEmails()
	d := groups.JoinDecision(v.Group, v.Standing, emails).Action
	together := d == groups.ActionJoin || d == groups.ActionAcceptInvite
	p := h.Redis.Pipeline()
	getJoined := h.Groups.QueueJoin(ctx, p, v.Standing.Invited, v.Group.ID, u.ID, emails)
	var getGoing func(want bool) (events.RSVPResult, events.FollowUp, error)
	if together {
		getGoing = h.Events.QueueGoing(ctx, p, v.Event.ID, u.ID)
	}
	_, _ = p.Exec(ctx) // each reports its own error
	joined, err := getJoined()
	if err != nil && !errors.Is(err, groups.ErrAlreadyMember) {
		if together {
			if res, _, gerr := getGoing(false); gerr == nil {
				h.takeBack(ctx, v.Event.ID, u.ID, res)
			}
		}
		if a.Refusal = joinRefusal(err, v.Group); a.Refusal != "" {
			a.Cause = err
			return events.RSVPResult{}, nil, nil
		}
		return events.RSVPResult{}, nil, err
	}
	if a.Joined = err == nil; a.Joined {
		queueLastWrite(c, joined)
	}
	if together {
		return getGoing(true)
	}
	return h.Events.RSVPQueued(ctx, v.Event.ID, u.ID, true)
}

// takeBack undoes the "going" res of a person whose join failed (see
// joinAndGo). It runs to the end even when the request's own time is up
// (the join may have failed for that very reason), and a failure is
// logged: it leaves an answer from someone who is not a member, but the
// person is told why they could not join all the same.
func (h *handler) takeBack(ctx context.Context, eventID, userID string, res events.RSVPResult) {
	ctx = context.WithoutCancel(ctx)
	took, err := h.Events.Retract(ctx, eventID, userID, res)
	if err != nil {
		h.Logger.ErrorContext(ctx, "rsvp: an answer whose join failed was not taken back", "session", eventID, "err", err)
		return
	}
	if took {
		// It held a place for a moment: drop any reminder a notice
		// scheduled meanwhile (see notify.RSVPAnswered).
		h.Notify.CancelReminders(ctx, eventID, userID)
	}
}

// windowError is the error an RSVP would get now because of the session's
// status or RSVP window, if any.
func windowError(ev events.Event, now time.Time) error {
	switch {
	case ev.Status == events.StatusCancelled:
		return events.ErrCancelled
	case !now.Before(ev.Start):
		return events.ErrPast
	case !ev.RSVPOpens.IsZero() && now.Before(ev.RSVPOpens):
		return events.ErrNotOpen
	case !now.Before(ev.ClosesAt()):
		return events.ErrClosed
	}
	return nil
}

// rsvpOutcome tells the person what their answer did.
func rsvpOutcome(res events.RSVPResult) string {
	switch res.Status {
	case events.RSVPGoing:
		return "You are going. See you there!"
	case events.RSVPWaitlisted:
		return "The session is full. You are number " + strconv.Itoa(res.Position) + " on the waitlist; you will get an email if a seat frees up."
	case events.RSVPPending:
		return "Your request to attend is with the organizers."
	}
	return "You are not going. Thanks for letting the organizers know."
}

// rsvpRefusal explains why the events package refused an RSVP, or "" for
// other errors.
func rsvpRefusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, events.ErrCancelled):
		return "This session is cancelled, so RSVPs are closed."
	case errors.Is(err, events.ErrPast):
		return "This session has already started, so RSVPs are closed."
	case errors.Is(err, events.ErrClosed):
		return "RSVPs for this session are closed."
	case errors.Is(err, events.ErrNotOpen):
		return "RSVPs for this session are not open yet."
	case errors.Is(err, events.ErrRemoved):
		return "An organizer removed you from this session, so you cannot RSVP to it again."
	}
	return ""
}

// joinRefusal explains why joining the group (to RSVP) failed, or "" for
// other errors.
func joinRefusal(err error, g *groups.Group) string {
	switch {
	case errors.Is(err, groups.ErrDomain):
		return g.Name + " is limited to people with a verified email address at " + joinList(g.Domains) + ". Link an account with such an address on your profile, then try again."
	case errors.Is(err, groups.ErrBanned):
		return "You cannot join " + g.Name + ", so you cannot RSVP to its sessions."
	case errors.Is(err, groups.ErrApprovalRequired):
		return g.Name + " reviews requests to join. Apply on the group page first."
	case errors.Is(err, groups.ErrInviteOnly):
		return g.Name + " is invitation only."
	case errors.Is(err, groups.ErrNotFound):
		return "Only members of " + g.Name + " can RSVP."
	}
	return ""
}

func joinList(items []string) string {
	out := ""
	for i, s := range items {
		switch {
		case i == 0:
		case i == len(items)-1:
			out += " or "
		default:
			out += ", "
		}
		out += s
	}
	return out
}
