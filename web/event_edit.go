package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
)

func editSessionPage(v eventView) sessionFormPage {
	ev := v.Event
	return sessionFormPage{Heading: "Edit session", Action: "/s/" + ev.ID + "/edit", Submit: "Save changes", Group: v.Group, Event: &ev}
}

func cancelledSession() *pageError {
	return httpError(fiber.StatusConflict, "This session is cancelled", "A cancelled session cannot be edited. Schedule a new one instead.")
}

// sessionEdit shows the edit form of a session (organizers).
func (h *handler) sessionEdit(c *fiber.Ctx) error {
	ctx, id := c.UserContext(), c.Params("id")
	// The members offered as hosts go with the session's read when this
	// instance knows its group (a session never changes group).
	gid, known := h.Events.KnownGroupOf(id)
	var getMembers func() ([]string, error)
	v, err := h.eventFor(ctx, id, viewerID(c), func(p redis.Pipeliner) {
		if known {
			getMembers = h.queueHostIDs(ctx, p, gid)
		}
	})
	if err != nil {
		return err
	}
	if err := organizerOnly(v); err != nil {
		return err
	}
	if v.Event.Status == events.StatusCancelled {
		return cancelledSession()
	}
	page := editSessionPage(v)
	if known && gid == v.Event.GroupID {
		page.memberIDs = getMembers
	}
	return h.renderSessionForm(c, page, formFromEvent(v.Event), nil, 0)
}

// sessionUpdate saves an edited session, or with scope=following this and
// every later session of its series. People going are told by mail when
// the time or place changed (through events.Store.Notify).
func (h *handler) sessionUpdate(c *fiber.Ctx) error {
	v, err := h.loadEventAsOrganizer(c)
	if err != nil {
		return err
	}
	if v.Event.Status == events.StatusCancelled {
		return cancelledSession()
	}
	f := readSessionForm(c)
	page := editSessionPage(v)
	if err := h.checkHosts(c, v.Group, f.Hosts); err != nil {
		return h.formFailure(c, page, f, err)
	}
	if errs := f.skillErrors(); len(errs) > 0 {
		return h.formFailure(c, page, f, errs)
	}
	ctx := c.UserContext()
	msg := "The session is saved."
	if f.Scope == "following" && v.Event.SeriesID != "" {
		var changed []events.Event
		changed, err = h.Events.UpdateSeriesFrom(ctx, v.actor(), v.Event.SeriesID, f.input(v.Group))
		if err == nil {
			msg = "Saved " + plural(len(changed), "session") + " of the series, from this one on."
		}
	} else {
		_, err = h.Events.Update(ctx, v.actor(), v.Event.ID, f.input(v.Group))
	}
	if err != nil {
		return h.formFailure(c, page, f, err)
	}
	h.refreshNextSession(ctx, v.Group.ID)
	h.recordSessionZone(ctx, v.Group.ID, f.TimeZone)
	return h.redirectWith(c, sessionPath(v.Event.ID), "ok", msg)
}
