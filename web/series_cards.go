package web

import (
	"strconv"
	"time"

	"github.com/focusgroups/focusgroups/events"
)

// shortDay is a date on a card: "Tue 8 Dec".
func shortDay(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan") }

// collapseSeries turns the cards of one series into one card that says
// how it repeats, how many of its sessions the list holds and which is
// next (or, for ended ones, last), linking to that one. evs[i] is the
// session of cards[i], loc the zone each card is shown in. A card that
// carries the viewer's own answer stays on its own: the viewer is going
// to that date, not to the series. Cancelled and scheduled occurrences
// collapse separately, so a cancelled date never hides a scheduled one.
// The cards are collapsed in place: the result shares cards' array.
func collapseSeries(cards []sessionCard, evs []*events.Event, loc func(*events.Event) *time.Location, now time.Time) []sessionCard {
	type group struct{ at, n int }
	bySeries := map[string]*group{}
	out := cards[:0] // never ahead of the card being read
	firsts := evs[:0]
	for i, card := range cards {
		ev := evs[i]
		if ev.SeriesID == "" || (card.MyStatus != "" && !card.hosting) {
			out, firsts = append(out, card), append(firsts, ev)
			continue
		}
		key := ev.SeriesID + "/" + strconv.FormatBool(card.Cancelled)
		if g, ok := bySeries[key]; ok {
			g.n++
			continue
		}
		bySeries[key] = &group{at: len(out), n: 1}
		out, firsts = append(out, card), append(firsts, ev)
	}
	for _, g := range bySeries {
		if g.n < 2 {
			continue
		}
		ev := firsts[g.at]
		l := loc(ev)
		which := "next "
		if !ev.End.After(now) {
			which = "last "
		}
		out[g.at].Series = ev.SeriesFrequency.Phrase(ev.Start, l) + " · " + plural(g.n, "session") + " · " + which + shortDay(ev.Start, l)
	}
	return out
}
