package web

import (
	"html/template"
	"strings"
	"time"
	"unicode"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"localTime": localTime,
		"shortDate": shortDate,
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
		"add": func(a, b int) int { return a + b },
		// skillNames are the suggestions of skill fields (partials/skill_names).
		"skillNames": match.SkillNames,
		"isoUTC":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	}
}

// localTime formats t in the viewer's zone and names the zone.
func localTime(t time.Time, loc *time.Location) string { return timefmt.Local(t, loc) }

// relTime says how far t is from now in words: "in 3 days", "2 hours ago".
func relTime(t time.Time) string { return timefmt.Relative(t, time.Now()) }

// initials makes the letters shown in an avatar placeholder.
func initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		r := []rune(f)
		if !unicode.IsLetter(r[0]) && !unicode.IsDigit(r[0]) {
			continue // "DevRel & Community" is "DC", not "D&"
		}
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

// relativeTo, plural and zoneLabel are the timefmt helpers under the names handlers use.
var (
	relativeTo = timefmt.Relative
	plural     = timefmt.Plural
	zoneLabel  = timefmt.ZoneLabel
)
