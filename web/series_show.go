package web

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/focusgroups/focusgroups/events"
)

// seriesNav places a session among the dates of its series: "2 of 6 ·
// every Tuesday" and a short list of the dates, the current one marked.
type seriesNav struct {
	ID       string
	Position string // "2 of 6 · every Tuesday"
	Dates    []seriesDate
	Upcoming int  // scheduled dates still to come, for "I'm going to all"
	CanGoAll bool // the viewer may answer for every date at once
}

// seriesDate is one date in a seriesNav.
type seriesDate struct {
	ID, Label          string // Label: "Tue 8 Dec"
	Current, Cancelled bool
}

// readSeries reads, in one round trip, the occurrences whose IDs ids
// gives, in start order; occurrences deleted meanwhile are left out.
func (h *handler) readSeries(ctx context.Context, ids func() ([]string, error)) ([]events.Event, error) {
	list, err := ids()
	if err != nil || len(list) == 0 {
		return nil, err
	}
	p := h.Redis.Pipeline()
	reads := make([]func() (events.Event, error), len(list))
	for i, id := range list {
		reads[i] = h.Events.QueueGet(ctx, p, id)
	}
	if err := runReads(ctx, p); err != nil {
		return nil, err
	}
	out := make([]events.Event, 0, len(list))
	for _, read := range reads {
		ev, err := read()
		if errors.Is(err, events.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// buildSeriesNav places ev among occ (its series, in start order), dates
// in loc; nil when ev is not part of a series of two or more.
func buildSeriesNav(ev events.Event, occ []events.Event, loc *time.Location, now time.Time) *seriesNav {
	if ev.SeriesID == "" || len(occ) < 2 {
		return nil
	}
	nav := &seriesNav{ID: ev.SeriesID}
	at := 0
	for i, o := range occ {
		if o.ID == ev.ID {
			at = i + 1
		}
		if o.Status != events.StatusCancelled && o.Start.After(now) {
			nav.Upcoming++
		}
		nav.Dates = append(nav.Dates, seriesDate{ID: o.ID, Label: shortDay(o.Start, loc), Current: o.ID == ev.ID,
			Cancelled: o.Status == events.StatusCancelled})
	}
	rule := ev.SeriesFrequency.Phrase(ev.Start, loc)
	nav.Position = strconv.Itoa(at) + " of " + strconv.Itoa(len(occ)) + " · " + lowerFirst(rule)
	return nav
}

// lowerFirst puts a sentence-start phrase mid-sentence: "Every Tuesday"
// becomes "every Tuesday".
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
