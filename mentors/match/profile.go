// Package match is the mentor matching engine: profile rules, explained
// scores, ranked suggestions and stable matching rounds. It is plain Go over
// in-memory data, so it can be tested and benchmarked without storage.
package match

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/focusgroups/focusgroups/internal/valid"
)

// Limits on profile input.
const (
	MaxCapacity  = 10   // mentees a mentor can take at once
	MaxSkills    = 30   // skills on one profile
	MaxSlots     = 42   // weekly availability slots
	MaxBio       = 2000 // characters in a mentor's bio
	MinGoals     = 10   // characters in a mentee's goals
	MaxGoals     = 2000
	MaxYears     = 60
	MaxWeekHours = 40
	slotStep     = 15 // availability is given in quarter hours
)

// Skill is a skill tag and how well the mentor knows it, 1 (basics) to 5
// (expert).
type Skill struct {
	Name  string `json:"name"`
	Level int    `json:"level"`
}

// Slot is a weekly time window in the owner's time zone, in minutes after
// midnight; EndMin 1440 means midnight at the end of the day.
type Slot struct {
	Day      time.Weekday `json:"day"`
	StartMin int          `json:"start"`
	EndMin   int          `json:"end"`
}

// Availability is how much time a person has each week and when.
type Availability struct {
	HoursPerWeek int    `json:"hours"`
	Slots        []Slot `json:"slots,omitempty"`
}

// MentorProfile is what a mentor tells mentees about themself.
type MentorProfile struct {
	UserID       string       `json:"user_id"`
	Skills       []Skill      `json:"skills"`
	Paths        []string     `json:"paths"`
	PreferPath   string       `json:"prefer_path,omitempty"` // the path they most like to guide
	Years        int          `json:"years"`
	Languages    []string     `json:"languages"`
	TimeZone     string       `json:"time_zone"`
	Availability Availability `json:"availability"`
	Capacity     int          `json:"capacity"` // mentees at once; 0 = not mentoring
	Bio          string       `json:"bio,omitempty"`
	AvailableNow bool         `json:"available_now"`
	Paused       bool         `json:"paused"`
	PausedAuto   bool         `json:"paused_auto,omitempty"` // paused by the silence sweep
	PauseReason  string       `json:"pause_reason,omitempty"`
	// Active is how many mentees the mentor has now; the store fills it in,
	// it is not part of the form.
	Active int `json:"-"`
	// Thanks is how many mentees thanked the mentor when their mentorship
	// ended; the store fills it in.
	Thanks int `json:"-"`
}

// MenteeProfile is what a mentee is looking for.
type MenteeProfile struct {
	UserID       string       `json:"user_id"`
	Goals        string       `json:"goals"`
	Path         string       `json:"path,omitempty"` // target path or track
	WantSkills   []string     `json:"want_skills,omitempty"`
	MinYears     int          `json:"min_years,omitempty"` // preferred mentor experience
	Languages    []string     `json:"languages"`
	TimeZone     string       `json:"time_zone"`
	Availability Availability `json:"availability"`
}

// Normalize cleans the profile in place (skill aliases, path slugs, language
// codes) and returns valid.Errors naming every bad field, or nil.
func (p *MentorProfile) Normalize() error {
	errs := valid.Errors{}
	p.Skills = normalizeSkills(p.Skills, errs)
	p.Paths = normalizePaths(p.Paths, "paths", errs)
	if len(p.Paths) == 0 && errs["paths"] == "" {
		errs.Add("paths", "Choose at least one path or track you can guide")
	}
	if len(p.Skills) == 0 && errs["skills"] == "" {
		errs.Add("skills", "Name at least one skill you can teach")
	}
	if p.PreferPath != "" {
		slug, ok := NormalizePath(p.PreferPath)
		switch {
		case !ok:
			errs.Add("prefer_path", fmt.Sprintf("%q is not a path we know", p.PreferPath))
		case !contains(p.Paths, slug):
			errs.Add("prefer_path", "The preferred path must be one of the paths you guide")
		}
		p.PreferPath = slug
	}
	if p.Years < 0 || p.Years > MaxYears {
		errs.Add("years", fmt.Sprintf("Years of experience must be between 0 and %d", MaxYears))
	}
	p.Languages = normalizeLanguages(p.Languages, errs)
	p.TimeZone = normalizeZone(p.TimeZone, errs)
	normalizeAvailability(&p.Availability, errs)
	switch {
	case p.Capacity < 0:
		errs.Add("capacity", "Capacity cannot be negative (0 means not mentoring)")
	case p.Capacity > MaxCapacity:
		errs.Add("capacity", fmt.Sprintf("At most %d mentees at once", MaxCapacity))
	}
	p.Bio = strings.TrimSpace(p.Bio)
	if utf8.RuneCountInString(p.Bio) > MaxBio {
		errs.Add("bio", fmt.Sprintf("The bio can be at most %d characters", MaxBio))
	}
	errs.Add("bio", valid.MultiLine("The bio", p.Bio))
	p.PauseReason = strings.TrimSpace(p.PauseReason)
	errs.Add("reason", valid.Line("The reason", p.PauseReason))
	return errs.Err()
}

// Normalize cleans the profile in place and returns valid.Errors naming every
// bad field, or nil.
func (p *MenteeProfile) Normalize() error {
	errs := valid.Errors{}
	p.Goals = strings.TrimSpace(p.Goals)
	switch n := utf8.RuneCountInString(p.Goals); {
	case n == 0:
		errs.Add("goals", "Tell mentors what you want to achieve")
	case n < MinGoals:
		errs.Add("goals", fmt.Sprintf("Say a little more about your goals (at least %d characters)", MinGoals))
	case n > MaxGoals:
		errs.Add("goals", fmt.Sprintf("Goals can be at most %d characters", MaxGoals))
	}
	errs.Add("goals", valid.MultiLine("The goals", p.Goals))
	if strings.TrimSpace(p.Path) == "" {
		p.Path = ""
	} else if slug, ok := NormalizePath(p.Path); ok {
		p.Path = slug
	} else {
		errs.Add("path", fmt.Sprintf("%q is not a path we know", p.Path))
	}
	want := make([]string, 0, len(p.WantSkills))
	for _, s := range p.WantSkills {
		tag, ok := NormalizeSkill(s)
		if !ok {
			errs.Add("want_skills", fmt.Sprintf("%q is not a skill name (letters, digits, + # . -, at most 40)", s))
			continue
		}
		if !contains(want, tag) {
			want = append(want, tag)
		}
	}
	p.WantSkills = want
	if len(want) > MaxSkills {
		errs.Add("want_skills", fmt.Sprintf("At most %d skills", MaxSkills))
	}
	if p.Path == "" && len(want) == 0 && errs["path"] == "" && errs["want_skills"] == "" {
		errs.Add("path", "Choose a path or at least one skill you want to learn")
	}
	if p.MinYears < 0 || p.MinYears > MaxYears {
		errs.Add("min_years", fmt.Sprintf("Give a number of years from 0 to %d", MaxYears))
	}
	p.Languages = normalizeLanguages(p.Languages, errs)
	p.TimeZone = normalizeZone(p.TimeZone, errs)
	normalizeAvailability(&p.Availability, errs)
	return errs.Err()
}

func normalizeSkills(in []Skill, errs valid.Errors) []Skill {
	out := make([]Skill, 0, len(in))
	for _, s := range in {
		tag, ok := NormalizeSkill(s.Name)
		if !ok {
			errs.Add("skills", fmt.Sprintf("%q is not a skill name (letters, digits, + # . -, at most 40)", s.Name))
			continue
		}
		if s.Level < 1 || s.Level > 5 {
			errs.Add("skills", fmt.Sprintf("The level of %s must be between 1 and 5", tag))
			continue
		}
		merged := false
		for i := range out {
			if out[i].Name == tag {
				out[i].Level = max(out[i].Level, s.Level)
				merged = true
			}
		}
		if !merged {
			out = append(out, Skill{Name: tag, Level: s.Level})
		}
	}
	if len(out) > MaxSkills {
		errs.Add("skills", fmt.Sprintf("At most %d skills", MaxSkills))
	}
	return out
}

func normalizePaths(in []string, field string, errs valid.Errors) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		slug, ok := NormalizePath(s)
		if !ok {
			errs.Add(field, fmt.Sprintf("%q is not a path we know", s))
			continue
		}
		if !contains(out, slug) {
			out = append(out, slug)
		}
	}
	return out
}

func normalizeLanguages(in []string, errs valid.Errors) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		code, ok := NormalizeLanguage(s)
		if !ok {
			errs.Add("languages", fmt.Sprintf("%q is not a language we know (use a name or a two-letter code)", s))
			continue
		}
		if !contains(out, code) {
			out = append(out, code)
		}
	}
	if len(out) == 0 {
		errs.Add("languages", "Name at least one language you can talk in")
	}
	return out
}

func normalizeZone(z string, errs valid.Errors) string {
	z = strings.TrimSpace(z)
	if z == "" || z == "Local" {
		errs.Add("time_zone", "Choose your time zone")
		return z
	}
	if _, err := loadZone(z); err != nil {
		errs.Add("time_zone", fmt.Sprintf("%q is not a time zone (use a name like Europe/Berlin)", z))
	}
	return z
}

func normalizeAvailability(a *Availability, errs valid.Errors) {
	if a.HoursPerWeek < 0 || a.HoursPerWeek > MaxWeekHours {
		errs.Add("hours_per_week", fmt.Sprintf("Weekly hours must be between 0 and %d", MaxWeekHours))
	}
	if len(a.Slots) > MaxSlots {
		errs.Add("availability", fmt.Sprintf("At most %d time slots", MaxSlots))
	}
	for _, s := range a.Slots {
		switch {
		case s.Day < time.Sunday || s.Day > time.Saturday:
			errs.Add("availability", "A time slot has no valid day")
		case s.StartMin < 0 || s.EndMin > 24*60 || s.StartMin >= s.EndMin:
			errs.Add("availability", "A time slot must start before it ends, within one day")
		case s.StartMin%slotStep != 0 || s.EndMin%slotStep != 0:
			errs.Add("availability", "Time slots start and end on the quarter hour")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
