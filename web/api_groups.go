package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// apiGroups lists public groups with discovery's search and filters, in
// three round trips: the token and the index search, the token's rate
// limit, then the groups found. It always searches (QueueSearchNow): a
// remembered answer the index had moved past would take a fourth.
func (h *handler) apiGroups(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q, err := apiGroupQuery(c)
	if err != nil {
		return err
	}
	p, _ := apiReads(c)
	search := h.Groups.QueueSearchNow(ctx, p, q)
	if err := h.apiAuthorize(c); err != nil {
		return err
	}
	gids, total, err := search()
	if err != nil {
		return err
	}
	gs, err := h.Groups.Visible(ctx, gids)
	if err != nil {
		return err
	}
	out := apiList[apiGroupObj]{Items: make([]apiGroupObj, len(gs))}
	for i, g := range gs {
		out.Items[i] = h.apiGroupOf(g, groups.RoleNone)
	}
	if q.Page*q.PerPage < total {
		out.NextCursor = apiCursor{List: "groups", Page: q.Page + 1, Per: q.PerPage}.String()
	}
	return apiJSON(c, http.StatusOK, out)
}

// apiGroupQuery reads the search of GET /groups from the query string;
// a cursor carries the page and its size.
func apiGroupQuery(c *fiber.Ctx) (groups.Query, error) {
	q := groups.Query{Words: c.Query("q"), Topic: c.Query("topic"), City: c.Query("city"), Page: 1}
	for name, v := range map[string]string{"q": q.Words, "topic": q.Topic, "city": q.City} {
		if msg := validLine(name, v); msg != "" {
			return q, badRequest("invalid-parameter", name, msg)
		}
	}
	switch online := c.Query("online"); online {
	case "", "false":
	case "true":
		q.Online = true
	default:
		return q, badRequest("invalid-parameter", "online", "online must be true or false.")
	}
	switch sort := groups.Sort(c.Query("sort")); sort {
	case "", groups.SortNewest, groups.SortSoonest, groups.SortMembers:
		q.Sort = sort
	default:
		return q, badRequest("invalid-parameter", "sort", "sort must be newest, soonest or members.")
	}
	limit, err := readLimit(c)
	if err != nil {
		return q, err
	}
	q.PerPage = limit
	cur, err := readCursor(c, "groups")
	if err != nil {
		return q, err
	}
	if cur.Page > 0 {
		if cur.Page < 2 || cur.Per < 1 || cur.Per > apiMaxLimit {
			return q, badRequest("invalid-cursor", "cursor", "The cursor is not one this list gave out. Start again without it.")
		}
		q.Page, q.PerPage = cur.Page, cur.Per
	}
	return q, nil
}

// validLine checks a one-line query parameter.
func validLine(name, v string) string {
	if len(v) > 200 {
		return name + " may be at most 200 characters."
	}
	return valid.Line(name, v)
}

// apiGroupDetail is a group with its upcoming sessions.
type apiGroupDetail struct {
	apiGroupObj
	Sessions []apiSessionObj `json:"upcoming_sessions"`
}

// apiUpcoming is how many upcoming sessions a group's answer lists.
const apiUpcoming = 20

// apiGroup shows a group the caller may see, with its next sessions:
// the token, the group, the caller's standing and the session index in
// one round trip, the rate limit in one, the sessions in one. A private
// group of which the caller is not a member is not found, as on pages.
func (h *handler) apiGroup(c *fiber.Ctx) error {
	ctx := c.UserContext()
	slug := c.Params("slug")
	p, uid := apiReads(c)
	var gv groupView
	var lists *events.SessionLists
	// The slug's group ID may come from memory; a slug released and
	// taken by another group is read again from Redis, once.
	for _, fresh := range []bool{false, true} {
		id, err := h.Groups.SlugID(ctx, slug, fresh)
		if err != nil {
			if aerr := h.apiAuthorize(c); aerr != nil {
				return aerr
			}
			return err
		}
		read := h.queueGroupRead(ctx, p, id, uid)
		lists = h.Events.QueueGroupSessions(ctx, p, id, apiUpcoming, 0)
		if err := h.apiAuthorize(c); err != nil {
			return err
		}
		if fresh {
			if err := runReads(ctx, p); err != nil {
				return err
			}
		}
		gv, err = read()
		if err == nil && gv.Group.Slug == slug {
			break
		}
		if err != nil && !errors.Is(err, groups.ErrNotFound) {
			return err
		}
		if fresh {
			return fmt.Errorf("web: api group %s: %w", slug, groups.ErrNotFound)
		}
		p = h.Redis.Pipeline()
	}
	gv, err := gv.visible()
	if err != nil {
		return err
	}
	p = h.Redis.Pipeline()
	readEvents, err := lists.QueueEvents(ctx, p, uid)
	if err != nil {
		return err
	}
	if err := runReads(ctx, p); err != nil {
		return err
	}
	upcoming, _, standings, err := readEvents()
	if err != nil {
		return err
	}
	out := apiGroupDetail{apiGroupObj: h.apiGroupOf(gv.Group, gv.Standing.Role), Sessions: make([]apiSessionObj, len(upcoming))}
	for i, ev := range upcoming {
		out.Sessions[i] = h.apiSessionOf(ev, uid, gv.Organizer(), standingOf(standings, ev.ID))
	}
	return apiJSON(c, http.StatusOK, out)
}

// standingOf is the standing in st for session id, nil when it has none.
func standingOf(st map[string]events.Standing, id string) *events.Standing {
	if s, ok := st[id]; ok {
		return &s
	}
	return nil
}
