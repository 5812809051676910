package web

import (
	"sync"
	"time"

	"github.com/focusgroups/focusgroups/auth"
)

// zoneCache keeps loaded time zones by name: time.LoadLocation reads and
// parses the zone file on every call. Only names that load are kept, so
// the cache is bounded by the tz database.
var zoneCache sync.Map

// zoneNamed returns the named zone, or UTC when it does not load.
func zoneNamed(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zoneCache.Store(name, loc)
	return loc
}

// viewerZone is the zone times are shown in for u (UTC when signed out or
// unset), as auth.User.Location but cached.
func viewerZone(u *auth.User) *time.Location {
	if u == nil {
		return time.UTC
	}
	return zoneNamed(u.TimeZone)
}

// zoneLabel names loc at t as localTime does: "CET (Europe/Berlin)".
func zoneLabel(t time.Time, loc *time.Location) string {
	zone := t.In(loc).Format("MST")
	if name := loc.String(); name != zone && name != "UTC" {
		return zone + " (" + name + ")"
	}
	return zone
}

// timeRange formats a session's start and end in loc with the zone named:
// "Tue 1 Dec 2026, 18:30–20:00 CET (Europe/Berlin)", or both dates when it
// ends on another day.
func timeRange(start, end time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s, e := start.In(loc), end.In(loc)
	if s.Format("2006-01-02") == e.Format("2006-01-02") {
		return s.Format("Mon 2 Jan 2006, 15:04") + "–" + e.Format("15:04") + " " + zoneLabel(s, loc)
	}
	return s.Format("Mon 2 Jan 2006, 15:04") + " – " + e.Format("Mon 2 Jan 2006, 15:04") + " " + zoneLabel(e, loc)
}

// sessionRelative says when a session is, relative to now: "in 3 days",
// "happening now", "2 weeks ago".
func sessionRelative(start, end, now time.Time) string {
	if !now.Before(start) && now.Before(end) {
		return "happening now"
	}
	return relativeTo(start, now)
}
