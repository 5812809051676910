package auth

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// MaxNameLength bounds display names, in characters.
const MaxNameLength = 80

// zoneName is the shape of an IANA zone name a person can live in:
// "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5". Bare
// abbreviations such as "CET" load too, but say too little; and other
// spellings of a zone file's path ("Europe//Berlin") would load as well.
var zoneName = regexp.MustCompile(`^[A-Z][A-Za-z_]*(/[A-Za-z0-9_+-]+){1,2}$`)

// ValidZone reports whether name is an IANA zone a person can live in: it
// has the shape of one (or is UTC) and loads. Names come from browsers
// too, so only well-formed ones reach the zone cache.
func ValidZone(name string) bool {
	if len(name) > 64 || name != "UTC" && !zoneName.MatchString(name) {
		return false
	}
	_, ok := timefmt.Load(name)
	return ok
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
