package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/redis/go-redis/v9"
)

// Series is a recurring session. Each occurrence is an Event of its own;
// the series keeps the rule and the first occurrence as the template the
// calendar master entry is built from.
type Series struct {
	ID        string    `json:"id"`
	GroupID   string    `json:"group_id"`
	Frequency Frequency `json:"frequency"`
	Rule      string    `json:"rule"` // RRULE value, DTSTART is Template.Start in Template.TimeZone
	Template  Event     `json:"template"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateSeries schedules a recurring session: in describes the first
// occurrence, rec how it repeats. Every occurrence keeps the first one's
// local wall-clock time across daylight-saving changes.
func (s *Store) CreateSeries(ctx context.Context, a Actor, groupID string, in Input, rec Recurrence) (Series, []Event, error) {
	if !a.Organizer {
		return Series{}, nil, ErrForbidden
	}
	now := s.now()
	d, err := in.validate(now)
	errs, _ := err.(valid.Errors)
	if errs == nil {
		errs = valid.Errors{}
	}
	if errs["start"] != "" || errs["timezone"] != "" {
		errs.Add("recurrence", "Fix the start and time zone first.")
		return Series{}, nil, errs
	}
	r, occ := rec.rule(errs, d.start, d.loc)
	if err := errs.Err(); err != nil {
		return Series{}, nil, err
	}

	tmpl := s.newEvent(a, groupID, d, now)
	sr := Series{ID: ids.New(), GroupID: groupID, Frequency: Frequency(rec.Frequency), Rule: r.OrigOptions.RRuleString(),
		CreatedBy: a.UserID, CreatedAt: now}
	tmpl.SeriesID, tmpl.RecurrenceID, tmpl.SeriesFrequency = sr.ID, tmpl.Start, sr.Frequency
	sr.Template = tmpl
	data, err := json.Marshal(sr)
	if err != nil {
		return Series{}, nil, err
	}
	if err := s.rdb.Set(ctx, s.seriesKey(sr.ID), data, 0).Err(); err != nil {
		return Series{}, nil, fmt.Errorf("events: create series: %w", err)
	}

	wallLen := asWall(d.end, d.loc).Sub(asWall(d.start, d.loc))
	evs := make([]Event, 0, len(occ))
	zs := make([]redis.Z, 0, len(occ))
	for _, t := range occ {
		ev := tmpl
		ev.ID = ids.New()
		ev.Start = t.UTC()
		ev.End = atWall(t, wallLen, d.loc)
		ev.RecurrenceID = ev.Start
		shiftWindow(&ev, tmpl)
		if _, err := s.save(ctx, ev, -1, "", nil); err != nil {
			return Series{}, nil, fmt.Errorf("events: create series %s: %w", sr.ID, err)
		}
		evs = append(evs, ev)
		zs = append(zs, redis.Z{Score: float64(ev.RecurrenceID.Unix()), Member: ev.ID})
	}
	if err := s.rdb.ZAdd(ctx, s.seriesOccKey(sr.ID), zs...).Err(); err != nil {
		return Series{}, nil, fmt.Errorf("events: create series %s: %w", sr.ID, err)
	}
	if len(evs) > 0 {
		s.changed(ctx, Change{Kind: ChangeScheduled, Event: &evs[0], SeatsLeft: seatsAtStart(evs[0]), SeriesCount: len(evs)})
	}
	return sr, evs, nil
}

// shiftWindow gives ev the RSVP window of tmpl, moved with its start.
func shiftWindow(ev *Event, tmpl Event) {
	if !tmpl.RSVPOpens.IsZero() {
		ev.RSVPOpens = ev.Start.Add(tmpl.RSVPOpens.Sub(tmpl.Start))
	}
	if !tmpl.RSVPCloses.IsZero() {
		ev.RSVPCloses = ev.Start.Add(tmpl.RSVPCloses.Sub(tmpl.Start))
	}
}

// Series returns a series and its occurrences in rule order.
func (s *Store) Series(ctx context.Context, id string) (Series, []Event, error) {
	var get *redis.StringCmd
	var occ *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, s.seriesKey(id))
		occ = p.ZRange(ctx, s.seriesOccKey(id), 0, -1)
		return nil
	})
	if err != nil {
		return Series{}, nil, fmt.Errorf("events: series %s: %w", id, scriptErr(err))
	}
	var sr Series
	if err := json.Unmarshal([]byte(get.Val()), &sr); err != nil {
		return Series{}, nil, fmt.Errorf("events: decode series %s: %w", id, err)
	}
	evs, err := s.GetMany(ctx, occ.Val())
	if err != nil {
		return Series{}, nil, err
	}
	return sr, evs, nil
}

// UpdateSeriesFrom edits every scheduled occurrence of the series whose
// local date is on or after the date of in.Start. Each one gets in's fields
// and in's local start and end times on its own date; earlier and
// cancelled occurrences stay as they are. Each occurrence is changed (and
// its people told) as its own update.
func (s *Store) UpdateSeriesFrom(ctx context.Context, a Actor, seriesID string, in Input) ([]Event, error) {
	if !a.Organizer {
		return nil, ErrForbidden
	}
	now := s.now()
	d, err := in.validate(now)
	if err != nil {
		return nil, err
	}
	_, occ, err := s.Series(ctx, seriesID)
	if err != nil {
		return nil, err
	}
	startWall, endWall := asWall(d.start, d.loc), asWall(d.end, d.loc)
	fromDay := startWall.Truncate(24 * time.Hour)
	clock := startWall.Sub(fromDay)
	length := endWall.Sub(startWall)
	tmpl := Event{Start: d.start, RSVPOpens: d.opens, RSVPCloses: d.closes}

	var changed []Event
	for _, old := range occ {
		day := asWall(old.Start, d.loc).Truncate(24 * time.Hour)
		if old.Status == StatusCancelled || day.Before(fromDay) || !old.Start.After(now) {
			continue
		}
		ev := old
		d.apply(&ev)
		if len(ev.Hosts) == 0 {
			ev.Hosts = old.Hosts
		}
		ev.Start = resolveWall(day.Add(clock), d.loc)
		ev.End = resolveWall(day.Add(clock+length), d.loc)
		ev.RSVPOpens, ev.RSVPCloses = time.Time{}, time.Time{}
		shiftWindow(&ev, tmpl)
		ev, err = s.commit(ctx, old, ev)
		if err != nil {
			return changed, err
		}
		changed = append(changed, ev)
	}
	return changed, nil
}
