package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/careers"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// dayPart is a part of the day a person can tick as available; the form
// maps it to a match.Slot in the person's own zone.
type dayPart struct {
	Key, Label       string
	StartMin, EndMin int
}

var dayParts = []dayPart{
	{"morning", "Morning, 8–12", 8 * 60, 12 * 60},
	{"afternoon", "Afternoon, 12–17", 12 * 60, 17 * 60},
	{"evening", "Evening, 17–21", 17 * 60, 21 * 60},
}

// weekOrder lists the days as the form shows them, Monday first.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// slotValue is a checkbox value: "1-morning" is Monday morning.
func slotValue(d time.Weekday, part string) string { return strconv.Itoa(int(d)) + "-" + part }

// slotRow is one day of the availability grid.
type slotRow struct {
	Day   string
	Cells []option
}

// slotGrid builds the availability checkboxes with the ticked ones checked.
func slotGrid(ticked []string) []slotRow {
	on := map[string]bool{}
	for _, v := range ticked {
		on[v] = true
	}
	rows := make([]slotRow, len(weekOrder))
	for i, d := range weekOrder {
		rows[i].Day = d.String()
		for _, p := range dayParts {
			v := slotValue(d, p.Key)
			rows[i].Cells = append(rows[i].Cells, option{Value: v, Label: d.String() + " " + p.Key, Checked: on[v]})
		}
	}
	return rows
}

// parseSlots turns ticked checkboxes into weekly slots.
func parseSlots(values []string, errs valid.Errors) []match.Slot {
	var out []match.Slot
	for _, v := range values {
		day, part, _ := strings.Cut(v, "-")
		d, err := strconv.Atoi(day)
		k := -1
		for i, p := range dayParts {
			if p.Key == part {
				k = i
			}
		}
		if err != nil || d < 0 || d > 6 || k < 0 {
			errs.Add("availability", "Tick the times you are free from the grid.")
			continue
		}
		out = append(out, match.Slot{Day: time.Weekday(d), StartMin: dayParts[k].StartMin, EndMin: dayParts[k].EndMin})
	}
	return out
}

// slotValues turns stored slots back into the grid's checkbox values;
// slots that are not one of the grid's day parts are not shown.
func slotValues(slots []match.Slot) []string {
	var out []string
	for _, s := range slots {
		for _, p := range dayParts {
			if s.StartMin == p.StartMin && s.EndMin == p.EndMin {
				out = append(out, slotValue(s.Day, p.Key))
			}
		}
	}
	return out
}

// parseSkills reads "go:4, kubernetes:3" (commas or new lines) into skills
// with levels.
func parseSkills(text string, errs valid.Errors) []match.Skill {
	var out []match.Skill
	for _, item := range splitItems(text) {
		name, level, ok := strings.Cut(item, ":")
		name = strings.TrimSpace(name)
		if !ok {
			errs.Add("skills", fmt.Sprintf("Give a level from 1 to 5 for %q, like %s:3.", name, name))
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(level))
		if err != nil {
			errs.Add("skills", fmt.Sprintf("The level of %q must be a number from 1 to 5.", name))
			continue
		}
		out = append(out, match.Skill{Name: name, Level: n})
	}
	return out
}

// skillsText writes skills as the form takes them.
func skillsText(skills []match.Skill) string {
	parts := make([]string, len(skills))
	for i, s := range skills {
		parts[i] = s.Name + ":" + strconv.Itoa(s.Level)
	}
	return strings.Join(parts, ", ")
}

// splitItems splits a comma- or line-separated list, dropping empty items.
func splitItems(text string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// languagesText writes language codes as their names.
func languagesText(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = match.LanguageName(c)
	}
	return strings.Join(names, ", ")
}

// skillLabels writes skill tags as their names.
func skillLabels(tags []string) string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = match.SkillLabel(t)
	}
	return strings.Join(names, ", ")
}

// formInt reads a whole number typed into field; empty is 0. what names
// the number in the error, which an error summary shows away from the
// field ("the hours a week").
func formInt(text, field, what string, errs valid.Errors) int {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		errs.Add(field, "Enter "+what+" as a whole number, such as 3.")
	}
	return n
}

// mergeErrors adds the domain's field messages to the form's own; the
// form's message wins where both speak about one field.
func mergeErrors(form valid.Errors, err error) valid.Errors {
	var ve valid.Errors
	if errors.As(err, &ve) {
		for k, v := range ve {
			form.Add(k, v)
		}
	}
	return form
}

// allPaths lists the career paths and tracks one can guide or aim for.
func allPaths() []careers.Path {
	return append(append([]careers.Path{}, careers.Paths...), match.Tracks...)
}

// pathOptions are the paths as checkboxes or select options.
func pathOptions(chosen ...string) []option {
	on := map[string]bool{}
	for _, c := range chosen {
		on[c] = true
	}
	var out []option
	for _, p := range allPaths() {
		out = append(out, option{Value: p.Slug, Label: p.Label, Checked: on[p.Slug]})
	}
	return out
}

// pathNames writes path slugs as their names.
func pathNames(slugs []string) string {
	names := make([]string, len(slugs))
	for i, s := range slugs {
		names[i] = match.PathLabel(s)
	}
	return strings.Join(names, ", ")
}

// formMulti reads every value of a repeated form field.
func formMulti(c *fiber.Ctx, field string) []string {
	var out []string
	for _, v := range c.Context().PostArgs().PeekMulti(field) {
		out = append(out, string(v))
	}
	return out
}

// userZone is the signed-in user's time zone name, or "".
func userZone(c *fiber.Ctx) string {
	if u := currentUser(c); u != nil {
		return u.TimeZone
	}
	return ""
}
