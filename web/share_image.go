package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/sharecard"
	"github.com/focusgroups/focusgroups/internal/timefmt"
)

// shareCardsKept is how many share images the app keeps drawn in memory
// (30–60 KB each).
const shareCardsKept = 256

// shareRoutes mounts the share images of the pages that travel.
func (h *handler) shareRoutes(app *fiber.App) {
	app.Get("/s/:id/share.png", h.sessionShareImage)
	app.Get("/g/:slug/share.png", h.groupShareImage)
}

// sessionShareCard is the share image of a session: its title, date (in
// its own zone, named) and group on the group's cover colour.
func sessionShareCard(ev events.Event, g *groups.Group) sharecard.Card {
	kicker := formatLabel(ev.Format) + " · focusgroups"
	if ev.Status == events.StatusCancelled {
		kicker = "Cancelled · " + kicker
	}
	return sharecard.Card{
		Kicker: kicker, Title: ev.Title, Background: g.Cover,
		Lines: []string{timefmt.Range(ev.Start, ev.End, timefmt.Zone(ev.TimeZone)), g.Name},
	}
}

// groupShareCard is the share image of a group whose cover is a colour.
func groupShareCard(g *groups.Group) sharecard.Card {
	c := sharecard.Card{Kicker: "Focus group · focusgroups", Title: g.Name, Background: g.Cover}
	if place := placeText(g.City, g.Online); place != "" {
		c.Lines = []string{place}
	}
	return c
}

// withShareImage points m at the share image drawn from card, served at
// path; the key in the address changes with the content, so previews
// that keep images by address fetch the new one.
func (h *handler) withShareImage(m *pageMeta, path string, card sharecard.Card, alt string) {
	m.Image = h.absURL(path + "?v=" + card.Key())
	m.ImageAlt, m.ImageWidth, m.ImageHeight = alt, sharecard.Width, sharecard.Height
}

// sessionShareImage is the PNG a session's link preview shows; private
// groups' sessions have none.
func (h *handler) sessionShareImage(c *fiber.Ctx) error {
	ev, err := h.eventFor(c.UserContext(), c.Params("id"), "")
	if err != nil {
		return err
	}
	return h.sendShareCard(c, sessionShareCard(ev.Event, ev.Group))
}

// groupShareImage is the PNG a group's link preview shows; private groups
// have none.
func (h *handler) groupShareImage(c *fiber.Ctx) error {
	gv, err := h.loadGroup(c)
	if err != nil {
		return err
	}
	if !travels(gv.Group) {
		return notFound()
	}
	return h.sendShareCard(c, groupShareCard(gv.Group))
}

// sendShareCard answers with the card's PNG, drawn once and then kept; a
// client that has this very card gets 304.
func (h *handler) sendShareCard(c *fiber.Ctx, card sharecard.Card) error {
	img, key, err := h.shareCards.PNG(card)
	if err != nil {
		return err
	}
	etag := `"` + key + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.SendString(img)
}
