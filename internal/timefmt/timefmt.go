// Package timefmt writes times the way every page and mail shows them: in
// the reader's zone, with the zone named.
package timefmt

import (
	"fmt"
	"math"
	"time"
)

// Local formats t in loc and names the zone, e.g.
// "Tue 1 Dec 2026, 18:30 CET (Europe/Berlin)".
func Local(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	zone := lt.Format("MST")
	name := loc.String()
	if name == zone || name == "UTC" {
		return lt.Format("Mon 2 Jan 2006, 15:04 ") + zone
	}
	return lt.Format("Mon 2 Jan 2006, 15:04 ") + zone + " (" + name + ")"
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
	return fmt.Sprintf("%d %ss", n, unit)
}
