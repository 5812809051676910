// Package careers lists the career paths that groups, sessions and mentors
// are organised around, so every part of the product spells them the same.
package careers

import "strings"

// Path is one career path developers grow into.
type Path struct {
	Slug  string
	Label string
}

// Paths are the career paths the product knows, in display order.
var Paths = []Path{
	{"architecture", "Architecture"},
	{"devops", "DevOps"},
	{"leadership", "Leadership"},
	{"business-development", "Business development"},
	{"developer-advocacy", "Developer advocacy"},
}

// Normalize turns user input such as "Developer Advocacy" or "business_development"
// into a path slug, and reports whether it is a known path.
func Normalize(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer(" ", "-", "_", "-").Replace(s)
	for _, p := range Paths {
		if p.Slug == s {
			return s, true
		}
	}
	return s, false
}

// Label returns the display name of a path slug, or the slug itself.
func Label(slug string) string {
	for _, p := range Paths {
		if p.Slug == slug {
			return p.Label
		}
	}
	return slug
}
