package auth

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/focusgroups/focusgroups/internal/valid"
)

// MaxNameLength bounds display names, in characters.
const MaxNameLength = 80

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
	if in.TimeZone != "" {
		if _, err := time.LoadLocation(in.TimeZone); err != nil || !strings.Contains(in.TimeZone, "/") && in.TimeZone != "UTC" {
			errs.Add("tz", "Pick a time zone from the list, such as Europe/Berlin.")
		}
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
