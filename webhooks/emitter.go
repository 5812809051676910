package webhooks

import (
	"context"
	"errors"
	"fmt"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// Emitter turns the events store's changes into webhook events (it is the
// store's Changed hook). A group without endpoints costs one round trip
// per change; one with endpoints, two or three more (the group and, when
// the change did not carry them, the session and its seats; the queue).
//
// A change is queued right after it was stored, in the same request: a
// crash between the two loses that one webhook (never the change, and
// never a mail: those go through the notices relay).
type Emitter struct {
	Hooks   *Store
	Events  *events.Store
	Groups  *groups.Store
	BaseURL string
}

// Changed queues the webhook event of c; failures are logged, not
// returned, since the change itself already succeeded.
func (e *Emitter) Changed(ctx context.Context, c events.Change) {
	if err := e.changed(ctx, c); err != nil && !errors.Is(err, ErrNoEndpoints) {
		e.Hooks.Logger.Error("webhooks: emit", "change", string(c.Kind), "session", c.EventID, "err", err)
	}
}

var typeOf = map[events.ChangeKind]EventType{
	events.ChangeScheduled:  SessionScheduled,
	events.ChangeMoved:      SessionChanged,
	events.ChangeCancelled:  SessionCancelled,
	events.ChangeSeatsFreed: SeatsFreed,
	events.ChangeProposed:   ProposalCreated,
}

func (e *Emitter) changed(ctx context.Context, c events.Change) error {
	t, ok := typeOf[c.Kind]
	if !ok {
		return nil
	}
	ev := c.Event
	if ev == nil && c.EventID != "" {
		got, err := e.Events.Get(ctx, c.EventID)
		if err != nil {
			return err
		}
		ev = &got
	}
	var groupID string
	switch {
	case ev != nil:
		groupID = ev.GroupID
	case c.Proposal != nil:
		groupID = c.Proposal.GroupID
	default:
		return nil
	}
	eps, err := e.Hooks.List(ctx, groupID)
	if err != nil {
		return err
	}
	if !anyWants(eps, t) {
		return ErrNoEndpoints
	}
	g, err := e.Groups.Get(ctx, groupID)
	if err != nil {
		return fmt.Errorf("group %s: %w", groupID, err)
	}
	out := Event{ID: ids.New(), Type: t, At: e.Hooks.Now().UTC(),
		Group: Group{ID: g.ID, Slug: g.Slug, Name: g.Name, URL: e.BaseURL + "/g/" + g.Slug}}
	if ev != nil {
		seats := c.SeatsLeft
		if ev.Capacity > 0 && seats < 0 {
			st, err := e.Events.StatusOf(ctx, ev.ID, "")
			if err != nil {
				return err
			}
			seats = st.SeatsLeft
		}
		out.Session = &Session{ID: ev.ID, Title: ev.Title, URL: e.BaseURL + "/s/" + ev.ID, Start: ev.Start.UTC(), End: ev.End.UTC(),
			TimeZone: ev.TimeZone, Venue: ev.Venue, Online: ev.OnlineURL != "", Capacity: ev.Capacity,
			Status: string(ev.Status), SeriesCount: c.SeriesCount}
		if ev.Capacity > 0 {
			out.Session.SeatsLeft = max(seats, 0)
		}
	}
	if p := c.Proposal; p != nil {
		out.Proposal = &Proposal{ID: p.ID, Title: p.Title, Kind: string(p.Kind), URL: e.BaseURL + "/g/" + g.Slug + "/proposals"}
	}
	_, err = e.Hooks.emitTo(ctx, out, eps, "")
	return err
}

func anyWants(eps []Endpoint, t EventType) bool {
	for _, e := range eps {
		if e.Wants(t) {
			return true
		}
	}
	return false
}
