package events

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

const icsLocal = "20060102T150405"

// vtimezone builds the VTIMEZONE of loc from Go's time zone data: one
// STANDARD or DAYLIGHT component per period in force between from and to,
// each starting at its real transition. (golang-ical does not generate
// time zone definitions.)
func vtimezone(loc *time.Location, from, to time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	t := from
	for range 1000 {
		in := t.In(loc)
		name, off := in.Zone()
		start, end := in.ZoneBounds()
		prevOff, onset := off, "19700101T000000"
		if !start.IsZero() {
			_, prevOff = start.Add(-time.Second).In(loc).Zone()
			onset = start.UTC().Add(time.Duration(prevOff) * time.Second).Format(icsLocal)
		}
		var c *ics.ComponentBase
		if in.IsDST() {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			c = &d.ComponentBase
		} else {
			c = &tz.AddStandard().ComponentBase
		}
		c.SetProperty(ics.ComponentPropertyDtStart, onset)
		c.SetProperty(ics.ComponentProperty("TZOFFSETFROM"), utcOffset(prevOff))
		c.SetProperty(ics.ComponentProperty("TZOFFSETTO"), utcOffset(off))
		c.SetProperty(ics.ComponentProperty("TZNAME"), name)
		if end.IsZero() || end.After(to) {
			break
		}
		t = end
	}
	return tz
}

// utcOffset formats seconds east of UTC as iCalendar's +HHMM.
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
}
