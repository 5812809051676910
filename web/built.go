package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/strcache"
)

// builtViews remembers, for the pages people view most (home, dashboard,
// group, session, discovery, mentor suggestions), the page each visitor's
// last view of each of them on this instance was rendered into (see
// builtKey), with what the view read from Redis (nearcache.Reads: every
// key, in the state it was read). A repeat view whose reads all stand
// unchanged, in the same minute, sends that page again (with its own form
// tokens), building nothing and reading nothing from Redis (its session
// and user come from memory): it is the page the view would make, since a
// page is made of those reads, the visitor, the address and the minute (a
// session's times fall on a minute, see events). A change to anything the
// view read, by any instance, is heard before the next view reads
// (nearcache's barrier), so that view builds afresh.
//
// A view is kept only when the cache followed all it read
// (nearcache.ReadsOf): a page that read anything else, or wrote, builds
// every time. Visitors without a session share their views (the key has
// no cookie); one whose cookie names no user (a development visitor's, or
// one that ended) is not served from here. While the near cache serves,
// lists of people are read as they are (recentPeople), not as a list read
// them a minute ago, so a kept page is no older than one built.
type builtViews struct {
	// signedIn keeps signed-in visitors' views and shared those of
	// visitors without a session, apart, so that views of addresses
	// anyone can make up (a query) do not push the others out.
	signedIn, shared strcache.Cache[builtView]
	// views counts the views of these pages by route and whether the page
	// was the one kept from the visitor's last view ("kept") or built
	// ("built").
	views *prometheus.CounterVec
}

// builtView is one kept page: its layout and body, cut at their form
// values (see fragments), and what it was built from.
type builtView struct {
	url          string // the address with its query
	keyLen       int    // of builtKey's, for the weight
	reads        nearcache.Reads
	minute       int64
	layout, body fragment
	csrf         bool // the page has forms (the visitor's session is kept)
}

// weigh is about the bytes v holds: its key (the cache keeps a copy),
// address, parts (shared with the fragments cache while it keeps them
// too) and what it read.
func (v builtView) weigh() int {
	return v.keyLen + len(v.url) + v.layout.size() + v.body.size() + 96*v.reads.Len()
}

// Bounds of builtViews: the views kept, and their bytes in all, for
// signed-in visitors and for the others.
const (
	builtViewsKept   = 5000
	builtViewsBytes  = 24 << 20
	sharedViewsKept  = 1000
	sharedViewsBytes = 8 << 20
)

func newBuiltViews(reg prometheus.Registerer) *builtViews {
	b := &builtViews{
		signedIn: strcache.Cache[builtView]{Size: builtViewsKept, MaxWeight: builtViewsBytes, Weigh: builtView.weigh},
		shared:   strcache.Cache[builtView]{Size: sharedViewsKept, MaxWeight: sharedViewsBytes, Weigh: builtView.weigh},
		views: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_page_views_total",
			Help: "Views of the pages kept for their visitors' next views, by route and whether the page sent was the one kept from the visitor's last view (nothing it showed changed) or built."},
			[]string{"route", "page"})}
	reg.MustRegister(b.views)
	return b
}

// building is a view being built to be kept: its key, address and
// minute, and the page once rendered (see fragments.send).
type building struct {
	key, url     string
	minute       int64
	flash        bool // a flash cookie came with the request
	layout, body fragment
	sent         bool
}

// serves reports whether the kept view v is this view's page: same
// address and minute, no flash to show (a flash makes the page another),
// nothing it read changed since and the cookie's claim holds. The
// session and user were among v's reads, so memory answers them: the
// claim is checked without a round trip.
func (b *building) serves(c *fiber.Ctx, v builtView, claimed string) bool {
	return v.url == b.url && v.minute == b.minute && !b.flash && nearcache.Unchanged(c.UserContext(), v.reads) &&
		(claimed == "" || claimHeld(c, claimed)) && !flashed(c)
}

const buildingContextKey = contextKey("building")

// kept serves a GET page (next) from what the visitor's last view of it
// on this instance was rendered into, when nothing it read changed since
// (see builtViews), and keeps what next renders otherwise. now is the
// clock the page's times follow.
func (h *handler) kept(now func() time.Time, next fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		lz, ok := c.Locals(lazyContextKey).(*lazy)
		ctx := c.UserContext()
		cookie := c.Cookies(h.Sessions.CookieName())
		// A visitor signed in, or one without a session (whose pages all
		// such visitors share); not one whose cookie names no user.
		if !ok || (lz.claimed == "") != (cookie == "") || !nearcache.Serves(ctx) {
			return next(c)
		}
		route := routePattern(c)
		views := &h.built.signedIn
		if cookie == "" {
			views = &h.built.shared
		}
		b := &building{key: h.builtKey(c, cookie), url: c.OriginalURL(), minute: minuteOf(now()), flash: h.flashWaits(c)}
		if v, ok := views.Get(b.key); ok {
			if b.serves(c, v, lz.claimed) {
				h.built.views.WithLabelValues(route, "kept").Inc()
				h.sendBuilt(c, v)
				return nil
			}
			views.Forget(b.key) // stale, or of another address: this view takes its place
		}
		c.Locals(buildingContextKey, b)
		if err := next(c); err != nil {
			return err
		}
		if !b.sent || c.Response().StatusCode() != fiber.StatusOK || !claimHeld(c, lz.claimed) {
			return nil
		}
		h.built.views.WithLabelValues(route, "built").Inc()
		// A page that showed a flash is not kept: the next view shows none.
		if reads, ok := nearcache.ReadsOf(ctx); ok && !flashed(c) {
			sess := currentSession(c)
			views.Put(b.key, builtView{url: strings.Clone(b.url), keyLen: len(b.key), reads: reads, minute: b.minute,
				layout: b.layout, body: b.body, csrf: sess != nil && sess.Kept()})
		}
		return nil
	}
}

// flashed reports whether the view shows a flash message.
func flashed(c *fiber.Ctx) bool {
	_, ok := c.Locals(flashContextKey).(flash)
	return ok
}

// sendBuilt sends the kept page v with this view's form values.
func (h *handler) sendBuilt(c *fiber.Ctx, v builtView) {
	csrf := ""
	if sess := currentSession(c); v.csrf && sess != nil && sess.Kept() {
		csrf = h.Sessions.CSRFToken(sess)
	}
	c.Type("html", "utf-8")
	c.Response().ResetBody()
	v.layout.writeTo(c.Response(), csrf, ids.New(), v.body)
}

// builtKey names the place of a view: the visitor's session cookie
// (session and the user it claims), the address's path and the zone the
// browser reported; for a visitor without a session, the address with its
// query and the zone. With the address in the view (builtView.url), that
// is all of the request a page is made of beyond what it reads. A
// signed-in visitor keeps one view per path, whatever queries they make
// up; visitors without a session share theirs, kept apart (shared).
func (h *handler) builtKey(c *fiber.Ctx, cookie string) string {
	where := c.Path()
	if cookie == "" {
		where = c.OriginalURL()
	}
	return strings.Join([]string{where, cookie, browserZoneName(c)}, "\x00")
}

// recentPeople is h.Users.Recent for a page's list of people: names a
// minute old, and the people to read. While the near cache serves the
// request, it reads them all (from memory, as they are, as mentors'
// suggestions read mentors), so that a kept page is no older than one
// built, and a change to a name builds it anew.
func (h *handler) recentPeople(c *fiber.Ctx, ids []string) (map[string]*auth.User, []string) {
	if nearcache.Serves(c.UserContext()) {
		return make(map[string]*auth.User, len(ids)), ids
	}
	return h.Users.Recent(ids)
}

// eventsNow and mentorsNow are the clocks of the pages about sessions and
// groups, and of mentoring, as the stores have them when asked.
func (h *handler) eventsNow() time.Time  { return h.Events.Now() }
func (h *handler) mentorsNow() time.Time { return h.Mentors.Now() }

// minuteOf numbers the minute of t.
func minuteOf(t time.Time) int64 { return t.Unix() / 60 }
