package match

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestScoreExplainsInPlainWords(t *testing.T) {
	t.Parallel()
	mentee := &MenteeProfile{UserID: "e", Goals: "become a platform engineer", Path: "devops",
		WantSkills: []string{"go", "kubernetes", "rust"}, Languages: []string{"en", "es", "de"},
		TimeZone: "Europe/Berlin", MinYears: 5,
		Availability: Availability{Slots: []Slot{{Day: time.Monday, StartMin: 17 * 60, EndMin: 21 * 60}}}}
	mentor := &MentorProfile{UserID: "m", Paths: []string{"devops", "sre"}, PreferPath: "devops",
		Skills: []Skill{{"kubernetes", 5}, {"go", 4}, {"java", 3}}, Years: 8,
		Languages: []string{"en", "es"}, TimeZone: "UTC", Capacity: 2,
		// 14:00–20:00 UTC is 15:00–21:00 in Berlin (UTC+1 in March): 4 hours shared.
		Availability: Availability{Slots: []Slot{{Day: time.Monday, StartMin: 14 * 60, EndMin: 20 * 60}}}}
	s, rs, ok := Score(mentee, mentor, testAt)
	if !ok {
		t.Fatalf("not a candidate: %v", rs)
	}
	want := "teaches what you want to learn: Go (4/5) and Kubernetes (5/5); guides DevOps; 1 hour apart, 4 overlapping hours a week; " +
		"speaks English and Spanish; 8 years of experience (you asked for 5 or more); most likes to guide people heading for DevOps"
	if rs.String() != want {
		t.Fatalf("reasons\n got %q\nwant %q", rs.String(), want)
	}
	org := "Tom teaches what Ana wants to learn: Go (4/5) and Kubernetes (5/5); Tom guides Ana's path, DevOps; " +
		"1 hour apart, 4 overlapping hours a week; both speak English and Spanish; Tom has 8 years of experience (Ana asked for 5 or more); " +
		"DevOps is the path Tom most likes to guide"
	if got := rs.ForOrganizer("Ana", "Tom"); got != org {
		t.Fatalf("for the organizer\n got %q\nwant %q", got, org)
	}
	if strings.Contains(rs.ForOrganizer("Ana", "Tom"), "you") {
		t.Fatal("the organizer is addressed as the mentee")
	}
	wantScore := pointsSkillBase*2 + pointsSkillPerLevel*(4+5) + pointsPath + (pointsTZMax - 1) +
		4*pointsOverlapHour + pointsLanguage + pointsExperience + pointsMentorPrefers
	if s != wantScore || rs.Total() != s {
		t.Fatalf("score %d, reasons total %d, want %d", s, rs.Total(), wantScore)
	}
}

func TestQualityLabels(t *testing.T) {
	t.Parallel()
	for score, want := range map[int]string{0: QualityFair, 44: QualityFair, 45: QualityGood, 69: QualityGood, 70: QualityStrong, 140: QualityStrong} {
		if got := Quality(score); got != want {
			t.Errorf("Quality(%d) = %q, want %q", score, got, want)
		}
	}
}

func TestScoreNeedsALanguageAndSomethingInCommon(t *testing.T) {
	t.Parallel()
	mentee := &MenteeProfile{UserID: "e", Path: "devops", Languages: []string{"fr"}, TimeZone: "UTC"}
	tests := []struct {
		name   string
		mentor MentorProfile
		why    ReasonKind
		words  string
	}{
		{"no shared language", MentorProfile{Paths: []string{"devops"}, Languages: []string{"en"}, TimeZone: "UTC"},
			ReasonNoLanguage, "no shared language"},
		{"nothing in common", MentorProfile{Paths: []string{"frontend"}, Skills: []Skill{{"go", 5}}, Languages: []string{"fr"}, TimeZone: "UTC"},
			ReasonNothingInCommon, "guides none of your paths and teaches none of the skills you want"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rs, ok := Score(mentee, &tc.mentor, testAt)
			if ok || s != 0 || len(rs) != 1 || rs[0].Kind != tc.why || rs.String() != tc.words {
				t.Fatalf("got %d %v %v, want not a candidate because %s", s, rs, ok, tc.why)
			}
		})
	}
}

func TestScoreTimeZonesUseOffsetsAtTheInstant(t *testing.T) {
	t.Parallel()
	mentee := &MenteeProfile{Path: "devops", Languages: []string{"en"}, TimeZone: "America/New_York",
		Availability: Availability{Slots: []Slot{{Day: time.Sunday, StartMin: 23 * 60, EndMin: 24 * 60}}}}
	mentor := &MentorProfile{Paths: []string{"devops"}, Languages: []string{"en"}, TimeZone: "Asia/Kathmandu",
		// Monday 09:45–10:45 Kathmandu (UTC+5:45) is Monday 04:00–05:00 UTC,
		// and Sunday 23:00 in New York (UTC-5 in winter) is Monday 04:00 UTC.
		Availability: Availability{Slots: []Slot{{Day: time.Monday, StartMin: 9*60 + 45, EndMin: 10*60 + 45}}}}
	winter := time.Date(2026, time.January, 10, 0, 0, 0, 0, time.UTC)
	_, rs, _ := Score(mentee, mentor, winter)
	tz := rs[1]
	if tz.Kind != ReasonTimeZone || tz.MinutesApart != 10*60+45 || tz.OverlapMinutes != 60 {
		t.Fatalf("winter: %+v", tz)
	}
	if got := tz.String(); got != "10.75 hours apart, 1 overlapping hour a week" {
		t.Fatalf("winter words %q", got)
	}
	summer := time.Date(2026, time.July, 10, 0, 0, 0, 0, time.UTC)
	_, rs, _ = Score(mentee, mentor, summer)
	if tz := rs[1]; tz.MinutesApart != 9*60+45 || tz.OverlapMinutes != 0 || tz.String() != "9.75 hours apart, no overlapping hours a week" {
		t.Fatalf("summer: %+v %q", tz, tz.String())
	}
}

// TestExplanationsMatchTheProfiles checks on random pairs that the reasons
// name exactly the shared skills and languages, the path only when it fits,
// and add up to the score.
func TestExplanationsMatchTheProfiles(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(42))
	checked := 0
	for n := 0; n < 5000; n++ {
		e := genMentee(r, "e")
		m := genMentor(r, "m", 5)
		s, rs, ok := Score(&e, &m, testAt)
		var langs []string
		for _, l := range m.Languages {
			if contains(e.Languages, l) {
				langs = append(langs, l)
			}
		}
		var skills []Skill
		for _, w := range e.WantSkills {
			for _, k := range m.Skills {
				if k.Name == w {
					skills = append(skills, k)
				}
			}
		}
		pathFits := e.Path != "" && contains(m.Paths, e.Path)
		if wantOK := len(langs) > 0 && (len(skills) > 0 || pathFits); ok != wantOK {
			t.Fatalf("pair %+v / %+v: ok=%v, want %v", e, m, ok, wantOK)
		}
		if !ok {
			continue
		}
		checked++
		byKind := map[ReasonKind]Reason{}
		for _, x := range rs {
			byKind[x.Kind] = x
		}
		if !reflect.DeepEqual(byKind[ReasonLanguage].Languages, langs) {
			t.Fatalf("languages %v, shared %v", byKind[ReasonLanguage].Languages, langs)
		}
		if !reflect.DeepEqual(byKind[ReasonSkills].Skills, skills) {
			t.Fatalf("skills %v, shared %v", byKind[ReasonSkills].Skills, skills)
		}
		if _, has := byKind[ReasonPath]; has != pathFits {
			t.Fatalf("path reason %v, fits %v", has, pathFits)
		}
		words := rs.String()
		for _, l := range languages {
			if strings.Contains(words, l.name) != contains(langs, l.code) {
				t.Fatalf("%q mentions %s wrongly (shared %v)", words, l.name, langs)
			}
		}
		for _, k := range genSkills {
			shared := false
			for _, x := range skills {
				shared = shared || x.Name == k
			}
			if strings.Contains(strings.SplitN(words, ";", 2)[0], SkillLabel(k)) != shared {
				t.Fatalf("%q mentions %s wrongly (shared %v)", words, k, skills)
			}
		}
		if rs.Total() != s {
			t.Fatalf("reasons total %d, score %d", rs.Total(), s)
		}
		fit := 0
		for _, k := range skills {
			fit += SkillPoints(k.Level)
		}
		if pathFits {
			fit += PathPoints(m.PreferPath == e.Path)
		}
		if rest := s - fit; rest < pointsLanguage || rest > OtherPointsBound(&e) {
			t.Fatalf("score %d is %d beyond skills and path, outside [%d, %d]", s, rest, pointsLanguage, OtherPointsBound(&e))
		}
	}
	if checked < 500 {
		t.Fatalf("only %d candidate pairs checked", checked)
	}
}

// Lists of three read "a, b and c"; one zone and no time slots say only
// that.
func TestReasonsInWordsListThreeAndSameZone(t *testing.T) {
	t.Parallel()
	rs := Reasons{
		{Kind: ReasonSkills, Skills: []Skill{{"go", 4}, {"kubernetes", 5}, {"rust", 3}}},
		{Kind: ReasonTimeZone, OverlapMinutes: -1},
		{Kind: ReasonLanguage, Languages: []string{"en", "es", "de"}},
		{Kind: ReasonTimeZone, MinutesApart: 90, OverlapMinutes: 60},
	}
	want := "teaches what you want to learn: Go (4/5), Kubernetes (5/5) and Rust (3/5); same time zone; " +
		"speaks English, Spanish and German; 1.5 hours apart, 1 overlapping hour a week"
	if got := rs.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
