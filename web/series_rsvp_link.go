package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// rsvpLinkAllPage shows what "I'm going to all" from an emailed
// invitation will do, with one button. Like the single-answer page it
// changes nothing on GET, for mail scanners.
func (h *handler) rsvpLinkAllPage(c *fiber.Ctx) error {
	l, ok, err := h.loadRSVPLink(c)
	if err != nil {
		return err
	}
	if !ok || l.Event.SeriesID == "" {
		return h.invalidLink(c)
	}
	data := h.rsvpLinkData(c, l)
	data["Rule"] = lowerFirst(l.Event.SeriesFrequency.Phrase(l.Event.Start, linkZone(c, l)))
	return c.Render("rsvp/all", data)
}

// rsvpLinkAllAnswer answers "going" for every date still to come of the
// link's series; the token in the URL is the credential, as for a single
// answer.
func (h *handler) rsvpLinkAllAnswer(c *fiber.Ctx) error {
	l, ok, err := h.loadRSVPLink(c)
	if err != nil {
		return err
	}
	if !ok || l.Event.SeriesID == "" {
		return h.invalidLink(c)
	}
	reply, err := h.goAll(c, l.eventView, l.User, linkZone(c, l))
	if err != nil {
		return err
	}
	data := h.rsvpLinkData(c, l)
	data["Reply"], data["Refused"] = reply.text, reply.none
	return c.Render("rsvp/all", data)
}

// linkZone is the zone an RSVP-link page shows times in: the person's
// own, else the browser's, else the session's.
func linkZone(c *fiber.Ctx, l rsvpLink) *time.Location {
	zone := l.User.TimeZone
	if zone == "" {
		zone = browserZoneName(c)
	}
	if zone == "" {
		zone = l.Event.TimeZone
	}
	return zoneNamed(zone)
}
