package events

import (
	"context"
	"errors"
	"fmt"
)

// CancelScope says which dates of a series a cancel covers.
type CancelScope string

// The cancel choices a series session offers.
const (
	CancelThis      CancelScope = "this"
	CancelFollowing CancelScope = "following" // this date and every later one
	CancelAll       CancelScope = "all"       // every date that has not started
)

// ErrBadScope means a cancel named no known scope.
var ErrBadScope = errors.New("events: unknown cancel scope")

// CancelSeries cancels the occurrence eventID of its series, or with it
// the later dates (CancelFollowing) or every date not started yet
// (CancelAll). Each date is cancelled, and its people told, as a single
// cancel is; dates already cancelled or started are left as they are.
// It returns the dates it cancelled, in date order.
func (s *Store) CancelSeries(ctx context.Context, a Actor, eventID string, scope CancelScope) ([]Event, error) {
	if !a.Organizer {
		return nil, ErrForbidden
	}
	if scope != CancelThis && scope != CancelFollowing && scope != CancelAll {
		return nil, ErrBadScope
	}
	ev, err := s.Get(ctx, eventID)
	if err != nil {
		return nil, err
	}
	if scope == CancelThis || ev.SeriesID == "" {
		if ev.Status == StatusCancelled {
			return nil, nil
		}
		done, err := s.Cancel(ctx, a, eventID)
		if err != nil {
			return nil, err
		}
		return []Event{done}, nil
	}
	_, occ, err := s.Series(ctx, ev.SeriesID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var done []Event
	for _, o := range occ {
		if o.Status == StatusCancelled || !o.Start.After(now) || (scope == CancelFollowing && o.Start.Before(ev.Start)) {
			continue
		}
		c, err := s.Cancel(ctx, a, o.ID)
		if err != nil {
			return done, fmt.Errorf("events: cancel series %s at %s: %w", ev.SeriesID, o.ID, err)
		}
		done = append(done, c)
	}
	return done, nil
}
