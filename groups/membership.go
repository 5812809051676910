package groups

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/luascript"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/redis/go-redis/v9"
)

// AppStatus is where a request to join stands.
type AppStatus string

// Application statuses.
const (
	StatusPending  AppStatus = "pending"
	StatusApproved AppStatus = "approved"
	StatusDeclined AppStatus = "declined"
)

// Application is one person's request to join a group that reviews
// requests, with their answer to the group's question.
type Application struct {
	GroupID   string
	UserID    string
	Answer    string
	Status    AppStatus
	AppliedAt time.Time
	DecidedAt time.Time // zero while pending
}

// Join makes userID a member of an open group, or of any group that invited
// them. verifiedEmails are the user's verified addresses only; a
// company-only group admits a user when one of them is at its domains.
// Groups that review requests answer ErrApprovalRequired (apply instead),
// invitation-only groups ErrInviteOnly, a ban ErrBanned; a private group
// answers ErrNotFound to anyone not invited, so it does not leak.
func (s *Store) Join(ctx context.Context, groupID, userID string, verifiedEmails []string) error {
	return s.join(ctx, false, groupID, userID, verifiedEmails)
}

// FollowUp is the idempotent follow-up of a change that already
// succeeded: it queues its writes on p and returns the check that
// reports their error (and finishes what the pipeline could not) once p
// has run.
type FollowUp func(p redis.Pipeliner) func() error

// AcceptInvite makes an invited user a member, whatever the join policy;
// without a pending invitation it returns ErrNoInvite.
func (s *Store) AcceptInvite(ctx context.Context, groupID, userID string, verifiedEmails []string) error {
	return s.join(ctx, true, groupID, userID, verifiedEmails)
}

func (s *Store) join(ctx context.Context, accept bool, groupID, userID string, emails []string) error {
	p := s.rdb.Pipeline()
	get := s.QueueJoin(ctx, p, accept, groupID, userID, emails)
	_, _ = p.Exec(ctx) // get reports the script's error
	follow, err := get()
	if err != nil {
		return err
	}
	return s.runFollowUp(ctx, follow)
}

// QueueJoin queues on p what Join (or, with accept, AcceptInvite) does,
// so it can share a round trip with a change elsewhere (an RSVP to one of
// the group's sessions); the returned function gives the script's error,
// or the join's follow-ups (the member's lists, the index's member count)
// for the caller to send with its last writes.
func (s *Store) QueueJoin(ctx context.Context, p redis.Pipeliner, accept bool, groupID, userID string, verifiedEmails []string) func() (FollowUp, error) {
	mode := "join"
	if accept {
		mode = "accept"
	}
	if userID == "" {
		return func() (FollowUp, error) { return nil, fmt.Errorf("groups: %s %s: %w", mode, groupID, ErrForbidden) }
	}
	domains := strings.Join(emailDomains(verifiedEmails), ",")
	get := luascript.Queue(ctx, p, s.rdb, joinScript, false, s.groupKeys(groupID), mode, userID, s.nowMS(), domains)
	return func() (FollowUp, error) {
		count, err := joinCount(mode, groupID, get())
		if err != nil {
			return nil, err
		}
		return s.afterJoin(ctx, groupID, userID, count), nil
	}
}

// joinCount reads the join script's reply: the count it left.
func joinCount(mode, groupID string, cmd *redis.Cmd) (memberCount, error) {
	res, err := cmd.Int64Slice()
	if err != nil {
		return memberCount{}, fmt.Errorf("groups: %s %s: %w", mode, groupID, scriptErr(err))
	}
	if len(res) != 3 {
		return memberCount{}, fmt.Errorf("groups: %s %s: unexpected reply %v", mode, groupID, res)
	}
	return memberCount{rev: res[0], crev: res[1], members: res[2]}, nil
}

// runFollowUp runs f in a round trip of its own.
func (s *Store) runFollowUp(ctx context.Context, f FollowUp) error {
	p := s.rdb.Pipeline()
	check := f(p)
	_, _ = p.Exec(ctx) // check reports the errors
	return check()
}

// afterJoin is the follow-up of a new membership, one round trip: the
// member's own list of groups, their invitation list, and the index's
// member count. Only when the index cannot take the count alone (see
// memberCount) does its check reindex the group. A zero count always
// reindexes.
func (s *Store) afterJoin(ctx context.Context, groupID, userID string, count memberCount) FollowUp {
	return func(p redis.Pipeliner) func() error {
		lists := []redis.Cmder{
			p.ZAdd(ctx, s.userGroupsKey(userID), redis.Z{Score: float64(s.nowMS()), Member: groupID}),
			p.ZRem(ctx, s.userInvitesKey(userID), groupID),
		}
		counted := s.queueMemberCount(ctx, p, groupID, count)
		var joined func()
		if s.MemberJoined != nil {
			joined = s.MemberJoined(ctx, p, groupID, userID)
		}
		return func() error {
			for _, c := range lists {
				if err := c.Err(); err != nil {
					return fmt.Errorf("groups: join %s: user lists: %w", groupID, err)
				}
			}
			if err := s.finishMemberCount(ctx, groupID, count, counted); err != nil {
				return fmt.Errorf("groups: join %s: %w", groupID, err)
			}
			if joined != nil {
				joined()
			} else {
				s.membersChanged(ctx, groupID, userID, true)
			}
			return nil
		}
	}
}

// DeclineInvite drops userID's pending invitation.
func (s *Store) DeclineInvite(ctx context.Context, groupID, userID string) error {
	err := scriptErr(declineInviteScript.Run(ctx, s.rdb, s.groupKeys(groupID), "decline-invite", userID).Err())
	if err != nil {
		return fmt.Errorf("groups: decline invite %s: %w", groupID, err)
	}
	if err := s.rdb.ZRem(ctx, s.userInvitesKey(userID), groupID).Err(); err != nil {
		return fmt.Errorf("groups: decline invite %s: user list: %w", groupID, err)
	}
	return nil
}

// Apply asks to join a group that reviews requests. The answer to the
// group's question is required when it asks one; bad answers return
// valid.Errors for the "answer" field. A person has at most one pending
// request per group (ErrAlreadyApplied); after a decline they may apply
// again, unless banned.
func (s *Store) Apply(ctx context.Context, groupID, userID, answer string, verifiedEmails []string) error {
	if userID == "" {
		return fmt.Errorf("groups: apply %s: %w", groupID, ErrForbidden)
	}
	g, err := s.Get(ctx, groupID)
	if err != nil {
		return err
	}
	answer = strings.TrimSpace(answer)
	errs := valid.Errors{}
	if g.Question != "" && answer == "" {
		errs.Add("answer", "Answer the organizers' question.")
	}
	errs.Add("answer", valid.MultiLine("The answer", answer))
	if utf8.RuneCountInString(answer) > MaxAnswerLen {
		errs.Add("answer", fmt.Sprintf("The answer can have at most %d characters.", MaxAnswerLen))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	domains := strings.Join(emailDomains(verifiedEmails), ",")
	if err := s.notices.Mark(ctx, groupID); err != nil {
		return fmt.Errorf("groups: apply %s: %w", groupID, err)
	}
	run := ids.New()
	err = scriptErr(applyScript.Run(ctx, s.rdb, s.groupKeys(groupID), "apply", userID, s.nowMS(), domains, answer, run).Err())
	if err != nil {
		return fmt.Errorf("groups: apply %s: %w", groupID, err)
	}
	s.notices.Relay(ctx, groupID, run, s.logger())
	err = s.rdb.ZAdd(ctx, s.userApplicationsKey(userID), redis.Z{Score: float64(s.nowMS()), Member: groupID}).Err()
	if err != nil {
		return fmt.Errorf("groups: apply %s: user list: %w", groupID, err)
	}
	return nil
}

// Leave ends userID's membership. The owner cannot leave
// (ErrOwnerMustTransfer): a group always keeps an owner.
func (s *Store) Leave(ctx context.Context, groupID, userID string) error {
	if err := scriptErr(leaveScript.Run(ctx, s.rdb, s.groupKeys(groupID), "leave", userID).Err()); err != nil {
		return fmt.Errorf("groups: leave %s: %w", groupID, err)
	}
	return s.afterLeave(ctx, groupID, userID)
}

func (s *Store) afterLeave(ctx context.Context, groupID, userID string) error {
	if err := s.rdb.ZRem(ctx, s.userGroupsKey(userID), groupID).Err(); err != nil {
		return fmt.Errorf("groups: leave %s: user list: %w", groupID, err)
	}
	if err := s.reindex(ctx, groupID); err != nil {
		return fmt.Errorf("groups: leave %s: %w", groupID, err)
	}
	s.membersChanged(ctx, groupID, userID, false)
	return nil
}

// membersChanged tells s.MembersChanged, if anyone listens.
func (s *Store) membersChanged(ctx context.Context, groupID, userID string, member bool) {
	if s.MembersChanged != nil {
		s.MembersChanged(ctx, groupID, userID, member)
	}
}
