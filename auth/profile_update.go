package auth

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// MaxNameLength bounds display names, in characters.
const MaxNameLength = 80

// ValidZone reports whether name is an IANA zone a person can live in:
// one that loads, and names a region ("Europe/Berlin") or is UTC. Bare
// abbreviations such as "CET" or "EST" load too, but say too little.
func ValidZone(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	if _, ok := timefmt.Load(name); !ok {
		return false
	}
	return strings.Contains(name, "/") || name == "UTC"
}

func (in *ProfileUpdate) validate() error {
	errs := valid.Errors{}
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		errs.Add("name", "Please enter the name people will see.")
	case utf8.RuneCountInString(name) > MaxNameLength:
		errs.Add("name", "Names can be at most 80 characters.")
	}
	errs.Add("name", valid.Line("The name", name))
	if in.TimeZone != "" && !ValidZone(in.TimeZone) {
		errs.Add("tz", "Pick a time zone from the list, such as Europe/Berlin.")
	}
	hours := slices.Clone(in.Mail.ReminderHours)
	for _, h := range hours {
		if h < 1 || h > 24*7 {
			errs.Add("reminder_hours", "Reminders can be 1 to 168 hours before a session.")
		}
	}
	if len(hours) > 3 {
		errs.Add("reminder_hours", "Choose at most three reminder times.")
	}
	slices.Sort(hours)
	in.Mail.ReminderHours = slices.Compact(hours)
	slices.Reverse(in.Mail.ReminderHours)
	return errs.Err()
}
