package web

import (
	"errors"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
)

// Calendar feed sizes: how many upcoming and past sessions a feed holds.
const (
	feedUpcoming = 200
	feedPast     = 50
	feedHistory  = 60 * 24 * time.Hour
)

// sessFeedToken keeps a freshly made personal feed token in the (server
// side) session, so the calendar page can show it after the redirect.
const sessFeedToken = "feed_token"

func (h *handler) eventURL(ev events.Event) string {
	return strings.TrimRight(h.BaseURL, "/") + sessionPath(ev.ID)
}

// sendCalendar writes an iCalendar body.
func sendCalendar(c *fiber.Ctx, filename, body string) error {
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+filename+`"`)
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.SendString(body)
}

// sessionCalendar is the .ics download of one session. The online link is
// in it only for people who may see it on the page.
func (h *handler) sessionCalendar(c *fiber.Ctx) error {
	v, err := h.loadEvent(c)
	if err != nil {
		return err
	}
	st, err := h.Events.StatusOf(c.UserContext(), v.Event.ID, v.Standing.UserID)
	if err != nil {
		return err
	}
	opts := events.CalendarOptions{EventURL: h.eventURL, IncludeLink: events.CanSeeLink(v.Event, v.actor(), st.Status)}
	return sendCalendar(c, "session-"+v.Event.ID+".ics", opts.ICS(events.MethodPublish, v.Event))
}

// groupCalendar is a group's subscribable feed: its upcoming and recent
// sessions, without online links. A private group's feed exists only for
// its members (signed in); to anyone else it is not found.
func (h *handler) groupCalendar(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var sessions *events.SessionLists
	gv, err := h.readGroupBySlug(c, func(p redis.Pipeliner, id, _ string) {
		sessions = h.Events.QueueGroupSessions(ctx, p, id, feedUpcoming, feedPast)
		sessions.Speculate(ctx, p, "")
	})
	if err != nil {
		return err
	}
	p := h.Redis.Pipeline()
	getSessions, err := sessions.QueueEvents(ctx, p, "")
	if err != nil {
		return err
	}
	if err := runReads(ctx, p); err != nil {
		return err
	}
	upcoming, past, _, err := getSessions()
	if err != nil {
		return err
	}
	all := upcoming
	for _, ev := range past { // ended: never among the upcoming
		if ev.End.After(h.Events.Now().Add(-feedHistory)) {
			all = append(all, ev)
		}
	}
	opts := events.CalendarOptions{Name: gv.Group.Name, EventURL: h.eventURL}
	return sendCalendar(c, gv.Group.Slug+".ics", opts.ICS(events.MethodPublish, all...))
}

// personalCalendar is a user's secret feed of the sessions they are going
// to, with their online links. The token in the URL is the only key.
func (h *handler) personalCalendar(c *fiber.Ctx) error {
	token := c.Params("token")
	if len(token) < 32 || len(token) > 64 {
		return notFound()
	}
	ctx := c.UserContext()
	uid, err := h.Events.FeedTokenOwner(ctx, token)
	if err != nil {
		return err
	}
	first := h.Redis.Pipeline()
	current := h.Events.QueueFeedCurrent(ctx, first, uid, token)
	mine := h.Events.QueueUserSessions(ctx, first, uid, h.Events.Now().Add(-feedHistory), time.Time{}, feedUpcoming)
	if err := runReads(ctx, first); err != nil {
		return err
	}
	if err := current(); err != nil {
		return err
	}
	// Only sessions of groups the person can still see: someone banned
	// from a private group must not keep reading its sessions here. The
	// groups this instance knows the sessions in are read with them.
	second := h.Redis.Pipeline()
	getSessions, err := mine.QueueEvents(ctx, second)
	if err != nil {
		return err
	}
	getGroups := h.queueVisibleGroups(ctx, second, mine.KnownGroupIDs(), uid)
	if err := runReads(ctx, second); err != nil {
		return err
	}
	sessions, _, err := getSessions()
	if err != nil {
		return err
	}
	visible, err := getGroups()
	if err != nil {
		return err
	}
	third := h.Redis.Pipeline()
	addMissing := h.queueMissingGroups(ctx, third, visible, sessions, uid)
	if err := runReads(ctx, third); err != nil {
		return err
	}
	if err := addMissing(); err != nil {
		return err
	}
	going := make([]events.Event, 0, len(sessions))
	for _, s := range sessions {
		if s.Status == events.RSVPGoing && visible[s.Event.GroupID] != nil {
			going = append(going, s.Event)
		}
	}
	opts := events.CalendarOptions{Name: "My focusgroups sessions", EventURL: h.eventURL, IncludeLink: true}
	c.Set("X-Robots-Tag", "noindex")
	return sendCalendar(c, "focusgroups.ics", opts.ICS(events.MethodPublish, going...))
}

// calendarPage explains the personal feed and shows its address once,
// right after it was made (only a hash of the token is stored).
func (h *handler) calendarPage(c *fiber.Ctx) error {
	u := currentUser(c)
	data := h.view(c, "Your calendar feed")
	sess := currentSession(c)
	if token := sess.Get(sessFeedToken); token != "" {
		// Shown once: the session does not keep the secret any longer.
		sess.Delete(sessFeedToken)
		owner, err := h.Events.FeedUser(c.UserContext(), token)
		switch {
		case err == nil && owner == u.ID:
			feed := strings.TrimRight(h.BaseURL, "/") + "/calendar/" + token + ".ics"
			data["FeedURL"] = feed
			// Our own address with the webcal scheme, which html/template
			// would otherwise replace as an unknown, unsafe scheme.
			data["WebcalURL"] = template.URL(webcal(feed)) //nolint:gosec // built from BaseURL and a token

		case err != nil && !errors.Is(err, events.ErrNotFound):
			return err
		}
	}
	return c.Render("events/calendar", data)
}

// webcal turns an http(s) address into the webcal:// form calendar apps
// subscribe to.
func webcal(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Scheme = "webcal"
	return p.String()
}

// calendarReset makes a new personal feed address; the old one stops
// working at once.
func (h *handler) calendarReset(c *fiber.Ctx) error {
	u := currentUser(c)
	token, err := h.Events.ResetFeedToken(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	currentSession(c).Set(sessFeedToken, token)
	return h.redirectWith(c, "/calendar", "ok", "Your calendar address is ready. Any older address no longer works.")
}
