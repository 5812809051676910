package web

import (
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// apiGroupObj is a group as the API shows it (see openapi.json, Group).
type apiGroupObj struct {
	ID            string    `json:"id"`
	Slug          string    `json:"slug"`
	Name          string    `json:"name"`
	Description   string    `json:"description"`
	Topics        []string  `json:"topics"`
	City          string    `json:"city,omitempty"`
	Online        bool      `json:"online"`
	Visibility    string    `json:"visibility"`
	JoinPolicy    string    `json:"join_policy"`
	MemberCount   int       `json:"member_count"`
	NextSessionAt time.Time `json:"next_session_at,omitzero"`
	URL           string    `json:"url"`
	MyRole        string    `json:"my_role,omitempty"`
}

func (h *handler) apiGroupOf(g *groups.Group, role groups.Role) apiGroupObj {
	topics := g.Topics
	if topics == nil {
		topics = []string{}
	}
	return apiGroupObj{ID: g.ID, Slug: g.Slug, Name: g.Name, Description: g.Description, Topics: topics, City: g.City,
		Online: g.Online, Visibility: string(g.Visibility), JoinPolicy: string(g.JoinPolicy), MemberCount: g.MemberCount,
		NextSessionAt: g.NextSessionAt, URL: h.BaseURL + "/g/" + g.Slug, MyRole: string(role)}
}

// apiSessionObj is a session as the API shows it (see openapi.json,
// Session). SeatsLeft is absent when the session has no limit.
type apiSessionObj struct {
	ID               string       `json:"id"`
	GroupID          string       `json:"group_id"`
	Title            string       `json:"title"`
	Description      string       `json:"description"`
	Format           string       `json:"format"`
	Start            time.Time    `json:"start"`
	End              time.Time    `json:"end"`
	TimeZone         string       `json:"time_zone"`
	Venue            string       `json:"venue,omitempty"`
	OnlineURL        string       `json:"online_url,omitempty"`
	Status           string       `json:"status"`
	Capacity         int          `json:"capacity"`
	SeatsLeft        *int         `json:"seats_left,omitempty"`
	Going            int          `json:"going"`
	ApprovalRequired bool         `json:"approval_required"`
	RSVPOpens        time.Time    `json:"rsvp_opens,omitzero"`
	RSVPCloses       time.Time    `json:"rsvp_closes"`
	URL              string       `json:"url"`
	MyRSVP           *apiRSVPMine `json:"my_rsvp,omitempty"`
}

// apiRSVPMine is the caller's own answer to a session.
type apiRSVPMine struct {
	Status   string `json:"status"`
	Position int    `json:"position,omitempty"`
}

// apiSessionOf shows ev to the caller (uid, organizer of its group or
// not) with their standing st (nil for a cancelled session, which has
// none).
func (h *handler) apiSessionOf(ev events.Event, uid string, organizer bool, st *events.Standing) apiSessionObj {
	out := apiSessionObj{ID: ev.ID, GroupID: ev.GroupID, Title: ev.Title, Description: ev.Description, Format: string(ev.Format),
		Start: ev.Start, End: ev.End, TimeZone: ev.TimeZone, Venue: ev.Venue, Status: string(ev.Status), Capacity: ev.Capacity,
		ApprovalRequired: ev.ApprovalRequired, RSVPOpens: ev.RSVPOpens, RSVPCloses: ev.ClosesAt(), URL: h.BaseURL + sessionPath(ev.ID)}
	status := events.RSVPNone
	if st != nil {
		status = st.Status
		out.Going = st.Going
		if st.SeatsLeft >= 0 {
			seats := st.SeatsLeft
			out.SeatsLeft = &seats
		}
		if st.Status != events.RSVPNone {
			out.MyRSVP = &apiRSVPMine{Status: string(st.Status), Position: st.Position}
		}
	}
	if events.CanSeeLink(ev, events.Actor{UserID: uid, Organizer: organizer}, status) {
		out.OnlineURL = ev.OnlineURL
	}
	return out
}
