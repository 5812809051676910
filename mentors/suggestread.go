package mentors

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// SuggestRead ranks mentors for a mentee, as Suggest does, in two round
// trips that a page shares with its other reads: QueueSuggest queues the
// read of the mentee's profile and, when this Store has read that profile
// before, the ranking of the candidates for it; QueueProfiles then reads
// the best candidates. The ranking is built in a temporary key that the
// same round trip deletes. When the ranking named the same candidates
// for the same mentee and filter last time, QueueSuggest reads their
// profiles with it, and the second round trip has nothing to read.
type SuggestRead struct {
	s        *Store
	menteeID string
	f        match.Filter
	limit    int
	profile  *redis.StringCmd // nil for an invalid ID
	guess    string           // the profile the ranking was queued for
	batch    *redis.ZSliceCmd // nil when no ranking was queued
	// guessIDs are the candidates the last ranking for this mentee and
	// filter named, and guessed reads their profiles with the ranking.
	guessIDs []string
	guessed  func() ([]match.MentorProfile, error)
	mentee   match.MenteeProfile
	badInput error // the filter's valid.Errors
}

// rankedKey is where rankedIDs keeps the candidates of the last ranking
// for menteeID and f.
func rankedKey(menteeID string, f match.Filter) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%t", menteeID, f.Skill, f.Path, f.Language, f.MaxTZHours, f.AvailableNow)
}

// QueueSuggest queues on p the reads behind Suggest for menteeID.
func (s *Store) QueueSuggest(ctx context.Context, p redis.Pipeliner, menteeID string, f match.Filter, limit int) *SuggestRead {
	if limit <= 0 {
		limit = match.DefaultSuggestions
	}
	r := &SuggestRead{s: s, menteeID: menteeID, limit: min(limit, match.MaxSuggestions), badInput: f.Normalize()}
	r.f = f
	if !ids.Valid(menteeID) {
		return r
	}
	r.profile = p.HGet(ctx, s.menteeKey(menteeID), "profile")
	if raw, ok := s.menteeRaw.Get(menteeID); ok && r.badInput == nil {
		if e, err := s.decodeMentee(menteeID, []byte(raw)); err == nil {
			r.guess, r.batch = raw, s.queueBatch(ctx, p, &e, f)
			if last, ok := s.rankedIDs.Get(rankedKey(menteeID, f)); ok {
				r.guessIDs, r.guessed = last, s.queueMentorProfiles(ctx, p, last)
			}
		}
	}
	return r
}

// queueBatch queues on p the ranking of the candidates for e and the read
// of the first batch of them, best first, and deletes the ranking.
func (s *Store) queueBatch(ctx context.Context, p redis.Pipeliner, e *match.MenteeProfile, f match.Filter) *redis.ZSliceCmd {
	rankKey, perLang := s.queueRanking(ctx, p, e, f)
	batch := p.ZRevRangeWithScores(ctx, rankKey, 0, suggestBatch-1)
	p.Del(ctx, append(perLang, rankKey)...)
	return batch
}

// QueueProfiles queues on p, once the reads of QueueSuggest have run, the
// reads of the best candidates' profiles; when the profile read differs
// from the one this Store knew, it ranks the candidates first, in a round
// trip of its own. It returns the function that gives the suggestions once
// p has been executed (which reads on in further round trips when more
// than one batch of candidates could reach the top), and the candidates
// likely to be among them, so the page can read those people with them.
// A mentee without a profile gets ErrNotFound, then a bad filter
// valid.Errors.
func (r *SuggestRead) QueueProfiles(ctx context.Context, p redis.Pipeliner) (func() ([]match.Suggestion, error), []string, error) {
	s := r.s
	if r.profile == nil {
		return nil, nil, fmt.Errorf("mentors: suggest: mentee profile %s: %w", r.menteeID, ErrNotFound)
	}
	raw, err := r.profile.Result()
	if errors.Is(err, redis.Nil) {
		s.menteeRaw.Forget(r.menteeID)
		return nil, nil, fmt.Errorf("mentors: suggest: mentee profile %s: %w", r.menteeID, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mentors: suggest: mentee profile %s: %w", r.menteeID, err)
	}
	if r.mentee, err = s.decodeMentee(r.menteeID, []byte(raw)); err != nil {
		return nil, nil, fmt.Errorf("mentors: suggest: %w", err)
	}
	s.menteeRaw.Put(r.menteeID, raw)
	if r.badInput != nil {
		return nil, nil, r.badInput
	}
	if r.batch == nil || r.guess != raw {
		r.guessed = nil // read before this ranking: read them again with its candidates
		first := s.rdb.Pipeline()
		r.batch = s.queueBatch(ctx, first, &r.mentee, r.f)
		if _, err := first.Exec(ctx); err != nil {
			return nil, nil, fmt.Errorf("mentors: suggest for %s: %w", r.menteeID, err)
		}
	}
	batch, err := r.batch.Result()
	if err != nil {
		return nil, nil, fmt.Errorf("mentors: suggest for %s: %w", r.menteeID, err)
	}
	batchIDs := make([]string, len(batch))
	for k, z := range batch {
		batchIDs[k] = z.Member.(string)
	}
	var likely []string
	if len(batch) > 0 {
		// A candidate's other points are at most the bound, so one whose
		// points fall that far below the limit-th candidate's rarely
		// makes it to the top.
		floor := batch[min(r.limit, len(batch))-1].Score - float64(match.OtherPointsBound(&r.mentee))
		for k, z := range batch {
			if z.Score >= floor {
				likely = append(likely, batchIDs[k])
			}
		}
	}
	readProfiles := r.guessed
	if r.guessed == nil || !slices.Equal(batchIDs, r.guessIDs) {
		readProfiles = s.queueMentorProfiles(ctx, p, batchIDs)
		s.rankedIDs.Put(rankedKey(r.menteeID, r.f), batchIDs)
	}
	return func() ([]match.Suggestion, error) {
		profiles, err := readProfiles()
		if err != nil {
			return nil, fmt.Errorf("mentors: suggest for %s: %w", r.menteeID, err)
		}
		best, err := match.Suggest(&r.mentee, profiles, r.f, r.limit, s.now())
		if err != nil {
			return nil, err
		}
		if len(batch) < suggestBatch {
			return best, nil
		}
		bound := int(batch[len(batch)-1].Score) + match.OtherPointsBound(&r.mentee)
		if len(best) == r.limit && best[r.limit-1].Score > bound {
			return best, nil
		}
		return s.Suggest(ctx, r.menteeID, r.f, r.limit) // more than one batch could reach the top
	}, likely, nil
}
