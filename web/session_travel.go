package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// sessionTravel is what the session page adds so that it travels and
// shows who is coming: the count for everyone, and whether the viewer is
// left off the list others see.
type sessionTravel struct {
	GoingText  string // "12 going", "12 went"; "" when cancelled
	HiddenSelf bool   // the viewer is going but hidden from other members
	MapURL     string // an OpenStreetMap search for the venue
}

// addSessionTravel fills the session page's travel data (count, map link,
// link preview, share link) from what the page already read: it makes no
// Redis call of its own.
func (h *handler) addSessionTravel(c *fiber.Ctx, data fiber.Map, p sessionPage) {
	parts := h.sessionMetaOf(p.Event.Event, p.Group.Group)
	t := sessionTravel{GoingText: goingText(p.GoingCount, p.Ended, p.Cancelled), MapURL: parts.mapURL}
	if u := currentUser(c); u != nil && u.HideFromAttendees {
		t.HiddenSelf = p.Standing.Status == events.RSVPGoing
	}
	data["Travel"] = t
	data["Meta"] = parts.meta
	data["Share"] = parts.share
}

// sessionMetaParts are what a session page shows about itself that
// depends only on the session's stored version and its group: the link
// preview, the share link and the map link. They are shared between
// views and never changed.
type sessionMetaParts struct {
	meta   *pageMeta
	share  shareLink
	mapURL string
}

// sessionMetaOf formats ev's parts once per version of ev and of the
// group fields they show (name, slug, visibility, cover).
func (h *handler) sessionMetaOf(ev events.Event, g *groups.Group) sessionMetaParts {
	key := ""
	if ev.Version != 0 {
		key = strconv.FormatUint(ev.Version, 36) + "\x00" + g.ID + "\x00" + g.Name + "\x00" + g.Slug + "\x00" + string(g.Visibility) + "\x00" + g.Cover
		if parts, ok := h.sessionMetas.Get(key); ok {
			return parts
		}
	}
	parts := sessionMetaParts{meta: h.sessionMeta(ev, g), share: h.shareOf(sessionPath(ev.ID), ev.Title, g)}
	if ev.Venue != "" {
		parts.mapURL = osmSearchURL(ev.Venue)
	}
	if key != "" {
		h.sessionMetas.Put(key, parts)
	}
	return parts
}

// goingText is the count of people going as the page says it.
func goingText(n int, ended, cancelled bool) string {
	switch {
	case cancelled:
		return ""
	case ended && n == 0:
		return ""
	case ended:
		return strconv.Itoa(n) + " went"
	case n == 0:
		return "Nobody has said they're going yet."
	}
	return strconv.Itoa(n) + " going"
}

// attendeesShown lists the people going whom viewerID may see by name:
// everyone for an organizer; for other members everyone but those who
// chose to hide from attendee lists, except the viewer themselves, and
// those who blocked the viewer (blockedBy).
func attendeesShown(goingIDs []string, users map[string]*auth.User, viewerID string, organizer bool, blockedBy map[string]bool) []Person {
	out := make([]Person, 0, len(goingIDs))
	for _, id := range goingIDs {
		u, ok := users[id]
		if !ok || (!organizer && id != viewerID && (u.HideFromAttendees || blockedBy[id])) {
			continue
		}
		out = append(out, personOf(u))
	}
	return out
}
