package groups

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/focusgroups/focusgroups/internal/careers"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// Limits on what a group form accepts.
const (
	MaxNameLen        = 80
	MaxDescriptionLen = 10000
	MaxTopics         = 10
	MaxTopicLen       = 30
	MaxCityLen        = 80
	MaxQuestionLen    = 300
	MaxDomains        = 10
	MaxAnswerLen      = 1000
	maxCoverURLLen    = 500
)

// DefaultCover is the cover colour of a group that chose none.
const DefaultCover = "#4f46e5"

// Input is what an organizer fills in to create or edit a group. Form field
// names, used as keys of valid.Errors, are given beside each field.
type Input struct {
	Name        string     // name
	Slug        string     // slug
	Description string     // description (raw Markdown)
	Topics      []string   // topics
	Paths       []string   // paths
	City        string     // city
	Online      bool       // online
	Cover       string     // cover
	Visibility  Visibility // visibility (empty means public)
	JoinPolicy  JoinPolicy // join_policy (empty means open)
	Question    string     // question
	Domains     []string   // domains
	// NoGuests stops people without an account from answering a session
	// by mail from its public page (form field "guests" unticked).
	NoGuests bool
}

// Input returns the group's settings as a form would hold them, for editing.
func (g *Group) Input() Input {
	return Input{
		Name: g.Name, Slug: g.Slug, Description: g.Description,
		Topics: append([]string(nil), g.Topics...), Paths: append([]string(nil), g.Paths...),
		City: g.City, Online: g.Online, Cover: g.Cover, Visibility: g.Visibility,
		JoinPolicy: g.JoinPolicy, Question: g.Question, Domains: append([]string(nil), g.Domains...),
		NoGuests: g.NoGuests,
	}
}

var (
	slugRe   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	topicRe  = regexp.MustCompile(`^[a-z0-9+#.-]+$`)
	colourRe = regexp.MustCompile(`^#[0-9a-f]{6}$`)
	labelRe  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
)

// reservedSlugs are words that name pages of the app rather than groups.
var reservedSlugs = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`new edit admin administrator api auth dev groups group sessions session
		events event profile profiles dashboard static assets mentors mentor mentees mail mailbox
		login logout signin signout signup register settings search explore discover about help
		healthz readyz metrics me my home www root system support terms privacy rsvp invite
		invites calendar feed unsubscribe`) {
		reservedSlugs[w] = true
	}
}

// topicAliases maps common spellings to one topic.
var topicAliases = map[string]string{
	"k8s":        "kubernetes",
	"golang":     "go",
	"js":         "javascript",
	"ts":         "typescript",
	"py":         "python",
	"postgres":   "postgresql",
	"ml":         "machine-learning",
	"ai-ml":      "machine-learning",
	"csharp":     "c#",
	"cpp":        "c++",
	"reactjs":    "react",
	"nodejs":     "node.js",
	"node":       "node.js",
	"devrel":     "developer-advocacy",
	"sysdesign":  "system-design",
	"rustlang":   "rust",
	"tf":         "terraform",
	"gcp":        "google-cloud",
	"amazon-aws": "aws",
}

// NormalizeTopic turns user input such as " Golang" or "System Design" into
// the topic tag stored and searched ("go", "system-design").
func NormalizeTopic(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 1 && s[0] == '#' {
		s = s[1:]
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '_' || r == '\t' }), "-")
	if a, ok := topicAliases[s]; ok {
		return a
	}
	return s
}

// SplitList splits a comma- or newline-separated form value into trimmed,
// non-empty items (for the topics, paths and domains fields).
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Validate checks an Input and returns its normalised form (trimmed text,
// normalised topics, paths and domains, defaults filled in). Bad input
// returns valid.Errors keyed by form field name.
func (in Input) Validate() (Input, error) {
	errs := valid.Errors{}
	out := Input{Online: in.Online, NoGuests: in.NoGuests}

	out.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(out.Name); {
	case n == 0:
		errs.Add("name", "Give the group a name.")
	case n < 3:
		errs.Add("name", "The name needs at least 3 characters.")
	case n > MaxNameLen:
		errs.Add("name", fmt.Sprintf("The name can have at most %d characters.", MaxNameLen))
	}
	errs.Add("name", valid.Line("The name", out.Name))

	out.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	if msg := slugProblem(out.Slug); msg != "" {
		errs.Add("slug", msg)
	}

	out.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	errs.Add("description", valid.MultiLine("The description", out.Description))
	if n := utf8.RuneCountInString(out.Description); n > MaxDescriptionLen {
		errs.Add("description", fmt.Sprintf("The description can have at most %d characters (it has %d).", MaxDescriptionLen, n))
	}

	out.Topics = validateTopics(in.Topics, errs)
	out.Paths = validatePaths(in.Paths, errs)

	errs.Add("city", valid.Line("The city", strings.TrimSpace(in.City)))
	out.City = strings.Join(strings.Fields(in.City), " ")
	switch {
	case utf8.RuneCountInString(out.City) > MaxCityLen:
		errs.Add("city", fmt.Sprintf("The city can have at most %d characters.", MaxCityLen))
	case out.City == "" && !out.Online:
		errs.Add("city", "Give a city, or say the group meets online.")
	}

	out.Cover = strings.TrimSpace(in.Cover)
	errs.Add("cover", valid.Line("The cover", out.Cover))
	if out.Cover == "" {
		out.Cover = DefaultCover
	}
	if strings.HasPrefix(out.Cover, "#") {
		out.Cover = strings.ToLower(out.Cover)
	}
	if !validCover(out.Cover) {
		errs.Add("cover", "Use a colour such as #4f46e5 or an https:// image address.")
	}

	out.Visibility = Visibility(strings.TrimSpace(string(in.Visibility)))
	switch out.Visibility {
	case "":
		out.Visibility = Public
	case Public, Unlisted, Private:
	default:
		errs.Add("visibility", "Choose public, unlisted or private.")
	}

	out.JoinPolicy = JoinPolicy(strings.TrimSpace(string(in.JoinPolicy)))
	switch out.JoinPolicy {
	case "":
		out.JoinPolicy = Open
	case Open, Approval, Invite:
	default:
		errs.Add("join_policy", "Choose open, approval or invitation only.")
	}

	if out.JoinPolicy == Approval {
		out.Question = strings.TrimSpace(in.Question)
		errs.Add("question", valid.Line("The question", out.Question))
		if utf8.RuneCountInString(out.Question) > MaxQuestionLen {
			errs.Add("question", fmt.Sprintf("The question can have at most %d characters.", MaxQuestionLen))
		}
	}

	out.Domains = validateDomains(in.Domains, errs)
	return out, errs.Err()
}

func slugProblem(slug string) string {
	switch {
	case slug == "":
		return "Choose an address for the group."
	case len(slug) < 3 || len(slug) > 40:
		return "The address needs 3 to 40 characters."
	case !slugRe.MatchString(slug):
		return "Use lower-case letters, digits and single dashes, not at the start or end."
	case reservedSlugs[slug]:
		return fmt.Sprintf("%q is reserved; choose another address.", slug)
	}
	return ""
}

func validateTopics(raw []string, errs valid.Errors) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range raw {
		t := NormalizeTopic(r)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		switch {
		case len(t) > MaxTopicLen:
			errs.Add("topics", fmt.Sprintf("Topic %q is longer than %d characters.", r, MaxTopicLen))
		case !topicRe.MatchString(t):
			errs.Add("topics", fmt.Sprintf("Topic %q may only use letters, digits and + # . -", r))
		}
		out = append(out, t)
	}
	if len(out) > MaxTopics {
		errs.Add("topics", fmt.Sprintf("Choose at most %d topics (you gave %d).", MaxTopics, len(out)))
	}
	return out
}

func validatePaths(raw []string, errs valid.Errors) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range raw {
		if strings.TrimSpace(r) == "" {
			continue
		}
		p, ok := careers.Normalize(r)
		if !ok {
			errs.Add("paths", fmt.Sprintf("%q is not a career path we know.", r))
			continue
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func validateDomains(raw []string, errs valid.Errors) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range raw {
		d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(r)), "@")
		d = strings.TrimSuffix(d, ".")
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		if !validDomain(d) {
			errs.Add("domains", fmt.Sprintf("%q is not an email domain such as example.com.", r))
		}
		out = append(out, d)
	}
	if len(out) > MaxDomains {
		errs.Add("domains", fmt.Sprintf("List at most %d domains.", MaxDomains))
	}
	return out
}

// validDomain accepts DNS names of at least two labels with an alphabetic
// top-level label (example.com, eng.example.co.uk).
func validDomain(d string) bool {
	if len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) > 63 || !labelRe.MatchString(l) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && strings.IndexFunc(tld, func(r rune) bool { return r < 'a' || r > 'z' }) < 0
}

// uploadedCoverRe is the address of a cover uploaded to the app (see
// Store.SaveCover).
var uploadedCoverRe = regexp.MustCompile(`^/covers/[a-z0-9]{8,40}/[0-9a-f]{16}\.(jpg|png)$`)

func validCover(c string) bool {
	if colourRe.MatchString(c) || uploadedCoverRe.MatchString(c) {
		return true
	}
	if len(c) > maxCoverURLLen || !strings.HasPrefix(c, "https://") || strings.ContainsAny(c, " \t\n\"'<>") {
		return false
	}
	u, err := url.Parse(c)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

// EmailDomain returns the lower-cased domain of an email address, or "".
func EmailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 || at == len(email)-1 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
}

var foldLatin = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "ae", "ã", "a", "å", "a", "æ", "ae",
	"ç", "c", "è", "e", "é", "e", "ê", "e", "ë", "e", "ì", "i", "í", "i", "î", "i", "ï", "i",
	"ñ", "n", "ò", "o", "ó", "o", "ô", "o", "ö", "oe", "õ", "o", "ø", "o",
	"ù", "u", "ú", "u", "û", "u", "ü", "ue", "ý", "y", "ÿ", "y", "ß", "ss",
	"+", " plus ", "#", " sharp ", "&", " and ",
)

// SuggestSlug proposes a URL slug for a group name ("Go & Kubernetes
// Berlin" -> "go-and-kubernetes-berlin"). The suggestion is well-formed and
// not reserved, but may already be taken.
func SuggestSlug(name string) string {
	s := foldLatin.Replace(strings.ToLower(name))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	slug := strings.TrimRight(b.String(), "-")
	if slug == "" {
		return ""
	}
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	if len(slug) < 3 || reservedSlugs[slug] {
		slug = strings.TrimLeft(slug+"-group", "-")
	}
	return slug
}
