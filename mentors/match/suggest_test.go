package match

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/focusgroups/focusgroups/internal/valid"
)

func TestSuggestRanksAndSkipsMentorsWhoCannotTakeMore(t *testing.T) {
	t.Parallel()
	mentee := &MenteeProfile{UserID: "e", Path: "devops", WantSkills: []string{"go"}, Languages: []string{"en"}, TimeZone: "UTC"}
	base := func(id string, level int) MentorProfile {
		return MentorProfile{UserID: id, Paths: []string{"devops"}, Skills: []Skill{{"go", level}},
			Languages: []string{"en"}, TimeZone: "UTC", Capacity: 2}
	}
	full, paused, off, self := base("full", 5), base("paused", 5), base("off", 5), base("e", 5)
	full.Active = 2
	paused.Paused = true
	off.Capacity = 0
	mentors := []MentorProfile{base("b", 3), full, base("c", 5), paused, off, self, base("a", 3)}
	got, err := Suggest(mentee, mentors, Filter{}, 10, testAt)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range got {
		ids = append(ids, s.Mentor.UserID)
		if s.Reasons.Total() != s.Score {
			t.Fatalf("%s: reasons %d, score %d", s.Mentor.UserID, s.Reasons.Total(), s.Score)
		}
	}
	if want := []string{"c", "a", "b"}; !slices.Equal(ids, want) {
		t.Fatalf("suggested %v, want %v", ids, want)
	}
	if got, _ := Suggest(mentee, mentors, Filter{}, 1, testAt); len(got) != 1 {
		t.Fatalf("limit 1 gave %d", len(got))
	}
}

// TestSuggestFilters checks each filter on random mentors against a direct
// reading of the profiles.
func TestSuggestFilters(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(7))
	var mentors []MentorProfile
	for k := 0; k < 400; k++ {
		mentors = append(mentors, genMentor(r, fmt.Sprintf("m%03d", k), 4))
	}
	mentee := &MenteeProfile{UserID: "e", Path: "backend", WantSkills: []string{"go", "python", "rust", "react"},
		Languages: []string{"en", "es", "de"}, TimeZone: "Europe/Berlin"}
	p := newPreparer(testAt)
	me := p.mentee(mentee)
	tests := []struct {
		name   string
		filter Filter
		keep   func(m *MentorProfile) bool
	}{
		{"skill", Filter{Skill: "Golang"}, func(m *MentorProfile) bool {
			return slices.ContainsFunc(m.Skills, func(s Skill) bool { return s.Name == "go" })
		}},
		{"path", Filter{Path: "Backend"}, func(m *MentorProfile) bool { return contains(m.Paths, "backend") }},
		{"language", Filter{Language: "Spanish"}, func(m *MentorProfile) bool { return contains(m.Languages, "es") }},
		{"distance", Filter{MaxTZHours: 3}, func(m *MentorProfile) bool {
			return minutesApart(me.offset, p.offset(m.TimeZone)) <= 180
		}},
		{"available now", Filter{AvailableNow: true}, func(m *MentorProfile) bool { return m.AvailableNow }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Suggest(mentee, mentors, tc.filter, MaxSuggestions, testAt)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for i := range mentors {
				m := &mentors[i]
				if _, _, ok := Score(mentee, m, testAt); ok && Open(m) && tc.keep(m) {
					want++
				}
			}
			if len(got) != min(want, MaxSuggestions) || want == 0 {
				t.Fatalf("%d suggestions, %d mentors pass", len(got), want)
			}
			for k, s := range got {
				if !tc.keep(s.Mentor) || !Open(s.Mentor) {
					t.Fatalf("%s does not pass the filter", s.Mentor.UserID)
				}
				if k > 0 && (got[k-1].Score < s.Score || (got[k-1].Score == s.Score && got[k-1].Mentor.UserID > s.Mentor.UserID)) {
					t.Fatalf("not ranked at %d", k)
				}
			}
		})
	}
}

func TestSuggestRefusesABadFilter(t *testing.T) {
	t.Parallel()
	mentee := &MenteeProfile{UserID: "e", Path: "devops", Languages: []string{"en"}, TimeZone: "UTC"}
	_, err := Suggest(mentee, nil, Filter{Skill: "%%%", Path: "astrology", Language: "elvish", MaxTZHours: -1}, 5, testAt)
	var ve valid.Errors
	if !errors.As(err, &ve) {
		t.Fatalf("error %v", err)
	}
	for _, f := range []string{"skill", "path", "language", "max_tz_hours"} {
		if ve[f] == "" {
			t.Errorf("no error on %s", f)
		}
	}
}
