package web

import "time"

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
