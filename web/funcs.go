package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"localTime": localTime,
		"relTime":   relTime,
		"initials":  initials,
		"join":      strings.Join,
		"contains": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
		"add":    func(a, b int) int { return a + b },
		"isoUTC": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	}
}

// localTime formats t in the viewer's zone and names the zone, e.g.
// "Tue 1 Dec 2026, 18:30 CET (Europe/Berlin)".
func localTime(t time.Time, loc *time.Location) string {
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

// relTime says how far t is from now in words: "in 3 days", "2 hours ago".
func relTime(t time.Time) string {
	return relativeTo(t, time.Now())
}

func relativeTo(t, now time.Time) string {
	d := t.Sub(now)
	future := d >= 0
	d = time.Duration(math.Abs(float64(d)))
	var s string
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	case d < 30*24*time.Hour:
		s = plural(int(d/(24*time.Hour)), "day")
	case d < 365*24*time.Hour:
		s = plural(int(d/(30*24*time.Hour)), "month")
	default:
		s = plural(int(d/(365*24*time.Hour)), "year")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// initials makes the letters shown in an avatar placeholder.
func initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		r := []rune(f)
		out = append(out, r[0])
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return strings.ToUpper(string(out))
}
