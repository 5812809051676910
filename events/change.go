package events

import "context"

// ChangeKind names a change to a session, or a new proposal, that the
// world outside the product may want to hear about (a group's webhooks).
type ChangeKind string

// The changes Store.Changed hears of.
const (
	ChangeScheduled  ChangeKind = "scheduled"   // a session or series was scheduled
	ChangeMoved      ChangeKind = "moved"       // its time or place changed
	ChangeCancelled  ChangeKind = "cancelled"   // it was cancelled
	ChangeSeatsFreed ChangeKind = "seats_freed" // a seat nobody was waiting for is free again
	ChangeProposed   ChangeKind = "proposed"    // someone proposed a topic
)

// Change is one change, told after it was stored.
type Change struct {
	Kind ChangeKind
	// Event is the session as stored by the change; nil when only EventID
	// is known (seats freed), for the hook to read it if it needs to.
	Event   *Event
	EventID string
	// SeatsLeft is the seats left after the change; -1 when unknown or
	// there is no limit.
	SeatsLeft int
	// SeriesCount is how many sessions a new series scheduled (0 for one).
	SeriesCount int
	// Proposal is the new proposal (ChangeProposed only).
	Proposal *Proposal
}

// changed tells s.Changed of c, if anyone listens.
func (s *Store) changed(ctx context.Context, c Change) {
	if c.Event != nil {
		c.EventID = c.Event.ID
	}
	if s.Changed != nil {
		s.Changed(ctx, c)
	}
}
