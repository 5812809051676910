package events

import (
	"sort"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
)

// iCalendar methods: PUBLISH for feeds and downloads, REQUEST for invites,
// CANCEL for cancellations.
const (
	MethodPublish = "PUBLISH"
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// UIDDomain ends every calendar UID, which stays stable for a session.
const UIDDomain = "focusgroups"

// CalendarOptions says what the calendar shows around the session data.
type CalendarOptions struct {
	Name string // calendar name shown by clients (X-WR-CALNAME), optional
	// EventURL returns the session page's absolute URL (URL property).
	EventURL func(Event) string
	// Organizer is a mailto: URI, needed by clients for REQUEST and CANCEL.
	Organizer string
	// IncludeLink puts the online link in the calendar; set it only when
	// every reader may see it (an invite to someone going, a personal feed).
	IncludeLink bool
}

// ICS renders sessions as one calendar with default options; each session
// is its own VEVENT (series occurrences included), UID <id>@focusgroups.
func ICS(method string, events ...Event) string {
	return CalendarOptions{}.ICS(method, events...)
}

// ICS renders sessions as one calendar; each session is its own VEVENT
// with UID <id>@focusgroups, so a personal feed can hold just the
// occurrences of a series the person goes to.
func (o CalendarOptions) ICS(method string, events ...Event) string {
	cal := o.calendar(method)
	o.addZones(cal, events)
	for _, ev := range events {
		ve := cal.AddEvent(ev.ID + "@" + UIDDomain)
		o.fill(ve, ev, method)
	}
	return cal.Serialize(crlf)
}

// SeriesICS renders a whole series as one master VEVENT (UID
// <seriesID>@focusgroups) with the RRULE, an EXDATE per cancelled
// occurrence and a RECURRENCE-ID override per occurrence that differs from
// the rule (moved or edited). The master's SEQUENCE is the sum of the
// occurrences' sequences, so it rises with every change to any of them.
func (o CalendarOptions) SeriesICS(method string, sr Series, occurrences []Event) string {
	cal := o.calendar(method)
	o.addZones(cal, append([]Event{sr.Template}, occurrences...))
	loc := sr.Template.Location()
	uid := sr.ID + "@" + UIDDomain
	master := cal.AddEvent(uid)
	o.fill(master, sr.Template, method)
	seq := 0
	for _, ev := range occurrences {
		seq += ev.Sequence
	}
	master.SetSequence(seq)
	master.AddRrule(sr.Rule)
	length := sr.Template.End.Sub(sr.Template.Start)
	for _, ev := range occurrences {
		rid := ev.RecurrenceID.In(loc).Format(icsLocal)
		if ev.Status == StatusCancelled {
			master.AddExdate(rid, ics.WithTZID(loc.String()))
			continue
		}
		want := sr.Template
		want.Start, want.End = ev.RecurrenceID, ev.RecurrenceID.Add(length)
		if o.same(want, ev) {
			continue
		}
		ve := cal.AddEvent(uid)
		o.fill(ve, ev, method)
		ve.SetProperty(ics.ComponentPropertyRecurrenceId, rid, ics.WithTZID(loc.String()))
	}
	return cal.Serialize(crlf)
}

// same reports whether a and b render the same calendar fields.
func (o CalendarOptions) same(a, b Event) bool {
	return a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.TimeZone == b.TimeZone &&
		a.Title == b.Title && a.Description == b.Description && a.Venue == b.Venue &&
		(!o.IncludeLink || a.OnlineURL == b.OnlineURL) && a.Status == b.Status
}

func (o CalendarOptions) calendar(method string) *ics.Calendar {
	cal := ics.NewCalendarFor(UIDDomain)
	cal.SetMethod(ics.Method(method))
	cal.SetCalscale("GREGORIAN")
	if name := icsText(o.Name, false); name != "" {
		cal.SetXWRCalName(name)
	}
	return cal
}

// addZones adds one VTIMEZONE per zone the events use, covering their span.
func (o CalendarOptions) addZones(cal *ics.Calendar, events []Event) {
	type span struct{ from, to time.Time }
	spans := map[string]*span{}
	for _, ev := range events {
		sp, ok := spans[ev.TimeZone]
		if !ok {
			spans[ev.TimeZone] = &span{ev.Start, ev.End}
			continue
		}
		if ev.Start.Before(sp.from) {
			sp.from = ev.Start
		}
		if ev.End.After(sp.to) {
			sp.to = ev.End
		}
	}
	names := make([]string, 0, len(spans))
	for n := range spans {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		loc, err := time.LoadLocation(n)
		if err != nil {
			continue
		}
		cal.AddVTimezone(vtimezone(loc, spans[n].from, spans[n].to))
	}
}

func (o CalendarOptions) fill(ve *ics.VEvent, ev Event, method string) {
	loc := ev.Location()
	tzid := ics.WithTZID(loc.String())
	ve.SetDtStampTime(ev.UpdatedAt)
	ve.SetCreatedTime(ev.CreatedAt)
	ve.SetModifiedAt(ev.UpdatedAt)
	ve.SetSequence(ev.Sequence)
	ve.SetProperty(ics.ComponentPropertyDtStart, ev.Start.In(loc).Format(icsLocal), tzid)
	ve.SetProperty(ics.ComponentPropertyDtEnd, ev.End.In(loc).Format(icsLocal), tzid)
	ve.SetSummary(icsText(ev.Title, false))
	if ev.Status == StatusCancelled || method == MethodCancel {
		ve.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ve.SetStatus(ics.ObjectStatusConfirmed)
	}
	desc := ev.Description
	location := ev.Venue
	if o.IncludeLink && ev.OnlineURL != "" {
		desc = strings.TrimSpace("Join online: " + ev.OnlineURL + "\n\n" + desc)
		if location == "" {
			location = ev.OnlineURL
		}
	}
	if desc = icsText(desc, true); desc != "" {
		ve.SetDescription(desc)
	}
	if location = icsText(location, false); location != "" {
		ve.SetLocation(location)
	}
	if o.EventURL != nil {
		ve.SetURL(o.EventURL(ev))
	}
	if o.Organizer != "" {
		ve.SetOrganizer(o.Organizer)
	}
	if ev.Format != "" {
		ve.AddCategory(string(ev.Format))
	}
}

// icsText makes stored text fit for a calendar, whose strict clients reject
// control characters: invalid UTF-8 becomes U+FFFD, a line break becomes
// LF (the library writes it as \n) or, in a one-line property, a space;
// tabs become spaces and every other control character is dropped. The
// forms refuse such text, but sessions stored before they did may hold it.
func icsText(s string, multiLine bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ").Replace(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && !multiLine:
			return ' '
		case r == '\n':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// crlf makes the library end lines as RFC 5545 requires (its default is LF).
var crlf = ics.WithNewLineWindows
