// Package web turns HTTP requests into calls on the domain packages and
// renders the results as HTML (or JSON for API clients).
package web

import (
	"embed"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/valyala/fasthttp"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/once"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/sharecard"
	"github.com/focusgroups/focusgroups/internal/speculate"
	"github.com/focusgroups/focusgroups/internal/strcache"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/moderation"
	"github.com/focusgroups/focusgroups/notify"
	"github.com/focusgroups/focusgroups/skills"
	"github.com/focusgroups/focusgroups/webhooks"
)

//go:embed templates static zones.txt
var assets embed.FS

// Deps is everything the handlers need, built once by the server.
type Deps struct {
	// Dev turns on development sign-in, the dev mailbox and the banner.
	Dev     bool
	BaseURL string
	Redis   redis.UniversalClient
	Prefix  string
	Users   *auth.Store
	Groups  *groups.Store
	Events  *events.Store
	Mentors *mentors.Store
	// Mail is the outbox, the dev mailbox (development) and unsubscribe tokens.
	Mail *mail.Service
	// Notify writes the mail that actions in the app cause.
	Notify *notify.Notifier
	// Hooks are the groups' webhooks (Slack, Discord, signed JSON).
	Hooks *webhooks.Store
	// Moderation keeps codes of conduct, reports and blocks.
	Moderation *moderation.Store
	// Skills keeps what people can share and want to learn and the
	// groups' skill maps; SkillSync applies a person's changes to them.
	Skills    *skills.Store
	SkillSync *skills.Sync
	// AdminEmails are the verified addresses of the instance admins
	// (lower case), who handle reports about groups and organizers.
	AdminEmails []string
	Providers   *auth.Providers
	Sessions    *auth.Sessions
	Logger      *slog.Logger
	// Metrics receives the HTTP metrics; nil makes a private registry.
	Metrics *prometheus.Registry
	// MetricsToken, when set, is required as a bearer token on /metrics.
	MetricsToken string
	// TrustProxy takes the client IP from the last X-Forwarded-For entry,
	// the one the app's own load balancer added.
	TrustProxy bool
	// AuthRateLimit bounds the sign-in requests of one IP; zero means the
	// default (30 a minute).
	AuthRateLimit ratelimit.Limit
	// LinkTokenLimit bounds the requests on one emailed link (RSVP,
	// unsubscribe, address confirmation), from wherever they come; zero
	// means the default (20 a minute).
	LinkTokenLimit ratelimit.Limit
	// LinkIPLimit bounds the emailed-link requests of one IP, whatever the
	// links; it is looser, so that one office or one mail scanner does not
	// lock out everyone behind it. Zero means the default (300 a minute).
	LinkIPLimit ratelimit.Limit
	// VerifyLimit and InviteLimit bound the mail one signed-in person can
	// cause: addresses added to confirm, and invitations sent. Zero means
	// the defaults (10 and 30 a minute).
	VerifyLimit, InviteLimit ratelimit.Limit
	// JoinLinkLimit bounds how often one IP may open or use invite links.
	JoinLinkLimit ratelimit.Limit
	// GuestRSVPLimit bounds how many RSVP links one IP may ask to be
	// mailed from public session pages.
	GuestRSVPLimit ratelimit.Limit
	// Tokens keeps the personal access tokens of the JSON API.
	Tokens *auth.Tokens
	// APIRateLimit bounds the API requests of one token; zero means the
	// default (120 a minute).
	APIRateLimit ratelimit.Limit
	// NearCache is the memory of pages' reads the client's hooks keep
	// (internal/nearcache), nil when off: while it tracks, a page's later
	// reads are not guessed with its first round trip, since it answers
	// them from memory.
	NearCache *nearcache.Cache
	// RequestTimeout bounds the work of one request, Redis calls included;
	// 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
}

// DefaultRequestTimeout is how long a request may take when Deps does not
// say: long enough for any page, short enough that a stuck Redis gives
// people an answer (503) while they are still looking.
const DefaultRequestTimeout = 5 * time.Second

// handler holds the dependencies every route handler uses.
type handler struct {
	Deps
	zones     []string
	limits    *ratelimit.Limiter
	onceGuard *once.Guard
	frags     *fragments
	// built keeps the most viewed pages as rendered for their visitors'
	// next views (see builtViews).
	built  *builtViews
	static staticFiles
	// shareCards draws the share images of link previews, once each.
	shareCards *sharecard.Renderer
	// metaWords keeps the words of descriptions for meta descriptions, by
	// content, so a page view does not parse the Markdown a second time.
	metaWords strcache.Cache[string]
	// groupMetas keeps the groups' link previews (see groupMeta).
	groupMetas strcache.Cache[*pageMeta]
	// sessionMetas keeps each session version's link preview and map
	// link, so a view formats them once (see addSessionTravel).
	sessionMetas strcache.Cache[sessionMetaParts]
	// dashLast keeps the groups each person's dashboard last listed, those
	// they organize and those where they host, and how many sessions it
	// took to find those to answer, so the next view reads their sessions
	// with the person's lists, what only organizers and hosts see only
	// there, and that many standings (see dashboard); a wrong guess costs
	// a round trip, never a wrong page.
	dashLast strcache.Cache[dashMemory]
	// pageLater keeps, by address and viewer, what any other GET page
	// read after its first round trip (see runReads), read with the first
	// on the next view: a page whose reads name the same records as last
	// time reads in one round trip.
	pageLater *speculate.Memory
	// homeGroups keeps the groups the home page showed last, read
	// speculatively with its indexes (see home).
	homeGroups strcache.Cache[[]string]
	// discoverGroups keeps the groups each discovery query found last,
	// read speculatively with the search (see discover).
	discoverGroups strcache.Cache[[]string]
}

// The bounds of handler.pageLater: the pages (address and viewer) whose
// later reads are kept for their next view, and those reads in all
// (about 200 bytes each: up to 10 MB; a page takes a few to a few
// hundred).
const (
	pagesLaterKept = 2000
	readsLaterKept = 50_000
)

// MaxBodySize bounds request bodies; larger forms get a 413 page.
const MaxBodySize = 256 << 10

// readBodyLimit is how much of a body the server reads at most: above a
// cover upload's limit (maxCoverBody), and so well above MaxBodySize that
// a body a little too large is read to its end and answered with the 413
// page (bodyLimit) on an intact connection. A body
// over readBodyLimit is refused by fasthttp before it reads it: the same
// error handler answers 413, but fasthttp then closes the connection with
// the body unread, and a client still sending may get a connection reset
// instead of the page.
const readBodyLimit = 8 << 20

// readHeaderLimit bounds a request's line and headers together.
const readHeaderLimit = 8 << 10

// New builds the Fiber app with every middleware and route. It fails when
// a template does not parse, so a broken view stops start-up, not a request.
func New(d Deps) (*fiber.App, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	if d.AuthRateLimit == (ratelimit.Limit{}) {
		d.AuthRateLimit = ratelimit.PerMinute(30)
	}
	if d.LinkTokenLimit == (ratelimit.Limit{}) {
		d.LinkTokenLimit = ratelimit.PerMinute(20)
	}
	if d.LinkIPLimit == (ratelimit.Limit{}) {
		d.LinkIPLimit = ratelimit.PerMinute(300)
	}
	if d.VerifyLimit == (ratelimit.Limit{}) {
		d.VerifyLimit = ratelimit.PerMinute(10)
	}
	if d.InviteLimit == (ratelimit.Limit{}) {
		d.InviteLimit = ratelimit.PerMinute(30)
	}
	if d.JoinLinkLimit == (ratelimit.Limit{}) {
		d.JoinLinkLimit = ratelimit.PerMinute(30)
	}
	if d.GuestRSVPLimit == (ratelimit.Limit{}) {
		d.GuestRSVPLimit = ratelimit.Limit{Max: 10, Per: time.Hour}
	}
	if d.Tokens == nil {
		d.Tokens = auth.NewTokens(d.Redis, d.Prefix)
	}
	if d.APIRateLimit == (ratelimit.Limit{}) {
		d.APIRateLimit = apiRateLimit
	}
	if d.RequestTimeout == 0 {
		d.RequestTimeout = DefaultRequestTimeout
	}
	h := &handler{Deps: d, zones: loadZones(), limits: ratelimit.New(d.Redis, d.Prefix), onceGuard: once.New(d.Redis, d.Prefix, 2*d.RequestTimeout)}
	h.shareCards = sharecard.NewRenderer(shareCardsKept)
	h.sessionMetas.Size = 2000   // about 1 KB each
	h.groupMetas.Size = 2000     // about 1 KB each
	h.discoverGroups.Size = 1000 // queries are the visitors' own: about 500 bytes each
	h.pageLater = speculate.NewMemory(pagesLaterKept, readsLaterKept)
	d.Metrics.MustRegister(h.pageLater.Collector())

	static, err := embeddedStatic()
	if err != nil {
		return nil, err
	}
	h.static = static
	tfs, err := fs.Sub(assets, "templates")
	if err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(tfs), ".html")
	engine.AddFuncMap(templateFuncs())
	engine.AddFunc("static", h.static.url)
	if err := engine.Load(); err != nil {
		return nil, err
	}
	escapeAll(engine)
	h.frags = newFragments(engine)
	h.built = newBuiltViews(d.Metrics)

	cfg := fiber.Config{
		Views:        engine,
		ViewsLayout:  "layouts/main",
		ErrorHandler: h.handleError,
		BodyLimit:    readBodyLimit,
		ReadTimeout:  15 * time.Second,
		WriteTimeout: 30 * time.Second,
		IdleTimeout:  60 * time.Second,
		// A page (10-40 KB) leaves in one write instead of two or three
		// with fasthttp's 4 KB default; the buffer is taken from a pool
		// only while a response is written. Writes are syscalls, the
		// dearest thing a page view does on this stack (docs/performance.md).
		WriteBufferSize: 64 << 10,
		// The request line and headers must fit in the read buffer, or
		// fasthttp answers 431 and closes the connection (a client still
		// sending may see a reset instead). fasthttp's 4 KB default is
		// short of a discovery search with long values in every filter;
		// 8 KB is what nginx accepts by default.
		ReadBufferSize:        readHeaderLimit,
		DisableStartupMessage: true,
		AppName:               "focusgroups",
	}
	app := fiber.New(cfg)
	h.routes(app)
	// Fiber fills a lookup table on the first Render, without a lock: two
	// first renders at once race (the race detector caught it). Fill it
	// now; the view does not exist, so nothing is rendered.
	warm := app.AcquireCtx(&fasthttp.RequestCtx{})
	_ = warm.Render("", nil)
	app.ReleaseCtx(warm)
	return app, nil
}

// escapeAll has html/template escape every template now. It does so on
// a template's first execution, writing the template, and the engine's
// Render copies the template it renders outside its lock: two first
// renders of a page at once raced there (the race detector caught it).
// Executing each template once here, with no data, does the escaping;
// the execution's own errors (no data, no layout) mean nothing.
func escapeAll(engine *html.Engine) {
	for _, t := range engine.Templates.Templates() {
		_ = t.Execute(io.Discard, nil)
	}
}
