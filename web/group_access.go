package web

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mentors"
)

// groupView is a group as one visitor may see it.
type groupView struct {
	Group    *groups.Group
	Standing groups.Standing
}

// Organizer reports whether the visitor may manage the group.
func (g groupView) Organizer() bool { return g.Standing.Role.IsOrganizer() }

// Member reports whether the visitor belongs to the group.
func (g groupView) Member() bool { return g.Standing.Role.IsMember() }

// visible returns gv, or not found when the visitor may not see the
// group, so a private group's existence does not leak.
func (g groupView) visible() (groupView, error) {
	if !groups.CanView(g.Group, g.Standing) {
		return groupView{}, notFound()
	}
	return g, nil
}

// loadGroup finds the group named by the :slug route parameter as the
// current visitor may see it. A group the visitor may not see is reported
// as not found, so a private group's existence does not leak.
func (h *handler) loadGroup(c *fiber.Ctx) (groupView, error) {
	return h.readGroupBySlug(c, nil)
}

// readGroupBySlug is loadGroup, with more reads of the group's page: once
// the group's ID is known, queue adds them to the pipeline that reads the
// group and the visitor's standing. The slug's group ID may come from
// memory (no round trip); when the group read turns out to hold another
// slug or to be gone, the slug is read again from Redis and the reads
// repeated, so a released or moved slug never shows the wrong group.
func (h *handler) readGroupBySlug(c *fiber.Ctx, queue func(p redis.Pipeliner, groupID, viewerID string)) (groupView, error) {
	slug := c.Params("slug")
	gv, err := h.readGroupOnce(c, slug, false, queue)
	if errors.Is(err, errStaleSlug) {
		gv, err = h.readGroupOnce(c, slug, true, queue)
	}
	if errors.Is(err, errStaleSlug) { // a released or half-written claim
		return groupView{}, fmt.Errorf("web: group %s: %w", slug, groups.ErrNotFound)
	}
	if err != nil {
		return groupView{}, err
	}
	return gv.visible()
}

// errStaleSlug says the group read for a slug does not hold it (any more).
var errStaleSlug = errors.New("the slug's group changed")

// readGroupOnce reads the group holding slug (fresh: the slug read from
// Redis, not memory) with the visitor's standing and the reads of queue.
func (h *handler) readGroupOnce(c *fiber.Ctx, slug string, fresh bool, queue func(p redis.Pipeliner, groupID, viewerID string)) (groupView, error) {
	ctx := c.UserContext()
	id, err := h.Groups.SlugID(ctx, slug, fresh)
	if err != nil {
		return groupView{}, err
	}
	p, uid := pageReads(c, h.Redis)
	read := h.queueGroupRead(ctx, p, id, uid)
	if queue != nil {
		queue(p, id, uid)
	}
	if err := runReads(ctx, p); err != nil {
		return groupView{}, err
	}
	if !claimHeld(c, uid) {
		return h.readGroupOnce(c, slug, fresh, queue) // the cookie named someone else: read as the viewer
	}
	gv, err := read()
	if errors.Is(err, groups.ErrNotFound) || (err == nil && gv.Group.Slug != slug) {
		return groupView{}, errStaleSlug
	}
	return gv, err
}

// loadGroupAsOrganizer is loadGroup for organizer pages and actions: a
// visitor who can see the group but not manage it gets 403.
func (h *handler) loadGroupAsOrganizer(c *fiber.Ctx) (groupView, error) {
	return h.readGroupAsOrganizer(c, nil)
}

// readGroupAsOrganizer is loadGroupAsOrganizer with the page's reads of
// queue (see readGroupBySlug); what they read is the caller's to give out
// once this has found the viewer an organizer.
func (h *handler) readGroupAsOrganizer(c *fiber.Ctx, queue func(p redis.Pipeliner, groupID, viewerID string)) (groupView, error) {
	gv, err := h.readGroupBySlug(c, queue)
	if err != nil {
		return gv, err
	}
	if !gv.Organizer() {
		return gv, forbidden("Only the group's organizers can do that.")
	}
	return gv, nil
}

func forbidden(msg string) *pageError {
	return httpError(fiber.StatusForbidden, "Not allowed", msg)
}

// isForbidden reports whether a domain package refused an action.
func isForbidden(err error) bool {
	return errors.Is(err, groups.ErrForbidden) || errors.Is(err, events.ErrForbidden) || errors.Is(err, mentors.ErrForbidden)
}
