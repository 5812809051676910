package web

import (
	"context"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
)

// takeOverGuests runs at every sign-in: a guest holding an address that
// u's provider verified is the same person, so the guest's RSVPs,
// memberships, invitations and mail choices move to u and the guest is
// deleted. (A guest whose address was u's first verified one needs none of
// this: signing in made that guest u's account.) It returns u as it is now.
func (h *handler) takeOverGuests(ctx context.Context, u *auth.User) (*auth.User, error) {
	guests, err := h.Users.GuestsHolding(ctx, u)
	if err != nil || len(guests) == 0 {
		return u, err
	}
	for _, g := range guests {
		moved, err := h.Events.MergeRSVPs(ctx, g.ID, u.ID)
		if err != nil {
			return u, err
		}
		if err := h.Groups.MergeMember(ctx, g.ID, u.ID); err != nil {
			return u, err
		}
		if u, err = h.Users.AbsorbGuest(ctx, u.ID, g); err != nil {
			return u, err
		}
		for _, id := range moved {
			h.Notify.CancelReminders(ctx, id, g.ID)
			ev, err := h.Events.Get(ctx, id)
			if err != nil {
				return u, err
			}
			st, err := h.Events.StatusOf(ctx, id, u.ID)
			if err != nil {
				return u, err
			}
			if st.Status == events.RSVPGoing {
				h.Notify.ScheduleReminders(ctx, ev, u)
			}
		}
	}
	return u, nil
}
