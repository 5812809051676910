package match

import (
	"fmt"
	"math/rand"
	"time"
)

// testAt is the instant all engine tests fix zone offsets at.
var testAt = time.Date(2026, time.March, 2, 12, 0, 0, 0, time.UTC)

var (
	genSkills = []string{"go", "kubernetes", "python", "rust", "react", "typescript", "postgresql",
		"terraform", "aws", "java", "kotlin", "swift", "docker", "graphql", "redis"}
	genPaths = []string{"architecture", "devops", "leadership", "backend", "frontend", "data",
		"security", "cloud", "sre", "ml", "mobile"}
	genLangs = []string{"en", "en", "en", "es", "de", "fr", "pt", "ja"}
	genZones = []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
		"America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "Asia/Kathmandu", "America/Sao_Paulo"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.Intn(len(xs))] }

func genLanguages(r *rand.Rand) []string {
	out := []string{pick(r, genLangs)}
	if r.Intn(3) == 0 {
		if l := pick(r, genLangs); l != out[0] {
			out = append(out, l)
		}
	}
	return out
}

func genSlots(r *rand.Rand) []Slot {
	var out []Slot
	for n := r.Intn(4); n > 0; n-- {
		start := r.Intn(88) * 15
		out = append(out, Slot{Day: time.Weekday(r.Intn(7)), StartMin: start, EndMin: start + (1+r.Intn(12))*15})
	}
	return out
}

func genMentor(r *rand.Rand, id string, maxCap int) MentorProfile {
	m := MentorProfile{UserID: id, Years: r.Intn(20), Languages: genLanguages(r),
		TimeZone: pick(r, genZones), Capacity: r.Intn(maxCap + 1), AvailableNow: r.Intn(2) == 0,
		Availability: Availability{HoursPerWeek: r.Intn(10), Slots: genSlots(r)}}
	seen := map[string]bool{}
	for n := 1 + r.Intn(5); n > 0; n-- {
		if s := pick(r, genSkills); !seen[s] {
			seen[s] = true
			m.Skills = append(m.Skills, Skill{Name: s, Level: 1 + r.Intn(5)})
		}
	}
	for n := 1 + r.Intn(2); n > 0; n-- {
		if p := pick(r, genPaths); !contains(m.Paths, p) {
			m.Paths = append(m.Paths, p)
		}
	}
	if r.Intn(3) == 0 {
		m.PreferPath = m.Paths[0]
	}
	return m
}

func genMentee(r *rand.Rand, id string) MenteeProfile {
	e := MenteeProfile{UserID: id, Goals: "grow into a better engineer", Languages: genLanguages(r),
		TimeZone: pick(r, genZones), Availability: Availability{HoursPerWeek: 2, Slots: genSlots(r)}}
	if r.Intn(4) != 0 {
		e.Path = pick(r, genPaths)
	}
	for n := r.Intn(4); n > 0 || (e.Path == "" && len(e.WantSkills) == 0); n-- {
		if s := pick(r, genSkills); !contains(e.WantSkills, s) {
			e.WantSkills = append(e.WantSkills, s)
		}
	}
	if r.Intn(3) == 0 {
		e.MinYears = r.Intn(10)
	}
	return e
}

// genRound makes a random round; IDs are shuffled so input order never
// follows ID order.
func genRound(r *rand.Rand, nMentees, nMentors, maxCap int) RoundInput {
	in := RoundInput{At: testAt}
	for _, k := range r.Perm(nMentees) {
		in.Mentees = append(in.Mentees, genMentee(r, fmt.Sprintf("e%05d", k)))
	}
	for _, k := range r.Perm(nMentors) {
		in.Mentors = append(in.Mentors, genMentor(r, fmt.Sprintf("m%05d", k), maxCap))
	}
	return in
}
