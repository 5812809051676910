package web

import (
	"bytes"
	"fmt"
	json "github.com/goccy/go-json"
	"hash/maphash"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"github.com/valyala/fasthttp"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/strcache"
)

// fragments remembers rendered pages in two parts, each by a hash of
// what it was rendered from, so a page whose data did not change since a
// viewer last saw it in the same state skips its templates:
//   - the body (what the layout embeds), from the page's own entries of
//     the view map (values already formatted for the viewer) and the
//     viewer's zone; members in the same standing share one;
//   - the layout around it, from the view map (who is signed in, title,
//     path, flash).
//
// The per-view form values (CSRF token, once ID) are rendered as random
// placeholders and put in on the way out.
type fragments struct {
	views                        *html.Engine
	seed                         maphash.Seed
	cache                        strcache.Cache[fragment]
	csrfMark, onceMark, bodyMark string
}

// fragment is a rendered part cut at its per-view values: parts[0], then
// the value vals[0] names, then parts[1] and so on.
type fragment struct {
	parts []string
	vals  []byte // 'c' for the CSRF token, 'o' for the once ID, 'b' for the body
}

// fragmentEntries and fragmentBytes bound the memory of rendered parts:
// bodies are about 10 KB (mentor suggestions' 37 KB, a long member list's
// more), layouts 2 KB, so a bound by count alone could hold 150 MB.
const (
	fragmentEntries = 4000
	fragmentBytes   = 32 << 20
)

// perView are the view map's entries that differ on every view; they are
// put in on the way out, so they are no part of a layout's key.
var perView = map[string]bool{"CSRF": true, "Once": true, "Body": true}

func newFragments(views *html.Engine) *fragments {
	mark := func() string { return "fgmark" + ids.Secret() }
	return &fragments{views: views, seed: maphash.MakeSeed(),
		cache:    strcache.Cache[fragment]{Size: fragmentEntries, MaxWeight: fragmentBytes, Weigh: fragment.size},
		csrfMark: mark(), onceMark: mark(), bodyMark: mark()}
}

// layoutOnly are the view map's entries only the layout shows.
var layoutOnly = map[string]bool{"Title": true, "Path": true, "Dev": true, "Providers": true, "Flash": true, "Meta": true}

// renderMap sends the page name in the layout. Its body template sees
// every entry of the view map data but the layout's own, and User only
// when withUser (a page that greets or lists the viewer by name), so a
// body that does not name the viewer is shared by everyone in the same
// state.
func (f *fragments) renderMap(c *fiber.Ctx, name string, data fiber.Map, withUser bool) error {
	page := make(fiber.Map, len(data))
	for k, v := range data {
		if layoutOnly[k] || perView[k] || (k == "User" && !withUser) {
			continue
		}
		page[k] = v
	}
	return f.send(c, name, data, keyOf(page), func(csrf, once string) any {
		in := make(fiber.Map, len(page)+2)
		for k, v := range page {
			in[k] = v
		}
		in["CSRF"], in["Once"] = csrf, once
		return in
	})
}

// layoutUser is what the layout shows of the signed-in viewer.
type layoutUser struct{ Name, AvatarURL string }

// layoutView is what the layout is rendered from, and keyed by: the view
// map's layout entries and the viewer's name and avatar. The layout sees
// nothing else, so its key cannot miss what it shows, and the page's own
// data is not encoded a second time for it.
func layoutView(data fiber.Map) fiber.Map {
	out := make(fiber.Map, len(layoutOnly)+1)
	for k := range layoutOnly {
		if v, ok := data[k]; ok {
			out[k] = v
		}
	}
	if u, ok := data["User"].(*auth.User); ok && u != nil {
		out["User"] = layoutUser{Name: u.Name, AvatarURL: u.AvatarURL}
	}
	return out
}

// keyOf is m as its key encodes it: a zone by its name (a
// *time.Location encodes as {}), and a group by its revision (see
// shownGroup) rather than by all of its fields, alone or with the
// viewer's standing.
func keyOf(m fiber.Map) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case *time.Location:
			v = x.String()
		case *groups.Group:
			v = shownGroup{x}
		case groupView:
			v = struct {
				Group    shownGroup
				Standing groups.Standing
			}{shownGroup{x.Group}, x.Standing}
		}
		out[k] = v
	}
	return out
}

// send renders (or finds) the body keyed by key (encoded as JSON) from
// the input bodyIn makes, and the layout around it, and sends the page
// (and gives both to a view being kept, see builtViews).
func (f *fragments) send(c *fiber.Ctx, name string, data fiber.Map, key any, bodyIn func(csrf, once string) any) error {
	body, err := f.get(name, key, func(buf *bytes.Buffer) error {
		return f.renderBody(buf, name, bodyIn(f.csrfMark, f.onceMark))
	})
	if err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	lay := layoutView(data)
	layout, err := f.get("layout", keyOf(lay), func(buf *bytes.Buffer) error {
		in := make(fiber.Map, len(lay)+3)
		for k, v := range lay {
			in[k] = v
		}
		in["CSRF"], in["Once"], in["Body"] = f.csrfMark, f.onceMark, template.HTML(f.bodyMark) //nolint:gosec // a random token
		return f.views.Render(buf, "partials/body", in, "layouts/main")
	})
	if err != nil {
		return fmt.Errorf("web: render layout: %w", err)
	}
	if b, ok := c.Locals(buildingContextKey).(*building); ok {
		b.layout, b.body, b.sent = layout, body, true
	}
	csrf, _ := data["CSRF"].(string)
	once, _ := data["Once"].(string)
	c.Type("html", "utf-8")
	c.Response().ResetBody()
	layout.writeTo(c.Response(), csrf, once, body)
	return nil
}

// renderBody executes the body template name alone. The engine sets its
// layouts' "embed" function on the templates' shared function map while
// it holds its lock for writing, and a body render through the engine
// without a layout sets it to nil without the lock (a race that failed
// a page under load); so the body is executed here, under the engine's
// lock for reading.
func (f *fragments) renderBody(buf *bytes.Buffer, name string, data any) error {
	f.views.Mutex.RLock()
	defer f.views.Mutex.RUnlock()
	t := f.views.Templates.Lookup(name)
	if t == nil {
		return fmt.Errorf("template %s does not exist", name)
	}
	return t.Execute(buf, data)
}

// get returns the part name keyed by key, hashed as JSON, rendering it
// with render when it is not remembered.
func (f *fragments) get(name string, key any, render func(*bytes.Buffer) error) (fragment, error) {
	var h maphash.Hash
	h.SetSeed(f.seed)
	h.WriteString(name)
	h.WriteByte(0)
	// A key only has to tell inputs apart, so the encoder skips HTML
	// escaping and UTF-8 normalising: both map distinct strings to
	// distinct bytes either way.
	if err := json.NewEncoder(&h).EncodeWithOption(key, json.DisableHTMLEscape(), json.DisableNormalizeUTF8()); err != nil {
		return fragment{}, fmt.Errorf("key: %w", err)
	}
	var sum [8]byte
	k := h.Sum(sum[:0])
	if fr, ok := f.cache.GetBytes(k); ok {
		return fr, nil
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fragment{}, err
	}
	fr := f.cut(buf.String())
	f.cache.PutBytes(k, fr)
	return fr, nil
}

// cut splits a rendered part at its placeholders.
func (f *fragments) cut(s string) fragment {
	marks := [...]struct {
		mark string
		val  byte
	}{{f.csrfMark, 'c'}, {f.onceMark, 'o'}, {f.bodyMark, 'b'}}
	var out fragment
	for {
		at, which := -1, 0
		for i, m := range marks {
			if j := strings.Index(s, m.mark); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			out.parts = append(out.parts, s)
			return out
		}
		out.parts = append(out.parts, s[:at])
		out.vals = append(out.vals, marks[which].val)
		s = s[at+len(marks[which].mark):]
	}
}

// size is about the bytes the part holds.
func (fr fragment) size() int {
	n := len(fr.vals)
	for _, p := range fr.parts {
		n += len(p)
	}
	return n
}

// writeTo appends the part, with this view's values put in, to the
// response's body, whose buffer fasthttp pools, so a remembered page is
// sent without a copy of its own. The form values are HTML-attribute
// safe (base64url and an ID alphabet), as the placeholders were.
func (fr fragment) writeTo(r *fasthttp.Response, csrf, once string, body fragment) {
	for i, p := range fr.parts {
		r.AppendBodyString(p)
		if i >= len(fr.vals) {
			continue
		}
		switch fr.vals[i] {
		case 'c':
			r.AppendBodyString(csrf)
		case 'o':
			r.AppendBodyString(once)
		case 'b':
			body.writeTo(r, csrf, once, fragment{})
		}
	}
}

// shownEvent is a session on a page. A remembered page is keyed by the
// session's stored version rather than by all of its fields, which
// would be encoded on every view otherwise.
type shownEvent struct{ events.Event }

// MarshalJSON encodes the session for a page's key: its version, or all
// of it when it has none.
func (e shownEvent) MarshalJSON() ([]byte, error) {
	if e.Version == 0 {
		return json.Marshal(e.Event)
	}
	return append(strconv.AppendUint([]byte(`"v`), e.Version, 36), '"'), nil
}

// shownGroup is a group on a page, keyed by its content revision, member
// count and generation (so a change that moved no revision shows after
// the next whole read; see groups.Group.Generation), or by all of it when
// it has no revision.
type shownGroup struct{ *groups.Group }

// MarshalJSON encodes the group for a page's key.
func (g shownGroup) MarshalJSON() ([]byte, error) {
	if g.Group == nil || g.ContentRevision() == 0 {
		return json.Marshal(g.Group)
	}
	return strconv.AppendQuote(nil, g.key()), nil
}

// key names the group as shown: its ID, content revision, member count
// and generation (see MarshalJSON); for a group with a revision only.
func (g shownGroup) key() string {
	return fmt.Sprintf("%s c%d m%d g%d", g.ID, g.ContentRevision(), g.MemberCount, g.Generation())
}
