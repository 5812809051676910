package mentors

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// SuggestRead ranks mentors for a mentee, as Suggest does, in two round
// trips that a page shares with its other reads: QueueSuggest queues the
// read of the mentee's profile and, when this Store has read that profile
// before, what the ranking needs; QueueProfiles then reads the best
// candidates.
//
// The Store remembers each mentee's last ranking per filter (its first
// batch of candidates) with the versions of the indexes it was built
// from. While the mentee's profile and those versions are unchanged, the
// ranking is current: QueueSuggest reads the versions (one HMGET) and the
// candidates' profiles, and builds nothing. Otherwise the ranking is built
// in a temporary key that the same round trip deletes, after the versions
// it is remembered with. Either way a page of suggestions reads in one
// round trip once the mentee is known, and a ranking built anew for a
// remembered one adds one.
type SuggestRead struct {
	s        *Store
	menteeID string
	f        match.Filter
	limit    int
	profile  nearcache.Reply[string] // not read for an invalid ID
	guess    string                  // the profile the reads were queued for
	batch    *redis.ZSliceCmd        // nil when no ranking was queued
	versions *redis.SliceCmd         // of the ranking's indexes, read before it
	// last is the ranking remembered for this mentee and filter (no ids:
	// none), and guessed reads its candidates' profiles.
	last     ranking
	guessed  func() ([]match.MentorProfile, error)
	mentee   match.MenteeProfile
	badInput error // the filter's valid.Errors
}

// ranking is a mentee's ranking for one filter as last built: hashes of
// the stored profile it was built for and of the versions of its indexes
// read before it, when it was built, and its first batch of candidates,
// best first, with their points.
type ranking struct {
	profile, versions uint64
	built             time.Time
	ids               []string
	scores            []float64
}

// rankingMaxAge bounds how long a remembered ranking is trusted on its
// versions alone. It covers what the versions cannot see: saves by an
// instance that does not count them yet (during a rolling deploy), and
// counts a failover lost and then reached again with other changes.
const rankingMaxAge = 5 * time.Minute

// rankingSeed keys the hashes a ranking is remembered with.
var rankingSeed = maphash.MakeSeed()

// hashProfile is the hash a ranking keeps of the stored mentee profile.
func hashProfile(raw string) uint64 { return maphash.String(rankingSeed, raw) }

// hashVersions is the hash a ranking keeps of its indexes' versions as
// HMGET gave them (a field never counted is nil); 0 when they could not
// be read.
func hashVersions(cmd *redis.SliceCmd) uint64 {
	if cmd == nil {
		return 0
	}
	vs, err := cmd.Result()
	if err != nil || len(vs) == 0 {
		return 0
	}
	var h maphash.Hash
	h.SetSeed(rankingSeed)
	for _, v := range vs {
		str, ok := v.(string)
		if !ok {
			h.WriteByte(0)
			continue
		}
		h.WriteByte(1)
		h.WriteString(strconv.Itoa(len(str)))
		h.WriteByte(':')
		h.WriteString(str)
	}
	return h.Sum64() | 1
}

// current reports whether the ranking still holds at now for the stored
// profile raw, given the versions its indexes have now.
func (k ranking) current(raw string, versions *redis.SliceCmd, now time.Time) bool {
	return k.ids != nil && k.profile == hashProfile(raw) && now.Sub(k.built) < rankingMaxAge &&
		k.versions != 0 && k.versions == hashVersions(versions)
}

// rankedKey is where rankings keeps the last ranking for menteeID and f:
// by the filters the ranking itself reads (the others apply to the
// profiles read after it).
func rankedKey(menteeID string, f match.Filter) string {
	return menteeID + "|" + f.Skill + "|" + f.Path + "|" + f.Language
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
	r.profile = nearcache.HGet(ctx, p, s.menteeKey(menteeID), "profile")
	if raw, ok := s.menteeRaw.Get(menteeID); ok && r.badInput == nil {
		if e, err := s.decodeMentee(menteeID, raw); err == nil {
			r.guess = raw
			r.versions = s.queueVersions(ctx, p, &e, f)
			// What the versions will say is known only once p has run; a
			// ranking for another profile, or too old, is built now.
			last, known := s.rankings.Get(rankedKey(menteeID, f))
			if !known || last.profile != hashProfile(raw) || s.now().Sub(last.built) >= rankingMaxAge || r.versions == nil {
				r.batch = s.queueBatch(ctx, p, &e, f)
			}
			if known {
				r.last, r.guessed = last, s.queueMentorProfiles(ctx, p, last.ids, true)
			}
		}
	}
	return r
}

// queueVersions queues on p the read of the versions of the indexes a
// ranking for e and f reads (nil when it reads none).
func (s *Store) queueVersions(ctx context.Context, p redis.Pipeliner, e *match.MenteeProfile, f match.Filter) *redis.SliceCmd {
	keys := s.rankingIndexes(e, f)
	if len(keys) == 0 {
		return nil
	}
	return p.HMGet(ctx, s.versionsKey(), keys...)
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
	if !ids.Valid(r.menteeID) {
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
	if r.mentee, err = s.decodeMentee(r.menteeID, raw); err != nil {
		return nil, nil, fmt.Errorf("mentors: suggest: %w", err)
	}
	s.menteeRaw.Put(r.menteeID, raw)
	if r.badInput != nil {
		return nil, nil, r.badInput
	}
	var batchIDs []string
	var scores []float64
	if r.batch == nil && r.last.current(raw, r.versions, s.now()) {
		batchIDs, scores = r.last.ids, r.last.scores
	} else {
		if r.batch == nil || r.guess != raw {
			// The profiles read with the versions are kept when the new
			// ranking names the same candidates (a ranking too old to
			// trust, or a change that moved no one): they were read after
			// whatever made this ranking necessary.
			first := s.rdb.Pipeline()
			r.versions = s.queueVersions(ctx, first, &r.mentee, r.f)
			r.batch = s.queueBatch(ctx, first, &r.mentee, r.f)
			if _, err := first.Exec(ctx); err != nil {
				return nil, nil, fmt.Errorf("mentors: suggest for %s: %w", r.menteeID, err)
			}
		}
		batch, err := r.batch.Result()
		if err != nil {
			return nil, nil, fmt.Errorf("mentors: suggest for %s: %w", r.menteeID, err)
		}
		batchIDs, scores = make([]string, len(batch)), make([]float64, len(batch))
		for k, z := range batch {
			batchIDs[k], scores[k] = z.Member.(string), z.Score
		}
		s.rankings.Put(rankedKey(r.menteeID, r.f), ranking{profile: hashProfile(raw), versions: hashVersions(r.versions),
			built: s.now(), ids: batchIDs, scores: scores})
	}
	var likely []string
	if len(batchIDs) > 0 {
		// A candidate's other points are at most the bound, so one whose
		// points fall that far below the limit-th candidate's rarely
		// makes it to the top.
		floor := scores[min(r.limit, len(scores))-1] - float64(match.OtherPointsBound(&r.mentee))
		for k, score := range scores {
			if score >= floor {
				likely = append(likely, batchIDs[k])
			}
		}
	}
	readProfiles := r.guessed
	if r.guessed == nil || !slices.Equal(batchIDs, r.last.ids) {
		readProfiles = s.queueMentorProfiles(ctx, p, batchIDs, true)
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
		if len(scores) < suggestBatch {
			return best, nil
		}
		bound := int(scores[len(scores)-1]) + match.OtherPointsBound(&r.mentee)
		if len(best) == r.limit && best[r.limit-1].Score > bound {
			return best, nil
		}
		return s.Suggest(ctx, r.menteeID, r.f, r.limit) // more than one batch could reach the top
	}, likely, nil
}
