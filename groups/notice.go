package groups

import (
	"context"
	"log/slog"

	"github.com/focusgroups/focusgroups/internal/notices"
)

// NoticeKind says what a Notice is about.
type NoticeKind string

// The notices the Store records.
const (
	NoticeJoinRequest NoticeKind = "join_request" // to the organizers: UserID asked to join
	NoticeApproved    NoticeKind = "approved"     // to UserID: their request was approved
	NoticeDeclined    NoticeKind = "declined"     // to UserID: their request was declined
	NoticeInvited     NoticeKind = "invited"      // to UserID: ActorID invited them
)

// Notice is one thing to tell about a group, recorded by the script that
// made the change.
type Notice struct {
	// ID is unique per notice, for the mail's idempotency keys.
	ID      string
	Kind    NoticeKind
	GroupID string
	UserID  string // the applicant or invitee
	ActorID string // the organizer who decided or invited
	Text    string // the applicant's answer
}

// newNotices is the groups store's side of the notices relay.
func (s *Store) newNotices() *notices.Source {
	return notices.NewSource(s.rdb, "groups", s.noticesKey, func(ctx context.Context, groupID string, e notices.Entry) error {
		if s.Notify == nil {
			return notices.ErrNoHandler
		}
		return s.Notify(ctx, Notice{ID: e.ID, Kind: NoticeKind(e.Values["kind"]), GroupID: groupID,
			UserID: e.Values["user"], ActorID: e.Values["actor"], Text: e.Values["text"]})
	})
}

// RegisterNotices lets r's sweep hand over this store's notices.
func (s *Store) RegisterNotices(r *notices.Relay) { s.notices.Register(r) }

func (s *Store) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
