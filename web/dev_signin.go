package web

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/valid"
)

var nonASCII = regexp.MustCompile(`[^a-z0-9-]+`)

// devSigninPage shows the development sign-in form (development mode only).
func (h *handler) devSigninPage(c *fiber.Ctx) error {
	if sess := currentSession(c); !sess.Kept() {
		// The form posts back a CSRF token, which needs a stored session:
		// one for the minutes a sign-in takes.
		sess.Keep()
		sess.Expire(signInWindow)
	}
	data := h.view(c, "Development sign-in")
	data["Next"] = safeNext(c.Query("next"))
	return c.Render("dev_signin", data)
}

// devSignin signs in as the person named in the form, creating them the
// first time. The address given is treated as verified, so company-only
// groups can be tried locally.
func (h *handler) devSignin(c *fiber.Ctx) error {
	name := strings.TrimSpace(c.FormValue("name"))
	email := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	next := safeNext(c.FormValue("next"))
	errs := valid.Errors{}
	subject := auth.DevSubject(name)
	switch {
	case name == "":
		errs.Add("name", "Type the name you want to use.")
	case len([]rune(name)) > auth.MaxNameLength:
		errs.Add("name", "Names can be at most 80 characters.")
	case subject == "":
		errs.Add("name", "Use at least one letter or digit.")
	}
	errs.Add("name", valid.Line("The name", name))
	if email == "" {
		email = strings.Trim(nonASCII.ReplaceAllString(subject, "-"), "-") + "@dev.focusgroups.test"
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		errs.Add("email", "That does not look like an email address.")
	}
	if len(errs) > 0 {
		data := h.view(c, "Development sign-in")
		data["Fields"] = errs
		data["Form"] = fiber.Map{"name": name, "email": c.FormValue("email")}
		data["Next"] = next
		return c.Status(fiber.StatusUnprocessableEntity).Render("dev_signin", data)
	}
	u, created, err := h.Users.SignIn(c.UserContext(), auth.Profile{
		Provider: "dev", Subject: subject, Login: subject, Name: name,
		Emails:   []auth.Email{{Address: email, Verified: true}},
		TimeZone: browserZoneName(c),
	})
	if err != nil {
		return err
	}
	return h.finishSignIn(c, u, created, next)
}
