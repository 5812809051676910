package web

import (
	"net/url"
	"time"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/gofiber/fiber/v2"
)

// zoneNamed returns the named zone, or UTC when it does not load.
func zoneNamed(name string) *time.Location { return timefmt.Zone(name) }

// tzCookie is where the browser's script leaves its time zone, so pages
// for signed-out visitors can show their local time too.
const tzCookie = "tz"

// viewerZone is the zone times are shown in: the signed-in user's, else
// the browser's (from the tz cookie), else UTC.
func viewerZone(c *fiber.Ctx) *time.Location {
	if u := currentUser(c); u != nil && u.TimeZone != "" {
		return zoneNamed(u.TimeZone)
	}
	name, err := url.QueryUnescape(c.Cookies(tzCookie))
	if err != nil {
		return time.UTC
	}
	return zoneNamed(name)
}

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
