package web

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// apiSession shows a session with its seats left and the caller's RSVP:
// the token, the session, the caller's standing in it and (when this
// instance knows the session's group) the group with the caller's role
// in one round trip, the rate limit in one, the group in one more
// otherwise. A session of a group the caller may not see is not found.
func (h *handler) apiSession(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id := c.Params("id")
	if !ids.Valid(id) {
		if err := h.apiAuthorize(c); err != nil {
			return err
		}
		return notFound()
	}
	p, uid := apiReads(c)
	getSession := h.Events.QueueSessionView(ctx, p, id, uid, 0)
	getView := h.queueSessionGroupView(ctx, p, id, uid)
	if err := h.apiAuthorize(c); err != nil {
		return err
	}
	ev, st, _, err := getSession()
	if err != nil {
		return err
	}
	gv, err := getView(ev.GroupID)
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, h.apiSessionOf(ev, uid, gv.Organizer(), &st))
}

// apiRSVPInput is the body of PUT /sessions/{id}/rsvp.
type apiRSVPInput struct {
	Going *bool `json:"going"`
}

// apiRSVPResult is what an RSVP through the API did.
type apiRSVPResult struct {
	SessionID   string `json:"session_id"`
	Status      string `json:"status"`
	Position    int    `json:"position,omitempty"`
	SeatsLeft   *int   `json:"seats_left,omitempty"`
	JoinedGroup bool   `json:"joined_group"`
	Message     string `json:"message"`
}

// apiRSVP records going or not going, by the same rules and with the same
// follow-ups (the person's index, reminders, mail) as the session page:
// both go through answerRSVP.
func (h *handler) apiRSVP(c *fiber.Ctx) error {
	if err := h.apiAuthorize(c); err != nil {
		return err
	}
	var in apiRSVPInput
	if err := apiDecode(c, &in); err != nil {
		return err
	}
	if in.Going == nil {
		return badRequest("invalid-body", "going", `Say whether you are going: {"going": true} or {"going": false}.`)
	}
	ctx := c.UserContext()
	owner := apiOwner(c)
	u, err := h.Users.Get(ctx, owner.UserID)
	if errors.Is(err, auth.ErrNotFound) {
		return tokenInvalid("The token's account no longer exists.")
	}
	if err != nil {
		return err
	}
	v, err := h.eventFor(ctx, c.Params("id"), u.ID)
	if err != nil {
		return err
	}
	defer h.apiLastWrites(c)
	answer, err := h.answerRSVP(c, v, u, *in.Going, "")
	if err != nil {
		return err
	}
	if answer.Refusal != "" {
		status := http.StatusForbidden
		for _, window := range []error{events.ErrCancelled, events.ErrPast, events.ErrClosed, events.ErrNotOpen} {
			if errors.Is(answer.Cause, window) {
				status = http.StatusConflict
			}
		}
		return &apiError{Status: status, Type: "rsvp-refused", Title: "Your RSVP was not recorded", Detail: answer.Refusal}
	}
	res := answer.Result
	out := apiRSVPResult{SessionID: v.Event.ID, Status: string(res.Status), Position: res.Position, JoinedGroup: answer.Joined,
		Message: answer.Message()}
	if res.SeatsLeft >= 0 {
		seats := res.SeatsLeft
		out.SeatsLeft = &seats
	}
	return apiJSON(c, http.StatusOK, out)
}

// apiLastWrites sends the follow-ups answerRSVP left for the end of the
// request (on pages they go with the session's write) in one round trip.
// They follow writes that succeeded, so a failure is logged, not shown.
func (h *handler) apiLastWrites(c *fiber.Ctx) {
	queue, failed := lastWrites(c)
	if queue == nil {
		return
	}
	p := h.Redis.Pipeline()
	queue(p)
	_, _ = p.Exec(c.UserContext()) // failed reports each write's error
	for _, err := range failed() {
		h.Logger.Warn("a request's last write failed", "route", routePattern(c), "err", err)
	}
}
