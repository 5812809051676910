package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mail"
)

// EventNotice mails the people a session change concerns. It is the
// events store's Notify hook: an error leaves the notice recorded, to be
// relayed again, and the mail already queued for it is not queued twice.
func (n *Notifier) EventNotice(ctx context.Context, note events.Notice) error {
	ev := note.Event
	if err := n.eventNotice(ctx, note); err != nil {
		return fmt.Errorf("notify: %s notice %s on %s: %w", note.Kind, note.ID, ev.ID, err)
	}
	return nil
}

func (n *Notifier) eventNotice(ctx context.Context, note events.Notice) error {
	ev := note.Event
	g, err := n.Groups.Get(ctx, ev.GroupID)
	if errors.Is(err, groups.ErrNotFound) {
		return nil // the group is gone: nobody is left to tell
	}
	if err != nil {
		return err
	}
	readIDs := note.UserIDs
	if note.Message != nil {
		readIDs = append(append([]string{}, readIDs...), note.Message.By) // to sign the message
	}
	users, err := n.Users.GetMany(ctx, readIDs)
	if err != nil {
		return err
	}
	// Who of them is going decides reminders and the give-back link; read
	// it once, and issue their links in one round trip.
	going := map[string]bool{}
	var links map[string]string
	if note.Kind == events.NoticeChanged || note.Kind == events.NoticePromoted {
		att, err := n.Events.Attendees(ctx, ev.ID)
		if err != nil {
			return err
		}
		var goingIDs []string
		for _, a := range att {
			going[a.UserID] = true
		}
		for _, id := range note.UserIDs {
			if going[id] {
				goingIDs = append(goingIDs, id)
			}
		}
		if links, err = n.Events.IssueRSVPTokens(ctx, ev, goingIDs); err != nil {
			return err
		}
	}
	requestICS, cancelICS := []byte(nil), []byte(nil)
	switch note.Kind {
	case events.NoticeChanged:
		requestICS = []byte(n.calendar(ev, events.MethodRequest))
	case events.NoticeCancelled:
		cancelICS = []byte(n.calendar(ev, events.MethodCancel))
	}
	for _, id := range note.UserIDs {
		u, ok := users[id]
		if !ok {
			continue
		}
		switch {
		case note.Kind == events.NoticeCancelled:
			if err := n.cancelReminders(ctx, ev.ID, id); err != nil {
				return err
			}
		case going[id]:
			if err := n.scheduleReminders(ctx, ev, u); err != nil {
				return err
			}
		}
		addr, ok := reachable(u)
		if !ok || (note.Kind == events.NoticeMessage && slices.Contains(u.Mail.MutedGroups, g.ID)) {
			continue
		}
		if note.Kind == events.NoticeMessage && note.Message != nil && n.Blocked != nil {
			blocked, err := n.Blocked(ctx, id, note.Message.By)
			if err != nil {
				return err
			}
			if blocked {
				continue // they blocked the sender (or the sender them)
			}
		}
		data := n.sessionData(ev, g, u)
		if token, ok := links[id]; ok {
			// One click to give the seat back, without signing in.
			data["NotGoingURL"] = n.BaseURL + "/rsvp/" + token + "?answer=not-going"
		}
		m := mail.Message{To: addr, ToName: u.Name, Data: data, UnsubscribeURL: n.unsubscribeURL(u.ID, groupScope(g.ID)),
			IdempotencyKey: string(note.Kind) + ":" + ev.ID + ":" + id + ":" + note.ID}
		switch note.Kind {
		case events.NoticePromoted:
			m.Kind = mail.KindPromoted
		case events.NoticeChanged:
			m.Kind = mail.KindChanged
			if note.Previous != nil {
				data["Changes"] = changes(*note.Previous, ev, readerZone(u, ev.TimeZone))
			}
			m.ICS = &mail.Calendar{Method: events.MethodRequest, Data: requestICS}
		case events.NoticeCancelled:
			m.Kind = mail.KindCancelled
			m.ICS = &mail.Calendar{Method: events.MethodCancel, Data: cancelICS}
		case events.NoticeRemoved:
			m.Kind = mail.KindGeneric
			data["Subject"] = "Your place at " + ev.Title + " was released"
			data["Body"] = "An organizer of " + g.Name + " removed you from " + ev.Title + " (" + data["When"].(string) + "). If you think this is a mistake, reply to the organizers."
		case events.NoticeMessage:
			if note.Message == nil {
				continue
			}
			m.Kind = mail.KindGeneric
			data["Subject"], data["Body"] = messageMail(note.Message, users[note.Message.By], ev, g, data["When"].(string))
			data["Body"] = data["Body"].(string) + "\n\nIf this message is abusive, report it: " + n.BaseURL + "/report?kind=message&id=" + ev.ID + "&msg=" + note.ID
			data["URL"], data["ActionLabel"] = data["EventURL"], "Open the session"
		default:
			continue
		}
		if err := n.enqueueDurably(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// messageMail is the subject and body of an organizer's message to the
// people of a session: the organizer's words, signed, under a line that
// says which session it is about.
func messageMail(msg *events.MessageNote, by *auth.User, ev events.Event, g *groups.Group, when string) (string, string) {
	name := "An organizer"
	if by != nil && by.Name != "" {
		name = by.Name
	}
	head := name + " of " + g.Name + " wrote about " + ev.Title + " (" + when + "):"
	return msg.Subject + " · " + ev.Title, head + "\n\n" + msg.Body
}

// reminderPrefix names all reminders of one person for one session.
func reminderPrefix(eventID, userID string) string {
	return "event:" + eventID + ":user:" + userID + ":"
}

// RemindersWanted is mail's check before reminders go out (see
// mail.Reminders.Wanted): a session reminder goes only to someone still
// going. An answer's reminders are scheduled as the answer is expected to
// turn out (see the web package's RSVP), so one that turned out otherwise
// may leave some behind; whatever else left them, none reaches anyone
// not going. Reminders of another kind are wanted, and so is one whose
// answer could not be read (a reminder too many beats none at all).
func (n *Notifier) RemindersWanted(ctx context.Context, keys []string) ([]bool, error) {
	want := make([]bool, len(keys))
	var of []events.AnswerOf
	var at []int
	for i, key := range keys {
		r, ok := parseReminderKey(key)
		if !ok {
			want[i] = true
			continue
		}
		of, at = append(of, events.AnswerOf{EventID: r.eventID, UserID: r.userID}), append(at, i)
	}
	if len(of) == 0 {
		return want, nil
	}
	answers, errs := n.Events.Answers(ctx, of)
	for j, a := range answers {
		if errs[j] != nil {
			n.logger().Warn("notify: a reminder goes out unchecked", "key", keys[at[j]], "err", errs[j])
		}
		want[at[j]] = a == events.RSVPGoing || errs[j] != nil
	}
	return want, nil
}

// reminderKey is what a session reminder's key names (see reminders).
type reminderKey struct {
	eventID, userID string
	hours           int
}

func parseReminderKey(key string) (reminderKey, bool) {
	rest, ok := strings.CutPrefix(key, "event:")
	eventID, rest, ok2 := strings.Cut(rest, ":user:")
	userID, h, ok3 := strings.Cut(rest, ":")
	hours, err := strconv.Atoi(strings.TrimSuffix(h, "h"))
	return reminderKey{eventID, userID, hours}, ok && ok2 && ok3 && eventID != "" && userID != "" && err == nil
}

// ComposeReminders is mail's writer of planned session reminders (see
// mail.Reminders.Compose). Each is written when it falls due, from the
// session, its group and the person as they are then, and goes only to
// someone still going and reachable, who still wants a reminder that
// long before, about a session still on at the time it was planned
// for; the others are dropped (a moved session has its reminders planned
// anew), and so is a key that names no session reminder. A read that
// fails is an error: the claims lapse and are tried again.
func (n *Notifier) ComposeReminders(ctx context.Context, due []mail.Planned) ([]*mail.Message, error) {
	keys := make([]reminderKey, len(due))
	var of []events.AnswerOf
	var eventIDs, userIDs []string
	for i, d := range due {
		k, ok := parseReminderKey(d.Key)
		if !ok {
			n.logger().Error("notify: a planned reminder of no session dropped", "key", d.Key)
			continue
		}
		keys[i], of = k, append(of, events.AnswerOf{EventID: k.eventID, UserID: k.userID})
		eventIDs, userIDs = append(eventIDs, k.eventID), append(userIDs, k.userID)
	}
	slices.Sort(eventIDs)
	evs, err := n.Events.GetMany(ctx, slices.Compact(eventIDs))
	if err != nil {
		return nil, fmt.Errorf("notify: compose reminders: %w", err)
	}
	users, err := n.Users.GetMany(ctx, userIDs)
	if err != nil {
		return nil, fmt.Errorf("notify: compose reminders: %w", err)
	}
	answered, errs := n.Events.Answers(ctx, of)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("notify: compose reminders: %w", err)
	}
	answers := map[events.AnswerOf]events.RSVPStatus{}
	for j, a := range answered {
		answers[of[j]] = a
	}
	byID := map[string]events.Event{}
	var groupIDs []string
	for _, ev := range evs {
		byID[ev.ID] = ev
		groupIDs = append(groupIDs, ev.GroupID)
	}
	slices.Sort(groupIDs)
	groupIDs = slices.Compact(groupIDs)
	found, err := n.Groups.GetMany(ctx, groupIDs)
	if err != nil {
		return nil, fmt.Errorf("notify: compose reminders: %w", err)
	}
	gs := map[string]*groups.Group{} // nil for a group deleted since
	for i, id := range groupIDs {
		gs[id] = found[i]
	}
	out := make([]*mail.Message, len(due))
	for i, k := range keys {
		ev, ok := byID[k.eventID]
		u := users[k.userID]
		before := time.Duration(k.hours) * time.Hour
		if !ok || u == nil || gs[ev.GroupID] == nil || answers[events.AnswerOf{EventID: k.eventID, UserID: k.userID}] != events.RSVPGoing || ev.Status == events.StatusCancelled ||
			ev.Start.Add(-before).UnixMilli() != due[i].Due.UnixMilli() || !slices.Contains(u.Mail.Reminders(), k.hours) {
			continue
		}
		addr, ok := reachable(u)
		if !ok {
			continue
		}
		data := n.sessionData(ev, gs[ev.GroupID], u)
		data["StartsIn"] = "in " + duration(before)
		out[i] = &mail.Message{Kind: mail.KindReminder, To: addr, ToName: u.Name, Data: data,
			UnsubscribeURL: n.unsubscribeURL(u.ID, mail.ScopeAll)}
	}
	return out, nil
}

// ScheduleReminders (re)schedules u's reminders for ev at the hours before
// the start that u chose (24 and 1 by default). Reminders already due are
// skipped.
func (n *Notifier) ScheduleReminders(ctx context.Context, ev events.Event, u *auth.User) {
	if err := n.scheduleReminders(ctx, ev, u); err != nil {
		n.logger().Error("notify: reminders", "event", ev.ID, "err", err)
	}
}

// scheduleReminders replaces u's reminders for ev in one round trip.
func (n *Notifier) scheduleReminders(ctx context.Context, ev events.Event, u *auth.User) error {
	prefix, rs := n.reminders(ev, u)
	if err := n.Mail.ReplaceReminders(ctx, prefix, rs); err != nil {
		return fmt.Errorf("schedule reminders: %w", err)
	}
	return nil
}

// reminders are u's reminders for ev, planned (ComposeReminders writes
// them when they fall due), and the prefix of their keys.
func (n *Notifier) reminders(ev events.Event, u *auth.User) (string, []mail.Reminder) {
	prefix := reminderPrefix(ev.ID, u.ID)
	var rs []mail.Reminder
	if _, ok := reachable(u); ok {
		for _, h := range u.Mail.Reminders() {
			due := ev.Start.Add(-time.Duration(h) * time.Hour)
			if !due.After(n.now()) {
				continue
			}
			rs = append(rs, mail.Reminder{Key: prefix + strconv.Itoa(h) + "h", Due: due})
		}
	}
	return prefix, rs
}

// CancelReminders drops userID's pending reminders for eventID.
func (n *Notifier) CancelReminders(ctx context.Context, eventID, userID string) {
	if err := n.cancelReminders(ctx, eventID, userID); err != nil {
		n.logger().Error("notify: cancel reminders", "event", eventID, "err", err)
	}
}

func (n *Notifier) cancelReminders(ctx context.Context, eventID, userID string) error {
	if _, err := n.Mail.CancelReminders(ctx, reminderPrefix(eventID, userID)); err != nil {
		return fmt.Errorf("cancel reminders: %w", err)
	}
	return nil
}

// RSVPChanged keeps reminders in step with a person's answer.
func (n *Notifier) RSVPChanged(ctx context.Context, ev events.Event, u *auth.User, status events.RSVPStatus) {
	if status == events.RSVPGoing {
		n.ScheduleReminders(ctx, ev, u)
		return
	}
	n.CancelReminders(ctx, ev.ID, u.ID)
}

// RSVPAnswered is RSVPChanged for a caller that sends its last writes
// together: it returns the change to u's reminders that the answer res
// calls for, for the caller to queue on that pipeline, and the check that
// reports its error once the pipeline has run. A first answer that is not
// "going" changes nothing: someone who never answered has no reminders
// to drop. A first "going" only adds its own: whatever else a person
// without an answer might have left is checked when it falls due (see
// ComposeReminders).
func (n *Notifier) RSVPAnswered(ctx context.Context, ev events.Event, u *auth.User, res events.RSVPResult) func(p redis.Pipeliner) func() error {
	switch {
	case res.Before != events.RSVPNone:
		return n.Reminders(ctx, ev, u, res.Status == events.RSVPGoing)
	case res.Status != events.RSVPGoing:
		return func(redis.Pipeliner) func() error { return func() error { return nil } }
	}
	_, rs := n.reminders(ev, u)
	return n.queued(ev, func() (func(redis.Pipeliner) func() error, error) { return n.Mail.QueueAddReminders(ctx, rs) })
}

// Reminders is the follow-up that leaves u's reminders of ev as an answer
// wants them, whatever they were: scheduled for one going, none else.
func (n *Notifier) Reminders(ctx context.Context, ev events.Event, u *auth.User, going bool) func(p redis.Pipeliner) func() error {
	prefix, rs := reminderPrefix(ev.ID, u.ID), []mail.Reminder(nil)
	if going {
		prefix, rs = n.reminders(ev, u)
	}
	return n.queued(ev, func() (func(redis.Pipeliner) func() error, error) {
		return n.Mail.QueueReplaceReminders(ctx, prefix, rs)
	})
}

// queued is a change to reminders of ev for a caller's pipeline, its
// errors said to be about ev's reminders.
func (n *Notifier) queued(ev events.Event, change func() (func(redis.Pipeliner) func() error, error)) func(p redis.Pipeliner) func() error {
	queue, err := change()
	if err != nil {
		return func(redis.Pipeliner) func() error {
			return func() error { return fmt.Errorf("notify: reminders for %s: %w", ev.ID, err) }
		}
	}
	return func(p redis.Pipeliner) func() error {
		check := queue(p)
		return func() error {
			if err := check(); err != nil {
				return fmt.Errorf("notify: reminders for %s: %w", ev.ID, err)
			}
			return nil
		}
	}
}

// changes says in words what moved between two versions of a session, in
// the reader's zone: "the time (was Tue 1 Dec …); the venue (was …)".
func changes(before, after events.Event, loc *time.Location) string {
	var parts []string
	if !before.Start.Equal(after.Start) || !before.End.Equal(after.End) {
		parts = append(parts, "the time (was "+when(before, loc)+")")
	}
	if before.Venue != after.Venue {
		was := before.Venue
		if was == "" {
			was = "none"
		}
		parts = append(parts, "the venue (was "+was+")")
	}
	if before.OnlineURL != after.OnlineURL {
		parts = append(parts, "the online link")
	}
	return strings.Join(parts, "; ")
}
