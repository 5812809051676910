package mentors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// SetPair lets an organizer put a signed-up mentee with a signed-up mentor
// in a matched round (mentorID "" takes the mentee out of their pair). The
// two must share a language and the mentor must have room this round.
func (s *Store) SetPair(ctx context.Context, actor Actor, roundID, menteeID, mentorID string) (match.Result, error) {
	return s.editRound(ctx, actor, roundID, func(r *Round, res *match.Result, p *roundPeople) error {
		if !slices.Contains(r.Mentees, menteeID) {
			return valid.Errors{"mentee": "This person is not signed up as a mentee"}
		}
		at := slices.IndexFunc(res.Pairs, func(x match.Pair) bool { return x.MenteeID == menteeID })
		if mentorID == "" {
			if at >= 0 {
				res.Pairs = slices.Delete(res.Pairs, at, at+1)
			}
			return nil
		}
		if _, ok := r.Mentors[mentorID]; !ok {
			return valid.Errors{"mentor": "This person is not signed up as a mentor"}
		}
		if at >= 0 && res.Pairs[at].MentorID == mentorID {
			return nil
		}
		taken := 0
		for _, x := range res.Pairs {
			if x.MentorID == mentorID {
				taken++
			}
		}
		mentor := p.mentor(mentorID)
		if mentor == nil || taken >= mentor.Capacity {
			return valid.Errors{"mentor": "This mentor has no room left in this round"}
		}
		pair, err := p.pair(menteeID, mentor, s)
		if err != nil {
			return err
		}
		if at >= 0 {
			res.Pairs[at] = pair
		} else {
			res.Pairs = append(res.Pairs, pair)
		}
		return nil
	})
}

// SwapMentors lets an organizer exchange the mentors of two paired mentees
// in a matched round; both new pairs must share a language.
func (s *Store) SwapMentors(ctx context.Context, actor Actor, roundID, menteeA, menteeB string) (match.Result, error) {
	return s.editRound(ctx, actor, roundID, func(r *Round, res *match.Result, p *roundPeople) error {
		a := slices.IndexFunc(res.Pairs, func(x match.Pair) bool { return x.MenteeID == menteeA })
		b := slices.IndexFunc(res.Pairs, func(x match.Pair) bool { return x.MenteeID == menteeB })
		errs := valid.Errors{}
		if a < 0 {
			errs.Add("mentee_a", "This mentee has no mentor in this round")
		}
		if b < 0 {
			errs.Add("mentee_b", "This mentee has no mentor in this round")
		}
		if err := errs.Err(); err != nil {
			return err
		}
		pa, err := p.pair(menteeA, p.mentor(res.Pairs[b].MentorID), s)
		if err != nil {
			return err
		}
		pb, err := p.pair(menteeB, p.mentor(res.Pairs[a].MentorID), s)
		if err != nil {
			return err
		}
		res.Pairs[a], res.Pairs[b] = pa, pb
		return nil
	})
}

// roundPeople are the profiles of a round's sign-ups, with round capacities.
type roundPeople struct {
	mentors []match.MentorProfile
	mentees []match.MenteeProfile
}

func (p *roundPeople) mentor(id string) *match.MentorProfile {
	if k := slices.IndexFunc(p.mentors, func(m match.MentorProfile) bool { return m.UserID == id }); k >= 0 {
		return &p.mentors[k]
	}
	return nil
}

// pair builds an organizer's pair after checking the two share a language.
func (p *roundPeople) pair(menteeID string, mentor *match.MentorProfile, s *Store) (match.Pair, error) {
	k := slices.IndexFunc(p.mentees, func(m match.MenteeProfile) bool { return m.UserID == menteeID })
	if k < 0 || mentor == nil {
		return match.Pair{}, valid.Errors{"mentor": "A profile is missing for this pair"}
	}
	score, reasons, _ := match.Score(&p.mentees[k], mentor, s.now())
	if len(reasons) == 1 && reasons[0].Kind == match.ReasonNoLanguage {
		return match.Pair{}, valid.Errors{"mentor": "This mentor and this mentee share no language"}
	}
	return match.Pair{MenteeID: menteeID, MentorID: mentor.UserID, Score: score, Reasons: reasons, Manual: true}, nil
}

// editRound applies an organizer's change to a matched round's result in
// one optimistic transaction, and lists anyone it leaves without a pair.
func (s *Store) editRound(ctx context.Context, actor Actor, roundID string, change func(*Round, *match.Result, *roundPeople) error) (match.Result, error) {
	if !actor.Organizer {
		return match.Result{}, fmt.Errorf("mentors: edit round: %w", ErrForbidden)
	}
	var out match.Result
	keys := []string{s.roundKey(roundID), s.roundMentorsKey(roundID), s.roundMenteesKey(roundID)}
	txf := func(tx *redis.Tx) error {
		r, err := s.Round(ctx, roundID)
		if err != nil {
			return err
		}
		if r.State != RoundMatched {
			return stateError("STATE:" + string(r.State))
		}
		mentors, mentees, _, err := s.roundProfiles(ctx, &r)
		if err != nil {
			return err
		}
		res := *r.Result
		res.Pairs = slices.Clone(res.Pairs)
		if err := change(&r, &res, &roundPeople{mentors: mentors, mentees: mentees}); err != nil {
			return err
		}
		relist(&r, &res)
		raw, err := json.Marshal(res)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.HSet(ctx, s.roundKey(roundID), "result", raw, "updated", ms(s.now()))
			return nil
		})
		out = res
		return err
	}
	for attempt := 0; ; attempt++ {
		err := s.rdb.Watch(ctx, txf, keys...)
		if errors.Is(err, redis.TxFailedErr) && attempt < 5 {
			continue
		}
		var ve valid.Errors
		if errors.As(err, &ve) {
			return match.Result{}, ve
		}
		if err != nil {
			return match.Result{}, fmt.Errorf("mentors: edit round %s: %w", roundID, err)
		}
		return out, nil
	}
}

// relist keeps pairs in order and the unmatched list true after an edit:
// people now paired leave it, people left without a pair join it.
func relist(r *Round, res *match.Result) {
	slices.SortFunc(res.Pairs, func(a, b match.Pair) int {
		if c := strings.Compare(a.MentorID, b.MentorID); c != 0 {
			return c
		}
		return strings.Compare(a.MenteeID, b.MenteeID)
	})
	paired := map[string]bool{}
	for _, p := range res.Pairs {
		paired[string(match.RoleMentee)+p.MenteeID] = true
		paired[string(match.RoleMentor)+p.MentorID] = true
	}
	listed := map[string]bool{}
	kept := res.Unmatched[:0]
	for _, u := range res.Unmatched {
		if !paired[string(u.Role)+u.UserID] {
			kept = append(kept, u)
			listed[string(u.Role)+u.UserID] = true
		}
	}
	for _, u := range r.Mentees {
		if !paired[string(match.RoleMentee)+u] && !listed[string(match.RoleMentee)+u] {
			kept = append(kept, match.Unmatched{UserID: u, Role: match.RoleMentee, Code: UnmatchedOrganizer,
				Reason: "taken out of their pair by the organizer"})
		}
	}
	for u := range r.Mentors {
		if !paired[string(match.RoleMentor)+u] && !listed[string(match.RoleMentor)+u] {
			kept = append(kept, match.Unmatched{UserID: u, Role: match.RoleMentor, Code: UnmatchedOrganizer,
				Reason: "their mentees were moved by the organizer"})
		}
	}
	sortUnmatched(kept)
	res.Unmatched = kept
}
