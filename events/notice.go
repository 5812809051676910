package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/focusgroups/focusgroups/internal/notices"
)

// NoticeKind names a domain event that people must be told about by mail.
type NoticeKind string

// The notices the events package emits.
const (
	NoticePromoted  NoticeKind = "promoted"  // moved from the waitlist to a seat
	NoticeChanged   NoticeKind = "changed"   // time or place changed (going and waitlisted)
	NoticeCancelled NoticeKind = "cancelled" // session cancelled (everyone who had a place or a request)
	NoticeRemoved   NoticeKind = "removed"   // an organizer removed the person
	NoticeMessage   NoticeKind = "message"   // an organizer wrote to the session's people (see SendMessage)
)

// Notice is one thing to tell UserIDs about Event. It is the single place
// where the mail outbox hooks in (Store.Notify).
type Notice struct {
	// ID is unique per notice; mail built from it uses it in its
	// idempotency keys, so a notice relayed twice is mailed once.
	ID      string
	Kind    NoticeKind
	Event   Event
	UserIDs []string
	// Previous is the session before a change (NoticeChanged only), so the
	// mail can say what changed.
	Previous *Event
	// Message is what an organizer wrote (NoticeMessage only).
	Message *MessageNote
}

// newNotices is the events store's side of the notices relay.
func (s *Store) newNotices() *notices.Source {
	return notices.NewSource(s.rdb, "events", s.noticesKey, func(ctx context.Context, eventID string, e notices.Entry) error {
		if s.Notify == nil {
			return notices.ErrNoHandler
		}
		n, err := s.decodeNotice(ctx, eventID, e)
		if errors.Is(err, ErrNotFound) {
			return nil // the session is gone, and with it whom to tell
		}
		if err != nil {
			return err
		}
		return s.Notify(ctx, n)
	})
}

// RegisterNotices lets r's sweep hand over this store's notices.
func (s *Store) RegisterNotices(r *notices.Relay) { s.notices.Register(r) }

// decodeNotice rebuilds a recorded notice around the session as it is now.
func (s *Store) decodeNotice(ctx context.Context, eventID string, e notices.Entry) (Notice, error) {
	ev, err := s.Get(ctx, eventID)
	if err != nil {
		return Notice{}, err
	}
	n := Notice{ID: e.ID, Kind: NoticeKind(e.Values["kind"]), Event: ev}
	if users := e.Values["users"]; users != "" {
		n.UserIDs = strings.Split(users, ",")
	}
	if n.Kind == NoticeMessage {
		n.Message = &MessageNote{By: e.Values["by"], Subject: e.Values["subject"], Body: e.Values["body"]}
	}
	if prev := e.Values["prev"]; prev != "" {
		var p Event
		if err := json.Unmarshal([]byte(prev), &p); err != nil {
			return Notice{}, fmt.Errorf("events: notice %s: previous version: %w", e.ID, err)
		}
		n.Previous = &p
	}
	return n, nil
}
