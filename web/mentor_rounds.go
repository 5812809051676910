package web

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
)

// loadRoundsGroup is loadGroup for the rounds pages: only members and
// organizers take part in a group's rounds.
func (h *handler) loadRoundsGroup(c *fiber.Ctx) (groupView, error) {
	return h.readRoundsGroup(c, nil)
}

// readRoundsGroup is loadRoundsGroup with the page's reads of queue (see
// readGroupBySlug).
func (h *handler) readRoundsGroup(c *fiber.Ctx, queue func(p redis.Pipeliner, groupID, viewerID string)) (groupView, error) {
	gv, err := h.readGroupBySlug(c, queue)
	if err != nil {
		return gv, err
	}
	if !gv.Member() && !gv.Organizer() {
		return gv, forbidden("Join the group to take part in its mentoring rounds.")
	}
	return gv, nil
}

// roundItem is a round in the group's list.
type roundItem struct {
	ID, Status       string
	Deadline         time.Time
	Mentors, Mentees int
	MyRole           string
}

// roundStatus says where a round stands in words.
func roundStatus(r mentors.Round, now time.Time) string {
	switch r.State {
	case mentors.RoundOpen:
		if now.Before(r.Deadline) {
			return "Sign-up open"
		}
		return "Sign-up closed, waiting for matching"
	case mentors.RoundMatched:
		return "Matched, waiting to be published"
	case mentors.RoundPublishing:
		return "Being published"
	case mentors.RoundPublished:
		return "Published"
	}
	return string(r.State)
}

// myRole is the role userID signed up for in r, or "".
func myRole(r mentors.Round, userID string) string {
	if _, ok := r.Mentors[userID]; ok {
		return "mentor"
	}
	for _, m := range r.Mentees {
		if m == userID {
			return "mentee"
		}
	}
	return ""
}

// roundsPage lists a group's mentoring rounds; organizers open new ones.
func (h *handler) roundsPage(c *fiber.Ctx) error {
	var getIDs func() ([]string, error)
	gv, err := h.readRoundsGroup(c, func(p redis.Pipeliner, gid, _ string) {
		getIDs = h.Mentors.QueueGroupRounds(c.UserContext(), p, gid)
	})
	if err != nil {
		return err
	}
	roundIDs, err := getIDs()
	if err != nil {
		return err
	}
	return h.renderRounds(c, gv, roundIDs, roundForm{Exclude: true}, nil)
}

// roundForm is the open-a-round form as typed.
type roundForm struct {
	Deadline string
	Exclude  bool
}

// renderRounds shows the group's rounds, roundIDs (newest first), all
// read in one round trip, with the form to open one.
func (h *handler) renderRounds(c *fiber.Ctx, gv groupView, roundIDs []string, f roundForm, fields valid.Errors) error {
	ctx := c.UserContext()
	u := currentUser(c)
	p := h.Redis.Pipeline()
	reads := make([]func() (mentors.Round, error), len(roundIDs))
	for i, id := range roundIDs {
		reads[i] = h.Mentors.QueueRound(ctx, p, id)
	}
	_, _ = p.Exec(ctx) // each read reports its own commands' errors
	now := time.Now()
	var items []roundItem
	for _, read := range reads {
		r, err := read()
		if errors.Is(err, mentors.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		items = append(items, roundItem{ID: r.ID, Status: roundStatus(r, now), Deadline: r.Deadline,
			Mentors: len(r.Mentors), Mentees: len(r.Mentees), MyRole: myRole(r, u.ID)})
	}
	loc := zoneOr(c, gv.Group.TimeZone)
	data := h.view(c, "Mentoring rounds in "+gv.Group.Name)
	data["Loc"] = loc
	data["G"] = gv
	data["Group"] = gv.Group
	data["Rounds"] = items
	data["Form"] = f
	data["Fields"] = formErrors(fields)
	data["ZoneLabel"] = zoneLabel(now, loc)
	data["MinDeadline"] = now.In(loc).Add(time.Hour).Format(wallLayout)
	return renderForm(c, "mentors/rounds", data, len(fields) > 0)
}

// roundOpen lets an organizer open a round with a sign-up deadline, typed
// in the zone the form names: the organizer's own, else that of the
// group's sessions.
func (h *handler) roundOpen(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	f := roundForm{Deadline: c.FormValue("deadline"), Exclude: c.FormValue("exclude_previous") == "on"}
	refuse := func(fields valid.Errors) error {
		roundIDs, err := h.Mentors.GroupRounds(c.UserContext(), gv.Group.ID)
		if err != nil {
			return err
		}
		return h.renderRounds(c, gv, roundIDs, f, fields)
	}
	loc := zoneOr(c, gv.Group.TimeZone)
	deadline, perr := time.ParseInLocation(wallLayout, strings.TrimSpace(f.Deadline), loc)
	if perr != nil {
		return refuse(valid.Errors{"deadline": "Enter the date and time sign-up closes."})
	}
	r, err := h.Mentors.OpenRound(c.UserContext(), mentors.Actor{UserID: u.ID, Organizer: gv.Organizer()}, gv.Group.ID, deadline, f.Exclude)
	var ve valid.Errors
	if errors.As(err, &ve) {
		return refuse(ve)
	}
	if err != nil {
		return err
	}
	n, err := h.Notify.RoundOpened(c.UserContext(), gv.Group, r.ID, u.ID, r.Deadline, loc.String())
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug+"/rounds/"+r.ID, "ok", fmt.Sprintf("The round is open. We emailed %s; they sign up on this page until the deadline.", plural(n, "member")))
}
