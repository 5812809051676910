package web

import (
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/timefmt"
)

// zoneNamed returns the named zone, or UTC when it does not load.
func zoneNamed(name string) *time.Location { return timefmt.Zone(name) }

// viewerZone is the zone times are shown in for u (UTC when signed out or
// unset), as auth.User.Location but cached.
func viewerZone(u *auth.User) *time.Location {
	if u == nil {
		return time.UTC
	}
	return zoneNamed(u.TimeZone)
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
