package web

import (
	"net/url"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/gofiber/fiber/v2"
)

// zoneNamed returns the named zone, or UTC when it does not load.
func zoneNamed(name string) *time.Location { return timefmt.Zone(name) }

// tzCookie is where the browser's script leaves its time zone, so pages
// for signed-out visitors can show their local time too, and the first
// sign-in can save it.
const tzCookie = "tz"

// browserZoneName is the zone the browser's script reported, or "" when
// it has not (no JavaScript, or the first page of a first visit) or sent
// something that is no zone.
func browserZoneName(c *fiber.Ctx) string {
	name, err := url.QueryUnescape(c.Cookies(tzCookie))
	if err != nil || !auth.ValidZone(name) {
		return ""
	}
	return name
}

// knownZone is the viewer's own zone: the signed-in user's saved one,
// else the browser's; nil when neither is known.
func knownZone(c *fiber.Ctx) *time.Location {
	if u := currentUser(c); u != nil && u.TimeZone != "" {
		return zoneNamed(u.TimeZone)
	}
	if name := browserZoneName(c); name != "" {
		return zoneNamed(name)
	}
	return nil
}

// zoneOr is the viewer's own zone, else the zone named fallback (a
// session's, a group's): never UTC unless one of them is UTC.
func zoneOr(c *fiber.Ctx, fallback string) *time.Location {
	if loc := knownZone(c); loc != nil {
		return loc
	}
	return zoneNamed(fallback)
}

// viewerZone is the zone times are shown in on pages with no session or
// group to fall back on: the viewer's own, else UTC.
func viewerZone(c *fiber.Ctx) *time.Location { return zoneOr(c, "") }

// timeRange formats a session's start and end in loc with the zone named.
func timeRange(start, end time.Time, loc *time.Location) string {
	return timefmt.Range(start, end, loc)
}

// sessionRelative says when a session is, relative to now: "in 3 days",
// "happening now", "2 weeks ago".
func sessionRelative(start, end, now time.Time) string {
	if !now.Before(start) && now.Before(end) {
		return "happening now"
	}
	return relativeTo(start, now)
}
