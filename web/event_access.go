package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// eventView is a session as one visitor may see it, with its group and the
// visitor's standing in that group.
type eventView struct {
	Event events.Event
	groupView
}

// actor is the visitor as the events package needs to know them.
func (ev eventView) actor() events.Actor {
	return events.Actor{UserID: ev.Standing.UserID, Organizer: ev.Organizer()}
}

// loadEvent finds the session named by the :id route parameter. A session
// of a group the visitor may not see is reported as not found, like the
// group itself. A form posted about the session finds the reads done with
// the poster's session when its route prefetches them (prefetchEvent).
func (h *handler) loadEvent(c *fiber.Ctx) (eventView, error) {
	return h.eventAs(c, viewerID(c))
}

// viewerID is the signed-in viewer's ID, or "" for a signed-out visitor.
func viewerID(c *fiber.Ctx) string {
	if u := currentUser(c); u != nil {
		return u.ID
	}
	return ""
}

// eventAs is eventFor for the session named by :id, taking the reads
// prefetchEvent made with the request's session when they were for uid.
func (h *handler) eventAs(c *fiber.Ctx, uid string) (eventView, error) {
	id := c.Params("id")
	if pre, ok := c.Locals(prefetchedEventKey).(prefetchedEvent); ok && pre.uid == uid && pre.id == id {
		c.Locals(prefetchedEventKey, nil)
		v, err := pre.get()
		if err == nil && pre.standing != nil {
			c.Locals(prefetchedStandingKey, pre.standing)
		}
		return v, err
	}
	return h.eventFor(c.UserContext(), id, uid)
}

// prefetchedEvent is loadEvent's answer for session id as uid sees it,
// queued with the session's read.
type prefetchedEvent struct {
	id, uid string
	get     func() (eventView, error)
	// standing is the poster's answer and the seats taken, read for an
	// RSVP (see expectedAnswer).
	standing func(capacity int) (events.Standing, error)
}

const prefetchedStandingKey = contextKey("prefetched-standing")

// prefetchedStanding is the standing of the poster read with the session
// for the RSVP form of the session ev, as it was then; ok is false when
// it was not read.
func prefetchedStanding(c *fiber.Ctx, ev events.Event) (st events.Standing, ok bool) {
	read, _ := c.Locals(prefetchedStandingKey).(func(capacity int) (events.Standing, error))
	if read == nil {
		return events.Standing{}, false
	}
	st, err := read(ev.Capacity)
	return st, err == nil
}

// prefetchEvent lets a form posted about the session named by :id read
// it, its group and the poster's standing there in the same round trip
// as the poster's own session (see formReads), so loadEvent (or eventAs)
// finds them read. It goes before the session middleware in the route
// table.
func (h *handler) prefetchEvent(c *fiber.Ctx) error {
	if id := c.Params("id"); ids.Valid(id) {
		rsvp := c.Params("*") == "rsvp"
		c.Locals(formReadsContextKey, formReads(func(p redis.Pipeliner, uid string) {
			pre := prefetchedEvent{id: id, uid: uid, get: h.queueEventFor(c.UserContext(), p, id, uid)}
			if rsvp && uid != "" {
				pre.standing = h.Events.QueueStanding(c.UserContext(), p, id, uid)
			}
			c.Locals(prefetchedEventKey, pre)
		}))
	}
	return c.Next()
}

// eventFor finds session id as the person uid ("" for a signed-out
// visitor) may see it: not found when they may not see its group. It
// reads the session, its group and uid's standing there in one round
// trip when this instance has read the session before (a session never
// changes group), else in two. more queues the caller's own reads on the
// same first round trip.
func (h *handler) eventFor(ctx context.Context, id, uid string, more ...func(redis.Pipeliner)) (eventView, error) {
	if !ids.Valid(id) {
		return eventView{}, notFound()
	}
	p := h.Redis.Pipeline()
	get := h.queueEventFor(ctx, p, id, uid)
	for _, queue := range more {
		queue(p)
	}
	if err := runReads(ctx, p); err != nil {
		return eventView{}, err
	}
	return get()
}

// queueEventFor queues eventFor's reads of the valid session ID id on p;
// the returned function gives eventFor's answer once p has run, reading
// the group in a round trip of its own when this instance had not read
// the session before.
func (h *handler) queueEventFor(ctx context.Context, p redis.Pipeliner, id, uid string) func() (eventView, error) {
	getEvent := h.Events.QueueGet(ctx, p, id)
	getView := h.queueSessionGroupView(ctx, p, id, uid)
	return func() (eventView, error) {
		ev, err := getEvent()
		if err != nil {
			return eventView{}, err
		}
		gv, err := getView(ev.GroupID)
		if err != nil {
			return eventView{}, err
		}
		return eventView{Event: ev, groupView: gv}, nil
	}
}

// queueSessionGroupView queues on p the view (see queueGroupView) of the
// group this instance knows session id to belong to, if it knows one.
// The returned function gives, once p has run, the view of the group
// the session was read to belong to, gid: from p when that is the group
// queued, else read in a round trip of its own.
func (h *handler) queueSessionGroupView(ctx context.Context, p redis.Pipeliner, id, uid string) func(gid string) (groupView, error) {
	known, ok := h.Events.KnownGroupOf(id)
	var getView func() (groupView, error)
	if ok {
		getView = h.queueGroupView(ctx, p, known, uid)
	}
	return func(gid string) (groupView, error) {
		if !ok || known != gid {
			p := h.Redis.Pipeline()
			getView = h.queueGroupView(ctx, p, gid, uid)
			if err := runReads(ctx, p); err != nil {
				return groupView{}, err
			}
		}
		return getView()
	}
}

// queueGroupView queues on p the reads that say whether uid may see group
// id: the group and uid's standing in it. The returned function gives the
// group as uid may see it once p has run, and not found when uid may not
// see it, so a private group's existence does not leak.
func (h *handler) queueGroupView(ctx context.Context, p redis.Pipeliner, id, uid string) func() (groupView, error) {
	read := h.queueGroupRead(ctx, p, id, uid)
	return func() (groupView, error) {
		gv, err := read()
		if err != nil {
			return gv, err
		}
		return gv.visible()
	}
}

// queueGroupRead is queueGroupView without the visibility check, for
// callers that must first check which group they read.
func (h *handler) queueGroupRead(ctx context.Context, p redis.Pipeliner, id, uid string) func() (groupView, error) {
	get := h.Groups.QueueGetWithStanding(ctx, p, id, uid)
	return func() (groupView, error) {
		g, st, err := get()
		if err != nil {
			return groupView{}, err
		}
		return groupView{Group: g, Standing: st}, nil
	}
}

// runReads runs the reads queued on p in one round trip. A missing key is
// no error here: each queued read says what its own commands found. Nor
// is a script Redis had not loaded (NOSCRIPT): its reader loads and runs
// it (luascript.Queue). With nothing queued it sends nothing (go-redis
// returns at once), so a page whose first round trip already read
// everything calls it all the same.
func runReads(ctx context.Context, p redis.Pipeliner) error {
	cmds, err := p.Exec(ctx)
	if err == nil {
		return nil
	}
	for _, cmd := range cmds {
		if err := cmd.Err(); err != nil && !errors.Is(err, redis.Nil) && !redis.HasErrorPrefix(err, "NOSCRIPT") {
			return fmt.Errorf("web: read page data: %w", err)
		}
	}
	return nil
}

// loadEventAsOrganizer is loadEvent for organizer pages and actions.
func (h *handler) loadEventAsOrganizer(c *fiber.Ctx) (eventView, error) {
	ev, err := h.loadEvent(c)
	if err != nil {
		return ev, err
	}
	return ev, organizerOnly(ev)
}

// organizerOnly refuses anyone but the group's organizers.
func organizerOnly(v eventView) error {
	if !v.Organizer() {
		return forbidden("Only the group's organizers can manage its sessions.")
	}
	return nil
}

// refreshNextSession tells the groups store when the group's next session
// starts, so discovery can sort by it. It is an idempotent follow-up of a
// write that already succeeded, so a failure is logged, not shown.
func (h *handler) refreshNextSession(ctx context.Context, groupID string) {
	next, err := h.Events.NextForGroup(ctx, groupID)
	if err == nil {
		err = h.Groups.SetNextSession(ctx, groupID, next)
	}
	if err != nil {
		h.Logger.Warn("update the group's next session", "group", groupID, "err", err)
	}
}

// sessionPath is the address of a session page.
func sessionPath(id string) string { return "/s/" + id }
