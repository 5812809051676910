// Package events owns skill-sharing sessions: scheduling (single and
// recurring), RSVPs with capacity, waitlist and approval, attendance,
// topic proposals and calendar (iCalendar) output. It holds the rules and
// the Redis access; the web layer resolves who the caller is and what role
// they have in the group before calling it.
package events

import (
	"errors"
	"time"
)

// Format is the kind of session, shown on the session page.
type Format string

// The session formats the product offers.
const (
	FormatTalk           Format = "talk"
	FormatWorkshop       Format = "workshop"
	FormatLightningTalks Format = "lightning-talks"
	FormatStudyGroup     Format = "study-group"
	FormatPairing        Format = "pairing"
	FormatPanel          Format = "panel"
	FormatAMA            Format = "ama"
)

// Formats lists the session formats in display order, for form selects.
var Formats = []Format{FormatTalk, FormatWorkshop, FormatLightningTalks, FormatStudyGroup, FormatPairing, FormatPanel, FormatAMA}

// Status says whether a session still takes place.
type Status string

// Session statuses. A cancelled session stays visible as cancelled.
const (
	StatusScheduled Status = "scheduled"
	StatusCancelled Status = "cancelled"
)

// Limits the product enforces on sessions.
const (
	MaxTitle       = 120
	MinTitle       = 3
	MaxDescription = 10000
	MaxVenue       = 300
	MaxURL         = 2000
	MaxCapacity    = 10000
	MaxHosts       = 20
	MaxDuration    = 12 * time.Hour
)

// Event is one skill-sharing session. Occurrences of a recurring series are
// Events of their own (SeriesID set) so that RSVPs are per occurrence.
type Event struct {
	ID       string `json:"id"`
	GroupID  string `json:"group_id"`
	SeriesID string `json:"series_id,omitempty"`
	// RecurrenceID is the start the series rule gave this occurrence,
	// before any move; it identifies the occurrence in calendars.
	RecurrenceID time.Time `json:"recurrence_id,omitzero"`
	// SeriesFrequency is how the series repeats, for saying so
	// ("every Tuesday") without reading the series.
	SeriesFrequency Frequency `json:"series_frequency,omitempty"`

	Title       string `json:"title"`
	Description string `json:"description"` // raw Markdown; the web layer renders and sanitises it
	Format      Format `json:"format"`

	Start    time.Time `json:"start"` // UTC
	End      time.Time `json:"end"`   // UTC
	TimeZone string    `json:"time_zone"`

	Venue     string `json:"venue,omitempty"`
	OnlineURL string `json:"online_url,omitempty"` // show only when CanSeeLink

	Capacity         int       `json:"capacity"` // 0 = no limit
	Hosts            []string  `json:"hosts"`
	RSVPOpens        time.Time `json:"rsvp_opens,omitzero"`
	RSVPCloses       time.Time `json:"rsvp_closes,omitzero"`
	ApprovalRequired bool      `json:"approval_required"`

	Status   Status `json:"status"`
	Sequence int    `json:"sequence"` // iCalendar SEQUENCE, bumped on every change
	Listed   bool   `json:"listed"`   // shown on the home page (public groups)
	// Skills are the skill tags the session teaches.
	Skills []string `json:"skills,omitempty"`

	ProposalID string `json:"proposal_id,omitempty"`
	ProposerID string `json:"proposer_id,omitempty"`

	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Version identifies the stored version this value was read from (a
	// hash of its bytes), set by QueueGet; 0 when it was not read that
	// way. Two sessions with the same non-zero Version are equal.
	Version uint64 `json:"-"`
}

// ClosesAt is when RSVPs close: RSVPCloses or Start, whichever comes first.
func (e Event) ClosesAt() time.Time {
	if !e.RSVPCloses.IsZero() && e.RSVPCloses.Before(e.Start) {
		return e.RSVPCloses
	}
	return e.Start
}

// Location returns the session's own time zone (UTC if it cannot be loaded).
func (e Event) Location() *time.Location {
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// IsHost reports whether userID hosts or speaks at the session.
func (e Event) IsHost(userID string) bool {
	for _, h := range e.Hosts {
		if h == userID {
			return true
		}
	}
	return false
}

// Actor is who performs an action. The web layer fills Organizer from the
// group role (organizer or co-organizer of the event's group).
type Actor struct {
	UserID    string
	Organizer bool
}

// CanSeeLink reports whether the viewer may see the online link: people
// going, the hosts and the group's organizers, and never for a cancelled
// session.
func CanSeeLink(ev Event, viewer Actor, status RSVPStatus) bool {
	if ev.OnlineURL == "" || ev.Status == StatusCancelled {
		return false
	}
	return status == RSVPGoing || viewer.Organizer || (viewer.UserID != "" && ev.IsHost(viewer.UserID))
}

// Errors callers check with errors.Is.
var (
	ErrNotFound         = errors.New("not found")
	ErrForbidden        = errors.New("only the group's organizers may do this")
	ErrConflict         = errors.New("the session was changed meanwhile; reload and try again")
	ErrCancelled        = errors.New("the session is cancelled")
	ErrPast             = errors.New("the session has already started or ended")
	ErrClosed           = errors.New("RSVPs for this session are closed")
	ErrNotOpen          = errors.New("RSVPs for this session are not open yet")
	ErrRemoved          = errors.New("an organizer removed you from this session")
	ErrNotPending       = errors.New("this person has no request awaiting approval")
	ErrNotGoing         = errors.New("this person is not going to the session")
	ErrCheckInTooEarly  = errors.New("check-in opens shortly before the session starts")
	ErrAlreadyScheduled = errors.New("the proposal is already scheduled")
)
