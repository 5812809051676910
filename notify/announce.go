package notify

import (
	"context"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mail"
)

// AnnounceBatch names the batch of an announcement, for its delivery status.
func AnnounceBatch(eventID string) string { return "announce:" + eventID }

// Announce invites every member of g who has not opted out to ev: the
// session in their own zone, an iCalendar invitation and personal Going /
// Not going links. The organizer announcing (by) and people who already
// answered are left out, and announcing twice sends nobody a second
// invite, except to people whose earlier invitation could not be
// delivered. It returns how many invitations were newly queued; RSVP
// links are issued only for those (one more can be wasted when another
// announcement of the same session queues that person's mail first).
func (n *Notifier) Announce(ctx context.Context, ev events.Event, g *groups.Group, by string) (int, error) {
	answered, err := n.answered(ctx, ev.ID)
	if err != nil {
		return 0, fmt.Errorf("notify: announce %s: %w", ev.ID, err)
	}
	answered[by] = true
	ics := []byte(n.calendar(ev, events.MethodRequest)) // the same for everyone
	dates, err := n.seriesDates(ctx, ev)
	if err != nil {
		return 0, fmt.Errorf("notify: announce %s: %w", ev.ID, err)
	}
	queued := 0
	err = n.eachInvitee(ctx, g, answered, func(invited []*auth.User) error {
		sent, err := n.inviteBatch(ctx, ev, dates, g, invited, ics)
		queued += len(sent)
		return err
	})
	if err != nil {
		return queued, fmt.Errorf("notify: announce %s: %w", ev.ID, err)
	}
	return queued, nil
}

// InviteTo invites people an organizer named (by address) to ev: the
// same mail as an announcement, with their personal Going / Not going
// links, to people who may not be members yet or have no account (guests).
// It returns the IDs of those newly invited; the rest had an invitation to
// ev already.
func (n *Notifier) InviteTo(ctx context.Context, ev events.Event, g *groups.Group, people []*auth.User) (map[string]bool, error) {
	var reach []*auth.User
	for _, u := range people {
		if _, ok := reachable(u); ok {
			reach = append(reach, u)
		}
	}
	dates, err := n.seriesDates(ctx, ev)
	if err != nil {
		return nil, fmt.Errorf("notify: invite to %s: %w", ev.ID, err)
	}
	sent, err := n.inviteBatch(ctx, ev, dates, g, reach, []byte(n.calendar(ev, events.MethodRequest)))
	if err != nil {
		return sent, fmt.Errorf("notify: invite to %s: %w", ev.ID, err)
	}
	return sent, nil
}

// inviteBatch queues the invitations to ev of those among invited who
// have none yet, and returns who got one. dates are the series' dates
// from ev on (none for a single session).
func (n *Notifier) inviteBatch(ctx context.Context, ev events.Event, dates []events.Event, g *groups.Group, invited []*auth.User, ics []byte) (map[string]bool, error) {
	sent := map[string]bool{}
	keys := make([]string, len(invited))
	for i, u := range invited {
		keys[i] = inviteKey(ev.ID, u.ID)
	}
	taken, err := n.Mail.Outbox.Taken(ctx, keys)
	if err != nil {
		return sent, err
	}
	var uids []string
	for _, u := range invited {
		if !taken[inviteKey(ev.ID, u.ID)] {
			uids = append(uids, u.ID)
		}
	}
	if len(uids) == 0 {
		return sent, nil
	}
	tokens, err := n.Events.IssueRSVPTokens(ctx, ev, uids)
	if err != nil {
		return sent, err
	}
	batch := make([]mail.Message, 0, len(uids))
	var to []string
	for _, u := range invited {
		if token, ok := tokens[u.ID]; ok {
			batch = append(batch, n.invite(ev, dates, g, u, token, ics))
			to = append(to, u.ID)
		}
	}
	rs, err := n.Mail.Outbox.EnqueueAll(ctx, batch)
	if err != nil {
		return sent, err
	}
	for i, r := range rs {
		if !r.Duplicate {
			sent[to[i]] = true
		}
	}
	return sent, nil
}

// inviteKey is the idempotency key of a person's invitation to a session.
func inviteKey(eventID, userID string) string { return "invite:" + eventID + ":" + userID }

// eachInvitee calls fn with each page of g's members who take
// announcements from g by email, leaving out the IDs in skip; fn is not
// called for a page with nobody left.
func (n *Notifier) eachInvitee(ctx context.Context, g *groups.Group, skip map[string]bool, fn func([]*auth.User) error) error {
	for page := 1; ; page++ {
		members, total, err := n.Groups.Members(ctx, g.ID, page, groups.MaxPerPage)
		if err != nil {
			return err
		}
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = m.UserID
		}
		users, err := n.Users.GetMany(ctx, ids)
		if err != nil {
			return err
		}
		var invited []*auth.User
		for _, id := range ids {
			if u, ok := users[id]; ok && !skip[id] && wantsInvites(u, g.ID) {
				invited = append(invited, u)
			}
		}
		if len(invited) > 0 {
			if err := fn(invited); err != nil {
				return err
			}
		}
		if page*groups.MaxPerPage >= total {
			return nil
		}
	}
}

// answered is everyone going, waitlisted or waiting for approval.
func (n *Notifier) answered(ctx context.Context, eventID string) (map[string]bool, error) {
	out := map[string]bool{}
	going, err := n.Events.Attendees(ctx, eventID)
	if err != nil {
		return nil, err
	}
	for _, a := range going {
		out[a.UserID] = true
	}
	for _, list := range []func(context.Context, string) ([]string, error){n.Events.Waitlist, n.Events.Pending} {
		ids, err := list(ctx, eventID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return out, nil
}

func wantsInvites(u *auth.User, groupID string) bool {
	_, ok := reachable(u)
	return ok && !u.Mail.NoInvites && !slices.Contains(u.Mail.MutedGroups, groupID)
}

// invite writes one member's invitation with their personal RSVP links;
// an invitation to a series names it and lists its dates (from ev on) in
// the reader's zone.
func (n *Notifier) invite(ev events.Event, dates []events.Event, g *groups.Group, u *auth.User, token string, ics []byte) mail.Message {
	addr, _ := reachable(u)
	rsvp := n.BaseURL + "/rsvp/" + token
	data := n.sessionData(ev, g, u)
	if len(dates) > 1 {
		loc := readerZone(u, ev.TimeZone)
		rule := ev.SeriesFrequency.Phrase(ev.Start, loc)
		data["Series"] = strings.ToLower(rule[:1]) + rule[1:] // "every Tuesday"
		list := make([]string, len(dates))
		for i, d := range dates {
			list[i] = when(d, loc)
		}
		data["SeriesDates"] = list
		data["GoingAllURL"] = rsvp + "/all"
	}
	data["GoingURL"] = rsvp + "?answer=going"
	data["NotGoingURL"] = rsvp + "?answer=not-going"
	// The same words as the session page for someone still to answer.
	data["GoingLabel"] = events.ChoiceFor(events.Standing{SeatsLeft: -1}, events.ChoiceFactsOf(ev, u.ID, false)).Yes
	if ev.Capacity > 0 {
		data["Capacity"] = ev.Capacity
	}
	return mail.Message{
		Kind: mail.KindInvite, To: addr, ToName: u.Name, Data: data,
		ICS:            &mail.Calendar{Method: events.MethodRequest, Data: ics},
		UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
		IdempotencyKey: inviteKey(ev.ID, u.ID),
		BatchID:        AnnounceBatch(ev.ID),
	}
}

// sessionData is what every mail about a session shows.
func (n *Notifier) sessionData(ev events.Event, g *groups.Group, u *auth.User) map[string]any {
	return map[string]any{
		"EventTitle":  ev.Title,
		"GroupName":   g.Name,
		"When":        when(ev, readerZone(u, ev.TimeZone)),
		"Where":       where(ev),
		"EventURL":    n.eventURL(ev),
		"Description": ev.Description,
		"Name":        u.Name,
	}
}

// calendar renders ev for a mail; the online link is left out because the
// mail may reach someone who is not going.
func (n *Notifier) calendar(ev events.Event, method string) string {
	return events.CalendarOptions{
		EventURL:  n.eventURL,
		Organizer: "mailto:" + n.organizerAddress(),
	}.ICS(method, ev)
}

// organizerAddress is the mailbox calendar clients reply to: our sender.
func (n *Notifier) organizerAddress() string {
	if a, err := netmail.ParseAddress(n.Mail.Workers.From); err == nil {
		return a.Address
	}
	return "noreply@localhost"
}

// seriesDates are the scheduled dates of ev's series from ev on, in date
// order; none when ev is a single session.
func (n *Notifier) seriesDates(ctx context.Context, ev events.Event) ([]events.Event, error) {
	if ev.SeriesID == "" {
		return nil, nil
	}
	_, occ, err := n.Events.Series(ctx, ev.SeriesID)
	if err != nil {
		return nil, err
	}
	var out []events.Event
	for _, o := range occ {
		if o.Status != events.StatusCancelled && !o.Start.Before(ev.Start) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b events.Event) int { return a.Start.Compare(b.Start) })
	return out, nil
}
