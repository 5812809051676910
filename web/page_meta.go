package web

import (
	"crypto/sha256"
	"html"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/markdown"
	"github.com/focusgroups/focusgroups/internal/timefmt"
)

// pageMeta is what a page tells link previews (Open Graph, Twitter cards)
// and search engines about itself. The layout writes it into the head when
// a page sets data["Meta"]; private pages never set it.
type pageMeta struct {
	Title       string
	Description string
	URL         string // canonical, absolute
	Type        string // og:type
	Image       string // absolute; "" when there is none
	ImageAlt    string
	// ImageWidth and ImageHeight are set for the generated share image.
	ImageWidth, ImageHeight int
	// NoIndex asks search engines to leave an unlisted page out.
	NoIndex bool
}

// HTML writes the tags into the page's head. It is written here rather
// than by a template, which costs about 80 allocations a view for the
// same result; every value is escaped for its attribute.
func (m *pageMeta) HTML() template.HTML {
	var b strings.Builder
	b.Grow(1024)
	tag := func(attr, name, value string) {
		b.WriteString("<meta ")
		b.WriteString(attr)
		b.WriteString(`="`)
		b.WriteString(name)
		b.WriteString(`" content="`)
		b.WriteString(html.EscapeString(value))
		b.WriteString("\">\n")
	}
	tag("name", "description", m.Description)
	b.WriteString(`<link rel="canonical" href="` + html.EscapeString(m.URL) + "\">\n")
	if m.NoIndex {
		tag("name", "robots", "noindex")
	}
	tag("property", "og:site_name", "focusgroups")
	tag("property", "og:type", m.Type)
	tag("property", "og:title", m.Title)
	tag("property", "og:description", m.Description)
	tag("property", "og:url", m.URL)
	card := "summary"
	if m.Image != "" {
		card = "summary_large_image"
		tag("property", "og:image", m.Image)
		tag("property", "og:image:alt", m.ImageAlt)
		if m.ImageWidth > 0 {
			tag("property", "og:image:width", strconv.Itoa(m.ImageWidth))
			tag("property", "og:image:height", strconv.Itoa(m.ImageHeight))
		}
	}
	tag("name", "twitter:card", card)
	return template.HTML(b.String()) //nolint:gosec // every value is escaped just above
}

// maxMetaDescription bounds a meta description, in characters; previews
// cut longer ones anyway.
const maxMetaDescription = 300

// absURL makes an address of this app absolute, from the configured
// public base URL (the one mail links use).
func (h *handler) absURL(path string) string {
	return strings.TrimRight(h.BaseURL, "/") + path
}

// travels reports whether a group's pages may carry link previews: public
// and unlisted groups, whose pages anyone with the link can open.
func travels(g *groups.Group) bool { return g.Visibility != groups.Private }

// sessionMeta describes a session of a public or unlisted group; nil for
// a private one. The date is in the session's own zone, named: a preview
// has no reader's zone.
func (h *handler) sessionMeta(ev events.Event, g *groups.Group) *pageMeta {
	if !travels(g) {
		return nil
	}
	head := []string{timefmt.Range(ev.Start, ev.End, timefmt.Zone(ev.TimeZone))}
	if place := placeText(ev.Venue, ev.OnlineURL != ""); place != "" {
		head = append(head, place)
	}
	head = append(head, g.Name)
	desc := strings.Join(head, " · ")
	if ev.Status == events.StatusCancelled {
		desc = "Cancelled: " + desc
	}
	m := &pageMeta{
		Title:       ev.Title,
		Description: withSnippet(desc, h.descriptionWords(ev.Description)),
		URL:         h.absURL(sessionPath(ev.ID)),
		Type:        "website",
		NoIndex:     g.Visibility == groups.Unlisted,
	}
	card := sessionShareCard(ev, g)
	h.withShareImage(m, sessionPath(ev.ID)+"/share.png", card, ev.Title+", "+card.Lines[0]+", "+g.Name)
	return m
}

// groupMeta describes a public or unlisted group; nil for a private one.
// It is kept by the group's revision (as shownGroup keys it), so a view
// builds it only after a change; callers must not change it.
func (h *handler) groupMeta(g *groups.Group) *pageMeta {
	if !travels(g) {
		return nil
	}
	if g.ContentRevision() == 0 {
		return h.buildGroupMeta(g)
	}
	key := shownGroup{g}.key()
	if m, ok := h.groupMetas.Get(key); ok {
		return m
	}
	m := h.buildGroupMeta(g)
	h.groupMetas.Put(key, m)
	return m
}

// buildGroupMeta is groupMeta, built afresh.
func (h *handler) buildGroupMeta(g *groups.Group) *pageMeta {
	head := []string{"Focus group"}
	if place := placeText(g.City, g.Online); place != "" {
		head = append(head, place)
	}
	head = append(head, plural(g.MemberCount, "member"))
	m := &pageMeta{
		Title:       g.Name,
		Description: withSnippet(strings.Join(head, " · "), h.descriptionWords(g.Description)),
		URL:         h.absURL(groupPath(g.Slug)),
		Type:        "website",
		NoIndex:     g.Visibility == groups.Unlisted,
	}
	if g.CoverIsImage() {
		m.Image, m.ImageAlt = g.Cover, "Cover of "+g.Name
	} else {
		h.withShareImage(m, groupPath(g.Slug)+"/share.png", groupShareCard(g), g.Name)
	}
	return m
}

// descriptionWords returns the words of a Markdown description, as many
// as a meta description can hold. They are kept by content, so a page
// view does not parse the Markdown a second time.
func (h *handler) descriptionWords(src string) string {
	if src == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(src))
	key := string(sum[:])
	if words, ok := h.metaWords.Get(key); ok {
		return words
	}
	words := markdown.Text(src)
	if r := []rune(words); len(r) > maxMetaDescription {
		words = string(r[:maxMetaDescription])
	}
	h.metaWords.Put(key, words)
	return words
}

// placeText says where something happens: "Betahaus, Berlin and online",
// "Online", or "" when it does not say.
func placeText(where string, online bool) string {
	switch {
	case where != "" && online:
		return where + " and online"
	case online:
		return "Online"
	}
	return where
}

// withSnippet follows head with as much of text as fits the description,
// cut at a word.
func withSnippet(head, text string) string {
	if text == "" {
		return head
	}
	out := head + ". " + text
	r := []rune(out)
	if len(r) <= maxMetaDescription {
		return out
	}
	cut := string(r[:maxMetaDescription-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(head) {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " .,;:") + "…"
}

// osmSearchURL is an OpenStreetMap search for a venue.
func osmSearchURL(venue string) string {
	return "https://www.openstreetmap.org/search?" + url.Values{"query": {venue}}.Encode()
}

// groupPath is the address of a group page.
func groupPath(slug string) string { return "/g/" + slug }

// shareLink is what the share and copy-link buttons of a page share.
type shareLink struct {
	URL, Title string
	// MembersOnly says the link opens only for members (a private group).
	MembersOnly bool
}

// shareOf is the share link of a page at path, titled title.
func (h *handler) shareOf(path, title string, g *groups.Group) shareLink {
	return shareLink{URL: h.absURL(path), Title: title, MembersOnly: !travels(g)}
}

// addGroupTravel adds the group page's link preview and share link.
func (h *handler) addGroupTravel(data map[string]any, g *groups.Group) {
	data["Meta"] = h.groupMeta(g)
	data["Share"] = h.shareOf(groupPath(g.Slug), g.Name, g)
}
