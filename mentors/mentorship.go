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
	Thanked        bool // the mentee thanked the mentor when it ended
}

func mentorshipFromHash(h map[string]string) Mentorship {
	return Mentorship{
		ID: h["id"], MentorID: h["mentor"], MenteeID: h["mentee"], RoundID: h["round"],
		Started: fromMS(h["started"]), Ended: fromMS(h["ended"]), EndedBy: h["ended_by"],
		MentorFeedback: h["feedback_mentor"], MenteeFeedback: h["feedback_mentee"], Thanked: h["thanked"] == "1",
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
	return s.End(ctx, actorID, id, Ending{Reflection: feedback})
}

// Ending is what someone leaves when they end a mentorship.
type Ending struct {
	// Reflection is an optional short text the other side sees.
	Reflection string
	// Thanks is the mentee's optional thank-you, counted on the mentor's
	// profile; it is ignored when the mentor ends.
	Thanks bool
}

// End lets either side end a mentorship with an optional reflection and,
// from the mentee, a thank-you. In one step the mentor's seat is free
// again, the thank-you is counted, planned meetings are cancelled (both
// calendars get a CANCEL) and the other side is told.
func (s *Store) End(ctx context.Context, actorID, id string, e Ending) (Mentorship, error) {
	if err := textError("feedback", "feedback", e.Reflection, false).Err(); err != nil {
		return Mentorship{}, err
	}
	feedback := strings.TrimSpace(e.Reflection)
	mentor, err := s.shipMentor(ctx, id)
	if err != nil {
		return Mentorship{}, fmt.Errorf("mentors: end %s: %w", id, err)
	}
	if err := s.notices.Mark(ctx, mentor); err != nil {
		return Mentorship{}, fmt.Errorf("mentors: end %s: %w", id, err)
	}
	now, run := s.now(), ids.New()
	note := Notice{Kind: NoticeMentorshipEnded, Other: actorID, MentorshipID: id,
		Text: feedback, At: time.UnixMilli(ms(now)).UTC()}
	thanks := ""
	if e.Thanks {
		thanks = "1"
	}
	meetingNote := encodeNotice(Notice{Kind: NoticeMeeting, MentorshipID: id, Other: actorID, At: note.At})
	res, err := endScript.Run(ctx, s.rdb, []string{s.mentorshipKey(mentor, id), s.mentorMenteesKey(mentor), s.mentorNoticesKey(mentor),
		s.mentorKey(mentor), s.shipMeetingsKey(mentor, id)},
		actorID, feedback, ms(now), run, encodeNotice(note), thanks, meetingNote).StringSlice()
	if err == nil {
		err = scriptError(res[0])
	}
	if err != nil {
		return Mentorship{}, fmt.Errorf("mentors: end %s: %w", id, err)
	}
	s.forgetMentor(mentor)
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
	r, err := s.readMentoring(ctx, menteeID)
	return r.Mentors, err
}

// MyMentees lists a mentor's running mentorships, oldest first.
func (s *Store) MyMentees(ctx context.Context, mentorID string) ([]Mentorship, error) {
	r, err := s.readMentoring(ctx, mentorID)
	return r.Mentees, err
}

// PendingIn lists the open requests a mentor has received, oldest first.
func (s *Store) PendingIn(ctx context.Context, mentorID string) ([]Request, error) {
	r, err := s.readMentoring(ctx, mentorID)
	return r.PendingIn, err
}

// PendingOut lists a mentee's open requests, oldest first.
func (s *Store) PendingOut(ctx context.Context, menteeID string) ([]Request, error) {
	r, err := s.readMentoring(ctx, menteeID)
	return r.PendingOut, err
}

// queueMentorships queues on p the reads of the mentorships under keys;
// the returned function gives the running ones, oldest first.
func (s *Store) queueMentorships(ctx context.Context, pipe redis.Pipeliner, keys []string) func() ([]Mentorship, error) {
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	for k, key := range keys {
		cmds[k] = pipe.HGetAll(ctx, key)
	}
	return func() ([]Mentorship, error) {
		var out []Mentorship
		for _, c := range cmds {
			h, err := c.Result()
			if err != nil {
				return nil, err
			}
			if len(h) > 0 && h["ended"] == "" {
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
}

// staleReservation is how long an open-request slot may exist without its
// request before PendingOut frees it (a crash between the two writes).
const staleReservation = time.Minute

// freeSlots frees the open-request slots of menteeID (members, as read)
// that hold a closed request, or no request for longer than
// staleReservation. Normally closing a request frees its slot; this
// repairs a slot whose release was lost.
func (s *Store) freeSlots(ctx context.Context, menteeID string, members []redis.Z, missing, closed []int) {
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
}

// queueRequests queues on p the reads of the requests under keys; the
// returned function gives the open ones and the positions of keys that
// hold no request and of requests that are closed. It remembers each
// request's mentee, so a page can read that person with the request.
func (s *Store) queueRequests(ctx context.Context, pipe redis.Pipeliner, keys []string) func() (open []Request, missing, closed []int, err error) {
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	for k, key := range keys {
		cmds[k] = pipe.HGetAll(ctx, key)
	}
	return func() (open []Request, missing, closed []int, err error) {
		for k, c := range cmds {
			h, err := c.Result()
			if err != nil {
				return nil, nil, nil, err
			}
			if len(h) == 0 {
				missing = append(missing, k)
				continue
			}
			r := requestFromHash(h)
			s.menteeOf.Put(r.ID, r.MenteeID)
			if r.State == RequestOpen || r.State == RequestQuestion {
				open = append(open, r)
			} else {
				closed = append(closed, k)
			}
		}
		return open, missing, closed, nil
	}
}
