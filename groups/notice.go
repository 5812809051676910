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

// noticeDomain names the groups store's notices in the relay's index.
const noticeDomain = "groups"

// mark tells the relay that groupID is about to record notices.
func (s *Store) mark(ctx context.Context, groupID string) error {
	return s.Relay.Mark(ctx, noticeDomain, groupID)
}

// RegisterNotices lets r's sweep drain this store's notices.
func (s *Store) RegisterNotices(r *notices.Relay) {
	s.Relay = r
	r.Register(noticeDomain, s.DrainNotices)
}

// relay hands the notices of one script run to Notify right after the
// change; a failure leaves them to the relay's sweep.
func (s *Store) relay(ctx context.Context, groupID, run string) {
	if err := s.drain(ctx, groupID, run); err != nil {
		s.logger().Error("groups: notices left for the sweep", "group", groupID, "err", err)
	}
}

// DrainNotices hands every notice recorded for groupID to Notify and
// forgets each one Notify took. Without Notify they wait.
func (s *Store) DrainNotices(ctx context.Context, groupID string) error {
	return s.drain(ctx, groupID, "")
}

func (s *Store) drain(ctx context.Context, groupID, run string) error {
	if s.Notify == nil {
		return nil
	}
	return notices.Drain(ctx, s.rdb, s.noticesKey(groupID), run, func(ctx context.Context, e notices.Entry) error {
		return s.Notify(ctx, Notice{ID: e.ID, Kind: NoticeKind(e.Values["kind"]), GroupID: groupID,
			UserID: e.Values["user"], ActorID: e.Values["actor"], Text: e.Values["text"]})
	})
}

func (s *Store) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
