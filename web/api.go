package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
)

// apiPrefix is where the JSON API lives.
const apiPrefix = "/api/v1"

// apiMaxBody bounds the JSON body of an API request; larger gets 413.
const apiMaxBody = 16 << 10

// apiRoutes mounts the JSON API. It is mounted before the session
// middleware: the API never reads the session cookie, so a cookie
// authorises nothing here (only a Bearer token does) and no CSRF check is
// needed: a forged cross-site request carries the cookie but cannot add
// an Authorization header without a CORS preflight, which the API never
// grants.
func (h *handler) apiRoutes(app *fiber.App) {
	app.Get(apiPrefix+"/openapi.json", h.apiOpenAPI)
	read, rsvp := h.apiToken(auth.ScopeRead), h.apiToken(auth.ScopeRSVP)
	app.Get(apiPrefix+"/groups", read, h.apiGroups)
	app.Get(apiPrefix+"/groups/:slug", read, h.apiGroup)
	app.Get(apiPrefix+"/sessions/:id", read, h.apiSession)
	app.Put(apiPrefix+"/sessions/:id/rsvp", rsvp, h.apiRSVP)
	app.Get(apiPrefix+"/me/sessions", read, h.apiMySessions)
	app.Get(apiPrefix+"/me/rsvps", read, h.apiMyRSVPs)
	// Nothing else under /api reaches the pages' session middleware.
	app.All("/api/*", func(c *fiber.Ctx) error { return notFound() })
}

// isAPI reports whether the request is for the JSON API, whose errors
// are problem documents.
func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// apiCall is an API request's token check: queued on the pipeline of
// the request's first reads (apiReads), run with them, and resolved once.
type apiCall struct {
	p       redis.Pipeliner
	claimed string // the user the token names, unchecked
	resolve func() (auth.TokenOwner, error)
	need    auth.Scope
	done    bool
	owner   auth.TokenOwner
	err     error
}

const apiContextKey = contextKey("api")

// apiToken guards an API route: a Bearer token of a scope that allows
// need. The token check waits on a pipeline that the handler adds its
// first reads to, so checking costs no round trip of its own; whatever
// the handler did, a request whose token fails gets the token's error
// and nothing the handler made.
func (h *handler) apiToken(need auth.Scope) fiber.Handler {
	return func(c *fiber.Ctx) error {
		text, err := bearer(c)
		if err != nil {
			return err
		}
		p := h.Redis.Pipeline()
		claimed, resolve := h.Tokens.QueueCheck(c.UserContext(), p, text)
		call := &apiCall{p: p, claimed: claimed, resolve: resolve, need: need}
		c.Locals(apiContextKey, call)
		err = c.Next()
		if aerr := h.apiAuthorize(c); aerr != nil {
			c.Response().ResetBody()
			c.Response().Header.Del(fiber.HeaderETag)
			return aerr
		}
		return err
	}
}

// bearer returns the token of the Authorization header.
func bearer(c *fiber.Ctx) (string, error) {
	v := c.Get(fiber.HeaderAuthorization)
	if v == "" {
		return "", &apiError{Status: http.StatusUnauthorized, Type: "token-missing", Title: "A token is needed",
			Detail: "Send a personal access token as 'Authorization: Bearer fg_…'. Make one on your profile page. Cookies do not work here."}
	}
	scheme, text, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(text) == "" {
		return "", tokenInvalid("The Authorization header must be 'Bearer' followed by a token.")
	}
	return strings.TrimSpace(text), nil
}

func tokenInvalid(detail string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Type: "token-invalid", Title: "This token does not work", Detail: detail}
}

// apiReads returns the pipeline the handler queues its first reads on,
// with the token check, and the user to read them for (the one the token
// names; apiAuthorize checks it once the pipeline has run).
func apiReads(c *fiber.Ctx) (redis.Pipeliner, string) {
	call := c.Locals(apiContextKey).(*apiCall)
	return call.p, call.claimed
}

// apiAuthorize runs the token check (if the handler's reads have not),
// then checks the scope and counts the request against the token's rate
// limit. Handlers call it before they use what they read or change
// anything; it returns the same answer every time it is called.
func (h *handler) apiAuthorize(c *fiber.Ctx) error {
	call := c.Locals(apiContextKey).(*apiCall)
	if call.done {
		return call.err
	}
	call.done = true
	_, _ = call.p.Exec(c.UserContext()) // resolve reports the check's error; the handler's reads report theirs
	call.owner, call.err = call.resolve()
	switch {
	case errors.Is(call.err, auth.ErrTokenInvalid):
		call.err = tokenInvalid("The token is malformed, unknown or revoked. Make a new one on your profile page.")
	case errors.Is(call.err, auth.ErrTokenExpired):
		call.err = &apiError{Status: http.StatusUnauthorized, Type: "token-expired", Title: "This token has expired",
			Detail: "Make a new one on your profile page."}
	case call.err != nil:
	case !call.owner.Scope.Allows(call.need):
		call.err = &apiError{Status: http.StatusForbidden, Type: "insufficient-scope", Title: "This token may not do that",
			Detail: "This needs a token with the '" + string(call.need) + "' scope; this one has '" + string(call.owner.Scope) + "'."}
	default:
		wait, err := h.limits.Allow(c.UserContext(), "api", call.owner.TokenID, h.APIRateLimit)
		switch {
		case err != nil:
			call.err = err
		case wait > 0:
			call.err = tooMany(c, wait, "This token made too many requests. Wait a moment and try again.")
		}
	}
	return call.err
}

// apiOwner is whom the request's token acts for (after apiAuthorize).
func apiOwner(c *fiber.Ctx) auth.TokenOwner {
	return c.Locals(apiContextKey).(*apiCall).owner
}

// apiError is an API failure as an RFC 9457 problem document.
type apiError struct {
	Status int
	Type   string // the problem's name; "" for a plain HTTP status
	Title  string
	Detail string
	Fields []fieldProblem
}

// fieldProblem says what was wrong with one field of a request.
type fieldProblem struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Title, e.Detail) }

// badRequest is a 400 about one field (a query parameter or a body field).
func badRequest(kind, field, detail string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: kind, Title: "Your request has a mistake", Detail: detail,
		Fields: []fieldProblem{{Field: field, Detail: detail}}}
}

// problemTypeBase prefixes the problem names into URIs (RFC 9457 type).
const problemTypeBase = "urn:focusgroups:problem:"

// writeProblem answers an API request with err as a problem document;
// pe is how handleError classified it.
func writeProblem(c *fiber.Ctx, err error, pe *pageError) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{Status: pe.Status, Title: pe.Title, Detail: pe.Message}
	}
	typ := "about:blank"
	if ae.Type != "" {
		typ = problemTypeBase + ae.Type
	}
	switch {
	case ae.Status == http.StatusUnauthorized && ae.Type == "token-missing":
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="focusgroups"`)
	case ae.Status == http.StatusUnauthorized:
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="focusgroups", error="invalid_token"`)
	case ae.Type == "insufficient-scope":
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="focusgroups", error="insufficient_scope"`)
	}
	body := map[string]any{"type": typ, "title": ae.Title, "status": ae.Status, "detail": ae.Detail}
	if len(ae.Fields) > 0 {
		body["errors"] = ae.Fields
	}
	raw, merr := json.Marshal(body)
	if merr != nil {
		return merr
	}
	c.Status(ae.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(raw)
}

// apiJSON answers with v as JSON. Reads carry an ETag (a hash of the
// body) and answer a matching If-None-Match with 304 and no body.
func apiJSON(c *fiber.Ctx, status int, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("web: api response: %w", err)
	}
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderVary, fiber.HeaderAuthorization)
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		sum := sha256.Sum256(raw)
		tag := `"` + hex.EncodeToString(sum[:16]) + `"`
		c.Set(fiber.HeaderETag, tag)
		if etagMatches(c.Get(fiber.HeaderIfNoneMatch), tag) {
			return c.SendStatus(http.StatusNotModified)
		}
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(status).Send(raw)
}

// etagMatches compares If-None-Match with tag the weak way (RFC 9110
// 13.1.2): W/ is ignored, "*" matches anything.
func etagMatches(header, tag string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == "*" || part == tag {
			return true
		}
	}
	return false
}

// apiDecode reads a JSON body into v: application/json only, at most
// apiMaxBody bytes, one value, and no field v does not know.
func apiDecode(c *fiber.Ctx, v any) error {
	if ct := strings.ToLower(c.Get(fiber.HeaderContentType)); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return &apiError{Status: http.StatusUnsupportedMediaType, Type: "unsupported-media-type", Title: "Send JSON",
			Detail: "The body must be JSON, with 'Content-Type: application/json'."}
	}
	body := c.Body()
	if len(body) > apiMaxBody {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "body-too-large", Title: "The body is too large",
			Detail: "Request bodies may be at most " + strconv.Itoa(apiMaxBody/1024) + " KiB."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		return badRequest("invalid-body", "", "The body must hold one JSON object and nothing after it.")
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typ):
		return badRequest("invalid-body", typ.Field, "The field '"+typ.Field+"' must be a JSON "+typ.Type.Kind().String()+", not "+typ.Value+".")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest("invalid-body", name, "The field '"+name+"' is not one this endpoint knows.")
	case errors.As(err, &syntax), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("invalid-body", "", "The body is not valid JSON.")
	}
	return badRequest("invalid-body", "", "The body could not be read as JSON: "+err.Error())
}

// apiCursor is the position a list's next page starts from. It reaches
// clients as opaque text (base64url JSON) and is checked when it returns.
type apiCursor struct {
	List string `json:"l"`           // which list it belongs to
	Page int    `json:"p,omitempty"` // groups: the next page, from 2
	Per  int    `json:"n,omitempty"` // groups: the page size
	At   int64  `json:"t,omitempty"` // own lists: the last start shown (unix s)
	Seen int    `json:"s,omitempty"` // own lists: items at At already shown
}

func (cur apiCursor) String() string {
	raw, _ := json.Marshal(cur) // a struct of strings and numbers marshals
	return base64.RawURLEncoding.EncodeToString(raw)
}

// readCursor decodes the cursor query parameter for list (the zero
// cursor when there is none); anything else is a 400.
func readCursor(c *fiber.Ctx, list string) (apiCursor, error) {
	text := c.Query("cursor")
	if text == "" {
		return apiCursor{List: list}, nil
	}
	bad := badRequest("invalid-cursor", "cursor", "The cursor is not one this list gave out. Start again without it.")
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(raw) > 200 {
		return apiCursor{}, bad
	}
	var cur apiCursor
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if dec.Decode(&cur) != nil || cur.List != list || cur.Page < 0 || cur.Per < 0 || cur.Seen < 0 || cur.At < 0 {
		return apiCursor{}, bad
	}
	return cur, nil
}

// Page sizes of API lists.
const (
	apiDefaultLimit = 20
	apiMaxLimit     = 50
)

// readLimit reads the limit query parameter (page size).
func readLimit(c *fiber.Ctx) (int, error) {
	text := c.Query("limit")
	if text == "" {
		return apiDefaultLimit, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > apiMaxLimit {
		return 0, badRequest("invalid-parameter", "limit", "The limit must be a whole number from 1 to "+strconv.Itoa(apiMaxLimit)+".")
	}
	return n, nil
}

// apiList is one page of a list, with the cursor of the next page
// (empty on the last page).
type apiList[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// apiRateLimit is the default limit per token: steady scripts, not floods.
var apiRateLimit = ratelimit.PerMinute(120)
