package mentors

import (
	"context"
	"encoding/json"
	"math/rand"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// BenchmarkStoreSuggest50kMentors measures one mentee's suggestions among
// 50,000 mentors stored in Redis: index reads, profile loads and scoring.
func BenchmarkStoreSuggest50kMentors(b *testing.B) {
	s, mentee := fiftyThousandMentors(b)
	ctx := context.Background()
	ranked, cleanup, err := s.rankCandidates(ctx, &mentee, match.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	candidates := s.rdb.ZCard(ctx, ranked).Val()
	cleanup()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		got, err := s.Suggest(ctx, mentee.UserID, match.Filter{}, match.DefaultSuggestions)
		if err != nil || len(got) != match.DefaultSuggestions {
			b.Fatalf("%d suggestions, %v", len(got), err)
		}
	}
	b.ReportMetric(float64(candidates), "candidates")
}

// BenchmarkPageSuggest50kMentors measures a repeat view of the same
// suggestions as a page reads them (QueueSuggest, QueueProfiles): the
// remembered ranking is current, so no ranking is built.
func BenchmarkPageSuggest50kMentors(b *testing.B) {
	s, mentee := fiftyThousandMentors(b)
	ctx := context.Background()
	view := func() {
		p := s.rdb.Pipeline()
		r := s.QueueSuggest(ctx, p, mentee.UserID, match.Filter{}, match.DefaultSuggestions)
		if _, err := p.Exec(ctx); err != nil {
			b.Fatal(err)
		}
		p = s.rdb.Pipeline()
		read, _, err := r.QueueProfiles(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Exec(ctx); err != nil {
			b.Fatal(err)
		}
		if got, err := read(); err != nil || len(got) != match.DefaultSuggestions {
			b.Fatalf("%d suggestions, %v", len(got), err)
		}
	}
	view()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		view()
	}
}

// fiftyThousandMentors stores 50,000 random mentors and a mentee who
// wants three common skills and a path.
func fiftyThousandMentors(b *testing.B) (*Store, match.MenteeProfile) {
	rdb, prefix := testenv.Redis(b)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	r := rand.New(rand.NewSource(50000))
	skills := []string{"go", "kubernetes", "python", "rust", "react", "typescript", "postgresql",
		"terraform", "aws", "java", "kotlin", "swift", "docker", "graphql", "redis"}
	paths := []string{"architecture", "devops", "leadership", "backend", "frontend", "data", "security", "cloud", "sre", "ml", "mobile"}
	langs := []string{"en", "en", "en", "es", "de", "fr", "pt", "ja"}
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Los_Angeles", "Asia/Tokyo"}
	pipe := rdb.Pipeline()
	for k := 0; k < 50000; k++ {
		p := match.MentorProfile{UserID: ids.New(), Years: r.Intn(20), Languages: []string{langs[r.Intn(len(langs))]},
			Paths: []string{paths[r.Intn(len(paths))]}, TimeZone: zones[r.Intn(len(zones))], Capacity: 1 + r.Intn(5),
			Availability: match.Availability{HoursPerWeek: 2, Slots: []match.Slot{{Day: 2, StartMin: 17 * 60, EndMin: 19 * 60}}}}
		for n := 1 + r.Intn(4); n > 0; n-- {
			p.Skills = append(p.Skills, match.Skill{Name: skills[r.Intn(len(skills))], Level: 1 + r.Intn(5)})
		}
		if err := p.Normalize(); err != nil {
			b.Fatal(err)
		}
		raw, _ := json.Marshal(p)
		pipe.HSet(ctx, s.mentorKey(p.UserID), "profile", raw, "capacity", p.Capacity, "paused", "0")
		for _, e := range s.indexEntries(&p) {
			if e.sorted {
				pipe.ZAdd(ctx, e.key, redis.Z{Score: float64(e.points), Member: p.UserID})
			} else {
				pipe.SAdd(ctx, e.key, p.UserID)
			}
		}
		if k%1000 == 999 {
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	mentee, err := s.SaveMenteeProfile(ctx, match.MenteeProfile{UserID: ids.New(), Goals: "become a platform engineer",
		Path: "devops", WantSkills: []string{"go", "kubernetes", "terraform"}, Languages: []string{"en"}, TimeZone: "Europe/Lisbon"})
	if err != nil {
		b.Fatal(err)
	}
	return s, mentee
}
