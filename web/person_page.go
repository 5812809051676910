package web

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// personLink is a link on a person's page.
type personLink struct{ Label, URL string }

// personPage is a person's page at /u/<handle>: who they are, where to
// find them, their groups the viewer may see and their mentoring. A
// person who limited their page to people in their groups is not found
// by anyone else, and guests have no page. The session and the handle
// come in one round trip; the person, both people's groups and the
// person's mentoring profiles in a second; the groups in a third.
func (h *handler) personPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	first, viewerID := pageReads(c, h.Redis)
	getID := h.Users.QueueHandle(ctx, first, c.Params("handle"))
	if err := runReads(ctx, first); err != nil {
		return err
	}
	if !claimHeld(c, viewerID) {
		return h.personPage(c)
	}
	uid, err := getID()
	if err != nil {
		return err
	}
	if uid == "" {
		return notFound()
	}
	second := h.Redis.Pipeline()
	getUser := h.Users.QueueGetMany(ctx, second, []string{uid})
	theirs := h.Groups.QueueUserLists(ctx, second, uid)
	mine := h.Groups.QueueUserLists(ctx, second, viewerID)
	getMentor := h.Mentors.QueueMentorProfiles(ctx, second, []string{uid})
	getMentee := h.Mentors.QueueMenteeProfile(ctx, second, uid)
	if err := runReads(ctx, second); err != nil {
		return err
	}
	users, err := getUser()
	if err != nil {
		return err
	}
	u, ok := users[uid]
	if !ok || u.Guest {
		return notFound()
	}
	theirIDs, myIDs := theirs.GroupIDs(), []string{}
	if viewerID != "" {
		myIDs = mine.GroupIDs()
	}
	if u.PageMembersOnly && viewerID != uid && !slices.ContainsFunc(theirIDs, func(id string) bool { return slices.Contains(myIDs, id) }) {
		return notFound() // the same answer as for nobody: the page says nothing about them
	}
	third := h.Redis.Pipeline()
	getGroups := h.queueVisibleGroups(ctx, third, theirIDs, viewerID)
	if err := runReads(ctx, third); err != nil {
		return err
	}
	visible, err := getGroups()
	if err != nil {
		return err
	}
	var cards []groupCard
	for _, id := range theirIDs {
		if g := visible[id]; g != nil {
			cards = append(cards, groupCardOf(g))
		}
	}
	data := h.view(c, u.Name)
	data["Person"] = personOf(u)
	data["Bio"] = u.Bio
	data["Links"] = personLinks(u)
	data["Groups"] = cards
	data["Self"] = viewerID == uid
	data["SignedIn"] = viewerID != ""
	if ms, err := getMentor(); err == nil && len(ms) > 0 && ms[0].Capacity > 0 {
		data["MentorSkills"] = skillsWords(ms[0].Skills)
		data["MentorPaths"] = pathNames(ms[0].Paths)
	}
	if me, err := getMentee(); err == nil {
		var want []string
		for _, s := range me.WantSkills {
			want = append(want, match.SkillLabel(s))
		}
		data["Learning"] = want
	}
	return c.Render("people/show", data)
}

// personLinks are the person's website and the profiles of the accounts
// they signed in with, where those have a public address.
func personLinks(u *auth.User) []personLink {
	var out []personLink
	if u.Website != "" {
		label := "Website"
		if w, err := url.Parse(u.Website); err == nil && w.Host != "" {
			label = strings.TrimPrefix(w.Host, "www.") // where the link leads, as people say it
		}
		out = append(out, personLink{Label: label, URL: u.Website})
	}
	for _, id := range u.Identities {
		if id.Login == "" || url.PathEscape(id.Login) != id.Login {
			continue
		}
		switch id.Provider {
		case "github":
			out = append(out, personLink{Label: "GitHub", URL: "https://github.com/" + id.Login})
		case "linkedin":
			out = append(out, personLink{Label: "LinkedIn", URL: "https://www.linkedin.com/in/" + id.Login})
		}
	}
	return out
}

// personPageSave saves the bio, website, address and who sees the page;
// nothing is saved when any of them is refused: the profile page comes
// back (422) with what was typed and each refusal beside its field.
func (h *handler) personPageSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	form := pageForm{Handle: strings.ToLower(strings.TrimSpace(c.FormValue("handle"))), Bio: c.FormValue("bio"),
		Website: c.FormValue("website"), MembersOnly: c.FormValue("members_only") == "on"}
	refuse := func(fields valid.Errors) error {
		c.Locals(pageFormContextKey, &form)
		return h.renderProfile(c, fields, nil)
	}
	fields := valid.Errors{}
	changed := form.Handle != "" && form.Handle != u.Handle
	if changed {
		if msg := auth.ValidHandle(form.Handle); msg != "" {
			fields.Add("handle", msg)
		}
	}
	in := auth.PageUpdate{Bio: form.Bio, Website: form.Website, MembersOnly: form.MembersOnly}
	if err := in.Validate(); err != nil {
		var ve valid.Errors
		if !errors.As(err, &ve) {
			return err
		}
		maps.Copy(fields, ve)
	}
	if len(fields) > 0 {
		return refuse(fields)
	}
	if changed {
		_, err := h.Users.SetHandle(ctx, u.ID, form.Handle)
		if errors.Is(err, auth.ErrHandleTaken) {
			return refuse(valid.Errors{"handle": "That address is taken: choose another."})
		}
		if err != nil {
			return err
		}
	}
	if _, err := h.Users.UpdatePage(ctx, u.ID, in); err != nil {
		return err
	}
	return h.redirectWith(c, "/profile#page-h", "ok", "Your page is saved.")
}

// pageForm is the "Your page" form of the profile page as typed.
type pageForm struct {
	Handle, Bio, Website string
	MembersOnly          bool
}

// pageFormContextKey carries the "Your page" form back to the profile
// page when it had a mistake.
const pageFormContextKey = contextKey("page_form")

// pageFormOf is the "Your page" form to show: as typed when it came back
// with a mistake, else as stored.
func pageFormOf(c *fiber.Ctx, u *auth.User) *pageForm {
	if f, ok := c.Locals(pageFormContextKey).(*pageForm); ok {
		return f
	}
	return &pageForm{Handle: u.Handle, Bio: u.Bio, Website: u.Website, MembersOnly: u.PageMembersOnly}
}
