package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/outage"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
)

// pageError is an error the visitor should see as it is: a status, a
// heading and a sentence that says what went wrong and what to do.
type pageError struct {
	Status  int
	Title   string
	Message string
	// Action is an optional link (label and URL) offered on the page.
	ActionLabel, ActionURL string
}

func (e *pageError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Title, e.Message) }

func httpError(status int, title, msg string) *pageError {
	return &pageError{Status: status, Title: title, Message: msg}
}

func notFound() *pageError {
	return httpError(http.StatusNotFound, "Not found", "There is nothing at this address. It may have been removed, or the link may be mistyped.")
}

// retryAfter is what a 503 asks clients to wait, in seconds.
const retryAfter = "5"

// unavailable is the answer while Redis is down or too slow: nothing was
// lost, come back in a moment.
func unavailable() *pageError {
	return &pageError{Status: http.StatusServiceUnavailable, Title: "We are briefly unavailable",
		Message: "We cannot reach our data store just now. Nothing you did was lost. Please try again in a moment."}
}

// handleError is the one place errors become responses. Expected errors
// become a page (or JSON) with a 4xx status; Redis being away becomes a
// 503 with Retry-After; anything else is logged and shown as a plain 500
// page without details.
func (h *handler) handleError(c *fiber.Ctx, err error) error {
	pe := h.classify(err)
	switch {
	case pe.Status == http.StatusBadGateway:
		// A provider failed: operators need to see it, without the query.
		h.Logger.Warn("sign-in provider failed", "route", routePattern(c), "err", err)
	case pe.Status == http.StatusServiceUnavailable:
		h.Logger.Warn("redis unavailable", "method", c.Method(), "route", routePattern(c), "err", err)
	case pe.Status >= 500:
		h.Logger.Error("request failed", "method", c.Method(), "route", routePattern(c), "err", err)
	}
	if pe.Status == http.StatusServiceUnavailable {
		// Whatever the request set on its way (a new session, an expired
		// CSRF cookie) rests on a store that failed: keep the old cookies.
		c.Response().Header.DelAllCookies()
		c.Set(fiber.HeaderRetryAfter, retryAfter)
		// The home page needs the same store: offer the page itself again.
		if again := safeNext(c.OriginalURL()); again != "" && c.Method() == fiber.MethodGet {
			pe.ActionLabel, pe.ActionURL = "Try again", again
		}
	}
	if isAPI(c) {
		return writeProblem(c, err, pe)
	}
	c.Status(pe.Status)
	if wantsJSON(c) {
		body := fiber.Map{"error": pe.Message, "status": pe.Status}
		var fields valid.Errors
		if errors.As(err, &fields) {
			body["fields"] = fields
		}
		return c.JSON(body)
	}
	data := h.view(c, pe.Title)
	data["Error"] = pe
	var fields valid.Errors
	if errors.As(err, &fields) {
		data["Fields"] = fields
	}
	if rerr := c.Render("error", data); rerr != nil {
		h.Logger.Error("render error page", "err", rerr)
		return c.SendString(pe.Title + ": " + pe.Message)
	}
	return nil
}

func (h *handler) classify(err error) *pageError {
	var pe *pageError
	var fe *fiber.Error
	var fields valid.Errors
	var perr *auth.ProviderError
	var ae *apiError
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &ae):
		return httpError(ae.Status, ae.Title, ae.Detail)
	case errors.As(err, &fields):
		return httpError(http.StatusUnprocessableEntity, "Please check your input", "Some of what you entered could not be used.")
	case errors.As(err, &perr):
		return &pageError{Status: http.StatusBadGateway, Title: "Sign-in did not finish",
			Message:     perr.Provider + " did not answer as expected. Nothing was changed; please try again in a moment.",
			ActionLabel: "Back to sign-in", ActionURL: "/signin"}
	case outage.Is(err):
		return unavailable()
	case errors.As(err, &fe):
		return fiberError(fe)
	case isNotFound(err):
		return notFound()
	case isForbidden(err):
		return forbidden("You are not allowed to do that here.")
	case errors.Is(err, groups.ErrConflict) || errors.Is(err, events.ErrConflict):
		return httpError(http.StatusConflict, "Changed meanwhile", "Someone else changed this at the same moment. Go back, reload the page and try again.")
	}
	return httpError(http.StatusInternalServerError, "Something went wrong", "We could not finish that request. It has been logged; please try again.")
}

func fiberError(fe *fiber.Error) *pageError {
	switch fe.Code {
	case http.StatusNotFound:
		return notFound()
	case http.StatusRequestEntityTooLarge:
		return httpError(fe.Code, "Too much data", "That form sent more data than we accept. Shorten the text and try again.")
	case http.StatusMethodNotAllowed:
		return httpError(fe.Code, "Not allowed", "This address does not accept that kind of request.")
	}
	if fe.Code >= 500 {
		return httpError(fe.Code, "Something went wrong", "We could not finish that request. Please try again.")
	}
	return httpError(fe.Code, http.StatusText(fe.Code), fe.Message)
}

// isNotFound reports whether a domain package said the thing does not exist.
func isNotFound(err error) bool {
	return errors.Is(err, auth.ErrNotFound) || errors.Is(err, groups.ErrNotFound) || errors.Is(err, events.ErrNotFound) || errors.Is(err, mentors.ErrNotFound)
}

func wantsJSON(c *fiber.Ctx) bool {
	return c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON
}

func routePattern(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" {
		return r.Path
	}
	return "unmatched"
}
