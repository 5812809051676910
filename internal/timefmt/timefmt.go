// Package timefmt writes times the way every page and mail shows them: in
// the reader's zone, with the zone named.
package timefmt

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// zoneCache keeps loaded time zones by name: time.LoadLocation reads and
// parses the zone file on every call. Only names that load are kept, so
// the cache is bounded by the tz database.
var zoneCache sync.Map

// Zone returns the named IANA zone, or UTC when the name is empty or does
// not load.
func Zone(name string) *time.Location {
	if loc, ok := Load(name); ok {
		return loc
	}
	return time.UTC
}

// Load returns the named IANA zone and whether it loads, as
// time.LoadLocation would, without reading the zone file again for a name
// it has loaded before. The empty name does not load.
func Load(name string) (*time.Location, bool) {
	if name == "" {
		return nil, false
	}
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), true
	}
	// A copy: name may alias a request's buffer that is reused after the
	// request, and both the cache and the Location keep the name.
	name = strings.Clone(name)
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zoneCache.Store(name, loc)
	return loc, true
}

// ZoneLabel names loc at t: "CET (Europe/Berlin)", or just "UTC".
func ZoneLabel(t time.Time, loc *time.Location) string {
	var buf [64]byte
	return string(appendZoneLabel(buf[:0], t.In(loc), loc))
}

// appendZoneLabel appends ZoneLabel's text for t, already in loc.
func appendZoneLabel(b []byte, t time.Time, loc *time.Location) []byte {
	start := len(b)
	b = t.AppendFormat(b, "MST")
	if name := loc.String(); name != string(b[start:]) && name != "UTC" {
		b = append(b, " ("...)
		b = append(b, name...)
		b = append(b, ')')
	}
	return b
}

// dateTime is how a day and time are written.
const dateTime = "Mon 2 Jan 2006, 15:04"

// Range formats a start and end in loc with the zone named:
// "Tue 1 Dec 2026, 18:30–20:00 CET (Europe/Berlin)", or both dates when it
// ends on another day. It is written into one buffer: pages format a
// range for every card they show.
func Range(start, end time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s, e := start.In(loc), end.In(loc)
	var buf [128]byte
	b := s.AppendFormat(buf[:0], dateTime)
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		b = append(b, "–"...)
		b = e.AppendFormat(b, "15:04")
		b = append(b, ' ')
		return string(appendZoneLabel(b, s, loc))
	}
	b = append(b, " – "...)
	b = e.AppendFormat(b, dateTime)
	b = append(b, ' ')
	return string(appendZoneLabel(b, e, loc))
}

// Local formats t in loc and names the zone, e.g.
// "Tue 1 Dec 2026, 18:30 CET (Europe/Berlin)".
func Local(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	var buf [96]byte
	b := t.AppendFormat(buf[:0], dateTime+" ")
	return string(appendZoneLabel(b, t, loc))
}

// Relative says how far t is from now in words: "in 3 days", "2 hours ago".
func Relative(t, now time.Time) string {
	d := t.Sub(now)
	future := d >= 0
	d = time.Duration(math.Abs(float64(d)))
	var s string
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		s = Plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		s = Plural(int(d/time.Hour), "hour")
	case d < 30*24*time.Hour:
		s = Plural(int(d/(24*time.Hour)), "day")
	case d < 365*24*time.Hour:
		s = Plural(int(d/(30*24*time.Hour)), "month")
	default:
		s = Plural(int(d/(365*24*time.Hour)), "year")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// Plural writes a count with its unit: "1 day", "3 days".
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
