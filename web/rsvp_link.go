package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// rsvpLink is a session and person named by the token of an emailed
// Going / Not going link.
type rsvpLink struct {
	Token string
	User  *auth.User
	eventView
	Standing events.Standing
}

// loadRSVPLink resolves the :token route parameter: the token in one
// round trip, then the person, the session, its group and the person's
// standing together in a second (the group in a third when this instance
// has not read the session before). ok is false for a token that is
// unknown, tampered with or expired, or for a session the person may no
// longer see.
func (h *handler) loadRSVPLink(c *fiber.Ctx) (rsvpLink, bool, error) {
	ctx := c.UserContext()
	token := c.Params("token")
	eid, uid, err := h.Events.RSVPTokenOwner(ctx, token)
	if errors.Is(err, events.ErrNotFound) || (err == nil && !ids.Valid(uid)) {
		return rsvpLink{}, false, nil
	}
	if err != nil {
		return rsvpLink{}, false, err
	}
	var getUser func() (map[string]*auth.User, error)
	var getStanding func() (events.Standing, error)
	v, err := h.eventFor(ctx, eid, uid, func(p redis.Pipeliner) {
		getUser = h.Users.QueueGetMany(ctx, p, []string{uid})
		getStanding = h.Events.QueueStatusOf(ctx, p, eid, uid)
	})
	if isNotFound(err) || errors.As(err, new(*pageError)) {
		return rsvpLink{}, false, nil
	}
	if err != nil {
		return rsvpLink{}, false, err
	}
	users, err := getUser()
	if err != nil {
		return rsvpLink{}, false, err
	}
	u := users[uid]
	if u == nil {
		return rsvpLink{}, false, nil
	}
	if !v.Event.End.After(h.Events.Now()) {
		return rsvpLink{}, false, nil // links work until the session ends
	}
	st, err := getStanding()
	if err != nil {
		return rsvpLink{}, false, err
	}
	return rsvpLink{Token: token, User: u, eventView: v, Standing: st}, true, nil
}

// rsvpLinkPage shows exactly what confirming will do, with one button.
// Mail scanners and link previewers fetch links with GET, so this changes
// nothing.
func (h *handler) rsvpLinkPage(c *fiber.Ctx) error {
	l, ok, err := h.loadRSVPLink(c)
	if err != nil {
		return err
	}
	if !ok {
		return h.invalidLink(c)
	}
	going := c.Query("answer") != "not-going"
	data := h.rsvpLinkData(c, l)
	data["Going"] = going
	data["Closed"] = rsvpRefusal(windowError(l.Event, h.Events.Now()))
	data["Full"] = going && l.Event.Capacity > 0 && l.Standing.SeatsLeft == 0 && l.Standing.Status != events.RSVPGoing
	data["Choice"] = events.ChoiceFor(l.Standing, events.ChoiceFactsOf(l.Event, l.User.ID, l.Organizer()))
	return c.Render("rsvp/confirm", data)
}

// rsvpLinkAnswer records the answer from the confirm button: no sign-in and
// no CSRF token, the token in the URL is the credential.
func (h *handler) rsvpLinkAnswer(c *fiber.Ctx) error {
	l, ok, err := h.loadRSVPLink(c)
	if err != nil {
		return err
	}
	if !ok {
		return h.invalidLink(c)
	}
	var going bool
	// Only the posted form counts: fasthttp's FormValue would also read the
	// query string of the link that led here.
	switch string(c.Request().PostArgs().Peek("answer")) {
	case "going":
		going = true
	case "not-going":
	default:
		return httpError(fiber.StatusBadRequest, "Choose going or not going", "The form did not say whether you are going. Open the link from your email again.")
	}
	answer, err := h.answerRSVP(c, l.eventView, l.User, going, "")
	if err != nil {
		return err
	}
	if answer.Refusal == "" {
		if l.Standing, err = h.Events.StatusOf(c.UserContext(), l.Event.ID, l.User.ID); err != nil {
			return err
		}
	}
	data := h.rsvpLinkData(c, l)
	data["Answer"] = answer
	return c.Render("rsvp/done", data)
}

// rsvpLinkCalendar is the "add to calendar" file for the person of the
// link, with the online link when they are going.
func (h *handler) rsvpLinkCalendar(c *fiber.Ctx) error {
	l, ok, err := h.loadRSVPLink(c)
	if err != nil {
		return err
	}
	if !ok {
		return h.invalidLink(c)
	}
	actor := events.Actor{UserID: l.User.ID, Organizer: l.Organizer()}
	opts := events.CalendarOptions{EventURL: h.eventURL, IncludeLink: events.CanSeeLink(l.Event, actor, l.Standing.Status)}
	return sendCalendar(c, "session-"+l.Event.ID+".ics", opts.ICS(events.MethodPublish, l.Event))
}

// rsvpLinkData is what both RSVP-link pages show: the session in the
// person's own zone, else in the browser's, else in the session's.
func (h *handler) rsvpLinkData(c *fiber.Ctx, l rsvpLink) fiber.Map {
	data := h.view(c, l.Event.Title)
	loc := linkZone(c, l)
	data["L"] = l
	data["When"] = timeRange(l.Event.Start, l.Event.End, loc)
	data["Seats"] = seatsFor(l.Event.Capacity, l.Standing.SeatsLeft, l.Standing.Status)
	data["Cancelled"] = l.Event.Status == events.StatusCancelled
	return data
}
