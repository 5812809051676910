package match

import (
	"regexp"
	"slices"
	"strings"

	"github.com/focusgroups/focusgroups/internal/careers"
)

// Tracks are the technical tracks a mentor can guide and a mentee can aim
// for, beside the career paths of internal/careers.
var Tracks = []careers.Path{
	{Slug: "backend", Label: "Backend"},
	{Slug: "frontend", Label: "Frontend"},
	{Slug: "mobile", Label: "Mobile"},
	{Slug: "data", Label: "Data"},
	{Slug: "security", Label: "Security"},
	{Slug: "cloud", Label: "Cloud"},
	{Slug: "sre", Label: "SRE"},
	{Slug: "ml", Label: "Machine learning"},
}

// allPaths is careers.Paths followed by Tracks; a path's index is its bit.
var allPaths = append(append([]careers.Path{}, careers.Paths...), Tracks...)

// NormalizePath turns input such as "DevOps" or "Machine_Learning" into a
// path or track slug and reports whether it is known.
func NormalizePath(s string) (string, bool) {
	slug, _ := careers.Normalize(s)
	switch slug {
	case "machine-learning":
		slug = "ml"
	case "site-reliability", "site-reliability-engineering":
		slug = "sre"
	}
	return slug, pathBit(slug) != 0
}

// PathLabel returns the display name of a path or track slug.
func PathLabel(slug string) string {
	for _, p := range allPaths {
		if p.Slug == slug {
			return p.Label
		}
	}
	return slug
}

func pathBit(slug string) uint32 {
	for i, p := range allPaths {
		if p.Slug == slug {
			return 1 << i
		}
	}
	return 0
}

// language is one spoken language: its ISO 639-1 code and English name.
type language struct{ code, name string }

// languages lists the languages profiles may name; at most 64 so a set of
// them fits in one uint64.
var languages = []language{
	{"en", "English"}, {"es", "Spanish"}, {"fr", "French"}, {"de", "German"},
	{"pt", "Portuguese"}, {"it", "Italian"}, {"nl", "Dutch"}, {"pl", "Polish"},
	{"ru", "Russian"}, {"uk", "Ukrainian"}, {"zh", "Chinese"}, {"ja", "Japanese"},
	{"ko", "Korean"}, {"hi", "Hindi"}, {"ar", "Arabic"}, {"tr", "Turkish"},
	{"sv", "Swedish"}, {"no", "Norwegian"}, {"da", "Danish"}, {"fi", "Finnish"},
	{"cs", "Czech"}, {"he", "Hebrew"}, {"id", "Indonesian"}, {"vi", "Vietnamese"},
	{"th", "Thai"}, {"el", "Greek"}, {"ro", "Romanian"}, {"hu", "Hungarian"},
	{"bn", "Bengali"}, {"fa", "Persian"}, {"ms", "Malay"}, {"ur", "Urdu"},
	{"ta", "Tamil"}, {"te", "Telugu"}, {"sw", "Swahili"}, {"tl", "Tagalog"},
	{"ca", "Catalan"}, {"sk", "Slovak"}, {"bg", "Bulgarian"}, {"hr", "Croatian"},
	{"sr", "Serbian"}, {"lt", "Lithuanian"}, {"lv", "Latvian"}, {"et", "Estonian"},
	{"sl", "Slovenian"}, {"ga", "Irish"}, {"af", "Afrikaans"}, {"am", "Amharic"},
	{"yo", "Yoruba"}, {"mr", "Marathi"}, {"pa", "Punjabi"}, {"gu", "Gujarati"},
}

// NormalizeLanguage turns an ISO 639-1 code or an English language name
// ("EN", "spanish") into the code, and reports whether it is known.
func NormalizeLanguage(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, l := range languages {
		if l.code == s || strings.ToLower(l.name) == s {
			return l.code, true
		}
	}
	return s, false
}

// LanguageName returns the English name of a language code.
func LanguageName(code string) string {
	for _, l := range languages {
		if l.code == code {
			return l.name
		}
	}
	return code
}

func languageBit(code string) uint64 {
	for i, l := range languages {
		if l.code == code {
			return 1 << i
		}
	}
	return 0
}

// skillAliases maps common spellings to one skill tag.
var skillAliases = map[string]string{
	"k8s": "kubernetes", "kube": "kubernetes", "golang": "go",
	"js": "javascript", "ecmascript": "javascript", "ts": "typescript",
	"py": "python", "python3": "python", "postgres": "postgresql",
	"psql": "postgresql", "reactjs": "react", "react.js": "react",
	"node": "nodejs", "node.js": "nodejs", "vue.js": "vue", "vuejs": "vue",
	"aws-cloud": "aws", "amazon-web-services": "aws", "gcp": "google-cloud",
	"azure-cloud": "azure", "tf": "terraform", "c++": "cpp",
	"c#": "csharp", "dotnet": ".net", "ml": "machine-learning",
	"ai": "artificial-intelligence", "rustlang": "rust", "elixir-lang": "elixir",
}

// skillLabels are display names of tags that don't read well as typed.
var skillLabels = map[string]string{
	"go": "Go", "kubernetes": "Kubernetes", "javascript": "JavaScript",
	"typescript": "TypeScript", "python": "Python", "postgresql": "PostgreSQL",
	"react": "React", "nodejs": "Node.js", "vue": "Vue", "aws": "AWS",
	"google-cloud": "Google Cloud", "azure": "Azure", "terraform": "Terraform",
	"cpp": "C++", "csharp": "C#", ".net": ".NET", "rust": "Rust", "java": "Java",
	"kotlin": "Kotlin", "swift": "Swift", "docker": "Docker", "redis": "Redis",
	"graphql": "GraphQL", "sql": "SQL", "linux": "Linux", "ruby": "Ruby",
	"machine-learning": "Machine learning", "artificial-intelligence": "AI",
	"elixir": "Elixir", "php": "PHP", "scala": "Scala", "haskell": "Haskell",
}

var skillTag = regexp.MustCompile(`^[a-z0-9][a-z0-9+#.\-]{0,39}$`)

// NormalizeSkill turns a skill as typed ("K8s", "Go Lang ", "golang") into
// its tag ("kubernetes", "go"), and reports whether the result is a usable
// tag (letters, digits and + # . -, at most 40 characters).
func NormalizeSkill(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Join(strings.Fields(s), "-")
	s = strings.ReplaceAll(s, "_", "-")
	if a, ok := skillAliases[s]; ok {
		s = a
	}
	squashed := strings.ReplaceAll(s, "-", "")
	if a, ok := skillAliases[squashed]; ok {
		s = a
	} else if _, ok := skillLabels[squashed]; ok {
		s = squashed
	}
	return s, skillTag.MatchString(s)
}

// SkillNames lists the display names of the skills the vocabulary knows,
// sorted: the suggestions of skill fields.
func SkillNames() []string {
	out := make([]string, 0, len(skillLabels))
	for _, l := range skillLabels {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// SkillLabel returns the display name of a skill tag.
func SkillLabel(tag string) string {
	if l, ok := skillLabels[tag]; ok {
		return l
	}
	return tag
}
