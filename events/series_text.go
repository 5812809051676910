package events

import (
	"strconv"
	"time"
)

// Phrase says how a series repeats, from one occurrence's start in loc,
// for pages and mail: "Every Tuesday", "Every other Tuesday", "Monthly, first
// Tuesday", "Monthly, last Thursday", "Monthly on the 15th".
func (f Frequency) Phrase(start time.Time, loc *time.Location) string {
	t := start.In(loc)
	day := t.Weekday().String()
	switch f {
	case FreqWeekly:
		return "Every " + day
	case FreqBiweekly:
		return "Every other " + day
	case FreqMonthlyWeekday:
		return "Monthly, " + [...]string{"first", "second", "third", "fourth", "fifth"}[(t.Day()-1)/7] + " " + day
	case FreqMonthlyLastWeekday:
		return "Monthly, last " + day
	case FreqMonthlyDate:
		return "Monthly on the " + ordinal(t.Day())
	}
	return "Repeating"
}

// ordinal writes 1 as "1st", 22 as "22nd".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}
