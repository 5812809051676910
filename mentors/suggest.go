package mentors

import (
	"context"
	"fmt"

	"github.com/focusgroups/focusgroups/mentors/match"
)

// Suggest ranks the mentors for a mentee with the reasons for each. It
// loads only mentors who share a language with the mentee and teach a
// wanted skill or guide the mentee's path (from the index sets), and
// scores them with match.Suggest. A bad filter returns valid.Errors.
func (s *Store) Suggest(ctx context.Context, menteeID string, f match.Filter, limit int) ([]match.Suggestion, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	mentee, err := s.MenteeProfile(ctx, menteeID)
	if err != nil {
		return nil, fmt.Errorf("mentors: suggest: %w", err)
	}
	ids, err := s.candidateIDs(ctx, &mentee, f)
	if err != nil {
		return nil, fmt.Errorf("mentors: suggest for %s: %w", menteeID, err)
	}
	mentors, err := s.mentorProfiles(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("mentors: suggest for %s: %w", menteeID, err)
	}
	return match.Suggest(&mentee, mentors, f, limit, s.now())
}

// candidateIDs reads the index sets: mentors speaking one of the mentee's
// languages, intersected with those teaching a wanted skill or guiding the
// path, narrowed by the filter's skill, path and language.
func (s *Store) candidateIDs(ctx context.Context, e *match.MenteeProfile, f match.Filter) ([]string, error) {
	var langs, fits []string
	for _, l := range e.Languages {
		if f.Language == "" || f.Language == l {
			langs = append(langs, s.indexKey("lang", l))
		}
	}
	for _, k := range e.WantSkills {
		fits = append(fits, s.indexKey("skill", k))
	}
	if e.Path != "" {
		fits = append(fits, s.indexKey("path", e.Path))
	}
	if len(langs) == 0 || len(fits) == 0 {
		return nil, nil
	}
	var narrow []string
	if f.Skill != "" {
		narrow = append(narrow, s.indexKey("skill", f.Skill))
	}
	if f.Path != "" {
		narrow = append(narrow, s.indexKey("path", f.Path))
	}
	pipe := s.rdb.Pipeline()
	langCmd := pipe.SUnion(ctx, langs...)
	fitCmd := pipe.SUnion(ctx, fits...)
	var narrowCmd interface{ Val() []string }
	if len(narrow) > 0 {
		narrowCmd = pipe.SInter(ctx, narrow...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	keep := make(map[string]bool, len(fitCmd.Val()))
	for _, id := range fitCmd.Val() {
		keep[id] = true
	}
	if narrowCmd != nil {
		inNarrow := keep
		keep = map[string]bool{}
		for _, id := range narrowCmd.Val() {
			keep[id] = inNarrow[id]
		}
	}
	var out []string
	for _, id := range langCmd.Val() {
		if keep[id] {
			out = append(out, id)
		}
	}
	return out, nil
}
