package mentors

import (
	"sort"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// Meeting times: each meeting lasts MeetingLength; offers start on the
// hour within both weekly availabilities, at most offersPerDay a day (UTC)
// and MaxOffers in all, over the next OfferDays.
const (
	MeetingLength = time.Hour
	OfferDays     = 21
	MaxOffers     = 24
	offerStep     = time.Hour
	offersPerDay  = 3
)

// interval is a span of real time, UTC.
type interval struct{ from, to time.Time }

// weekly turns weekly slots in zone into the real intervals they cover
// between from and to.
func weekly(a match.Availability, zone string, from, to time.Time) []interval {
	loc, ok := timefmt.Load(zone)
	if !ok {
		return nil
	}
	var out []interval
	first := from.In(loc).AddDate(0, 0, -1)
	for d := 0; d <= int(to.Sub(from).Hours()/24)+2; d++ {
		day := first.AddDate(0, 0, d)
		for _, s := range a.Slots {
			if s.Day != day.Weekday() {
				continue
			}
			y, m, dd := day.Date()
			start := time.Date(y, m, dd, 0, s.StartMin, 0, 0, loc)
			end := time.Date(y, m, dd, 0, s.EndMin, 0, 0, loc)
			if end.After(from) && start.Before(to) {
				out = append(out, interval{start.UTC(), end.UTC()})
			}
		}
	}
	return merge(out)
}

// merge sorts intervals and joins those that touch or overlap.
func merge(ivs []interval) []interval {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].from.Before(ivs[j].from) })
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.from.After(out[n-1].to) {
			if iv.to.After(out[n-1].to) {
				out[n-1].to = iv.to
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// shared is where both lists of intervals overlap.
func shared(a, b []interval) []interval {
	var out []interval
	for _, x := range a {
		for _, y := range b {
			from, to := x.from, x.to
			if y.from.After(from) {
				from = y.from
			}
			if y.to.Before(to) {
				to = y.to
			}
			if to.After(from) {
				out = append(out, interval{from, to})
			}
		}
	}
	return merge(out)
}

// Availabilities are the two people's weekly times and zones.
type Availabilities struct {
	Mentor, Mentee         match.Availability
	MentorZone, MenteeZone string
}

func (a Availabilities) shared(from, to time.Time) []interval {
	return shared(weekly(a.Mentor, a.MentorZone, from, to), weekly(a.Mentee, a.MenteeZone, from, to))
}

// Offers lists meeting starts after now, over the next OfferDays, where a
// whole meeting fits in both weekly availabilities.
func (a Availabilities) Offers(now time.Time) []time.Time {
	var out []time.Time
	perDay := map[string]int{}
	for _, iv := range a.shared(now, now.AddDate(0, 0, OfferDays)) {
		start := iv.from.Truncate(offerStep)
		if start.Before(iv.from) {
			start = start.Add(offerStep)
		}
		for ; !start.Add(MeetingLength).After(iv.to); start = start.Add(offerStep) {
			day := start.Format(time.DateOnly)
			if start.After(now) && perDay[day] < offersPerDay && (len(out) == 0 || start.After(out[len(out)-1])) {
				perDay[day]++
				out = append(out, start)
				if len(out) == MaxOffers {
					return out
				}
			}
		}
	}
	return out
}

// Fits reports whether a meeting starting at start lies wholly inside both
// weekly availabilities.
func (a Availabilities) Fits(start time.Time) bool {
	end := start.Add(MeetingLength)
	for _, iv := range a.shared(start.Add(-24*time.Hour), end.Add(24*time.Hour)) {
		if !iv.from.After(start) && !iv.to.Before(end) {
			return true
		}
	}
	return false
}

// BothZones writes a time for two people: "Tue 8 Dec 18:00 in Berlin ·
// 12:00 in New York", the date repeated only where it differs, and one
// place when both share a zone.
func BothZones(t time.Time, first, second *time.Location) string {
	a, b := t.In(first), t.In(second)
	out := a.Format("Mon 2 Jan 15:04") + " in " + place(first)
	if first.String() == second.String() {
		return out
	}
	if a.Format("2006-01-02") == b.Format("2006-01-02") {
		return out + " · " + b.Format("15:04") + " in " + place(second)
	}
	return out + " · " + b.Format("Mon 2 Jan 15:04") + " in " + place(second)
}

// place names a zone by its city: "Europe/Berlin" is Berlin,
// "America/New_York" New York; UTC stays UTC.
func place(loc *time.Location) string {
	name := loc.String()
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}
