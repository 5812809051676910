package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"maps"
	"strings"
	texttemplate "text/template"
	"unicode"

	"github.com/focusgroups/focusgroups/internal/markdown"
)

//go:embed templates/*.html templates/*.txt
var templateFS embed.FS

// required lists, per template, the Data keys a caller must fill. Other keys
// a template shows (Description, Reason, Message, ...) are optional.
var required = map[string][]string{
	"invite":         {"EventTitle", "GroupName", "When", "GoingURL", "NotGoingURL", "EventURL"},
	"changed":        {"EventTitle", "GroupName", "When", "EventURL"},
	"cancelled":      {"EventTitle", "GroupName", "When"},
	"promoted":       {"EventTitle", "GroupName", "When", "EventURL"},
	"reminder":       {"EventTitle", "GroupName", "When", "StartsIn", "EventURL"},
	"join-request":   {"GroupName", "RequesterName", "ReviewURL"},
	"join-outcome":   {"GroupName", "Outcome", "GroupURL"},
	"mentor-request": {"MenteeName", "RequestURL"},
	"mentor-outcome": {"MentorName", "Outcome", "URL"},
	"mentor-intro":   {"MentorName", "MenteeName", "URL"},
	"generic":        {"Subject", "Body"},
}

const maxSubjectLen = 200

// Renderer turns a Message into a subject, a plain-text body and an HTML
// body, from the templates embedded under templates/.
type Renderer struct {
	html map[string]*htmltemplate.Template
	text map[string]*texttemplate.Template
}

type buttonData struct {
	URL       string
	Label     string
	Secondary bool
}

// NewRenderer parses every embedded template; it fails when a template
// misses its HTML or text half or a subject.
func NewRenderer() (*Renderer, error) {
	funcs := map[string]any{
		"button": func(url any, label string, secondary bool) buttonData {
			return buttonData{URL: fmt.Sprint(url), Label: label, Secondary: secondary}
		},
		// markdown shows a description as the session page does, with
		// what a mail may hold (markdown.MailHTML).
		"markdown": markdown.MailHTML,
	}
	htmlBase, err := htmltemplate.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("mail: parse html layout: %w", err)
	}
	textBase, err := texttemplate.New("").ParseFS(templateFS, "templates/layout.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: parse text layout: %w", err)
	}
	r := &Renderer{html: map[string]*htmltemplate.Template{}, text: map[string]*texttemplate.Template{}}
	for name := range required {
		h, err := htmltemplate.Must(htmlBase.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("mail: parse %s.html: %w", name, err)
		}
		t, err := texttemplate.Must(textBase.Clone()).ParseFS(templateFS, "templates/"+name+".txt")
		if err != nil {
			return nil, fmt.Errorf("mail: parse %s.txt: %w", name, err)
		}
		for _, def := range []string{"subject", "body"} {
			if h.Lookup(def) == nil || t.Lookup(def) == nil {
				return nil, fmt.Errorf("mail: template %s defines no %q", name, def)
			}
		}
		r.html[name], r.text[name] = h, t
	}
	return r, nil
}

// Render returns the subject (one clean line), the plain-text body and the
// HTML body of m.
func (r *Renderer) Render(m Message) (subject, text, html string, err error) {
	name := m.TemplateName()
	h, t := r.html[name], r.text[name]
	if h == nil || t == nil {
		return "", "", "", fmt.Errorf("mail: no template %q", name)
	}
	data := maps.Clone(m.Data)
	if data == nil {
		data = map[string]any{}
	}
	data["ToName"] = m.ToName
	data["UnsubscribeURL"] = m.UnsubscribeURL
	var sb, tb, hb bytes.Buffer
	if err := t.ExecuteTemplate(&sb, "subject", data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s subject: %w", name, err)
	}
	if err := t.ExecuteTemplate(&tb, "layout", data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s text: %w", name, err)
	}
	if err := h.ExecuteTemplate(&hb, "layout", data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s html: %w", name, err)
	}
	return cleanSubject(sb.String()), tb.String(), hb.String(), nil
}

// cleanSubject makes a subject one header-safe line: CR, LF and other
// control characters become spaces (no header injection), and it is cut to
// a length mail clients show.
func cleanSubject(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxSubjectLen {
		s = strings.TrimSpace(string(r[:maxSubjectLen-1])) + "…"
	}
	return s
}
