package match

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
)

// Suggestion limits.
const (
	DefaultSuggestions = 20
	MaxSuggestions     = 100
)

// Filter narrows suggestions; zero fields don't filter.
type Filter struct {
	Skill        string
	Path         string
	Language     string
	MaxTZHours   int  // at most this many hours apart; 0 = any distance
	AvailableNow bool // only mentors whose "available now" switch is on
}

// normalizeFilterField replaces *v by its normal form, or by "" when it is
// blank, and records msg for a value norm does not know.
func normalizeFilterField(errs valid.Errors, field string, v *string, norm func(string) (string, bool), msg string) {
	if strings.TrimSpace(*v) == "" {
		*v = ""
		return
	}
	out, ok := norm(*v)
	if !ok {
		errs.Add(field, fmt.Sprintf(msg, *v))
	}
	*v = out
}

// Normalize cleans the filter in place and returns valid.Errors for unknown
// paths and languages, malformed skills and a negative distance.
func (f *Filter) Normalize() error {
	errs := valid.Errors{}
	normalizeFilterField(errs, "skill", &f.Skill, NormalizeSkill, "%q is not a skill name")
	normalizeFilterField(errs, "path", &f.Path, NormalizePath, "%q is not a path we know")
	normalizeFilterField(errs, "language", &f.Language, NormalizeLanguage, "%q is not a language we know")
	if f.MaxTZHours < 0 || f.MaxTZHours > 12 {
		errs.Add("max_tz_hours", "Choose a distance between 0 (any) and 12 hours")
	}
	return errs.Err()
}

// Suggestion is one mentor ranked for a mentee, with why.
type Suggestion struct {
	Mentor  *MentorProfile
	Score   int
	Reasons Reasons
}

// Open reports whether a mentor takes new mentees now: mentoring at all,
// not paused, and below capacity.
func Open(m *MentorProfile) bool {
	return m.Capacity > 0 && !m.Paused && m.Active < m.Capacity
}

// Suggest ranks the mentors that fit a mentee and pass the filter, best
// first (ties by user ID), at most limit of them (DefaultSuggestions when
// limit <= 0). Mentors who are not Open, and the mentee themself, are never
// suggested. Profiles must be normalised; a bad filter returns valid.Errors.
func Suggest(mentee *MenteeProfile, mentors []MentorProfile, f Filter, limit int, at time.Time) ([]Suggestion, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultSuggestions
	}
	limit = min(limit, MaxSuggestions)
	p := newPreparer(at)
	e := p.mentee(mentee)
	pathBit, langBit := pathBits[f.Path], langBits[f.Language]
	type hit struct {
		i     int
		score int
	}
	var hits []hit
	for i := range mentors {
		m := &mentors[i]
		if !Open(m) || m.UserID == mentee.UserID || (f.AvailableNow && !m.AvailableNow) {
			continue
		}
		if f.Skill != "" && !slices.ContainsFunc(m.Skills, func(s Skill) bool { return s.Name == f.Skill }) {
			continue
		}
		d := p.mentor(m)
		if (f.Path != "" && d.paths&pathBit == 0) || (f.Language != "" && d.langs&langBit == 0) {
			continue
		}
		if f.MaxTZHours > 0 && minutesApart(e.offset, d.offset) > f.MaxTZHours*60 {
			continue
		}
		if s, v := score(&e, &d); v == candidate {
			hits = append(hits, hit{i, s})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(mentors[a.i].UserID, mentors[b.i].UserID)
	})
	hits = hits[:min(len(hits), limit)]
	out := make([]Suggestion, len(hits))
	for k, h := range hits {
		d := p.mentor(&mentors[h.i])
		out[k] = Suggestion{Mentor: &mentors[h.i], Score: h.score, Reasons: explain(&e, &d)}
	}
	return out, nil
}
