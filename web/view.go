package web

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// view builds the data every page needs: who is signed in, the CSRF token,
// flash messages, the dev banner and the page title. Handlers add their own
// fields to the map it returns.
func (h *handler) view(c *fiber.Ctx, title string) fiber.Map {
	u := currentUser(c)
	h.takeFlash(c)
	// Only a stored session has forms to post (development sign-in keeps
	// one for the visitor); anonymous page views carry no token.
	token := ""
	if sess := currentSession(c); sess != nil && sess.Kept() {
		token = h.Sessions.CSRFToken(sess)
	}
	data := fiber.Map{
		"Title":     title,
		"User":      u,
		"CSRF":      token,
		"Dev":       h.Dev,
		"Path":      navPath(c),
		"Providers": h.Providers.List(),
		"Loc":       viewerZone(c),
		"Once":      ids.New(),
	}
	if f, ok := c.Locals(flashContextKey).(flash); ok {
		data["Flash"] = f
	}
	return data
}

func currentUser(c *fiber.Ctx) *auth.User {
	resolveSession(c)
	u, _ := c.Locals(userContextKey).(*auth.User)
	return u
}

func loadZones() []string {
	raw, err := assets.ReadFile("zones.txt")
	if err != nil {
		panic("web: zones.txt missing from the binary: " + err.Error())
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if z := strings.TrimSpace(sc.Text()); z != "" {
			out = append(out, z)
		}
	}
	return out
}

// renderForm renders a page with a form: 422 when the form came back with
// mistakes (shown next to their fields), 200 otherwise.
func renderForm(c *fiber.Ctx, view string, data fiber.Map, invalid bool) error {
	status := fiber.StatusOK
	if invalid {
		status = fiber.StatusUnprocessableEntity
	}
	return c.Status(status).Render(view, data)
}

// navPath is the address the menu marks as the current page: the page's
// own on a GET. A form that comes back from a POST is at its action's
// address, which may be another page's (the new-group form posts to
// Discover's /groups), so it marks none unless its handler names its
// page.
func navPath(c *fiber.Ctx) string {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return ""
	}
	return c.Path()
}
