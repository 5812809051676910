package mentors

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// suggestBatch is how many candidates Suggest loads per round trip.
const suggestBatch = 200

// Suggest ranks the mentors for a mentee with the reasons for each. The
// indexes give every mentor who shares a language with the mentee and
// teaches a wanted skill or guides the path, with the points those add;
// Suggest loads them best first in batches and stops once no unloaded
// mentor could still reach the top (their skill and path points plus
// match.OtherPointsBound fall below the last suggestion). A bad filter
// returns valid.Errors.
func (s *Store) Suggest(ctx context.Context, menteeID string, f match.Filter, limit int) ([]match.Suggestion, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	mentee, err := s.MenteeProfile(ctx, menteeID)
	if err != nil {
		return nil, fmt.Errorf("mentors: suggest: %w", err)
	}
	if limit <= 0 {
		limit = match.DefaultSuggestions
	}
	limit = min(limit, match.MaxSuggestions)
	ranked, cleanup, err := s.rankCandidates(ctx, &mentee, f)
	if err != nil {
		return nil, fmt.Errorf("mentors: suggest for %s: %w", menteeID, err)
	}
	defer cleanup()
	now := s.now()
	var best []match.Suggestion
	for start := int64(0); ranked != ""; start += suggestBatch {
		batch, err := s.rdb.ZRevRangeWithScores(ctx, ranked, start, start+suggestBatch-1).Result()
		if err != nil {
			return nil, fmt.Errorf("mentors: suggest for %s: %w", menteeID, err)
		}
		batchIDs := make([]string, len(batch))
		for k, z := range batch {
			batchIDs[k] = z.Member.(string)
		}
		profiles, err := s.mentorProfiles(ctx, batchIDs)
		if err != nil {
			return nil, fmt.Errorf("mentors: suggest for %s: %w", menteeID, err)
		}
		more, err := match.Suggest(&mentee, profiles, f, limit, now)
		if err != nil {
			return nil, err
		}
		best = mergeSuggestions(best, more, limit)
		if len(batch) < suggestBatch {
			break
		}
		bound := int(batch[len(batch)-1].Score) + match.OtherPointsBound(&mentee)
		if len(best) == limit && best[limit-1].Score > bound {
			break
		}
	}
	return best, nil
}

// mergeSuggestions keeps the best limit of two ranked lists, in rank order.
func mergeSuggestions(a, b []match.Suggestion, limit int) []match.Suggestion {
	out := append(a, b...)
	slices.SortFunc(out, func(x, y match.Suggestion) int {
		if c := cmp.Compare(y.Score, x.Score); c != 0 {
			return c
		}
		return cmp.Compare(x.Mentor.UserID, y.Mentor.UserID)
	})
	return out[:min(len(out), limit)]
}

// rankCandidates builds a temporary sorted set of the candidate mentors,
// scored by the skill and path points they bring, narrowed by the filter's
// language, skill and path. It returns "" when there is no candidate, and a
// function that deletes the temporary keys.
func (s *Store) rankCandidates(ctx context.Context, e *match.MenteeProfile, f match.Filter) (string, func(), error) {
	pipe := s.rdb.TxPipeline()
	rankKey, perLang := s.queueRanking(ctx, pipe, e, f)
	cleanup := func() { s.rdb.Del(context.WithoutCancel(ctx), append(perLang, rankKey)...) }
	if _, err := pipe.Exec(ctx); err != nil {
		cleanup()
		return "", func() {}, err
	}
	return rankKey, cleanup, nil
}

// queueRanking queues on p the commands that build the temporary sorted
// set of rankCandidates, expiring in a minute, and returns its key and
// the per-language keys it builds on the way. The keys share one hash
// tag, so they may be built in one transaction.
func (s *Store) queueRanking(ctx context.Context, pipe redis.Pipeliner, e *match.MenteeProfile, f match.Filter) (string, []string) {
	langs := rankingLanguages(e, f)
	tag := ids.New()
	rankKey := s.indexKey("tmp", tag)
	var perLang []string
	for _, l := range langs {
		fits := s.fitKeys(e, l)
		key := rankKey
		if len(langs) > 1 {
			key = s.indexKey("tmp", tag+":"+l)
		}
		perLang = append(perLang, key)
		pipe.ZUnionStore(ctx, key, &redis.ZStore{Keys: fits, Aggregate: "SUM"})
	}
	inter := append([]string{rankKey}, s.filterKeys(f)...)
	weights := make([]float64, len(inter))
	weights[0] = 1
	if perLang[0] != rankKey {
		// A mentor who speaks several of the mentee's languages has the
		// same points in each language's union: take them once.
		pipe.ZUnionStore(ctx, rankKey, &redis.ZStore{Keys: perLang, Aggregate: "MAX"})
		pipe.Del(ctx, perLang...)
	}
	if len(inter) > 1 {
		pipe.ZInterStore(ctx, rankKey, &redis.ZStore{Keys: inter, Weights: weights, Aggregate: "SUM"})
	}
	pipe.Expire(ctx, rankKey, time.Minute)
	return rankKey, perLang
}

// rankingLanguages are the languages whose indexes a ranking for e
// unites: the filter's alone when e speaks it, else all of e's (and the
// engine then filters mentors by language).
func rankingLanguages(e *match.MenteeProfile, f match.Filter) []string {
	if slices.Contains(e.Languages, f.Language) {
		return []string{f.Language}
	}
	return e.Languages
}

// fitKeys are the indexes of mentors speaking lang who teach a skill e
// wants or guide e's path, scored by the points that brings.
func (s *Store) fitKeys(e *match.MenteeProfile, lang string) []string {
	fits := make([]string, 0, len(e.WantSkills)+1)
	for _, k := range e.WantSkills {
		fits = append(fits, s.fitKey(lang, "skill", k))
	}
	if e.Path != "" {
		fits = append(fits, s.fitKey(lang, "path", e.Path))
	}
	return fits
}

// filterKeys are the indexes a ranking is narrowed to by f's skill and
// path.
func (s *Store) filterKeys(f match.Filter) []string {
	var out []string
	if f.Skill != "" {
		out = append(out, s.indexKey("skill", f.Skill))
	}
	if f.Path != "" {
		out = append(out, s.indexKey("path", f.Path))
	}
	return out
}

// rankingIndexes are every index a ranking for e and f reads, whose
// versions tell whether a remembered ranking is still current.
func (s *Store) rankingIndexes(e *match.MenteeProfile, f match.Filter) []string {
	var out []string
	for _, l := range rankingLanguages(e, f) {
		out = append(out, s.fitKeys(e, l)...)
	}
	return append(out, s.filterKeys(f)...)
}
