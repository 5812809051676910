package web

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/skills"
)

// sessionNew shows the form to schedule a session; ?proposal=ID fills it
// from a call-for-sessions proposal.
func (h *handler) sessionNew(c *fiber.Ctx) error {
	ctx := c.UserContext()
	pid := c.Query("proposal")
	if pid != "" && !ids.Valid(pid) {
		return notFound()
	}
	var getMembers func() ([]string, error)
	var getProposal func() (events.Proposal, error)
	gv, err := h.readGroupAsOrganizer(c, func(p redis.Pipeliner, gid, _ string) {
		getMembers = h.queueHostIDs(ctx, p, gid)
		if pid != "" {
			getProposal = h.Events.QueueProposal(ctx, p, gid, pid)
		}
	})
	if err != nil {
		return err
	}
	tz, err := h.defaultSessionZone(c, gv.Group)
	if err != nil {
		return err
	}
	f := sessionForm{Format: string(events.FormatTalk), TimeZone: tz, Listed: true}
	page := h.newSessionPage(gv)
	page.memberIDs = getMembers
	if getProposal != nil {
		p, err := getProposal()
		if err != nil {
			return err
		}
		if p.EventID != "" {
			return h.redirectWith(c, "/g/"+gv.Group.Slug+"/proposals", "error", "That proposal is already scheduled.")
		}
		page.Proposal = &p
		f.ProposalID, f.Title, f.Description = pid, p.Title, p.Details
		f.Skills = skills.LearnText(p.Skills)
	}
	return h.renderSessionForm(c, page, f, nil, 0)
}

func (h *handler) newSessionPage(gv groupView) sessionFormPage {
	return sessionFormPage{Heading: "Schedule a session", Action: "/g/" + gv.Group.Slug + "/sessions", Submit: "Schedule session", Group: gv.Group}
}

// withProposal adds the proposal being scheduled to the form page (its
// proposer's name is read with the host choices).
func (h *handler) withProposal(c *fiber.Ctx, page *sessionFormPage, pid string) error {
	if !ids.Valid(pid) {
		return notFound()
	}
	p, err := h.Events.Proposal(c.UserContext(), page.Group.ID, pid)
	if err != nil {
		return err
	}
	page.Proposal = &p
	return nil
}

// sessionCreate schedules a single session, a series, or a proposal.
func (h *handler) sessionCreate(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	f := readSessionForm(c)
	page := h.newSessionPage(gv)
	if f.ProposalID != "" {
		if err := h.withProposal(c, &page, f.ProposalID); err != nil {
			return err
		}
	}
	if err := h.checkHosts(c, gv.Group, f.Hosts); err != nil {
		return h.formFailure(c, page, f, err)
	}
	if errs := f.skillErrors(); len(errs) > 0 {
		return h.formFailure(c, page, f, errs)
	}
	ctx := c.UserContext()
	a := events.Actor{UserID: currentUser(c).ID, Organizer: true}
	var first events.Event
	msg := "The session is scheduled."
	switch {
	case f.ProposalID != "" && f.Repeat != "":
		return h.formFailure(c, page, f, valid.Errors{"recurrence": "A proposal becomes one session; schedule repeats separately."})
	case f.ProposalID != "":
		first, err = h.Events.ScheduleProposal(ctx, a, gv.Group.ID, f.ProposalID, f.input(gv.Group))
		if errors.Is(err, events.ErrAlreadyScheduled) {
			return h.redirectWith(c, "/g/"+gv.Group.Slug+"/proposals", "error", "That proposal is already scheduled.")
		}
		msg = "The session is scheduled and the proposer is credited."
	case f.Repeat != "":
		var evs []events.Event
		_, evs, err = h.Events.CreateSeries(ctx, a, gv.Group.ID, f.input(gv.Group), f.recurrence())
		if err == nil {
			first = evs[0]
			msg = fmt.Sprintf("A series of %d sessions is scheduled. This is the first.", len(evs))
		}
	default:
		first, err = h.Events.Create(ctx, a, gv.Group.ID, f.input(gv.Group))
	}
	if err != nil {
		return h.formFailure(c, page, f, err)
	}
	h.refreshNextSession(ctx, gv.Group.ID)
	h.recordSessionZone(ctx, gv.Group.ID, first.TimeZone)
	if c.FormValue("announce") == "on" {
		n, err := h.Notify.Announce(ctx, first, gv.Group, currentUser(c).ID)
		if err != nil {
			return err
		}
		msg += " " + announcedText(n)
	}
	return h.redirectWith(c, sessionPath(first.ID), "ok", msg)
}

// formFailure shows field errors on the form; other errors go to the
// error handler.
func (h *handler) formFailure(c *fiber.Ctx, page sessionFormPage, f sessionForm, err error) error {
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderSessionForm(c, page, f, ve, 0)
	}
	if errors.Is(err, events.ErrConflict) {
		return h.renderSessionForm(c, page, f, valid.Errors{"form": "Someone changed this session while you were editing. Check the values and save again."}, fiber.StatusConflict)
	}
	return err
}
