package mentors

import (
	"errors"
	"slices"
	"testing"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func suggestedIDs(t *testing.T, f *fixture, mentee string, filter match.Filter) []string {
	t.Helper()
	got, err := f.Suggest(f.ctx, mentee, filter, 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range got {
		if s.Reasons.String() == "" || s.Reasons.Total() != s.Score {
			t.Fatalf("suggestion %s without consistent reasons", s.Mentor.UserID)
		}
		out = append(out, s.Mentor.UserID)
	}
	return out
}

func TestSuggestLeavesOutMentorsWhoCannotTakeTheMentee(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	best := f.mentor(t, func(p *match.MentorProfile) { p.Skills = []match.Skill{{Name: "go", Level: 5}} })
	good := f.mentor(t, func(p *match.MentorProfile) { p.Skills = []match.Skill{{Name: "go", Level: 1}} })
	pathOnly := f.mentor(t, func(p *match.MentorProfile) { p.Skills = []match.Skill{{Name: "java", Level: 5}} })
	paused := f.mentor(t, nil)
	full := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 1 })
	f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 0 })               // not mentoring
	f.mentor(t, func(p *match.MentorProfile) { p.Languages = []string{"de"} }) // no shared language
	f.mentor(t, func(p *match.MentorProfile) {
		p.Paths, p.Skills = []string{"ml"}, []match.Skill{{Name: "python", Level: 5}}
	}) // nothing in common
	if err := f.SetPaused(f.ctx, paused, true, "busy"); err != nil {
		t.Fatal(err)
	}
	other := f.mentee(t, nil)
	r, err := f.Ask(f.ctx, other, full, "hello, can you help?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accept(f.ctx, full, r.ID); err != nil {
		t.Fatal(err)
	}
	mentee := f.mentee(t, nil)
	if got, want := suggestedIDs(t, f, mentee, match.Filter{}), []string{best, good, pathOnly}; !slices.Equal(got, want) {
		t.Fatalf("suggested %v, want %v", got, want)
	}
	if got := suggestedIDs(t, f, mentee, match.Filter{Skill: "golang"}); !slices.Equal(got, []string{best, good}) {
		t.Fatalf("skill filter gave %v", got)
	}
	if got := suggestedIDs(t, f, mentee, match.Filter{Path: "leadership"}); len(got) != 0 {
		t.Fatalf("path filter gave %v", got)
	}
	// A profile change moves the mentor in the index.
	p, _ := f.MentorProfile(f.ctx, best)
	p.Languages = []string{"fr"}
	if _, err := f.SaveMentorProfile(f.ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := suggestedIDs(t, f, mentee, match.Filter{}); slices.Contains(got, best) {
		t.Fatalf("mentor who no longer speaks English still suggested: %v", got)
	}
}

func TestSuggestRefusesBadFiltersAndUnknownMentees(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentee := f.mentee(t, nil)
	var ve valid.Errors
	if _, err := f.Suggest(f.ctx, mentee, match.Filter{Language: "dothraki"}, 5); !errors.As(err, &ve) || ve["language"] == "" {
		t.Fatalf("bad language filter: %v", err)
	}
	if _, err := f.Suggest(f.ctx, "nobody", match.Filter{}, 5); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown mentee: %v", err)
	}
}
