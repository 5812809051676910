package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// sessionCard is a session in a list (group page, dashboard, home page),
// already formatted for the viewer: the partial "partials/session_card"
// renders it without access to the page's data.
type sessionCard struct {
	ID, Title            string
	GroupName, GroupSlug string
	Format               string // "Workshop"
	When                 string // start–end in the viewer's zone, zone named
	Relative             string // "in 3 days", "happening now"
	Cancelled            bool
	Seats                string // "12 of 40 seats left"; "" when there is no limit
	MyStatus             string // "You're going", "#3 on the waitlist", "You're hosting"; "" otherwise
	RSVP                 events.Choice
	hosting              bool   // the viewer hosts it: every date of a series alike
	Series               string // "Every Tuesday · 6 sessions · next Tue 8 Dec" on a series' one card
}

// Card list sizes.
const (
	groupUpcomingCards = 20
	groupPastCards     = 10
	myCards            = 50
)

// groupLookup finds a session's group and says whether its sessions may be
// shown in the list at hand (nil group: not shown).
type groupLookup func(groupID string) (*groups.Group, error)

// formatCards formats evs for the viewer. status holds known RSVP
// statuses, liveStatus the standings read for this list (seats, and the
// viewer's status where status is nil); a session whose group is nil is
// left out. The occurrences of a series become one card (collapseSeries).
func (h *handler) formatCards(c *fiber.Ctx, evs []events.Event, status map[string]events.RSVPStatus, liveStatus map[string]events.Standing, group groupLookup) ([]sessionCard, error) {
	own := knownZone(c)
	now := h.Events.Now()
	viewer := ""
	if u := currentUser(c); u != nil {
		viewer = u.ID
	}
	out := make([]sessionCard, 0, len(evs))
	shown := make([]*events.Event, 0, len(evs))
	zone := func(ev *events.Event) *time.Location {
		if own != nil {
			return own
		}
		return zoneNamed(ev.TimeZone)
	}
	for i := range evs {
		ev := &evs[i]
		g, err := group(ev.GroupID)
		if err != nil {
			return nil, err
		}
		if g == nil {
			continue
		}
		loc := zone(ev)
		card := sessionCard{
			ID: ev.ID, Title: ev.Title, GroupName: g.Name, GroupSlug: g.Slug,
			Format: formatLabel(ev.Format), When: timeRange(ev.Start, ev.End, loc),
			Relative: sessionRelative(ev.Start, ev.End, now), Cancelled: ev.Status == events.StatusCancelled,
		}
		st := events.Standing{Status: status[ev.ID], SeatsLeft: -1}
		if s, ok := liveStatus[ev.ID]; ok {
			if status == nil {
				st = s
			} else {
				st.SeatsLeft, st.Position = s.SeatsLeft, s.Position
			}
		}
		if ev.Capacity > 0 && st.SeatsLeft >= 0 {
			card.Seats = seatsFor(ev.Capacity, st.SeatsLeft, st.Status)
		}
		if !card.Cancelled { // a cancelled session has no "Going" any more
			card.RSVP = events.ChoiceFor(st, events.ChoiceFactsOf(*ev, viewer, false))
			if events.Active(st.Status) || card.RSVP.Hosting {
				card.MyStatus = card.RSVP.Status
			}
			card.hosting = card.RSVP.Hosting
		}
		out, shown = append(out, card), append(shown, ev)
	}
	return collapseSeries(out, shown, zone, now), nil
}
