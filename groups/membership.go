package groups

import (
	"context"
	"errors"
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
	if err != nil || follow == nil {
		return err
	}
	return s.runFollowUp(ctx, follow)
}

// QueueJoin queues on p what Join (or, with accept, AcceptInvite) does,
// so it can share a round trip with a change elsewhere (an RSVP to one of
// the group's sessions), and the join's follow-ups right behind it, as if
// it will succeed: the group on the member's own list (unless there
// already), the mark that has the index recount the group's members (see
// Recount), and the reads of what the member brings to the group's skill
// map. The returned function gives the script's error, after taking the
// list's entry back in a round trip of its own when the join was refused
// (not when the person was a member already), or what is left to do once
// a join succeeded: nothing (nil), unless the member had an invitation to
// drop from their list, for the caller to send with its last writes. It
// writes the member's skills itself, in a round trip of its own, when
// they have any.
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
	listed := p.ZAddNX(ctx, s.userGroupsKey(userID), redis.Z{Score: float64(s.nowMS()), Member: groupID})
	marked := s.queueRecountMark(ctx, p, groupID)
	var joined func()
	if s.MemberJoined != nil {
		joined = s.MemberJoined(ctx, p, groupID, userID)
	}
	return func() (FollowUp, error) {
		res, err := get().Int64Slice()
		if err != nil {
			err = scriptErr(err)
			if !errors.Is(err, ErrAlreadyMember) && listed.Val() == 1 {
				if uerr := s.unlist(context.WithoutCancel(ctx), groupID, userID); uerr != nil {
					err = errors.Join(err, fmt.Errorf("taking back the list entry made for the join: %w", uerr))
				}
			}
			return nil, fmt.Errorf("groups: %s %s: %w", mode, groupID, err)
		}
		if len(res) != 2 {
			return nil, fmt.Errorf("groups: %s %s: unexpected reply %v", mode, groupID, res)
		}
		if joined != nil {
			joined()
		} else {
			s.membersChanged(ctx, groupID, userID, true)
		}
		if listed.Err() != nil || marked.Err() != nil || res[1] == 1 {
			// The follow-ups that failed, or the invitation, go again.
			return s.afterJoin(ctx, groupID, userID, false), nil
		}
		return nil, nil
	}
}

// unlist takes groupID off userID's own list after a refused join put it
// there, unless they are a member all the same (approved at that very
// moment, say): checked before the entry goes and again after, when it
// comes back for a member, so a list entry another change made after its
// own script is never lost. Should a check fail, the entry stays.
func (s *Store) unlist(ctx context.Context, groupID, userID string) error {
	if member, err := s.isMember(ctx, groupID, userID); err != nil || member {
		return err
	}
	if err := s.rdb.ZRem(ctx, s.userGroupsKey(userID), groupID).Err(); err != nil {
		return err
	}
	if member, err := s.isMember(ctx, groupID, userID); err == nil && !member {
		return nil
	}
	return s.rdb.ZAddNX(ctx, s.userGroupsKey(userID), redis.Z{Score: float64(s.nowMS()), Member: groupID}).Err()
}

// isMember reports whether userID is among groupID's members.
func (s *Store) isMember(ctx context.Context, groupID, userID string) (bool, error) {
	err := s.rdb.ZScore(ctx, s.membersKey(groupID), userID).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, err
}

// runFollowUp runs f in a round trip of its own.
func (s *Store) runFollowUp(ctx context.Context, f FollowUp) error {
	p := s.rdb.Pipeline()
	check := f(p)
	_, _ = p.Exec(ctx) // check reports the errors
	return check()
}

// afterJoin is the follow-up of a new membership, one round trip: the
// member's own list of groups, their invitation list and the mark that
// has the index recount the group's members (see Recount). With tell, it
// also tells the group's hooks (the skill map) of the new member.
func (s *Store) afterJoin(ctx context.Context, groupID, userID string, tell bool) FollowUp {
	return func(p redis.Pipeliner) func() error {
		cmds := []redis.Cmder{
			p.ZAddNX(ctx, s.userGroupsKey(userID), redis.Z{Score: float64(s.nowMS()), Member: groupID}),
			p.ZRem(ctx, s.userInvitesKey(userID), groupID),
			s.queueRecountMark(ctx, p, groupID),
		}
		var joined func()
		if tell && s.MemberJoined != nil {
			joined = s.MemberJoined(ctx, p, groupID, userID)
		}
		return func() error {
			for _, c := range cmds {
				if err := c.Err(); err != nil {
					return fmt.Errorf("groups: join %s: follow-up: %w", groupID, err)
				}
			}
			switch {
			case joined != nil:
				joined()
			case tell:
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
