package match

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
)

func goodMentor() MentorProfile {
	return MentorProfile{UserID: "m", Skills: []Skill{{"Go", 4}}, Paths: []string{"DevOps"}, Years: 6,
		Languages: []string{"English"}, TimeZone: "Europe/Berlin", Capacity: 2,
		Availability: Availability{HoursPerWeek: 3, Slots: []Slot{{Day: time.Tuesday, StartMin: 18 * 60, EndMin: 19*60 + 30}}}}
}

func goodMentee() MenteeProfile {
	return MenteeProfile{UserID: "e", Goals: "Run Kubernetes in production", Path: "devops",
		WantSkills: []string{"k8s"}, Languages: []string{"en"}, TimeZone: "America/New_York"}
}

func TestMentorProfileNormalizes(t *testing.T) {
	t.Parallel()
	p := MentorProfile{Skills: []Skill{{"K8s", 3}, {" Golang ", 2}, {"kubernetes", 5}, {"Node JS", 1}},
		Paths: []string{"Developer Advocacy", "machine_learning", "SRE"}, PreferPath: "sre",
		Languages: []string{"EN", "spanish", "en"}, TimeZone: "Asia/Tokyo", Capacity: 0}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	wantSkills := []Skill{{"kubernetes", 5}, {"go", 2}, {"nodejs", 1}}
	if !reflect.DeepEqual(p.Skills, wantSkills) {
		t.Fatalf("skills %v, want %v", p.Skills, wantSkills)
	}
	if want := []string{"developer-advocacy", "ml", "sre"}; !reflect.DeepEqual(p.Paths, want) {
		t.Fatalf("paths %v, want %v", p.Paths, want)
	}
	if want := []string{"en", "es"}; !reflect.DeepEqual(p.Languages, want) {
		t.Fatalf("languages %v, want %v", p.Languages, want)
	}
}

func fieldErrors(t *testing.T, err error) valid.Errors {
	t.Helper()
	var ve valid.Errors
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not valid.Errors", err)
	}
	return ve
}

func TestMentorProfileRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field  string
		change func(*MentorProfile)
	}{
		{"capacity", func(p *MentorProfile) { p.Capacity = -1 }},
		{"capacity", func(p *MentorProfile) { p.Capacity = 500 }},
		{"skills", func(p *MentorProfile) { p.Skills = []Skill{{"go", 0}} }},
		{"skills", func(p *MentorProfile) { p.Skills = []Skill{{"go", 6}} }},
		{"skills", func(p *MentorProfile) { p.Skills = []Skill{{"<script>", 3}} }},
		{"skills", func(p *MentorProfile) { p.Skills = []Skill{{"", 3}} }},
		{"skills", func(p *MentorProfile) { p.Skills = nil }},
		{"paths", func(p *MentorProfile) { p.Paths = []string{"astrology"} }},
		{"paths", func(p *MentorProfile) { p.Paths = nil }},
		{"prefer_path", func(p *MentorProfile) { p.PreferPath = "leadership" }},
		{"prefer_path", func(p *MentorProfile) { p.PreferPath = "cooking" }},
		{"years", func(p *MentorProfile) { p.Years = -2 }},
		{"years", func(p *MentorProfile) { p.Years = 99 }},
		{"languages", func(p *MentorProfile) { p.Languages = nil }},
		{"languages", func(p *MentorProfile) { p.Languages = []string{"klingon"} }},
		{"time_zone", func(p *MentorProfile) { p.TimeZone = "" }},
		{"time_zone", func(p *MentorProfile) { p.TimeZone = "Mars/Olympus" }},
		{"time_zone", func(p *MentorProfile) { p.TimeZone = "Local" }},
		{"hours_per_week", func(p *MentorProfile) { p.Availability.HoursPerWeek = 100 }},
		{"availability", func(p *MentorProfile) { p.Availability.Slots = []Slot{{Day: 7, StartMin: 0, EndMin: 60}} }},
		{"availability", func(p *MentorProfile) { p.Availability.Slots = []Slot{{Day: 1, StartMin: 600, EndMin: 540}} }},
		{"availability", func(p *MentorProfile) { p.Availability.Slots = []Slot{{Day: 1, StartMin: 0, EndMin: 1500}} }},
		{"availability", func(p *MentorProfile) { p.Availability.Slots = []Slot{{Day: 1, StartMin: 7, EndMin: 60}} }},
		{"bio", func(p *MentorProfile) { p.Bio = strings.Repeat("é", MaxBio+1) }},
	}
	for _, tc := range tests {
		p := goodMentor()
		tc.change(&p)
		ve := fieldErrors(t, p.Normalize())
		if _, ok := ve[tc.field]; !ok || len(ve) != 1 {
			t.Errorf("%s: errors %v, want exactly one on %s", tc.field, ve, tc.field)
		}
	}
	p := goodMentor()
	if err := p.Normalize(); err != nil {
		t.Fatalf("good profile refused: %v", err)
	}
}

func TestMenteeProfileRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field  string
		change func(*MenteeProfile)
	}{
		{"goals", func(p *MenteeProfile) { p.Goals = "   " }},
		{"goals", func(p *MenteeProfile) { p.Goals = "learn" }},
		{"goals", func(p *MenteeProfile) { p.Goals = strings.Repeat("x", MaxGoals+1) }},
		{"path", func(p *MenteeProfile) { p.Path = "wizardry" }},
		{"path", func(p *MenteeProfile) { p.Path, p.WantSkills = "", nil }},
		{"want_skills", func(p *MenteeProfile) { p.WantSkills = []string{"a b c d e f g h i j k l m n o p q r s t u v"} }},
		{"min_years", func(p *MenteeProfile) { p.MinYears = -1 }},
		{"languages", func(p *MenteeProfile) { p.Languages = []string{} }},
		{"time_zone", func(p *MenteeProfile) { p.TimeZone = "EST5EDT-nope" }},
		{"availability", func(p *MenteeProfile) { p.Availability.Slots = []Slot{{Day: 2, StartMin: 60, EndMin: 60}} }},
	}
	for _, tc := range tests {
		p := goodMentee()
		tc.change(&p)
		ve := fieldErrors(t, p.Normalize())
		if _, ok := ve[tc.field]; !ok || len(ve) != 1 {
			t.Errorf("%s: errors %v, want exactly one on %s", tc.field, ve, tc.field)
		}
	}
	p := goodMentee()
	if err := p.Normalize(); err != nil || p.WantSkills[0] != "kubernetes" {
		t.Fatalf("good profile: %v %v", err, p.WantSkills)
	}
}

func TestEveryBadFieldIsReportedAtOnce(t *testing.T) {
	t.Parallel()
	p := MentorProfile{Capacity: -3, TimeZone: "nowhere", Paths: []string{"x"}}
	ve := fieldErrors(t, p.Normalize())
	for _, f := range []string{"capacity", "time_zone", "paths", "skills", "languages"} {
		if ve[f] == "" {
			t.Errorf("no error on %s: %v", f, ve)
		}
	}
}
