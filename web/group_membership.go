package web

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/groups"
)

// membershipMessage turns a refusal from the groups package into words
// for the flash message; ok is false for errors that are not refusals.
func membershipMessage(err error) (string, bool) {
	for _, m := range []struct {
		err error
		msg string
	}{
		{groups.ErrBanned, "You can no longer join this group."},
		{groups.ErrApprovalRequired, "This group reviews requests: send a request to join."},
		{groups.ErrInviteOnly, "This group is invitation only."},
		{groups.ErrOpenGroup, "This group is open: join it directly."},
		{groups.ErrDomain, "This group is for people with a verified company email address at its domains."},
		{groups.ErrAlreadyMember, "You are already a member."},
		{groups.ErrAlreadyApplied, "Your request is already waiting for an organizer."},
		{groups.ErrNotMember, "You are not a member of this group."},
		{groups.ErrNoInvite, "There is no invitation for you to answer."},
		{groups.ErrOwnerMustTransfer, "You own this group: transfer ownership to another member before you leave."},
		{groups.ErrNoRequest, "There is no such request."},
		{groups.ErrConflict, "The group changed meanwhile. Please try again."},
	} {
		if errors.Is(err, m.err) {
			return m.msg, true
		}
	}
	if errors.Is(err, groups.ErrAlreadyDecided) {
		return "That request was already decided.", true
	}
	return "", false
}

// membershipAction runs one membership change for the current user and
// reports the outcome on the group page.
func (h *handler) membershipAction(c *fiber.Ctx, okText string, act func(gv groupView, emails []string) error) error {
	gv, err := h.loadGroup(c)
	if err != nil {
		return err
	}
	back := "/g/" + gv.Group.Slug
	if err := act(gv, currentUser(c).VerifiedEmails()); err != nil {
		if errors.Is(err, errCodeNeeded) {
			step, _, _ := strings.Cut(err.Error(), ":")
			return h.redirectWith(c, "/g/"+gv.Group.Slug+"/conduct?then="+step, "ok",
				"This group has a code of conduct. Read it and accept it to go on.")
		}
		if msg, ok := membershipMessage(err); ok {
			return h.redirectWith(c, back, "error", msg)
		}
		return err
	}
	return h.redirectWith(c, back, "ok", okText)
}

func (h *handler) groupJoin(c *fiber.Ctx) error {
	return h.membershipAction(c, "Welcome to the group!", func(gv groupView, emails []string) error {
		if err := h.needsCode(c.UserContext(), gv.Group.ID, currentUser(c).ID); err != nil {
			return fmt.Errorf("join: %w", err)
		}
		return h.Groups.Join(c.UserContext(), gv.Group.ID, currentUser(c).ID, emails)
	})
}

func (h *handler) groupApply(c *fiber.Ctx) error {
	if len([]rune(c.FormValue("answer"))) > groups.MaxAnswerLen {
		return h.redirectWith(c, "/g/"+c.Params("slug"), "error", "Your answer is too long: keep it under 1,000 characters.")
	}
	return h.membershipAction(c, "Your request was sent. You will see the organizers' answer on your dashboard and by email.", func(gv groupView, emails []string) error {
		if err := h.needsCode(c.UserContext(), gv.Group.ID, currentUser(c).ID); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		return h.Groups.Apply(c.UserContext(), gv.Group.ID, currentUser(c).ID, c.FormValue("answer"), emails)
	})
}

func (h *handler) groupLeave(c *fiber.Ctx) error {
	return h.membershipAction(c, "You left the group. Your places at its upcoming sessions went to others.", func(gv groupView, _ []string) error {
		if err := h.Groups.Leave(c.UserContext(), gv.Group.ID, currentUser(c).ID); err != nil {
			return err
		}
		h.leaveGroupSessions(c.UserContext(), gv.Group.ID, currentUser(c).ID)
		return nil
	})
}

func (h *handler) groupAcceptInvite(c *fiber.Ctx) error {
	return h.membershipAction(c, "Welcome to the group!", func(gv groupView, emails []string) error {
		if err := h.needsCode(c.UserContext(), gv.Group.ID, currentUser(c).ID); err != nil {
			return fmt.Errorf("accept: %w", err)
		}
		return h.Groups.AcceptInvite(c.UserContext(), gv.Group.ID, currentUser(c).ID, emails)
	})
}

func (h *handler) groupDeclineInvite(c *fiber.Ctx) error {
	gv, err := h.loadGroup(c)
	if err != nil {
		return err
	}
	if err := h.Groups.DeclineInvite(c.UserContext(), gv.Group.ID, currentUser(c).ID); err != nil {
		if msg, ok := membershipMessage(err); ok {
			return h.redirectWith(c, "/dashboard", "error", msg)
		}
		return err
	}
	return h.redirectWith(c, "/dashboard", "ok", "Invitation declined.")
}
