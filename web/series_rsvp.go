package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
)

// seriesGoingAll says the signed-in person is going to every date of the
// series the session belongs to that is still to come. Each date seats
// them, waitlists them or asks for approval on its own; the reply says
// which. A non-member of an open public group joins by answering, as
// with a single RSVP.
func (h *handler) seriesGoingAll(c *fiber.Ctx) error {
	v, err := h.loadEvent(c)
	if err != nil {
		return err
	}
	if v.Event.SeriesID == "" {
		return notFound()
	}
	back := sessionPath(v.Event.ID)
	reply, err := h.goAll(c, v, currentUser(c), zoneOr(c, v.Event.TimeZone))
	if err != nil {
		return err
	}
	if reply.none {
		return h.redirectWith(c, back, "error", reply.text)
	}
	return h.redirectWith(c, back, "ok", reply.text)
}

// goAll answers "going" for u to every date still to come of the series
// of v's session, from the session page or an emailed link. Someone not
// a member joins an open public group (or the group that invited them)
// by answering, as with a single RSVP; the follow-ups go with the
// request's last writes. The reply names dates in loc.
func (h *handler) goAll(c *fiber.Ctx, v eventView, u *auth.User, loc *time.Location) (goingAllReply, error) {
	if !v.Member() && !v.Organizer() {
		if !openPublic(v.Group) && !v.Standing.Invited {
			return goingAllReply{text: "Only members of " + v.Group.Name + " can RSVP. Join the group first.", none: true}, nil
		}
		answer, err := h.answerRSVP(c, v, u, true, "") // joins the group, as a single RSVP does
		if err != nil {
			return goingAllReply{}, err
		}
		if answer.Refusal != "" {
			return goingAllReply{text: answer.Refusal, none: true}, nil
		}
	}
	ctx := c.UserContext()
	answers, indexed, err := h.Events.RSVPSeries(ctx, v.Event.SeriesID, u.ID)
	if errors.Is(err, events.ErrNotFound) {
		return goingAllReply{}, notFound()
	}
	if err != nil {
		return goingAllReply{}, err
	}
	if len(answers) == 0 {
		return goingAllReply{text: "No dates of this series are left to answer: they are over or cancelled.", none: true}, nil
	}
	queueLastWrite(c, indexed)
	for _, a := range answers {
		if a.Err == nil {
			queueLastWrite(c, h.Notify.RSVPAnswered(ctx, a.Event, u, a.Result))
		}
	}
	return goingAllSummary(answers, loc), nil
}

// goingAllReply is the reply to "I'm going to all".
type goingAllReply struct {
	text string
	none bool // no date took the answer
}

// goingAllSummary says per outcome which dates went where, dates in loc:
// "Going to 4 dates; on the waitlist for 2 (Tue 15 Dec #3, Tue 22 Dec #1)."
func goingAllSummary(answers []events.SeriesAnswer, loc *time.Location) goingAllReply {
	var going int
	var waitlist, pending, refused []string
	for _, a := range answers {
		day := shortDay(a.Event.Start, loc)
		switch {
		case a.Err != nil:
			refused = append(refused, day+": "+seriesRefusal(a.Err))
		case a.Result.Status == events.RSVPGoing:
			going++
		case a.Result.Status == events.RSVPWaitlisted:
			waitlist = append(waitlist, day+" #"+strconv.Itoa(a.Result.Position))
		case a.Result.Status == events.RSVPPending:
			pending = append(pending, day)
		}
	}
	var parts []string
	if going > 0 {
		parts = append(parts, "Going to "+plural(going, "date"))
	}
	if len(waitlist) > 0 {
		parts = append(parts, "on the waitlist for "+strconv.Itoa(len(waitlist))+" ("+strings.Join(waitlist, ", ")+")")
	}
	if len(pending) > 0 {
		parts = append(parts, "a seat requested for "+strconv.Itoa(len(pending))+" ("+strings.Join(pending, ", ")+"); an organizer approves each")
	}
	if len(refused) > 0 {
		parts = append(parts, "not answered for "+strconv.Itoa(len(refused))+" ("+strings.Join(refused, "; ")+")")
	}
	text := strings.Join(parts, "; ") + "."
	return goingAllReply{text: strings.ToUpper(text[:1]) + text[1:], none: len(refused) == len(answers)}
}

// seriesRefusal says in a few words why one date took no answer.
func seriesRefusal(err error) string {
	switch {
	case errors.Is(err, events.ErrClosed):
		return "RSVPs closed"
	case errors.Is(err, events.ErrNotOpen):
		return "RSVPs not open yet"
	case errors.Is(err, events.ErrRemoved):
		return "an organizer removed you"
	case errors.Is(err, events.ErrCancelled):
		return "cancelled"
	case errors.Is(err, events.ErrPast):
		return "already started"
	}
	return "no longer there"
}
