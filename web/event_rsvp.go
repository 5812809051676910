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
	answer, err := h.answerRSVP(c, v, currentUser(c), going, back)
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
// to is the page the answer leads to, recorded for the form's one-time
// value with the answer's own writes ("" when there is no such form).
func (h *handler) answerRSVP(c *fiber.Ctx, v eventView, u *auth.User, going bool, to string) (rsvpAnswer, error) {
	ctx := c.UserContext()
	a := rsvpAnswer{Group: v.Group}
	if !going {
		res, indexed, err := h.Events.RSVPQueued(ctx, v.Event.ID, u.ID, false)
		if a.Refusal = rsvpRefusal(err); a.Refusal != "" {
			a.Cause = err
			return a, nil
		}
		if err != nil {
			return a, err
		}
		a.Result = res
		queueLastWrite(c, indexed)
		queueLastWrite(c, h.Notify.RSVPAnswered(ctx, v.Event, u, res))
		return a, nil
	}
	// Say no before joining the group for a session that takes no RSVPs;
	// the events package checks again atomically.
	a.Cause = windowError(v.Event, h.Events.Now())
	if a.Refusal = rsvpRefusal(a.Cause); a.Refusal != "" {
		return a, nil
	}
	if !v.Member() && !v.Standing.Invited && !openPublic(v.Group) { // invited to the session, so to the group too
		a.Refusal = "Only members of " + v.Group.Name + " can RSVP. Join the group first."
		a.Cause = groups.ErrForbidden
		return a, nil
	}
	res, err := h.joinAndGo(c, v, u, &a, to)
	if a.Refusal != "" {
		return a, err
	}
	if a.Refusal = rsvpRefusal(err); a.Refusal != "" {
		a.Cause = err
		return a, nil
	}
	if err != nil {
		return a, err
	}
	a.Result = res
	return a, nil
}

// joinAndGo records u's "going" to the session in v, joining its group
// first when u is not a member yet (accepting their invitation when they
// have one), for answerRSVP; a refusal to join goes in a. Everything goes
// in one round trip with what follows from it, as the reads made with
// the request say it will turn out: the join's follow-ups, the session on
// u's own list, the reminders of a seat (when seats are left), and the
// record of the form's page to. Only when it turns out otherwise does a
// correction follow with the request's last writes: a join refused (a
// ban, or a change of the group's rules in between) takes the answer
// back, and an answer that found a seat freed meanwhile gets its
// reminders. Reminders left by an answer that missed its seat stay:
// they go out only to someone going when they fall due
// (notify.ComposeReminders), so a promotion meanwhile keeps its own. A
// join the reads say will be refused goes alone, first, and its refusal
// is the answer.
func (h *handler) joinAndGo(c *fiber.Ctx, v eventView, u *auth.User, a *rsvpAnswer, to string) (events.RSVPResult, error) {
	ctx := c.UserContext()
	emails := u.VerifiedEmails()
	join := !v.Member()
	if d := groups.JoinDecision(v.Group, v.Standing, emails).Action; join && d != groups.ActionJoin && d != groups.ActionAcceptInvite {
		// The reads say the join will be refused: it goes alone, and its
		// refusal is the answer (or, should it succeed after all, the
		// going follows).
		p := h.Redis.Pipeline()
		getJoined := h.Groups.QueueJoin(ctx, p, v.Standing.Invited, v.Group.ID, u.ID, emails)
		_, _ = p.Exec(ctx) // getJoined reports the script's error
		if err := h.joined(c, v, a, getJoined); err != nil || a.Refusal != "" {
			return events.RSVPResult{}, err
		}
		join = false
	}
	p := h.Redis.Pipeline()
	var getJoined func() (groups.FollowUp, error)
	if join {
		getJoined = h.Groups.QueueJoin(ctx, p, v.Standing.Invited, v.Group.ID, u.ID, emails)
	}
	getGoing := h.Events.QueueGoing(ctx, p, v.Event, u.ID)
	st, known := prefetchedStanding(c, v.Event)
	expect := expectedAnswer(v.Event, st)
	var reminded func() error
	if known {
		reminded = h.Notify.RSVPAnswered(ctx, v.Event, u, events.RSVPResult{Status: expect, Before: st.Status})(p)
	}
	if to != "" {
		settleOnce(c, p, to)
	}
	_, _ = p.Exec(ctx) // each reports its own error
	if getJoined != nil {
		if err := h.joined(c, v, a, getJoined); err != nil || a.Refusal != "" {
			res, fix, gerr := getGoing(false)
			if gerr == nil {
				h.takeBack(ctx, v.Event.ID, u.ID, res)
			}
			queueLastWrite(c, fix)
			if known && expect == events.RSVPGoing && st.Status != events.RSVPGoing {
				// Should the answer not be taken back, its reminders must
				// not reach someone who was told they could not join.
				queueLastWrite(c, h.Notify.Reminders(ctx, v.Event, u, false))
			}
			return events.RSVPResult{}, err
		}
	}
	res, fix, err := getGoing(true)
	queueLastWrite(c, fix)
	switch {
	case !known:
		queueLastWrite(c, h.Notify.RSVPAnswered(ctx, v.Event, u, res))
	case err == nil && res.Status == events.RSVPGoing && (expect != events.RSVPGoing || reminded() != nil):
		queueLastWrite(c, h.Notify.Reminders(ctx, v.Event, u, true))
	}
	return res, err
}

// joined reads the result of a join queued by joinAndGo: a refusal goes
// in a, and what is left of its follow-ups goes with the last writes.
func (h *handler) joined(c *fiber.Ctx, v eventView, a *rsvpAnswer, getJoined func() (groups.FollowUp, error)) error {
	follow, err := getJoined()
	if err != nil && !errors.Is(err, groups.ErrAlreadyMember) {
		if a.Refusal = joinRefusal(err, v.Group); a.Refusal != "" {
			a.Cause = err
			return nil
		}
		return err
	}
	a.Joined = err == nil
	queueLastWrite(c, follow)
	return nil
}

// expectedAnswer is what a "going" will most likely record, from the
// person's standing read with the request: an answer that holds a place
// stays as it is; otherwise a seat while seats are left, a request where
// the organizers approve who attends, and the waitlist else.
func expectedAnswer(ev events.Event, st events.Standing) events.RSVPStatus {
	switch {
	case events.Active(st.Status):
		return st.Status
	case ev.ApprovalRequired:
		return events.RSVPPending
	case st.SeatsLeft != 0:
		return events.RSVPGoing
	}
	return events.RSVPWaitlisted
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
