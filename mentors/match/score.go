package match

import (
	"strconv"
	"strings"
	"time"
)

// Points of each score component. A shared language is required; a shared
// wanted skill or the mentee's path is required too.
const (
	pointsLanguage      = 5
	pointsSkillBase     = 6 // per shared skill, plus pointsSkillPerLevel × level
	pointsSkillPerLevel = 4
	pointsPath          = 25
	pointsTZMax         = 12 // minus one per hour apart
	pointsOverlapHour   = 2  // per overlapping hour a week, up to maxOverlapHours
	maxOverlapHours     = 10
	pointsExperience    = 10 // mentor has the years the mentee asked for
	pointsMentorPrefers = 10 // mentee aims for the path the mentor prefers
)

// SkillPoints is what one shared skill at the mentor's level adds to a
// score. With PathPoints and OtherPointsBound it lets a store rank and bound
// candidates from its indexes before loading their profiles.
func SkillPoints(level int) int { return pointsSkillBase + pointsSkillPerLevel*level }

// PathPoints is what guiding the mentee's path adds to a score, more when
// it is the path the mentor prefers.
func PathPoints(preferred bool) int {
	if preferred {
		return pointsPath + pointsMentorPrefers
	}
	return pointsPath
}

// OtherPointsBound is the most a score for this mentee can add beyond
// SkillPoints and PathPoints: language, time zone, overlap, experience.
func OtherPointsBound(mentee *MenteeProfile) int {
	b := pointsLanguage + pointsTZMax
	if len(mentee.Availability.Slots) > 0 {
		b += pointsOverlapHour * maxOverlapHours
	}
	if mentee.MinYears > 0 {
		b += pointsExperience
	}
	return b
}

// verdict says whether a pair can be matched, and if not, why.
type verdict uint8

const (
	candidate verdict = iota
	noLanguage
	nothingShared
)

// score is the hot path of Score: the same points, no explanation.
func score(e *menteeData, m *mentorData) (int, verdict) {
	if e.langs&m.langs == 0 {
		return 0, noLanguage
	}
	s := pointsLanguage
	shared := false
	for i, j := 0, 0; i < len(e.want) && j < len(m.skills); {
		switch a, b := e.want[i], m.skills[j].id; {
		case a < b:
			i++
		case a > b:
			j++
		default:
			s += SkillPoints(int(m.skills[j].level))
			shared = true
			i++
			j++
		}
	}
	if e.path&m.paths != 0 {
		s += pointsPath
		shared = true
	}
	if !shared {
		return 0, nothingShared
	}
	s += tzPoints(minutesApart(e.offset, m.offset))
	if e.hasSlots && m.hasSlots {
		s += overlapPoints(e.week.overlapMinutes(&m.week))
	}
	if e.minYears > 0 && m.years >= e.minYears {
		s += pointsExperience
	}
	if e.path != 0 && e.path == m.preferPath {
		s += pointsMentorPrefers
	}
	return s, candidate
}

func minutesApart(a, b int) int {
	d := a - b
	if d < 0 {
		d = -d
	}
	if d > 12*60 {
		d = 24*60 - d
	}
	return d
}

func tzPoints(apart int) int { return max(0, pointsTZMax-apart/60) }

func overlapPoints(minutes int) int {
	return pointsOverlapHour * min(minutes/60, maxOverlapHours)
}

// ReasonKind names one component of a score.
type ReasonKind string

// The components of a score, and the two reasons a pair is no candidate.
const (
	ReasonSkills          ReasonKind = "skills"
	ReasonPath            ReasonKind = "path"
	ReasonTimeZone        ReasonKind = "time_zone"
	ReasonLanguage        ReasonKind = "language"
	ReasonExperience      ReasonKind = "experience"
	ReasonMentorPrefers   ReasonKind = "mentor_prefers"
	ReasonNoLanguage      ReasonKind = "no_language"
	ReasonNothingInCommon ReasonKind = "nothing_in_common"
)

// Reason is one component of a match score, with the facts it rests on, so
// it can be shown in words or in any other form.
type Reason struct {
	Kind   ReasonKind `json:"kind"`
	Points int        `json:"points"`
	// Skills are the skills the mentee wants that the mentor has, in the
	// mentee's order, with the mentor's level.
	Skills    []Skill  `json:"skills,omitempty"`
	Path      string   `json:"path,omitempty"`
	Languages []string `json:"languages,omitempty"` // shared language codes
	// MinutesApart is the difference of the two UTC offsets; OverlapMinutes
	// the shared availability a week, -1 when a side gave no time slots.
	MinutesApart   int `json:"minutes_apart,omitempty"`
	OverlapMinutes int `json:"overlap_minutes,omitempty"`
	Years          int `json:"years,omitempty"`
	MinYears       int `json:"min_years,omitempty"`
}

// Reasons explain a score; their points add up to it.
type Reasons []Reason

// Total is the score the reasons add up to.
func (rs Reasons) Total() int {
	t := 0
	for _, r := range rs {
		t += r.Points
	}
	return t
}

// String renders the reasons as one plain sentence for a mentee, e.g.
// "teaches what you want to learn: Go (4/5) and Kubernetes (5/5); guides
// DevOps; 2 hours apart, 6 overlapping hours a week; speaks English and
// Spanish".
func (rs Reasons) String() string {
	var b strings.Builder
	b.Grow(64 * len(rs))
	for i, r := range rs {
		if i > 0 {
			b.WriteString("; ")
		}
		r.write(&b)
	}
	return b.String()
}

// String renders one reason in plain words.
func (r Reason) String() string {
	var b strings.Builder
	r.write(&b)
	return b.String()
}

// write writes the reason in plain words into b.
func (r Reason) write(b *strings.Builder) {
	switch r.Kind {
	case ReasonSkills:
		b.WriteString("teaches what you want to learn: ")
		writeSkillLevels(b, r.Skills)
	case ReasonPath:
		b.WriteString("guides ")
		b.WriteString(PathLabel(r.Path))
	case ReasonTimeZone:
		if r.MinutesApart > 0 {
			writeHours(b, r.MinutesApart, "hour")
			b.WriteString(" apart")
		} else {
			b.WriteString("same time zone")
		}
		switch {
		case r.OverlapMinutes == 0:
			b.WriteString(", no overlapping hours a week")
		case r.OverlapMinutes > 0:
			b.WriteString(", ")
			writeHours(b, r.OverlapMinutes, "overlapping hour")
			b.WriteString(" a week")
		}
	case ReasonLanguage:
		b.WriteString("speaks ")
		writeWords(b, len(r.Languages), func(i int) { b.WriteString(LanguageName(r.Languages[i])) })
	case ReasonExperience:
		b.WriteString(strconv.Itoa(r.Years))
		b.WriteString(" years of experience (you asked for ")
		b.WriteString(strconv.Itoa(r.MinYears))
		b.WriteString(" or more)")
	case ReasonMentorPrefers:
		b.WriteString("most likes to guide people heading for ")
		b.WriteString(PathLabel(r.Path))
	case ReasonNoLanguage:
		b.WriteString("no shared language")
	case ReasonNothingInCommon:
		b.WriteString("guides none of your paths and teaches none of the skills you want")
	default:
		b.WriteString(string(r.Kind))
	}
}

// skillLevels names skills with the mentor's level: "Go (4/5) and Rust (5/5)".
func skillLevels(skills []Skill) string {
	var b strings.Builder
	writeSkillLevels(&b, skills)
	return b.String()
}

func writeSkillLevels(b *strings.Builder, skills []Skill) {
	writeWords(b, len(skills), func(i int) {
		b.WriteString(SkillLabel(skills[i].Name))
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(skills[i].Level))
		b.WriteString("/5)")
	})
}

// ForOrganizer renders the reasons for someone who is neither of the
// two, naming them: "Tom teaches what Ana wants to learn: Go (4/5); Tom
// guides Ana's path, DevOps; 2 hours apart, 6 overlapping hours a week;
// both speak English".
func (rs Reasons) ForOrganizer(mentee, mentor string) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		var p string
		switch r.Kind {
		case ReasonSkills:
			p = mentor + " teaches what " + mentee + " wants to learn: " + skillLevels(r.Skills)
		case ReasonPath:
			p = mentor + " guides " + mentee + "'s path, " + PathLabel(r.Path)
		case ReasonLanguage:
			names := make([]string, len(r.Languages))
			for i, c := range r.Languages {
				names[i] = LanguageName(c)
			}
			p = "both speak " + joinWords(names)
		case ReasonExperience:
			p = mentor + " has " + strconv.Itoa(r.Years) + " years of experience (" + mentee + " asked for " + strconv.Itoa(r.MinYears) + " or more)"
		case ReasonMentorPrefers:
			p = PathLabel(r.Path) + " is the path " + mentor + " most likes to guide"
		case ReasonNothingInCommon:
			p = mentor + " guides none of " + mentee + "'s paths and teaches none of the skills " + mentee + " wants"
		default:
			p = r.String() // time zones and languages read the same for anyone
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// Quality labels of a pair's score, for people who should not have to
// read points. A typical strong pair shares a language, the mentee's path
// and a wanted skill the mentor knows well, a few hours apart with
// overlapping time: about 70 points.
const (
	QualityStrong = "strong"
	QualityGood   = "good"
	QualityFair   = "fair"
)

// Quality is the label of a pair's score.
func Quality(score int) string {
	switch {
	case score >= 70:
		return QualityStrong
	case score >= 45:
		return QualityGood
	}
	return QualityFair
}

// writeHours writes minutes as hours of unit: "1 hour", "2.5 hours".
func writeHours(b *strings.Builder, minutes int, unit string) {
	b.WriteString(strconv.FormatFloat(float64(minutes)/60, 'f', -1, 64))
	b.WriteByte(' ')
	b.WriteString(unit)
	if minutes != 60 {
		b.WriteByte('s')
	}
}

func joinWords(w []string) string {
	var b strings.Builder
	writeWords(&b, len(w), func(i int) { b.WriteString(w[i]) })
	return b.String()
}

// writeWords writes n words, each written by word, as "a, b and c".
func writeWords(b *strings.Builder, n int, word func(i int)) {
	for i := range n {
		switch {
		case i == 0:
		case i == n-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		word(i)
	}
}

// Score rates how well a mentor fits a mentee at the instant at (which fixes
// the zones' UTC offsets). ok is false when the pair is no candidate: no
// shared language, or neither a wanted skill nor the mentee's path in
// common; reasons then holds that one reason. Profiles must be normalised.
func Score(mentee *MenteeProfile, mentor *MentorProfile, at time.Time) (int, Reasons, bool) {
	p := newPreparer(at)
	e := p.mentee(mentee)
	m := p.mentor(mentor)
	s, v := score(&e, &m)
	switch v {
	case noLanguage:
		return 0, Reasons{{Kind: ReasonNoLanguage}}, false
	case nothingShared:
		return 0, Reasons{{Kind: ReasonNothingInCommon}}, false
	}
	return s, explain(&e, &m), true
}

// explain builds the reasons of a candidate pair from the profiles; its
// points add up to what score returns.
func explain(e *menteeData, m *mentorData) Reasons {
	rs := make(Reasons, 0, 6) // at most one reason of each kind a candidate has
	var shared []Skill
	for _, want := range e.prof.WantSkills {
		level := 0
		for _, s := range m.prof.Skills {
			if s.Name == want {
				level = max(level, s.Level)
			}
		}
		if level > 0 {
			if shared == nil {
				shared = make([]Skill, 0, len(e.prof.WantSkills))
			}
			shared = append(shared, Skill{Name: want, Level: level})
		}
	}
	if len(shared) > 0 {
		r := Reason{Kind: ReasonSkills, Skills: shared}
		for _, s := range shared {
			r.Points += SkillPoints(s.Level)
		}
		rs = append(rs, r)
	}
	if e.path&m.paths != 0 {
		rs = append(rs, Reason{Kind: ReasonPath, Points: pointsPath, Path: e.prof.Path})
	}
	tz := Reason{Kind: ReasonTimeZone, MinutesApart: minutesApart(e.offset, m.offset), OverlapMinutes: -1}
	tz.Points = tzPoints(tz.MinutesApart)
	if e.hasSlots && m.hasSlots {
		tz.OverlapMinutes = e.week.overlapMinutes(&m.week)
		tz.Points += overlapPoints(tz.OverlapMinutes)
	}
	rs = append(rs, tz)
	lang := Reason{Kind: ReasonLanguage, Points: pointsLanguage}
	for _, c := range m.prof.Languages {
		if contains(e.prof.Languages, c) {
			lang.Languages = append(lang.Languages, c)
		}
	}
	rs = append(rs, lang)
	if e.minYears > 0 && m.years >= e.minYears {
		rs = append(rs, Reason{Kind: ReasonExperience, Points: pointsExperience, Years: m.years, MinYears: e.minYears})
	}
	if e.path != 0 && e.path == m.preferPath {
		rs = append(rs, Reason{Kind: ReasonMentorPrefers, Points: pointsMentorPrefers, Path: e.prof.Path})
	}
	return rs
}
