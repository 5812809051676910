package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/webhooks"
)

// webhookRoutes mounts a group's integrations page (organizers only).
func (h *handler) webhookRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Get("/g/:slug/webhooks", h.requireClaim, h.groupWebhooks)
	app.Post("/g/:slug/webhooks", signedIn, h.limitByUser("webhook", webhookLimit), h.groupWebhookAdd)
	app.Post("/g/:slug/webhooks/:id/delete", signedIn, h.groupWebhookDelete)
	app.Post("/g/:slug/webhooks/:id/test", signedIn, h.limitByUser("webhook", webhookLimit), h.groupWebhookTest)
}

// webhookLimit bounds the endpoints one organizer adds and the test events
// they send: each costs a DNS lookup or a request to somebody's server.
var webhookLimit = ratelimit.PerMinute(20)

// webhookRow is an endpoint as the page lists it.
type webhookRow struct {
	ID, Kind, Display, Secret string
	Events                    []string
	Added                     string
}

// webhookResult is one delivery in the page's log.
type webhookResult struct {
	When, Display, Event, Outcome string
	OK, GivenUp                   bool
}

// webhookLogShown is how many deliveries the page lists.
const webhookLogShown = 30

// groupWebhooks is the integrations page: endpoints, the form to add one,
// and the newest deliveries. The session, group, standing, endpoints and
// log come in one round trip.
func (h *handler) groupWebhooks(c *fiber.Ctx) error {
	return h.renderWebhooks(c, webhooks.Input{Events: defaultWebhookEvents()}, nil)
}

func defaultWebhookEvents() []string {
	out := make([]string, 0, len(webhooks.EventTypes))
	for _, o := range webhooks.EventTypes {
		out = append(out, string(o.Type))
	}
	return out
}

func (h *handler) renderWebhooks(c *fiber.Ctx, in webhooks.Input, fields valid.Errors) error {
	ctx := c.UserContext()
	var (
		getEndpoints func() ([]webhooks.Endpoint, error)
		getLog       func() ([]webhooks.Result, error)
	)
	gv, err := h.readGroupBySlug(c, func(p redis.Pipeliner, id, _ string) {
		// Read before the visitor is known; shown to organizers only.
		getEndpoints = h.Hooks.QueueList(ctx, p, id)
		getLog = h.Hooks.QueueLog(ctx, p, id, webhookLogShown)
	})
	if currentUser(c) == nil {
		return h.requireUser(c) // the cookie's claim did not hold
	}
	if err != nil {
		return err
	}
	if !gv.Organizer() {
		return forbidden("Only the group's organizers can manage its integrations.")
	}
	eps, err := getEndpoints()
	if err != nil {
		return err
	}
	log, err := getLog()
	if err != nil {
		return err
	}
	loc := zoneOr(c, gv.Group.TimeZone)
	labels := map[webhooks.EventType]string{webhooks.Ping: "Test event"}
	for _, o := range webhooks.EventTypes {
		labels[o.Type] = o.Label
	}
	rows := make([]webhookRow, 0, len(eps))
	for _, e := range eps {
		r := webhookRow{ID: e.ID, Kind: kindLabel(e.Kind), Display: e.Display(), Secret: e.Secret, Added: localTime(e.CreatedAt, loc)}
		for _, t := range e.Events {
			r.Events = append(r.Events, labels[t])
		}
		rows = append(rows, r)
	}
	results := make([]webhookResult, 0, len(log))
	for _, r := range log {
		out := webhookResult{When: localTime(r.At, loc), Display: r.Display, Event: labels[r.Event], OK: r.OK, GivenUp: r.GivenUp}
		switch {
		case r.OK:
			out.Outcome = "Delivered (" + strconv.Itoa(r.Status) + ", " + strconv.FormatInt(r.Millis, 10) + " ms)"
		case r.GivenUp:
			out.Outcome = "Gave up after try " + strconv.Itoa(r.Try) + ": " + r.Error
		default:
			out.Outcome = "Try " + strconv.Itoa(r.Try) + " failed: " + r.Error + ". Trying again at " + localTime(r.NextTry, loc) + "."
		}
		results = append(results, out)
	}
	data := h.view(c, "Integrations of "+gv.Group.Name)
	data["Group"] = gv.Group
	data["Endpoints"] = rows
	data["Log"] = results
	data["Form"] = in
	data["Fields"] = fields
	data["Kinds"] = webhooks.Kinds
	data["EventTypes"] = webhooks.EventTypes
	data["Full"] = len(eps) >= webhooks.MaxEndpoints
	data["Max"] = webhooks.MaxEndpoints
	return renderForm(c, "groups/webhooks", data, len(fields) > 0)
}

// kindLabel names an endpoint kind on the page.
func kindLabel(k webhooks.Kind) string {
	switch k {
	case webhooks.KindSlack:
		return "Slack"
	case webhooks.KindDiscord:
		return "Discord"
	}
	return "JSON"
}

// groupWebhookAdd adds an endpoint; a refused address or choice re-shows
// the form with the reason.
func (h *handler) groupWebhookAdd(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	args := c.Request().PostArgs()
	in := webhooks.Input{Kind: c.FormValue("kind"), URL: c.FormValue("url")}
	for _, v := range args.PeekMulti("events") {
		in.Events = append(in.Events, string(v))
	}
	back := "/g/" + gv.Group.Slug + "/webhooks"
	e, err := h.Hooks.Add(c.UserContext(), gv.Group.ID, currentUser(c).ID, in)
	var fields valid.Errors
	switch {
	case errors.As(err, &fields):
		return h.renderWebhooks(c, in, fields)
	case errors.Is(err, webhooks.ErrTooMany):
		return h.redirectWith(c, back, "error", "A group keeps at most "+strconv.Itoa(webhooks.MaxEndpoints)+" endpoints. Delete one first.")
	case err != nil:
		return err
	}
	msg := kindLabel(e.Kind) + " endpoint added. Send a test event to check it."
	if e.Secret != "" {
		msg += " Verify each delivery with its signing secret (shown in the list)."
	}
	return h.redirectWith(c, back, "ok", msg)
}

// groupWebhookDelete removes an endpoint.
func (h *handler) groupWebhookDelete(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	err = h.Hooks.Delete(c.UserContext(), gv.Group.ID, c.Params("id"))
	if errors.Is(err, webhooks.ErrNotFound) {
		return notFound()
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug+"/webhooks", "ok", "Endpoint deleted: it gets nothing more from this group.")
}

// groupWebhookTest queues a test event to one endpoint.
func (h *handler) groupWebhookTest(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	g := webhooks.Group{ID: gv.Group.ID, Slug: gv.Group.Slug, Name: gv.Group.Name, URL: h.absURL("/g/" + gv.Group.Slug)}
	err = h.Hooks.Test(c.UserContext(), g, c.Params("id"), ids.New())
	if errors.Is(err, webhooks.ErrNotFound) {
		return notFound()
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug+"/webhooks#log-h", "ok", "Test event sent. Its result shows in the log below within seconds; reload to see it.")
}
