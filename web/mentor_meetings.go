package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
)

// meetingOffer is a meeting time the page offers, in both zones.
type meetingOffer struct {
	Value string // RFC 3339, UTC
	Label string
}

// meetingView is a planned meeting as the page shows it.
type meetingView struct {
	mentors.Meeting
	When       string
	Mine       bool // the viewer proposed it
	Accepted   bool
	ProposedBy string
}

// meetingsData adds the meetings section's data: the planned meetings
// and the offers, each in the viewer's zone and the other person's.
func meetingsData(data fiber.Map, pg mentors.MentorshipPage, viewerID string, viewer *time.Location, people map[string]Person, now time.Time) {
	otherZone := pg.Times.MentorZone
	if viewerID == pg.MentorID {
		otherZone = pg.Times.MenteeZone
	}
	other := timefmt.Zone(otherZone)
	var planned []meetingView
	for _, m := range pg.Meetings {
		if (m.State != mentors.MeetingProposed && m.State != mentors.MeetingAccepted) || !m.End.After(now) {
			continue
		}
		planned = append(planned, meetingView{Meeting: m, When: mentors.BothZones(m.Start, viewer, other), Mine: m.By == viewerID,
			Accepted: m.State == mentors.MeetingAccepted, ProposedBy: people[m.By].Name})
	}
	var offers []meetingOffer
	for _, t := range pg.Times.Offers(now) {
		if clashes(t, planned) {
			continue
		}
		offers = append(offers, meetingOffer{Value: t.UTC().Format(time.RFC3339), Label: mentors.BothZones(t, viewer, other)})
	}
	data["Meetings"] = planned
	data["Offers"] = offers
	data["MinTime"] = now.In(viewer).Format("2006-01-02T15:04")
}

// clashes reports whether a meeting starting at t would overlap one of
// the planned meetings.
func clashes(t time.Time, planned []meetingView) bool {
	end := t.Add(mentors.MeetingLength)
	for _, m := range planned {
		if t.Before(m.End) && m.Start.Before(end) {
			return true
		}
	}
	return false
}

// meetingTime reads the time chosen on a meeting form: one of the offers
// (RFC 3339), or a time typed in loc, the zone the page showed.
func meetingTime(c *fiber.Ctx, loc *time.Location) (time.Time, bool, valid.Errors) {
	errs := valid.Errors{}
	if v := c.FormValue("slot"); v != "" && v != "other" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			errs.Add("at", "Pick one of the times offered.")
		}
		return t, false, errs
	}
	v := strings.TrimSpace(c.FormValue("at"))
	if v == "" {
		errs.Add("at", "Pick one of the times offered, or enter another time.")
		return time.Time{}, false, errs
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
	if err != nil {
		errs.Add("at", "Enter the date and time as 2026-12-08 18:00.")
	}
	return t, c.FormValue("outside") == "yes", errs
}

// mentorshipMeetingPropose proposes a meeting to the other person.
func (h *handler) mentorshipMeetingPropose(c *fiber.Ctx) error {
	at, outside, errs := meetingTime(c, zoneNamed(c.FormValue("zone")))
	form := shipForm{At: c.FormValue("at"), Outside: c.FormValue("outside") == "yes"}
	if len(errs) > 0 {
		return h.renderMentorship(c, "mentors/mentorship", errs, form)
	}
	_, err := h.Mentors.ProposeMeeting(c.UserContext(), currentUser(c).ID, c.Params("id"), at, outside)
	if errors.Is(err, mentors.ErrOutsideTimes) || errors.Is(err, mentors.ErrMeetingInPast) || errors.Is(err, mentors.ErrMeetingTooFar) {
		return h.renderMentorship(c, "mentors/mentorship", valid.Errors{"at": refusalText(err, "")}, form)
	}
	return h.afterShipWrite(c, err, form, "#meetings")
}

// mentorshipMeetingChange accepts, declines, moves or cancels a meeting.
func (h *handler) mentorshipMeetingChange(c *fiber.Ctx) error {
	ctx, actor, ship, meeting := c.UserContext(), currentUser(c).ID, c.Params("id"), c.Params("meeting")
	var err error
	switch c.Params("action") {
	case "accept", "decline":
		err = h.Mentors.AnswerMeeting(ctx, actor, ship, meeting, c.Params("action") == "accept")
	case "cancel":
		err = h.Mentors.CancelMeeting(ctx, actor, ship, meeting)
	case "move":
		at, _, errs := meetingTime(c, time.UTC)
		if len(errs) > 0 {
			return h.redirectWith(c, "/mentors/mentorships/"+ship+"#meetings", "error", "Pick one of the times offered to move the meeting.")
		}
		err = h.Mentors.MoveMeeting(ctx, actor, ship, meeting, at)
	default:
		return httpError(fiber.StatusNotFound, "Not found", "There is no such change to a meeting.")
	}
	return h.afterShipWrite(c, err, shipForm{}, "#meetings")
}
