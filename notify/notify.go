// Package notify turns what happens in groups, sessions and mentoring into
// mail: it reads the people involved and their preferences, writes each
// mail in the recipient's time zone and hands it to the outbox. It is the
// one place where the domain packages' notices meet the mail package.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mail"
)

// Notifier composes and enqueues mail. Its methods never fail a user's
// request because a mail could not be queued: they log and go on, since
// the change itself has already been saved.
type Notifier struct {
	Users   *auth.Store
	Groups  *groups.Store
	Events  *events.Store
	Mail    *mail.Service
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Blocked reports whether a or b blocked the other: an organizer's
	// message does not reach someone who blocked them. Nil blocks nobody.
	Blocked func(ctx context.Context, a, b string) (bool, error)
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now().UTC()
	}
	return time.Now().UTC()
}

func (n *Notifier) logger() *slog.Logger {
	if n.Logger != nil {
		return n.Logger
	}
	return slog.Default()
}

// unsubscribeURL is the one-click link for scope (all mail, or one group's).
// User and group IDs always make valid tokens; the fallback is the profile
// page, where the same preferences live.
func (n *Notifier) unsubscribeURL(userID, scope string) string {
	token, err := n.Mail.Tokens.UnsubscribeToken(userID, scope)
	if err != nil {
		n.logger().Error("notify: unsubscribe token", "err", err)
		return n.BaseURL + "/profile"
	}
	return n.BaseURL + "/unsubscribe/" + token
}

// groupScope returns the unsubscribe scope for mail about a group.
func groupScope(groupID string) string { return mail.ScopeGroup(groupID) }

// reachable reports whether u may get mail at all, and where.
func reachable(u *auth.User) (string, bool) {
	addr := u.PrimaryEmail()
	return addr, addr != "" && !u.Mail.Off
}

// readerZone is the zone a mail to u shows times in: u's own, else the
// zone named fallback (the session's, or the one a deadline was typed
// in), so a mail is never in UTC unless one of them is UTC. Either way
// the zone is named next to the time.
func readerZone(u *auth.User, fallback string) *time.Location {
	if u != nil && u.TimeZone != "" {
		return timefmt.Zone(u.TimeZone)
	}
	return timefmt.Zone(fallback)
}

// when formats a session's time range for a reader in loc.
func when(ev events.Event, loc *time.Location) string { return timefmt.Range(ev.Start, ev.End, loc) }

// duration writes a length of time in words: "1 hour 30 minutes".
func duration(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return timefmt.Plural(m, "minute")
	case m == 0:
		return timefmt.Plural(h, "hour")
	}
	return timefmt.Plural(h, "hour") + " " + timefmt.Plural(m, "minute")
}

func where(ev events.Event) string {
	switch {
	case ev.Venue != "" && ev.OnlineURL != "":
		return ev.Venue + " and online"
	case ev.Venue != "":
		return ev.Venue
	}
	return "Online"
}

func (n *Notifier) eventURL(ev events.Event) string { return n.BaseURL + "/s/" + ev.ID }

// enqueueDurably queues m for a notice that is relayed again when this
// fails. Only a message that can never be queued (an address the outbox
// refuses) is logged and skipped, so it cannot hold the notice forever.
func (n *Notifier) enqueueDurably(ctx context.Context, m mail.Message) error {
	_, err := n.Mail.Enqueue(ctx, m)
	var ve valid.Errors
	if errors.As(err, &ve) {
		n.logger().Error("notify: mail refused by the outbox", "kind", m.Kind, "key", m.IdempotencyKey, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", m.Kind, err)
	}
	return nil
}

// enqueue queues one mail and logs a failure instead of returning it.
func (n *Notifier) enqueue(ctx context.Context, m mail.Message) {
	if _, err := n.Mail.Enqueue(ctx, m); err != nil {
		n.logger().Error("notify: enqueue", "kind", m.Kind, "key", m.IdempotencyKey, "err", err)
	}
}
