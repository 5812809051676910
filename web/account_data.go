package web

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/account"
	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
	"github.com/focusgroups/focusgroups/skills"
)

// accountRoutes mounts "Your data": the export and the account deletion.
func (h *handler) accountRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Get("/profile/export", signedIn, h.exportData)
	app.Get("/profile/delete", signedIn, h.deleteAccountPage)
	app.Post("/profile/delete", signedIn, h.limitByUser("delete", exportLimit), h.deleteAccount)
}

// exportLimit bounds exports and deletion attempts: both read everything
// about a person.
var exportLimit = ratelimit.Limit{Max: 10, Per: time.Hour}

// exportedIdentity is a linked sign-in, without anything secret.
type exportedIdentity struct {
	Provider string    `json:"provider"`
	Login    string    `json:"login,omitempty"`
	LinkedAt time.Time `json:"linked_at"`
}

// exportedRSVP is one of the person's answers to a session.
type exportedRSVP struct {
	Session string    `json:"session"`
	Title   string    `json:"title"`
	Start   time.Time `json:"start"`
	Status  string    `json:"status"`
}

// export is everything the app keeps about one person.
type export struct {
	ExportedAt   time.Time            `json:"exported_at"`
	Profile      exportedProfile      `json:"profile"`
	Identities   []exportedIdentity   `json:"identities"`
	Addresses    []auth.Email         `json:"addresses"`
	MailSettings auth.MailPrefs       `json:"mail_settings"`
	Memberships  []exportedMembership `json:"memberships"`
	Invitations  []string             `json:"invitations"`
	Applications []string             `json:"applications"`
	RSVPs        []exportedRSVP       `json:"rsvps"`
	Mentoring    exportedMentoring    `json:"mentoring"`
	Skills       skills.Profile       `json:"skills"`
	Blocked      []string             `json:"blocked"`
	APITokens    []exportedToken      `json:"api_tokens"`
}

type exportedProfile struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	AvatarURL string    `json:"avatar_url,omitempty"`
	TimeZone  string    `json:"time_zone,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

type exportedMembership struct {
	Group string      `json:"group"`
	Slug  string      `json:"slug"`
	Role  groups.Role `json:"role"`
}

type exportedMentoring struct {
	MentorProfile *match.MentorProfile `json:"mentor_profile,omitempty"`
	MenteeProfile *match.MenteeProfile `json:"mentee_profile,omitempty"`
	Mentorships   []mentors.Mentorship `json:"mentorships"`
	Requests      []mentors.Request    `json:"requests"`
}

type exportedToken struct {
	Name    string    `json:"name"`
	Scope   string    `json:"scope"`
	Created time.Time `json:"created"`
}

// exportData downloads everything about the viewer as one JSON file, in
// three round trips: the session, then the person's rate limit with
// every list (groups, sessions, mentoring, skills, blocks, tokens), then
// the records the lists name. A refused request has read the lists
// (about what a dashboard view reads), none of the records. The limit
// cannot go with the session's read: the user a cookie claims is not
// checked yet, and anyone could use up someone else's exports.
func (h *handler) exportData(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	out := export{ExportedAt: time.Now().UTC(), Addresses: u.Emails, MailSettings: u.Mail,
		Profile: exportedProfile{ID: u.ID, Name: u.Name, AvatarURL: u.AvatarURL, TimeZone: u.TimeZone, CreatedAt: u.CreatedAt}}
	for _, id := range u.Identities {
		out.Identities = append(out.Identities, exportedIdentity{Provider: id.Provider, Login: id.Login, LinkedAt: id.LinkedAt})
	}
	lists := h.Redis.Pipeline()
	limit := h.limits.Queue(ctx, lists, "export", u.ID, exportLimit)
	groupLists := h.Groups.QueueUserLists(ctx, lists, u.ID)
	sessionList := h.Events.QueueUserSessions(ctx, lists, u.ID, time.Unix(0, 0), time.Time{}, 1000)
	mentoring := h.Mentors.QueueMentoring(ctx, lists, u.ID)
	getSkills := h.SkillSync.QueueEffective(ctx, lists, u.ID)
	getBlocks := h.Moderation.QueueBlocks(ctx, lists, u.ID)
	var getTokens func() ([]auth.Token, error)
	if h.Tokens != nil {
		getTokens = h.Tokens.QueueList(ctx, lists, u.ID)
	}
	if err := runReads(ctx, lists); err != nil {
		return err
	}
	if wait, err := limit(); err != nil || wait > 0 {
		if err != nil {
			return err
		}
		return tooMany(c, wait, personLimited)
	}
	records := h.Redis.Pipeline()
	getGroups, err := groupLists.QueueGroups(ctx, records)
	if err != nil {
		return err
	}
	getSessions, err := sessionList.QueueEvents(ctx, records)
	if err != nil {
		return err
	}
	getMentoring, err := mentoring.QueueRecords(ctx, records)
	if err != nil {
		return err
	}
	if err := runReads(ctx, records); err != nil {
		return err
	}
	gl, err := getGroups()
	if err != nil {
		return err
	}
	for _, m := range gl.Groups {
		out.Memberships = append(out.Memberships, exportedMembership{Group: m.Group.Name, Slug: m.Group.Slug, Role: m.Role})
	}
	for _, i := range gl.Invitations {
		out.Invitations = append(out.Invitations, i.Group.Name)
	}
	for _, a := range gl.Applications {
		out.Applications = append(out.Applications, a.Group.Name+": "+string(a.Status))
	}
	sessions, _, err := getSessions()
	if err != nil {
		return err
	}
	for _, s := range sessions {
		out.RSVPs = append(out.RSVPs, exportedRSVP{Session: s.Event.ID, Title: s.Event.Title, Start: s.Event.Start, Status: string(s.Status)})
	}
	m, err := getMentoring()
	if err != nil {
		return err
	}
	out.Mentoring.MentorProfile, out.Mentoring.MenteeProfile = m.MentorProfile, m.MenteeProfile
	out.Mentoring.Mentorships = append(m.Mentors, m.Mentees...)
	out.Mentoring.Requests = append(m.PendingIn, m.PendingOut...)
	if out.Skills, err = getSkills(); err != nil {
		return err
	}
	blocked, _, err := getBlocks()
	if err != nil {
		return err
	}
	for id := range blocked {
		out.Blocked = append(out.Blocked, id)
	}
	if getTokens != nil {
		tokens, err := getTokens()
		if err != nil {
			return err
		}
		for _, t := range tokens {
			out.APITokens = append(out.APITokens, exportedToken{Name: t.Name, Scope: string(t.Scope), Created: t.Created})
		}
	}
	body, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="focusgroups-data.json"`)
	c.Type("json", "utf-8")
	return c.Send(body)
}

// ownedGroups lists the groups the viewer owns: they must hand them over
// or delete them before deleting their account.
func (h *handler) ownedGroups(ctx context.Context, uid string) ([]*groups.Group, error) {
	gs, err := h.Groups.UserGroups(ctx, uid)
	if err != nil {
		return nil, err
	}
	var out []*groups.Group
	for _, m := range gs {
		if m.Role == groups.RoleOwner {
			out = append(out, m.Group)
		}
	}
	return out, nil
}

// deleteAccountPage asks for the confirmation, or says which groups must
// be handed over first.
func (h *handler) deleteAccountPage(c *fiber.Ctx) error {
	owned, err := h.ownedGroups(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	data := h.view(c, "Delete your account")
	data["Owned"] = owned
	return c.Render("account_delete", data)
}

// deleteAccount deletes the viewer's account: seats handed on, groups
// left, mentorships ended and requests withdrawn through the stores (so
// waitlists move and counts stay right), then every key that still names
// them scrubbed (account.Scrubber). Owners must hand over their groups
// first. It signs them out.
func (h *handler) deleteAccount(c *fiber.Ctx) error {
	u := currentUser(c)
	if strings.TrimSpace(strings.ToLower(c.FormValue("confirm"))) != "delete" {
		data := h.view(c, "Delete your account")
		data["Wrong"] = true
		return c.Status(fiber.StatusUnprocessableEntity).Render("account_delete", data)
	}
	ctx := context.WithoutCancel(c.UserContext())
	owned, err := h.ownedGroups(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(owned) > 0 {
		data := h.view(c, "Delete your account")
		data["Owned"] = owned
		return c.Status(fiber.StatusConflict).Render("account_delete", data)
	}
	if err := h.undoFootprint(ctx, u); err != nil {
		return err
	}
	addrs := make([]string, 0, len(u.Emails))
	for _, e := range u.Emails {
		addrs = append(addrs, e.Address)
	}
	if _, err := account.NewScrubber(h.Redis, h.Prefix).Scrub(ctx, u.ID, addrs); err != nil {
		return err
	}
	h.Logger.Info("account deleted")
	currentSession(c).Destroy()
	return c.Redirect("/?deleted=1", fiber.StatusSeeOther)
}

// undoFootprint undoes through the stores what the person holds, so the
// people around them are served as if they had left: seats go to the
// waitlist, groups and rounds are left, mentorships end (freeing the
// mentor's seat), requests are withdrawn or declined, and no list of
// mentors suggests them any more.
func (h *handler) undoFootprint(ctx context.Context, u *auth.User) error {
	sessions, err := h.Events.UserSessions(ctx, u.ID, h.Events.Now(), time.Time{}, 1000)
	if err != nil {
		return err
	}
	for _, s := range sessions {
		if _, err := h.Events.RSVP(ctx, s.Event.ID, u.ID, false); err != nil && !errors.Is(err, events.ErrPast) &&
			!errors.Is(err, events.ErrCancelled) && !errors.Is(err, events.ErrNotFound) {
			return err
		}
	}
	gs, err := h.Groups.UserGroups(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, m := range gs {
		if err := h.Groups.Leave(ctx, m.Group.ID, u.ID); err != nil && !errors.Is(err, groups.ErrNotMember) {
			return err
		}
	}
	ships, err := h.Mentors.MyMentors(ctx, u.ID)
	if err != nil {
		return err
	}
	mentees, err := h.Mentors.MyMentees(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, m := range append(ships, mentees...) {
		if _, err := h.Mentors.EndMentorship(ctx, u.ID, m.ID, ""); err != nil && !errors.Is(err, mentors.ErrEnded) {
			return err
		}
	}
	out, err := h.Mentors.PendingOut(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, r := range out {
		if _, err := h.Mentors.Withdraw(ctx, u.ID, r.ID); err != nil && !errors.Is(err, mentors.ErrClosed) {
			return err
		}
	}
	in, err := h.Mentors.PendingIn(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, r := range in {
		if _, err := h.Mentors.Decline(ctx, u.ID, r.ID, ""); err != nil && !errors.Is(err, mentors.ErrClosed) {
			return err
		}
	}
	return h.Mentors.RemoveMentorProfile(ctx, u.ID)
}
