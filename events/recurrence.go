package events

import (
	"strconv"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/teambition/rrule-go"
)

// Frequency is how often a series repeats. Monthly rules take the weekday
// or the day of the month from the first occurrence's date.
type Frequency string

// The repeat patterns the product offers.
const (
	FreqWeekly             Frequency = "weekly"
	FreqBiweekly           Frequency = "biweekly"             // every two weeks
	FreqMonthlyWeekday     Frequency = "monthly-weekday"      // e.g. first Tuesday
	FreqMonthlyLastWeekday Frequency = "monthly-last-weekday" // e.g. last Thursday
	FreqMonthlyDate        Frequency = "monthly-date"         // e.g. the 15th
)

// MaxOccurrences caps how many sessions one series may create.
const MaxOccurrences = 52

// Recurrence is the repeat part of the series form. Exactly one of Until
// (a local date, inclusive, "2027-06-30") and Count ends the series.
type Recurrence struct {
	Frequency string
	Until     string
	Count     string
}

var rruleDays = [7]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}

// rule validates rec for a series whose first session starts at first (in
// loc) and returns the RRULE and its occurrences, in loc.
func (rec Recurrence) rule(errs valid.Errors, first time.Time, loc *time.Location) (*rrule.RRule, []time.Time) {
	opt := rrule.ROption{Dtstart: first.In(loc)}
	local := first.In(loc)
	switch Frequency(rec.Frequency) {
	case FreqWeekly:
		opt.Freq, opt.Interval = rrule.WEEKLY, 1
	case FreqBiweekly:
		opt.Freq, opt.Interval = rrule.WEEKLY, 2
	case FreqMonthlyWeekday:
		n := (local.Day()-1)/7 + 1
		if n == 5 {
			errs.Add("recurrence", "Not every month has a fifth "+local.Weekday().String()+"; choose the last one instead.")
		}
		opt.Freq, opt.Interval = rrule.MONTHLY, 1
		opt.Byweekday = []rrule.Weekday{rruleDays[local.Weekday()].Nth(n)}
	case FreqMonthlyLastWeekday:
		if local.AddDate(0, 0, 7).Month() == local.Month() {
			errs.Add("recurrence", "The first session is not on the last "+local.Weekday().String()+" of its month.")
		}
		opt.Freq, opt.Interval = rrule.MONTHLY, 1
		opt.Byweekday = []rrule.Weekday{rruleDays[local.Weekday()].Nth(-1)}
	case FreqMonthlyDate:
		opt.Freq, opt.Interval = rrule.MONTHLY, 1
		opt.Bymonthday = []int{local.Day()}
	default:
		errs.Add("recurrence", "Choose how often the session repeats.")
	}

	until, count := strings.TrimSpace(rec.Until), strings.TrimSpace(rec.Count)
	switch {
	case until == "" && count == "":
		errs.Add("recurrence_count", "Give an end date or a number of sessions.")
	case until != "" && count != "":
		errs.Add("recurrence_until", "Give an end date or a number of sessions, not both.")
	case count != "":
		n, err := strconv.Atoi(count)
		if err != nil || n < 2 || n > MaxOccurrences {
			errs.Add("recurrence_count", "A series has from 2 to 52 sessions.")
		}
		opt.Count = n
	default:
		day, err := time.Parse("2006-01-02", until)
		if err != nil {
			errs.Add("recurrence_until", "Give the end date as 2027-06-30.")
			break
		}
		opt.Until = resolveWall(day.Add(24*time.Hour-time.Second), loc)
		if opt.Until.Before(first) {
			errs.Add("recurrence_until", "The series must end after its first session.")
		}
	}
	if len(errs) > 0 {
		return nil, nil
	}
	r, err := rrule.NewRRule(opt)
	if err != nil {
		errs.Add("recurrence", "This repeat pattern is not valid.")
		return nil, nil
	}
	// Bounded by COUNT, or by UNTIL plus the cap checked below.
	var occ []time.Time
	next := r.Iterator()
	for t, ok := next(); ok; t, ok = next() {
		if len(occ) == MaxOccurrences {
			errs.Add("recurrence_until", "A series has at most 52 sessions; choose an earlier end date.")
			return nil, nil
		}
		occ = append(occ, t)
	}
	if len(occ) < 2 {
		errs.Add("recurrence_until", "A series needs at least 2 sessions; choose a later end date.")
		return nil, nil
	}
	return r, occ
}

// atWall returns the instant in loc that has the wall clock of occ plus the
// wall-clock offset d, so a 18:30–20:00 session stays 18:30–20:00 local.
func atWall(occ time.Time, d time.Duration, loc *time.Location) time.Time {
	return resolveWall(asWall(occ, loc).Add(d), loc)
}
