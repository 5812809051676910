package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// attendeeRow is one person on the attendees page or in the CSV.
type attendeeRow struct {
	ID, Name, Email string
	Status          events.RSVPStatus
	CheckedIn       bool
	Guest           bool // answered through an invitation, without an account
	Position        int  // waitlist place, 1-based
}

// attendeeLists are the people going, waiting and awaiting approval.
type attendeeLists struct {
	Going, Waitlist, Pending []attendeeRow
}

// attendeeLists names the people of the lists getLists gives (read with
// the session, see loadAttendees), in one more round trip.
func (h *handler) attendeeLists(c *fiber.Ctx, getLists func() (events.AttendeeLists, error)) (attendeeLists, error) {
	ctx := c.UserContext()
	l, err := getLists()
	if err != nil {
		return attendeeLists{}, err
	}
	going, waiting, pending := l.Going, l.Waitlist, l.Pending
	all := make([]string, 0, len(going)+len(waiting)+len(pending))
	for _, a := range going {
		all = append(all, a.UserID)
	}
	all = append(append(all, waiting...), pending...)
	users, err := h.Users.GetMany(ctx, all)
	if err != nil {
		return attendeeLists{}, err
	}
	row := func(id string, st events.RSVPStatus) attendeeRow {
		r := attendeeRow{ID: id, Name: "(deleted account)", Status: st}
		if u, ok := users[id]; ok {
			r.Name, r.Email, r.Guest = u.Name, u.PrimaryEmail(), u.Guest
		}
		return r
	}
	var out attendeeLists
	for _, a := range going {
		r := row(a.UserID, events.RSVPGoing)
		r.CheckedIn = a.CheckedIn
		out.Going = append(out.Going, r)
	}
	for i, id := range waiting {
		r := row(id, events.RSVPWaitlisted)
		r.Position = i + 1
		out.Waitlist = append(out.Waitlist, r)
	}
	for _, id := range pending {
		out.Pending = append(out.Pending, row(id, events.RSVPPending))
	}
	return out, nil
}

// attendeesPage lists who is going, waiting and awaiting approval, with
// remove, approve and check-in buttons (organizers).
func (h *handler) attendeesPage(c *fiber.Ctx) error {
	v, getLists, err := h.loadAttendees(c)
	if err != nil {
		return err
	}
	capacity := ""
	if v.Event.Capacity > 0 {
		capacity = strconv.Itoa(v.Event.Capacity)
	}
	return h.renderAttendees(c, v, getLists, capacity, nil)
}

// loadAttendees is loadEventAsOrganizer for the attendee pages, with the
// session's attendee lists read in the same round trip; they are given
// out only once the viewer is known to organize the session.
func (h *handler) loadAttendees(c *fiber.Ctx) (eventView, func() (events.AttendeeLists, error), error) {
	ctx := c.UserContext()
	id := c.Params("id")
	var getLists func() (events.AttendeeLists, error)
	v, err := h.eventFor(ctx, id, viewerID(c), func(p redis.Pipeliner) { getLists = h.Events.QueueAttendeeLists(ctx, p, id) })
	if err != nil {
		return v, nil, err
	}
	if err := organizerOnly(v); err != nil {
		return v, nil, err
	}
	return v, getLists, nil
}

// readAttendeeLists reads the session's attendee lists in a round trip
// of their own, for a form that shows the attendees page again.
func (h *handler) readAttendeeLists(c *fiber.Ctx, eventID string) func() (events.AttendeeLists, error) {
	ctx := c.UserContext()
	p := h.Redis.Pipeline()
	get := h.Events.QueueAttendeeLists(ctx, p, eventID)
	if err := runReads(ctx, p); err != nil {
		return func() (events.AttendeeLists, error) { return events.AttendeeLists{}, err }
	}
	return get
}

func (h *handler) renderAttendees(c *fiber.Ctx, v eventView, getLists func() (events.AttendeeLists, error), capacity string, errs valid.Errors) error {
	lists, err := h.attendeeLists(c, getLists)
	if err != nil {
		return err
	}
	loc := zoneOr(c, v.Event.TimeZone)
	data := h.view(c, "Attendees: "+v.Event.Title)
	data["Event"] = v.Event
	data["Group"] = v.Group
	data["When"] = timeRange(v.Event.Start, v.Event.End, loc)
	data["Lists"] = lists
	data["Capacity"] = capacity
	data["Errs"] = formErrors(errs)
	data["Cancelled"] = v.Event.Status == events.StatusCancelled
	checkInFrom := v.Event.Start.Add(-events.CheckInLead)
	data["CanCheckIn"] = !h.Events.Now().Before(checkInFrom)
	data["CheckInFrom"] = localTime(checkInFrom, loc)
	return renderForm(c, "events/attendees", data, len(errs) > 0)
}

// attendeeAction removes, approves or checks in one person (organizers).
func (h *handler) attendeeAction(c *fiber.Ctx) error {
	v, err := h.loadEventAsOrganizer(c)
	if err != nil {
		return err
	}
	uid := c.Params("uid")
	if !ids.Valid(uid) {
		return notFound()
	}
	ctx := c.UserContext()
	back := "/s/" + v.Event.ID + "/attendees"
	name := uid
	if u, err := h.Users.Get(ctx, uid); err == nil {
		name = u.Name
	}
	var msg string
	switch c.Params("action") {
	case "remove":
		_, err = h.Events.Remove(ctx, v.actor(), v.Event.ID, uid)
		msg = name + " is removed from the session and cannot RSVP to it again."
	case "approve":
		var res events.RSVPResult
		res, err = h.Events.Approve(ctx, v.actor(), v.Event.ID, uid)
		msg = name + " is approved and has a seat."
		if res.Status == events.RSVPWaitlisted {
			msg = name + " is approved; the session is full, so they are number " + strconv.Itoa(res.Position) + " on the waitlist."
		}
	case "checkin":
		present := c.FormValue("present") != "0"
		err = h.Events.CheckIn(ctx, v.actor(), v.Event.ID, uid, present)
		msg = name + " is checked in."
		if !present {
			msg = name + " is no longer checked in."
		}
	default:
		return notFound()
	}
	if msg := attendeeRefusal(err); msg != "" {
		return h.redirectWith(c, back, "error", msg)
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, back, "ok", msg)
}

// attendeeRefusal explains why an attendee action was refused, or "" for
// other errors.
func attendeeRefusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, events.ErrNotPending):
		return "This person has no request awaiting approval."
	case errors.Is(err, events.ErrNotGoing):
		return "Only people who are going can be checked in."
	case errors.Is(err, events.ErrCheckInTooEarly):
		return "Check-in opens an hour before the session starts."
	case errors.Is(err, events.ErrCancelled):
		return "This session is cancelled."
	}
	return ""
}

// attendeesCSV downloads everyone going, waiting or awaiting approval.
func (h *handler) attendeesCSV(c *fiber.Ctx) error {
	v, getLists, err := h.loadAttendees(c)
	if err != nil {
		return err
	}
	lists, err := h.attendeeLists(c, getLists)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"Name", "Email", "Status", "Checked in", "Guest"})
	for _, group := range [][]attendeeRow{lists.Going, lists.Waitlist, lists.Pending} {
		for _, r := range group {
			checked := "no"
			if r.CheckedIn {
				checked = "yes"
			}
			guest := "no"
			if r.Guest {
				guest = "yes"
			}
			_ = w.Write([]string{csvCell(r.Name), csvCell(r.Email), string(r.Status), checked, guest})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="session-`+v.Event.ID+`-attendees.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// csvCell stops a spreadsheet from reading a cell as a formula (CSV
// injection): cells starting with = + - @ (or a tab or carriage return)
// get a leading single quote.
func csvCell(s string) string {
	// Spreadsheets skip leading blanks before reading a formula.
	if t := strings.TrimLeft(s, " \t\r\n"); t != "" {
		switch t[0] {
		case '=', '+', '-', '@':
			return "'" + s
		}
	}
	if s != "" && (s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
