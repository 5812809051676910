package mentors

import (
	"context"
	"fmt"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// PublishReport says which pairs of a published round started a
// mentorship and which could not, with why.
type PublishReport struct {
	Started []match.Pair
	Skipped []SkippedPair
}

// SkippedPair is a round pair that did not become a mentorship.
type SkippedPair struct {
	Pair   match.Pair
	Reason string
}

// PublishRound starts a mentorship for every pair of a matched round, each
// within the mentor's capacity at that moment, and introduces each pair by
// a notice to both. Calling it again on a round whose publishing was cut
// short finishes the job; pairs already started are not started twice.
func (s *Store) PublishRound(ctx context.Context, actor Actor, roundID string) (PublishReport, error) {
	var rep PublishReport
	if !actor.Organizer {
		return rep, fmt.Errorf("mentors: publish round: %w", ErrForbidden)
	}
	if !ids.Valid(roundID) {
		return rep, fmt.Errorf("mentors: publish round: %w", ErrNotFound)
	}
	code, err := stateScript.Run(ctx, s.rdb, []string{s.roundKey(roundID)},
		string(RoundMatched)+","+string(RoundPublishing), string(RoundPublishing), ms(s.now()), "", "").Text()
	if err == nil {
		err = stateError(code)
	}
	if err != nil {
		return rep, fmt.Errorf("mentors: publish round %s: %w", roundID, err)
	}
	r, err := s.Round(ctx, roundID)
	if err != nil {
		return rep, err
	}
	for _, p := range r.Result.Pairs {
		reason, err := s.startFromRound(ctx, r, p)
		if err != nil {
			return rep, fmt.Errorf("mentors: publish round %s: %w", roundID, err)
		}
		if reason != "" {
			rep.Skipped = append(rep.Skipped, SkippedPair{Pair: p, Reason: reason})
			continue
		}
		rep.Started = append(rep.Started, p)
	}
	code, err = stateScript.Run(ctx, s.rdb, []string{s.roundKey(roundID)},
		string(RoundPublishing), string(RoundPublished), ms(s.now()), "", "").Text()
	if err == nil {
		err = stateError(code)
	}
	if err != nil {
		return rep, fmt.Errorf("mentors: publish round %s: %w", roundID, err)
	}
	return rep, nil
}

// startFromRound starts one pair's mentorship; a non-empty reason says why
// it could not start.
func (s *Store) startFromRound(ctx context.Context, r Round, p match.Pair) (string, error) {
	now := s.now()
	shipID := ids.New()
	if err := s.rdb.Set(ctx, s.mentorshipRefKey(shipID), p.MentorID, 0).Err(); err != nil {
		return "", err
	}
	if err := s.notices.Mark(ctx, p.MentorID); err != nil {
		return "", err
	}
	// Each side is introduced to the other by the same script that starts
	// the mentorship.
	intro := func(to, other string) string {
		return encodeNotice(Notice{Kind: NoticeRoundMatch, To: to, Other: other, RoundID: r.ID, GroupID: r.GroupID,
			MentorshipID: shipID, Reasons: p.Reasons, MentorID: p.MentorID})
	}
	run := ids.New()
	res, err := startScript.Run(ctx, s.rdb, []string{
		s.mentorKey(p.MentorID), s.mentorMenteesKey(p.MentorID),
		s.mentorshipKey(p.MentorID, shipID), s.mentorHistoryKey(p.MentorID), s.mentorNoticesKey(p.MentorID),
	}, shipID, p.MenteeID, p.MentorID, ms(now), r.ID, run, intro(p.MenteeID, p.MentorID), intro(p.MentorID, p.MenteeID)).StringSlice()
	if err != nil {
		return "", err
	}
	if res[0] == "OK" {
		s.forgetMentor(p.MentorID)
		s.notices.Relay(ctx, p.MentorID, run, s.logger())
	} else if err := s.rdb.Del(context.WithoutCancel(ctx), s.mentorshipRefKey(shipID)).Err(); err != nil {
		s.logger().Error("mentors: unused mentorship reference left behind", "mentorship", shipID, "err", err)
	}
	switch res[0] {
	case "ALREADY":
		existing, err := s.mentorship(ctx, p.MentorID, res[1])
		if err != nil || existing.RoundID != r.ID {
			return "they already work together", nil
		}
		shipID = res[1] // started by an earlier, interrupted publish: finish its follow-ups
	case "FULL":
		return "the mentor has no free seat any more", nil
	case "OK":
	default:
		return "", scriptError(res[0])
	}
	if err := s.linkMentee(ctx, p.MentorID, p.MenteeID, shipID, now); err != nil {
		return "", err
	}
	if err := s.rdb.SAdd(ctx, s.groupPairsKey(r.GroupID), p.MenteeID+"/"+p.MentorID).Err(); err != nil {
		return "", err
	}
	return "", nil
}
