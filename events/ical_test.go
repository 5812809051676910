package events

import (
	"context"
	"slices"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
)

func parseICS(t *testing.T, s string) *ics.Calendar {
	t.Helper()
	if !strings.Contains(s, "\r\n") {
		t.Fatal("iCalendar lines must end in CRLF")
	}
	cal, err := ics.ParseCalendar(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, s)
	}
	return cal
}

func prop(c *ics.ComponentBase, p ics.ComponentProperty) string {
	if v := c.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func param(c *ics.ComponentBase, p ics.ComponentProperty, name string) string {
	if v := c.GetProperty(p); v != nil && len(v.ICalParameters[name]) == 1 {
		return v.ICalParameters[name][0]
	}
	return ""
}

func calMethod(cal *ics.Calendar) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "METHOD" {
			return p.Value
		}
	}
	return ""
}

// transitions lists a VTIMEZONE's components as "KIND DTSTART FROM>TO".
func transitions(tz *ics.VTimezone) []string {
	var out []string
	for _, c := range tz.Components {
		var kind string
		var b *ics.ComponentBase
		switch v := c.(type) {
		case *ics.Standard:
			kind, b = "STANDARD", &v.ComponentBase
		case *ics.Daylight:
			kind, b = "DAYLIGHT", &v.ComponentBase
		default:
			continue
		}
		out = append(out, kind+" "+prop(b, ics.ComponentPropertyDtStart)+" "+
			prop(b, "TZOFFSETFROM")+">"+prop(b, "TZOFFSETTO")+" "+prop(b, "TZNAME"))
	}
	return out
}

func TestICSForSessionsParsesBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	berlin := f.create(t, func(in *Input) { in.Start, in.End = "2026-06-17T18:30", "2026-06-17T20:30" })
	ny := f.create(t, func(in *Input) {
		in.TimeZone, in.Start, in.End = "America/New_York", "2026-02-03T18:30", "2026-02-03T20:00"
	})
	ny, _ = f.s.Update(ctx, f.org, ny.ID, func() Input {
		in := goodInput()
		in.TimeZone, in.Start, in.End = "America/New_York", "2026-11-03T18:30", "2026-11-03T20:00"
		return in
	}())
	cancelled, _ := f.s.Cancel(ctx, f.org, berlin.ID)
	nyFeb := f.create(t, func(in *Input) {
		in.TimeZone, in.Start, in.End = "America/New_York", "2026-02-03T18:30", "2026-02-03T20:00"
	})

	out := CalendarOptions{Name: "Go Berlin", EventURL: func(ev Event) string { return "https://fg.example/s/" + ev.ID }}.
		ICS(MethodPublish, cancelled, ny, nyFeb)
	if strings.Contains(out, "meet.example.com") {
		t.Fatal("online link in a calendar without IncludeLink")
	}
	cal := parseICS(t, out)
	if calMethod(cal) != "PUBLISH" {
		t.Fatalf("METHOD = %q", calMethod(cal))
	}
	zones := map[string][]string{}
	for _, tz := range cal.Timezones() {
		zones[prop(&tz.ComponentBase, ics.ComponentPropertyTzid)] = transitions(tz)
	}
	wantNY := []string{
		"STANDARD 20251102T020000 -0400>-0500 EST",
		"DAYLIGHT 20260308T020000 -0500>-0400 EDT",
		"STANDARD 20261101T020000 -0400>-0500 EST",
	}
	if !slices.Equal(zones["America/New_York"], wantNY) {
		t.Errorf("New York VTIMEZONE %v, want %v", zones["America/New_York"], wantNY)
	}
	if want := []string{"DAYLIGHT 20260329T020000 +0100>+0200 CEST"}; !slices.Equal(zones["Europe/Berlin"], want) {
		t.Errorf("Berlin VTIMEZONE %v, want %v", zones["Europe/Berlin"], want)
	}

	evs := cal.Events()
	if len(evs) != 3 {
		t.Fatalf("%d VEVENTs", len(evs))
	}
	for i, want := range []struct {
		ev                       Event
		seq, status, tz, dtstart string
	}{
		{cancelled, "1", "CANCELLED", "Europe/Berlin", "20260617T183000"},
		{ny, "1", "CONFIRMED", "America/New_York", "20261103T183000"},
	} {
		c := &evs[i].ComponentBase
		got := []string{prop(c, ics.ComponentPropertyUniqueId), prop(c, ics.ComponentPropertySequence),
			prop(c, ics.ComponentPropertyStatus), param(c, ics.ComponentPropertyDtStart, "TZID"),
			prop(c, ics.ComponentPropertyDtStart), param(c, ics.ComponentPropertyDtEnd, "TZID"),
			prop(c, ics.ComponentPropertySummary), prop(c, ics.ComponentPropertyLocation),
			prop(c, ics.ComponentPropertyUrl), prop(c, ics.ComponentPropertyDescription)}
		exp := []string{want.ev.ID + "@focusgroups", want.seq, want.status, want.tz, want.dtstart, want.tz,
			want.ev.Title, want.ev.Venue, "https://fg.example/s/" + want.ev.ID, want.ev.Description}
		if !slices.Equal(got, exp) {
			t.Errorf("VEVENT %d:\n got %q\nwant %q", i, got, exp)
		}
		if start, err := evs[i].GetStartAt(); err != nil || !start.Equal(want.ev.Start) {
			t.Errorf("VEVENT %d start %v (%v), want %v", i, start, err, want.ev.Start)
		}
	}

	invite := parseICS(t, CalendarOptions{IncludeLink: true, Organizer: "mailto:noreply@fg.example"}.ICS(MethodRequest, ny))
	c := &invite.Events()[0].ComponentBase
	if calMethod(invite) != "REQUEST" || !strings.Contains(prop(c, ics.ComponentPropertyDescription), ny.OnlineURL) ||
		prop(c, ics.ComponentPropertyOrganizer) != "mailto:noreply@fg.example" {
		t.Errorf("invite: method %q, description %q", calMethod(invite), prop(c, ics.ComponentPropertyDescription))
	}
	cancel := parseICS(t, ICS(MethodCancel, ny))
	if calMethod(cancel) != "CANCEL" || prop(&cancel.Events()[0].ComponentBase, ics.ComponentPropertyStatus) != "CANCELLED" {
		t.Error("CANCEL calendar does not cancel the event")
	}
}

func TestSeriesICSHasRuleExceptionsAndOverrides(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	sr, evs, err := f.s.CreateSeries(ctx, f.org, f.group, seriesInput("Europe/Berlin", "2026-03-17T18:30"),
		Recurrence{Frequency: "weekly", Count: "4"})
	if err != nil {
		t.Fatal(err)
	}
	f.s.Cancel(ctx, f.org, evs[1].ID)
	f.s.Update(ctx, f.org, evs[2].ID, seriesInput("Europe/Berlin", "2026-04-01T18:30"))
	sr, occ, _ := f.s.Series(ctx, sr.ID)

	cal := parseICS(t, CalendarOptions{}.SeriesICS(MethodPublish, sr, occ))
	if len(cal.Timezones()) != 1 {
		t.Fatalf("%d VTIMEZONEs", len(cal.Timezones()))
	}
	vevs := cal.Events()
	if len(vevs) != 2 {
		t.Fatalf("%d VEVENTs, want master + 1 override", len(vevs))
	}
	m := &vevs[0].ComponentBase
	uid := sr.ID + "@focusgroups"
	got := []string{prop(m, ics.ComponentPropertyUniqueId), prop(m, ics.ComponentPropertyRrule),
		prop(m, ics.ComponentPropertyDtStart), param(m, ics.ComponentPropertyDtStart, "TZID"),
		prop(m, ics.ComponentPropertyExdate), param(m, ics.ComponentPropertyExdate, "TZID"),
		prop(m, ics.ComponentPropertySequence)}
	want := []string{uid, "FREQ=WEEKLY;INTERVAL=1;COUNT=4", "20260317T183000", "Europe/Berlin",
		"20260324T183000", "Europe/Berlin", "2"}
	if !slices.Equal(got, want) {
		t.Errorf("master:\n got %q\nwant %q", got, want)
	}
	o := &vevs[1].ComponentBase
	got = []string{prop(o, ics.ComponentPropertyUniqueId), prop(o, ics.ComponentPropertyRecurrenceId),
		param(o, ics.ComponentPropertyRecurrenceId, "TZID"), prop(o, ics.ComponentPropertyDtStart),
		prop(o, ics.ComponentPropertySequence), prop(o, ics.ComponentPropertyStatus)}
	want = []string{uid, "20260331T183000", "Europe/Berlin", "20260401T183000", "1", "CONFIRMED"}
	if !slices.Equal(got, want) {
		t.Errorf("override:\n got %q\nwant %q", got, want)
	}
	// DST starts in Berlin on 29 March, inside the series: both periods.
	if tr := transitions(cal.Timezones()[0]); len(tr) != 2 || !strings.HasPrefix(tr[1], "DAYLIGHT 20260329T020000 +0100>+0200") {
		t.Errorf("transitions %v", tr)
	}
}

func TestVTimezoneWithoutDST(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ev := f.create(t, func(in *Input) { in.TimeZone = "Asia/Kolkata" })
	cal := parseICS(t, ICS(MethodPublish, ev))
	tr := transitions(cal.Timezones()[0])
	if len(tr) != 1 || !strings.HasPrefix(tr[0], "STANDARD ") || !strings.HasSuffix(tr[0], ">+0530 IST") {
		t.Fatalf("Kolkata VTIMEZONE %v", tr)
	}
}

func TestCalendarTextIsCleaned(t *testing.T) {
	cases := []struct {
		in, line, multi string
	}{
		{"Go, generics; 東京", "Go, generics; 東京", "Go, generics; 東京"},
		{"T\x00itle\xff", "Title\uFFFD", "Title\uFFFD"},
		{"one\r\ntwo\rthree\nfour", "one two three four", "one\ntwo\nthree\nfour"},
		{"tab\there\x1b[0m\x7f\u0085", "tab here[0m", "tab here[0m"},
		{"  \n padded \r\n", "padded", "padded"},
	}
	for _, c := range cases {
		if got := icsText(c.in, false); got != c.line {
			t.Errorf("icsText(%q, one line) = %q, want %q", c.in, got, c.line)
		}
		if got := icsText(c.in, true); got != c.multi {
			t.Errorf("icsText(%q, several lines) = %q, want %q", c.in, got, c.multi)
		}
	}
}
