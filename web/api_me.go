package web

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/events"
)

// apiMySessions lists the upcoming sessions the caller is going to,
// waitlisted for or awaiting approval for, soonest first.
func (h *handler) apiMySessions(c *fiber.Ctx) error {
	return h.apiOwnList(c, "me-sessions", h.Events.Now(), func(us events.UserSession, st *events.Standing, uid string) any {
		return h.apiSessionOf(us.Event, uid, false, st)
	})
}

// apiRSVPItem is one of the caller's RSVPs.
type apiRSVPItem struct {
	SessionID string    `json:"session_id"`
	Title     string    `json:"title"`
	Start     time.Time `json:"start"`
	Status    string    `json:"status"`
	Position  int       `json:"position,omitempty"`
	URL       string    `json:"url"`
}

// apiMyRSVPs lists the caller's RSVPs (going, waitlisted, awaiting
// approval), past ones included, in start order.
func (h *handler) apiMyRSVPs(c *fiber.Ctx) error {
	return h.apiOwnList(c, "me-rsvps", time.Unix(0, 0), func(us events.UserSession, st *events.Standing, _ string) any {
		item := apiRSVPItem{SessionID: us.Event.ID, Title: us.Event.Title, Start: us.Event.Start, Status: string(us.Status),
			URL: h.BaseURL + sessionPath(us.Event.ID)}
		if st != nil {
			item.Position = st.Position
		}
		return item
	})
}

// apiOwnList answers one page of the caller's own sessions starting from
// from, each shown by show, in three round trips: the token and the
// index, the rate limit, then the sessions with the caller's standings.
// The cursor holds the start of the last session shown and how many
// sessions at that start were shown, so pages neither skip nor repeat.
func (h *handler) apiOwnList(c *fiber.Ctx, list string, from time.Time, show func(events.UserSession, *events.Standing, string) any) error {
	ctx := c.UserContext()
	limit, err := readLimit(c)
	if err != nil {
		return err
	}
	cur, err := readCursor(c, list)
	if err != nil {
		return err
	}
	if cur.At > 0 {
		from = time.Unix(cur.At, 0)
	}
	p, uid := apiReads(c)
	// One more than the page says whether there is a next one.
	index := h.Events.QueueUserSessions(ctx, p, uid, from, time.Time{}, cur.Seen+limit+1)
	if err := h.apiAuthorize(c); err != nil {
		return err
	}
	p = h.Redis.Pipeline()
	read, err := index.QueueEvents(ctx, p)
	if err != nil {
		return err
	}
	if err := runReads(ctx, p); err != nil {
		return err
	}
	mine, standings, err := read()
	if err != nil {
		return err
	}
	skip := 0
	for skip < cur.Seen && skip < len(mine) && mine[skip].Event.Start.Unix() == cur.At {
		skip++
	}
	mine = mine[skip:]
	out := apiList[any]{Items: []any{}}
	for i, us := range mine {
		if i == limit {
			last := mine[i-1].Event.Start.Unix()
			next := apiCursor{List: list, At: last}
			for _, shown := range mine[:i] {
				if shown.Event.Start.Unix() == last {
					next.Seen++
				}
			}
			if last == cur.At {
				next.Seen += skip
			}
			out.NextCursor = next.String()
			break
		}
		out.Items = append(out.Items, show(us, standingOf(standings, us.Event.ID), uid))
	}
	return apiJSON(c, http.StatusOK, out)
}
