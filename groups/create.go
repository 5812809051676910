package groups

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/redis/go-redis/v9"
)

func slugTaken() valid.Errors {
	return valid.Errors{"slug": "This address is already taken; choose another."}
}

// Create hosts a new group owned by ownerID. Bad input, including a slug
// that is taken, returns valid.Errors and stores nothing.
func (s *Store) Create(ctx context.Context, ownerID string, in Input) (*Group, error) {
	if ownerID == "" {
		return nil, fmt.Errorf("groups: create: %w", ErrForbidden)
	}
	in, err := in.Validate()
	if err != nil {
		return nil, err
	}
	id := ids.New()
	if _, err := s.claimSlug(ctx, in.Slug, id); err != nil {
		return nil, err
	}
	args := append([]any{"create", ownerID, s.nowMS(), "id", id}, in.fields()...)
	if err := scriptErr(createScript.Run(ctx, s.rdb, s.groupKeys(id), args...).Err()); err != nil {
		s.releaseSlug(ctx, in.Slug, id)
		return nil, fmt.Errorf("groups: create %s: %w", in.Slug, err)
	}
	if err := s.rdb.ZAdd(ctx, s.userGroupsKey(ownerID), redis.Z{Score: float64(s.nowMS()), Member: id}).Err(); err != nil {
		return nil, fmt.Errorf("groups: create %s: user list: %w", in.Slug, err)
	}
	if err := s.reindex(ctx, id); err != nil {
		return nil, fmt.Errorf("groups: create %s: %w", in.Slug, err)
	}
	s.membersChanged(ctx, id, ownerID, true)
	return s.Get(ctx, id)
}

// Update replaces a group's settings; only its organizers may. Changing the
// slug claims the new one before the old one is released, so no two groups
// ever hold one slug.
func (s *Store) Update(ctx context.Context, groupID, actorID string, in Input) (*Group, error) {
	in, err := in.Validate()
	if err != nil {
		return nil, err
	}
	cur, err := s.Get(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if r, err := s.Role(ctx, groupID, actorID); err != nil {
		return nil, err
	} else if !r.IsOrganizer() {
		return nil, fmt.Errorf("groups: update %s: %w", groupID, ErrForbidden)
	}
	renamed, claimed := in.Slug != cur.Slug, false
	if renamed {
		if claimed, err = s.claimSlug(ctx, in.Slug, groupID); err != nil {
			return nil, err
		}
	}
	args := append([]any{"update", actorID, cur.Slug, s.nowMS()}, in.fields()...)
	if err := scriptErr(updateScript.Run(ctx, s.rdb, s.groupKeys(groupID), args...).Err()); err != nil {
		if claimed {
			s.releaseSlug(ctx, in.Slug, groupID)
		}
		return nil, fmt.Errorf("groups: update %s: %w", groupID, err)
	}
	if renamed {
		s.releaseSlug(ctx, cur.Slug, groupID)
	}
	if err := s.reindex(ctx, groupID); err != nil {
		return nil, fmt.Errorf("groups: update %s: %w", groupID, err)
	}
	return s.Get(ctx, groupID)
}

// claimSlug reserves slug for group id and reports whether this call made
// the claim; exactly one of several racing claims wins. A slug the group
// already holds is granted again without a new claim. A taken slug returns
// valid.Errors for the slug field.
func (s *Store) claimSlug(ctx context.Context, slug, id string) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.slugKey(slug), id, 0).Result()
	if err != nil {
		return false, fmt.Errorf("groups: claim slug %s: %w", slug, err)
	}
	if ok {
		return true, nil
	}
	holder, err := s.rdb.Get(ctx, s.slugKey(slug)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("groups: claim slug %s: %w", slug, err)
	}
	if holder == id {
		return false, nil
	}
	return false, slugTaken()
}

// releaseSlug frees slug if group id still holds it. It is a best-effort
// follow-up: a failure leaves the slug reserved, never shared.
func (s *Store) releaseSlug(ctx context.Context, slug, id string) {
	if err := releaseSlugScript.Run(context.WithoutCancel(ctx), s.rdb, []string{s.slugKey(slug)}, id).Err(); err != nil {
		slog.WarnContext(ctx, "groups: clean-up failed", "left", "a group address reserved for a group that does not use it",
			"slug", slug, "group", id, "err", err)
	}
}

// Delete removes a group and everything it owned (members, requests,
// invitations, bans, slug, index entries, entries in people's lists); only
// the owner may.
func (s *Store) Delete(ctx context.Context, groupID, actorID string) error {
	res, err := deleteScript.Run(ctx, s.rdb, s.linkKeys(groupID), "delete", actorID).Slice()
	if err = scriptErr(err); err != nil {
		return fmt.Errorf("groups: delete %s: %w", groupID, err)
	}
	slug, _ := res[0].(string)
	s.releaseSlug(ctx, slug, groupID)
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, s.nextSessionsKey(), groupID)
		p.Del(ctx, s.coverKey(groupID))
		for i, key := range []func(string) string{s.userGroupsKey, s.userInvitesKey, s.userApplicationsKey} {
			uids, _ := res[i+1].([]any)
			for _, u := range uids {
				p.ZRem(ctx, key(u.(string)), groupID)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("groups: delete %s: user lists: %w", groupID, err)
	}
	if err := s.unindex(ctx, groupID); err != nil {
		return fmt.Errorf("groups: delete %s: %w", groupID, err)
	}
	if s.Deleted != nil {
		s.Deleted(ctx, groupID)
	}
	return nil
}

// SetNextSession records when the group's next session starts (zero when
// none is scheduled); the sessions code calls it so discovery can sort by
// soonest session, and DueNextSessions names the group again once that
// session has started.
func (s *Store) SetNextSession(ctx context.Context, groupID string, t time.Time) error {
	v := ""
	if !t.IsZero() {
		v = strconv.FormatInt(t.UTC().UnixMilli(), 10)
	}
	err := scriptErr(nextSessionScript.Run(ctx, s.rdb, s.groupKeys(groupID), "next", v).Err())
	if errors.Is(err, ErrNotFound) || (err == nil && t.IsZero()) {
		if zerr := s.rdb.ZRem(ctx, s.nextSessionsKey(), groupID).Err(); zerr != nil {
			return fmt.Errorf("groups: next session %s: %w", groupID, zerr)
		}
	} else if err == nil {
		err = s.rdb.ZAdd(ctx, s.nextSessionsKey(), redis.Z{Score: float64(t.UTC().UnixMilli()), Member: groupID}).Err()
	}
	if err != nil {
		return fmt.Errorf("groups: next session %s: %w", groupID, err)
	}
	if err := s.reindex(ctx, groupID); err != nil {
		return fmt.Errorf("groups: next session %s: %w", groupID, err)
	}
	return nil
}

// DueNextSessions lists up to limit groups whose recorded next session
// started at or before now: their "next session" needs recomputing.
func (s *Store) DueNextSessions(ctx context.Context, now time.Time, limit int) ([]string, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.nextSessionsKey(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(now.UTC().UnixMilli(), 10), Count: int64(limit)}).Result()
	if err != nil {
		return nil, fmt.Errorf("groups: due next sessions: %w", err)
	}
	return ids, nil
}

// DropAll is a Deleted hook that runs every drop for the deleted group,
// logging the failures (the group itself is gone either way).
func DropAll(logger *slog.Logger, drops ...func(ctx context.Context, groupID string) error) func(context.Context, string) {
	return func(ctx context.Context, groupID string) {
		for _, drop := range drops {
			if err := drop(ctx, groupID); err != nil {
				logger.Error("groups: drop a deleted group's data", "group", groupID, "err", err)
			}
		}
	}
}
