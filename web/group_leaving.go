package web

import (
	"context"

	"github.com/focusgroups/focusgroups/events"
)

// leaveGroupSessions gives up userID's places at the group's upcoming
// sessions after they left, were removed or were banned: their seats go to
// the waitlist, their reminders stop, and a private group's sessions stop
// reaching them. It follows a membership change that already happened, so
// failures are logged, not shown.
func (h *handler) leaveGroupSessions(ctx context.Context, groupID, userID string) {
	upcoming, err := h.Events.GroupUpcoming(ctx, groupID, 500)
	if err != nil {
		h.Logger.Warn("leave group sessions", "group", groupID, "err", err)
		return
	}
	u, err := h.Users.Get(ctx, userID)
	if err != nil {
		h.Logger.Warn("leave group sessions", "group", groupID, "err", err)
		return
	}
	ids := make([]string, len(upcoming))
	for i, ev := range upcoming {
		ids[i] = ev.ID
	}
	standings, err := h.Events.StatusesOf(ctx, ids, userID)
	if err != nil {
		h.Logger.Warn("leave group sessions", "group", groupID, "err", err)
		return
	}
	for i, ev := range upcoming {
		switch standings[i].Status {
		case events.RSVPGoing, events.RSVPWaitlisted, events.RSVPPending:
			if _, err := h.Events.RSVP(ctx, ev.ID, userID, false); err != nil {
				h.Logger.Warn("leave group sessions", "event", ev.ID, "err", err)
				continue
			}
			h.Notify.RSVPChanged(ctx, ev, u, events.RSVPNotGoing)
		}
	}
}
