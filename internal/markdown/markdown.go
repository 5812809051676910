// Package markdown renders the Markdown people write in descriptions into
// HTML that is safe to put on a page: no scripts, no event handlers, no
// javascript: links, whatever the input.
package markdown

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/focusgroups/focusgroups/internal/strcache"
)

var (
	md = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Linkify))
	// policy allows what user-generated content needs; links get
	// rel="nofollow noopener" and open in a new tab.
	policy = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		p.RequireNoReferrerOnFullyQualifiedLinks(true)
		return p
	}()
)

// mailPolicy is policy for mail: no images (a remote one would tell the
// sender who opened the mail and when) and only absolute http, https and
// mailto links (a relative one leads nowhere from a mailbox); the text
// of a link refused stays.
var mailPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "b", "em", "i", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
		"h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(false)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return p
}()

// renderer renders Markdown sanitised by one policy, and remembers the
// HTML of recent sources, so a description is rendered once per version
// and process rather than on every view (or every mail of an
// announcement). Descriptions are capped at a few KB each.
type renderer struct {
	policy *bluemonday.Policy
	done   strcache.Cache[template.HTML]
}

var (
	pages = &renderer{policy: policy, done: strcache.Cache[template.HTML]{Size: 1000}}
	mails = &renderer{policy: mailPolicy, done: strcache.Cache[template.HTML]{Size: 200}}
)

// HTML renders src for a page and sanitises the result.
func HTML(src string) template.HTML { return pages.html(src) }

// MailHTML renders src for an HTML mail: as HTML does, with mailPolicy.
func MailHTML(src string) template.HTML { return mails.html(src) }

func (r *renderer) html(src string) template.HTML {
	if h, ok := r.done.Get(src); ok {
		return h
	}
	var buf bytes.Buffer
	h := template.HTML(template.HTMLEscapeString(src))
	if err := md.Convert([]byte(src), &buf); err == nil {
		h = template.HTML(r.policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised by bluemonday just above
	}
	r.done.Put(src, h)
	return h
}

// Text keeps only the words of src, on one line, as a reader sees them:
// for places that take no markup, such as a page's meta description. Raw
// HTML and code blocks are left out.
func Text(src string) string {
	source := []byte(src)
	var b strings.Builder
	_ = ast.Walk(md.Parser().Parse(text.NewReader(source)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.HTMLBlock, *ast.RawHTML, *ast.CodeBlock, *ast.FencedCodeBlock:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				b.Write(util.UnescapePunctuations(util.ResolveEntityNames(util.ResolveNumericReferences(n.Segment.Value(source)))))
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte(' ')
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(source))
			}
		}
		if !entering && n.Type() == ast.TypeBlock {
			b.WriteByte(' ')
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}
