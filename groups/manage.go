package groups

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/redis/go-redis/v9"
)

// Every action here is taken by actorID, who must be an organizer (the
// owner or a co-organizer) unless said otherwise; others get ErrForbidden,
// a missing group ErrNotFound.

// Approve accepts userID's pending request: they become a member and their
// application reads "approved". A request already decided returns
// ErrAlreadyDecided; no request at all, ErrNoRequest.
func (s *Store) Approve(ctx context.Context, groupID, actorID, userID string) error {
	if err := s.decide(ctx, groupID, actorID, userID, StatusApproved); err != nil {
		return err
	}
	return s.runFollowUp(ctx, s.afterJoin(ctx, groupID, userID, true))
}

// Decline refuses userID's pending request; they may apply again later.
func (s *Store) Decline(ctx context.Context, groupID, actorID, userID string) error {
	return s.decide(ctx, groupID, actorID, userID, StatusDeclined)
}

func (s *Store) decide(ctx context.Context, groupID, actorID, userID string, status AppStatus) error {
	if err := s.notices.Mark(ctx, groupID); err != nil {
		return fmt.Errorf("groups: %s request of %s in %s: %w", status, userID, groupID, err)
	}
	run := ids.New()
	raw := decideScript.Run(ctx, s.rdb, s.groupKeys(groupID), "decide", actorID, userID, string(status), s.nowMS(), run).Err()
	err := scriptErr(raw)
	if errors.Is(err, ErrAlreadyDecided) {
		// The reply reads "DECIDED approved" or "DECIDED declined".
		earlier := raw.Error()[strings.LastIndexByte(raw.Error(), ' ')+1:]
		return fmt.Errorf("groups: request of %s in %s: already %s: %w", userID, groupID, earlier, err)
	}
	if err != nil {
		return fmt.Errorf("groups: %s request of %s in %s: %w", status, userID, groupID, err)
	}
	s.notices.Relay(ctx, groupID, run, s.logger())
	return nil
}

// Invite invites userID, who may then join whatever the join policy (and,
// in a private group, see it). Inviting again refreshes the invitation.
// Banned people (ErrBanned) and members (ErrAlreadyMember) cannot be invited.
func (s *Store) Invite(ctx context.Context, groupID, actorID, userID string) error {
	if userID == "" {
		return fmt.Errorf("groups: invite to %s: %w", groupID, ErrNotMember)
	}
	now := s.nowMS()
	if err := s.notices.Mark(ctx, groupID); err != nil {
		return fmt.Errorf("groups: invite %s to %s: %w", userID, groupID, err)
	}
	run := ids.New()
	if err := scriptErr(inviteScript.Run(ctx, s.rdb, s.groupKeys(groupID), "invite", actorID, userID, now, run).Err()); err != nil {
		return fmt.Errorf("groups: invite %s to %s: %w", userID, groupID, err)
	}
	s.notices.Relay(ctx, groupID, run, s.logger())
	if err := s.rdb.ZAdd(ctx, s.userInvitesKey(userID), redis.Z{Score: float64(now), Member: groupID}).Err(); err != nil {
		return fmt.Errorf("groups: invite %s to %s: user list: %w", userID, groupID, err)
	}
	return nil
}

// Remove ends userID's membership; they may join again. Nobody removes the
// owner, and only the owner removes a co-organizer.
func (s *Store) Remove(ctx context.Context, groupID, actorID, userID string) error {
	if err := s.moderate(ctx, "remove", groupID, actorID, userID); err != nil {
		return err
	}
	return s.afterLeave(ctx, groupID, userID)
}

// Ban removes userID (member or not) and keeps them from joining, applying
// or being invited until Unban; a pending request reads "declined". Nobody
// bans the owner, and only the owner bans a co-organizer.
func (s *Store) Ban(ctx context.Context, groupID, actorID, userID string) error {
	if err := s.moderate(ctx, "ban", groupID, actorID, userID); err != nil {
		return err
	}
	if err := s.rdb.ZRem(ctx, s.userInvitesKey(userID), groupID).Err(); err != nil {
		return fmt.Errorf("groups: ban in %s: user list: %w", groupID, err)
	}
	return s.afterLeave(ctx, groupID, userID)
}

// Unban lifts a ban; it does not restore the membership.
func (s *Store) Unban(ctx context.Context, groupID, actorID, userID string) error {
	return s.moderate(ctx, "unban", groupID, actorID, userID)
}

// Promote makes member userID a co-organizer.
func (s *Store) Promote(ctx context.Context, groupID, actorID, userID string) error {
	return s.moderate(ctx, "promote", groupID, actorID, userID)
}

// Demote makes co-organizer userID a plain member. The owner cannot be
// demoted; ownership moves only by TransferOwnership.
func (s *Store) Demote(ctx context.Context, groupID, actorID, userID string) error {
	return s.moderate(ctx, "demote", groupID, actorID, userID)
}

func (s *Store) moderate(ctx context.Context, action, groupID, actorID, userID string) error {
	if userID == "" {
		return fmt.Errorf("groups: %s in %s: %w", action, groupID, ErrNotMember)
	}
	err := moderateScript.Run(ctx, s.rdb, s.groupKeys(groupID), action, actorID, userID, s.nowMS()).Err()
	if err = scriptErr(err); err != nil {
		return fmt.Errorf("groups: %s %s in %s: %w", action, userID, groupID, err)
	}
	return nil
}

// TransferOwnership hands the group to member userID; only the owner may.
// The old owner stays on as a co-organizer.
func (s *Store) TransferOwnership(ctx context.Context, groupID, actorID, userID string) error {
	err := transferScript.Run(ctx, s.rdb, s.groupKeys(groupID), "transfer", actorID, userID).Err()
	if err = scriptErr(err); err != nil {
		return fmt.Errorf("groups: transfer %s to %s: %w", groupID, userID, err)
	}
	return nil
}
