package mentors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
)

// Mentorship is a mentor and a mentee working together.
type Mentorship struct {
	ID             string
	MentorID       string
	MenteeID       string
	RoundID        string // the round that paired them, if any
	Started        time.Time
	Ended          time.Time // zero while it runs
	EndedBy        string
	MentorFeedback string
	MenteeFeedback string
}

func mentorshipFromHash(h map[string]string) Mentorship {
	return Mentorship{
		ID: h["id"], MentorID: h["mentor"], MenteeID: h["mentee"], RoundID: h["round"],
		Started: fromMS(h["started"]), Ended: fromMS(h["ended"]), EndedBy: h["ended_by"],
		MentorFeedback: h["feedback_mentor"], MenteeFeedback: h["feedback_mentee"],
	}
}

func (s *Store) mentorship(ctx context.Context, mentorID, id string) (Mentorship, error) {
	h, err := s.rdb.HGetAll(ctx, s.mentorshipKey(mentorID, id)).Result()
	if err != nil {
		return Mentorship{}, fmt.Errorf("mentors: mentorship %s: %w", id, err)
	}
	if len(h) == 0 {
		return Mentorship{}, fmt.Errorf("mentors: mentorship %s: %w", id, ErrNotFound)
	}
	return mentorshipFromHash(h), nil
}

// Mentorship returns a mentorship to its mentor or mentee.
func (s *Store) Mentorship(ctx context.Context, actorID, id string) (Mentorship, error) {
	mentor, err := s.shipMentor(ctx, id)
	if err != nil {
		return Mentorship{}, fmt.Errorf("mentors: mentorship %s: %w", id, err)
	}
	m, err := s.mentorship(ctx, mentor, id)
	if err != nil {
		return m, err
	}
	if actorID != m.MentorID && actorID != m.MenteeID {
		return Mentorship{}, fmt.Errorf("mentors: mentorship %s: %w", id, ErrForbidden)
	}
	return m, nil
}

func (s *Store) shipMentor(ctx context.Context, id string) (string, error) {
	if !ids.Valid(id) {
		return "", ErrNotFound
	}
	m, err := s.rdb.Get(ctx, s.mentorshipRefKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	return m, err
}

// EndMentorship lets either side end a mentorship, with optional feedback;
// the mentor's seat is free again and the other side is told.
func (s *Store) EndMentorship(ctx context.Context, actorID, id, feedback string) (Mentorship, error) {
	if err := textError("feedback", "feedback", feedback, false).Err(); err != nil {
		return Mentorship{}, err
	}
	mentor, err := s.shipMentor(ctx, id)
	if err != nil {
		return Mentorship{}, fmt.Errorf("mentors: end %s: %w", id, err)
	}
	if err := s.notices.Mark(ctx, mentor); err != nil {
		return Mentorship{}, fmt.Errorf("mentors: end %s: %w", id, err)
	}
	now, run := s.now(), ids.New()
	note := Notice{Kind: NoticeMentorshipEnded, Other: actorID, MentorshipID: id,
		Text: strings.TrimSpace(feedback), At: time.UnixMilli(ms(now)).UTC()}
	res, err := endScript.Run(ctx, s.rdb, []string{s.mentorshipKey(mentor, id), s.mentorMenteesKey(mentor), s.mentorNoticesKey(mentor)},
		actorID, strings.TrimSpace(feedback), ms(now), run, encodeNotice(note)).StringSlice()
	if err == nil {
		err = scriptError(res[0])
	}
	if err != nil {
		return Mentorship{}, fmt.Errorf("mentors: end %s: %w", id, err)
	}
	s.notices.Relay(ctx, mentor, run, s.logger())
	m, err := s.mentorship(ctx, mentor, id)
	if err != nil {
		return m, err
	}
	if err := delIfScript.Run(ctx, s.rdb, []string{s.menteeMentorsKey(m.MenteeID)}, m.MentorID, id).Err(); err != nil {
		return m, fmt.Errorf("mentors: end %s: %w", id, err)
	}
	return m, nil
}

// MyMentors lists a mentee's running mentorships, oldest first.
func (s *Store) MyMentors(ctx context.Context, menteeID string) ([]Mentorship, error) {
	if !ids.Valid(menteeID) {
		return nil, nil
	}
	links, err := s.rdb.HGetAll(ctx, s.menteeMentorsKey(menteeID)).Result()
	if err != nil {
		return nil, fmt.Errorf("mentors: mentors of %s: %w", menteeID, err)
	}
	keys := make([]string, 0, len(links))
	for mentor, id := range links {
		keys = append(keys, s.mentorshipKey(mentor, id))
	}
	out, err := s.mentorships(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("mentors: mentors of %s: %w", menteeID, err)
	}
	return out, nil
}

// MyMentees lists a mentor's running mentorships, oldest first.
func (s *Store) MyMentees(ctx context.Context, mentorID string) ([]Mentorship, error) {
	if !ids.Valid(mentorID) {
		return nil, nil
	}
	links, err := s.rdb.HGetAll(ctx, s.mentorMenteesKey(mentorID)).Result()
	if err != nil {
		return nil, fmt.Errorf("mentors: mentees of %s: %w", mentorID, err)
	}
	keys := make([]string, 0, len(links))
	for _, id := range links {
		keys = append(keys, s.mentorshipKey(mentorID, id))
	}
	out, err := s.mentorships(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("mentors: mentees of %s: %w", mentorID, err)
	}
	return out, nil
}

// mentorships reads running mentorships in one round trip, oldest first.
func (s *Store) mentorships(ctx context.Context, keys []string) ([]Mentorship, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	for k, key := range keys {
		cmds[k] = pipe.HGetAll(ctx, key)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	var out []Mentorship
	for _, c := range cmds {
		if h := c.Val(); len(h) > 0 && h["ended"] == "" {
			out = append(out, mentorshipFromHash(h))
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].Started.Equal(out[b].Started) {
			return out[a].Started.Before(out[b].Started)
		}
		return out[a].ID < out[b].ID
	})
	return out, nil
}

// PendingIn lists the open requests a mentor has received, oldest first.
func (s *Store) PendingIn(ctx context.Context, mentorID string) ([]Request, error) {
	if !ids.Valid(mentorID) {
		return nil, nil
	}
	reqIDs, err := s.rdb.ZRange(ctx, s.mentorPendingKey(mentorID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("mentors: requests to %s: %w", mentorID, err)
	}
	keys := make([]string, len(reqIDs))
	for k, id := range reqIDs {
		keys[k] = s.requestKey(mentorID, id)
	}
	out, _, _, err := s.requests(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("mentors: requests to %s: %w", mentorID, err)
	}
	return out, nil
}

// staleReservation is how long an open-request slot may exist without its
// request before PendingOut frees it (a crash between the two writes).
const staleReservation = time.Minute

// PendingOut lists a mentee's open requests, oldest first.
func (s *Store) PendingOut(ctx context.Context, menteeID string) ([]Request, error) {
	if !ids.Valid(menteeID) {
		return nil, nil
	}
	members, err := s.rdb.ZRangeWithScores(ctx, s.menteeOpenKey(menteeID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("mentors: requests of %s: %w", menteeID, err)
	}
	keys := make([]string, len(members))
	for k, m := range members {
		mentor, id, _ := strings.Cut(m.Member.(string), "/")
		keys[k] = s.requestKey(mentor, id)
	}
	out, missing, closed, err := s.requests(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("mentors: requests of %s: %w", menteeID, err)
	}
	// A request that is no longer open must not hold one of the mentee's
	// open-request slots; normally closing it frees the slot, this repairs
	// a slot whose release was lost.
	var free []any
	for _, k := range closed {
		free = append(free, members[k].Member)
	}
	cutoff := ms(s.now().Add(-staleReservation))
	for _, k := range missing {
		if int64(members[k].Score) < cutoff {
			free = append(free, members[k].Member)
		}
	}
	if len(free) > 0 {
		if err := s.rdb.ZRem(ctx, s.menteeOpenKey(menteeID), free...).Err(); err != nil {
			slog.WarnContext(ctx, "mentors: clean-up failed", "left", "open-request slots held by closed requests (freed on a later read)",
				"mentee", menteeID, "slots", len(free), "err", err)
		}
	}
	return out, nil
}

// requests reads requests in one round trip, keeping the open ones, and
// returns the positions of keys that hold no request and of requests that
// are closed.
func (s *Store) requests(ctx context.Context, keys []string) (open []Request, missing, closed []int, err error) {
	if len(keys) == 0 {
		return nil, nil, nil, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	for k, key := range keys {
		cmds[k] = pipe.HGetAll(ctx, key)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, nil, err
	}
	for k, c := range cmds {
		h := c.Val()
		if len(h) == 0 {
			missing = append(missing, k)
			continue
		}
		if r := requestFromHash(h); r.State == RequestOpen || r.State == RequestQuestion {
			open = append(open, r)
		} else {
			closed = append(closed, k)
		}
	}
	return open, missing, closed, nil
}
