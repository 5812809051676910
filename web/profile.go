package web

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// profilePage shows the signed-in user's profile and settings.
func (h *handler) profilePage(c *fiber.Ctx) error {
	if err := h.readTokens(c); err != nil {
		return err
	}
	if currentUser(c) == nil {
		return h.requireUser(c)
	}
	return h.renderProfile(c, nil, nil)
}

func (h *handler) renderProfile(c *fiber.Ctx, fields valid.Errors, form *auth.ProfileUpdate) error {
	u := currentUser(c)
	data := h.view(c, "Your profile")
	data["Path"] = "/profile" // the page's own, whichever of its forms was posted (see navPath)
	data["Fields"] = fields
	if form == nil {
		form = &auth.ProfileUpdate{Name: u.Name, TimeZone: u.TimeZone, Mail: u.Mail, HideFromAttendees: u.HideFromAttendees}
	}
	data["Zones"] = h.zoneChoices(form.TimeZone)
	data["Form"] = form
	data["ReminderHours"] = reminderHoursText(form.Mail.ReminderHours)
	if c.Method() == fiber.MethodPost && c.Path() == "/profile" {
		// The settings form came back: show what was typed, mistakes
		// included. Another form of the page leaves the stored hours.
		data["ReminderHours"] = c.FormValue("reminder_hours")
	}
	type linkRow struct {
		Name, Label, Login string
		Linked, CanUnlink  bool
	}
	var rows []linkRow
	seen := map[string]bool{}
	for _, p := range h.Providers.List() {
		id, ok := u.Identity(p.Name)
		rows = append(rows, linkRow{Name: p.Name, Label: p.Label, Login: id.Login, Linked: ok, CanUnlink: ok && len(u.Identities) > 1})
		seen[p.Name] = true
	}
	for _, id := range u.Identities {
		if !seen[id.Provider] {
			rows = append(rows, linkRow{Name: id.Provider, Label: providerLabel(id.Provider), Login: id.Login, Linked: true, CanUnlink: len(u.Identities) > 1})
		}
	}
	data["Accounts"] = rows
	data["NewEmail"], _ = c.Locals(newEmailContextKey).(string)
	data["Page"], data["PageFocus"] = pageFormOf(c, u), formErrors(fields).First("handle", "bio", "website")
	mine, err := h.Groups.UserGroups(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	type groupPref struct {
		ID, Name string
		Muted    bool
	}
	prefs := make([]groupPref, len(mine))
	for i, m := range mine {
		prefs[i] = groupPref{ID: m.Group.ID, Name: m.Group.Name, Muted: slices.Contains(form.Mail.MutedGroups, m.Group.ID)}
	}
	data["GroupPrefs"] = prefs
	if err := h.tokensView(c, data); err != nil {
		return err
	}
	return renderForm(c, "profile", data, len(fields) > 0)
}

// newEmailContextKey carries the address typed into the add-address form
// back to the page when it had a mistake.
const newEmailContextKey = contextKey("new_email")

func providerLabel(name string) string {
	if name == "dev" {
		return "Development sign-in"
	}
	return name
}

func reminderHoursText(hours []int) string {
	if len(hours) == 0 {
		hours = auth.DefaultReminderHours
	}
	parts := make([]string, len(hours))
	for i, h := range hours {
		parts[i] = strconv.Itoa(h)
	}
	return strings.Join(parts, ", ")
}

// profileSave stores the name, time zone and mail preferences.
func (h *handler) profileSave(c *fiber.Ctx) error {
	u := currentUser(c)
	in := auth.ProfileUpdate{
		Name:     c.FormValue("name"),
		TimeZone: c.FormValue("tz"),
		Mail: auth.MailPrefs{
			Off:         c.FormValue("mail_off") == "on",
			NoInvites:   c.FormValue("no_invites") == "on",
			NoReminders: c.FormValue("no_reminders") == "on",
		},
		HideFromAttendees: c.FormValue("hide_from_attendees") == "on",
	}
	muted, err := h.mutedGroups(c, u)
	if err != nil {
		return err
	}
	in.Mail.MutedGroups = muted
	fields := valid.Errors{}
	for _, part := range strings.FieldsFunc(c.FormValue("reminder_hours"), func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(part)
		if err != nil {
			fields.Add("reminder_hours", "List hours as numbers, such as 24, 1.")
			continue
		}
		in.Mail.ReminderHours = append(in.Mail.ReminderHours, n)
	}
	if len(fields) > 0 {
		return h.renderProfile(c, fields, &in)
	}
	_, err = h.Users.UpdateProfile(c.UserContext(), u.ID, in)
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderProfile(c, ve, &in)
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/profile", "ok", "Your profile is saved.")
}

// mutedGroups reads the per-group announcement boxes of the profile form:
// a group of the user's whose box is not ticked is muted. Groups the user
// muted and has since left stay muted.
func (h *handler) mutedGroups(c *fiber.Ctx, u *auth.User) ([]string, error) {
	mine, err := h.Groups.UserGroups(c.UserContext(), u.ID)
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, id := range c.Context().PostArgs().PeekMulti("announce_group") {
		wanted[string(id)] = true
	}
	member := map[string]bool{}
	var muted []string
	for _, m := range mine {
		member[m.Group.ID] = true
		if !wanted[m.Group.ID] {
			muted = append(muted, m.Group.ID)
		}
	}
	for _, id := range u.Mail.MutedGroups {
		if !member[id] {
			muted = append(muted, id)
		}
	}
	return muted, nil
}

// profileUnlink removes a linked sign-in method while another remains.
func (h *handler) profileUnlink(c *fiber.Ctx) error {
	u := currentUser(c)
	provider := c.Params("provider")
	_, err := h.Users.Unlink(c.UserContext(), u.ID, provider)
	switch {
	case errors.Is(err, auth.ErrLastIdentity):
		return h.redirectWith(c, "/profile", "error", "You cannot remove your only way to sign in. Link another account first.")
	case errors.Is(err, auth.ErrNotFound):
		return notFound()
	case err != nil:
		return err
	}
	return h.redirectWith(c, "/profile", "ok", h.Providers.Label(provider)+" is no longer linked.")
}
