package web

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/markdown"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/moderation"
)

// moderationRoutes mounts codes of conduct, reports, the moderation
// queues and blocks.
func (h *handler) moderationRoutes(app *fiber.App, signedIn fiber.Handler) {
	app.Get("/g/:slug/conduct", h.groupConduct)
	app.Post("/g/:slug/conduct", signedIn, h.groupConductSave)
	app.Post("/g/:slug/conduct/accept", signedIn, h.groupConductAccept)
	app.Get("/report", signedIn, h.reportForm)
	app.Post("/report", signedIn, h.limitByUser("report", reportLimit), h.reportFile)
	app.Get("/g/:slug/moderation", h.requireClaim, h.groupModeration)
	app.Post("/g/:slug/moderation/:id/:action", signedIn, h.groupModerationAct)
	app.Get("/admin/moderation", h.requireClaim, h.adminModeration)
	app.Post("/admin/moderation/:id/:action", signedIn, h.adminModerationAct)
	app.Get("/blocks", signedIn, h.blocksPage)
	app.Post("/blocks/:uid", signedIn, h.blockPerson)
	app.Post("/blocks/:uid/delete", signedIn, h.unblockPerson)
}

// reportLimit bounds the reports one person files.
var reportLimit = ratelimit.Limit{Max: 10, Per: time.Hour}

// errCodeNeeded says a membership step waits for the group's code of
// conduct to be accepted.
var errCodeNeeded = errors.New("the code of conduct must be accepted first")

// needsCode returns errCodeNeeded when groupID has a code of conduct the
// current user has not accepted in its current version.
func (h *handler) needsCode(ctx context.Context, groupID, userID string) error {
	code, accepted, err := h.Moderation.CodeOf(ctx, groupID, userID)
	if err != nil {
		return err
	}
	if code.Version > 0 && accepted < code.Version {
		return errCodeNeeded
	}
	return nil
}

// groupConduct shows a group's code of conduct, with an Accept button for
// whoever has not accepted its current version, and the editor for its
// organizers. The session, group, standing and code come in one round
// trip; the viewer's acceptance, when there is a code, in a second.
func (h *handler) groupConduct(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var getCode func() (moderation.Code, int, error)
	gv, err := h.readGroupBySlug(c, func(p redis.Pipeliner, id, _ string) {
		getCode = h.Moderation.QueueCode(ctx, p, id, "")
	})
	if err != nil {
		return err
	}
	code, _, err := getCode()
	if err != nil {
		return err
	}
	accepted := 0
	if u := currentUser(c); u != nil && code.Version > 0 {
		if accepted, err = h.Moderation.AcceptedVersion(ctx, gv.Group.ID, u.ID); err != nil {
			return err
		}
	}
	return h.renderConduct(c, gv, code, accepted, "", nil)
}

func (h *handler) renderConduct(c *fiber.Ctx, gv groupView, code moderation.Code, accepted int, draft string, fields valid.Errors) error {
	data := h.view(c, "Code of conduct of "+gv.Group.Name)
	data["Group"] = gv.Group
	data["Code"] = code
	data["HTML"] = markdown.HTML(code.Text)
	data["Then"] = thenStep(c.Query("then", c.FormValue("then")))
	if _, _, ok := groups.ParseToken(c.Query("token")); ok {
		data["Token"] = c.Query("token")
	}
	u := currentUser(c)
	data["SignedIn"] = u != nil
	data["NeedsAccept"] = u != nil && code.Version > 0 && accepted < code.Version
	data["AcceptedOlder"] = u != nil && accepted > 0 && accepted < code.Version
	if gv.Organizer() {
		if draft == "" {
			draft = code.Text
		}
		if draft == "" {
			draft = moderation.DefaultCode
			data["Suggested"] = true
		}
		data["Draft"] = draft
		data["Organizer"] = true
		data["Fields"] = fields
		data["Updated"] = ""
		if !code.UpdatedAt.IsZero() {
			data["Updated"] = localTime(code.UpdatedAt, zoneOr(c, gv.Group.TimeZone))
		}
	}
	return renderForm(c, "groups/conduct", data, len(fields) > 0)
}

// thenStep keeps only the membership steps the conduct page goes on to.
func thenStep(s string) string {
	if slices.Contains([]string{"join", "apply", "accept", "link"}, s) {
		return s
	}
	return ""
}

// groupConductSave stores the code (organizers only); a changed text asks
// everyone to accept it again.
func (h *handler) groupConductSave(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	text := c.FormValue("code")
	code, err := h.Moderation.SetCode(c.UserContext(), gv.Group.ID, currentUser(c).ID, text)
	var fields valid.Errors
	if errors.As(err, &fields) {
		cur, accepted, rerr := h.Moderation.CodeOf(c.UserContext(), gv.Group.ID, currentUser(c).ID)
		if rerr != nil {
			return rerr
		}
		return h.renderConduct(c, gv, cur, accepted, text, fields)
	}
	if err != nil {
		return err
	}
	back := "/g/" + gv.Group.Slug + "/conduct"
	if code.Version == 0 {
		return h.redirectWith(c, back, "ok", "The group has no code of conduct any more.")
	}
	if err := h.Moderation.Accept(c.UserContext(), gv.Group.ID, currentUser(c).ID, code.Version); err != nil {
		return err
	}
	return h.redirectWith(c, back, "ok", "Code of conduct saved. Members are asked to accept it when they next join or RSVP.")
}

// groupConductAccept records the acceptance of the version shown, then
// goes on with the membership step that asked for it.
func (h *handler) groupConductAccept(c *fiber.Ctx) error {
	gv, err := h.loadGroup(c)
	if err != nil {
		return err
	}
	back := "/g/" + gv.Group.Slug + "/conduct"
	version, err := parseVersion(c.FormValue("version"))
	if err != nil {
		return httpError(fiber.StatusUnprocessableEntity, "That did not work", "The form lost which version you read. Reload the page and accept again.")
	}
	err = h.Moderation.Accept(c.UserContext(), gv.Group.ID, currentUser(c).ID, version)
	if errors.Is(err, moderation.ErrCodeChanged) {
		return h.redirectWith(c, back, "error", "The organizers changed the code while you read it. Please read the new version.")
	}
	if err != nil {
		return err
	}
	switch c.FormValue("then") {
	case "join":
		return h.groupJoin(c)
	case "accept":
		return h.groupAcceptInvite(c)
	case "apply":
		return h.redirectWith(c, "/g/"+gv.Group.Slug, "ok", "Thank you. Now send your request to join.")
	case "link":
		if _, _, ok := groups.ParseToken(c.FormValue("token")); ok {
			return h.redirectWith(c, "/join/"+c.FormValue("token"), "ok", "Thank you. Now join through your invite link.")
		}
	}
	return h.redirectWith(c, "/g/"+gv.Group.Slug, "ok", "Thank you for accepting the code of conduct.")
}

func parseVersion(s string) (int, error) {
	n := 0
	if s == "" || len(s) > 9 {
		return 0, errors.New("bad version")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, errors.New("bad version")
		}
		n = n*10 + int(r-'0')
	}
	if n == 0 {
		return 0, errors.New("bad version")
	}
	return n, nil
}

// reportTarget is what a report is about, as the form names it.
type reportTarget struct {
	Kind       moderation.TargetKind
	ID, Name   string
	GroupID    string
	GroupSlug  string
	Subject    string // the person concerned
	Scope      string // where the report goes
	ScopeLabel string // "the organizers of Go Berlin", "the site's admins"
	Msg        string // the organizer's message, for a message report
}

// resolveTarget finds what kind and id name and where a report about it
// goes: the group's organizers for its sessions and members; the
// instance admins for a group itself, its organizers, and people outside
// a group.
func (h *handler) resolveTarget(c *fiber.Ctx, kind, id, groupSlug string) (reportTarget, error) {
	ctx := c.UserContext()
	t := reportTarget{Kind: moderation.TargetKind(kind), ID: id, Scope: moderation.AdminScope, ScopeLabel: "the site's admins"}
	switch t.Kind {
	case moderation.TargetSession:
		ev, err := h.Events.Get(ctx, id)
		if err != nil {
			return t, notFound()
		}
		g, err := h.visibleGroup(ctx, ev.GroupID)
		if err != nil {
			return t, err
		}
		t.Name, t.GroupID, t.GroupSlug = ev.Title, g.ID, g.Slug
		t.Subject = ev.CreatedBy
		t.Scope, t.ScopeLabel = g.ID, "the organizers of "+g.Name
	case moderation.TargetGroup:
		gid, err := h.Groups.SlugID(ctx, id, true)
		if err != nil {
			return t, notFound()
		}
		g, err := h.visibleGroup(ctx, gid)
		if err != nil {
			return t, err
		}
		t.ID, t.Name, t.GroupID, t.GroupSlug, t.Subject = g.ID, g.Name, g.ID, g.Slug, g.OwnerID
	case moderation.TargetPerson:
		u, err := h.Users.Get(ctx, id)
		if err != nil || u.Guest {
			return t, notFound()
		}
		t.Name, t.Subject = u.Name, u.ID
		if groupSlug != "" {
			gid, err := h.Groups.SlugID(ctx, groupSlug, true)
			if err != nil {
				return t, notFound()
			}
			g, err := h.visibleGroup(ctx, gid)
			if err != nil {
				return t, err
			}
			st, err := h.Groups.Standing(ctx, g.ID, u.ID)
			if err != nil {
				return t, err
			}
			t.GroupID, t.GroupSlug = g.ID, g.Slug
			if st.Role != groups.RoleOwner && st.Role != groups.RoleOrganizer {
				t.Scope, t.ScopeLabel = g.ID, "the organizers of "+g.Name
			}
		}
	case moderation.TargetMessage:
		msgID, _, _ := strings.Cut(c.Query("msg", c.FormValue("msg")), ".")
		ev, err := h.Events.Get(ctx, id)
		if err != nil || !ids.Valid(msgID) {
			return t, notFound()
		}
		p := h.Redis.Pipeline()
		getMessages := h.Events.QueueMessages(ctx, p, id)
		if err := runReads(ctx, p); err != nil {
			return t, err
		}
		sent, err := getMessages()
		if err != nil {
			return t, err
		}
		for _, m := range sent {
			if m.ID == msgID {
				t.Name, t.Subject, t.Msg = "the message “"+m.Subject+"” about "+ev.Title, m.By, msgID
			}
		}
		if t.Msg == "" {
			return t, notFound()
		}
		// Messages come from organizers: the site's admins look at them.
	default:
		return t, httpError(fiber.StatusBadRequest, "Nothing to report", "The link you followed does not say what to report. Use the Report link on a group, session or person.")
	}
	return t, nil
}

// visibleGroup reads a group the current user may see; otherwise 404.
func (h *handler) visibleGroup(ctx context.Context, gid string) (*groups.Group, error) {
	g, err := h.Groups.Get(ctx, gid)
	if err != nil {
		return nil, notFound()
	}
	return g, nil
}

// reportForm asks what is wrong with the thing reported.
func (h *handler) reportForm(c *fiber.Ctx) error {
	t, err := h.resolveTarget(c, c.Query("kind"), c.Query("id"), c.Query("group"))
	if err != nil {
		return err
	}
	return h.renderReport(c, t, "", "", nil)
}

func (h *handler) renderReport(c *fiber.Ctx, t reportTarget, reason, details string, fields valid.Errors) error {
	data := h.view(c, "Report "+t.Name)
	data["T"] = t
	data["Reasons"] = moderation.Reasons
	data["Reason"] = reason
	data["Details"] = details
	data["Fields"] = fields
	data["CanBlock"] = t.Subject != "" && t.Subject != currentUser(c).ID && t.Kind == moderation.TargetPerson
	return renderForm(c, "report", data, len(fields) > 0)
}

// reportFile files the report where it belongs, and blocks the person too
// when asked.
func (h *handler) reportFile(c *fiber.Ctx) error {
	t, err := h.resolveTarget(c, c.FormValue("kind"), c.FormValue("id"), c.FormValue("group"))
	if err != nil {
		return err
	}
	me := currentUser(c)
	target := ""
	switch t.Kind {
	case moderation.TargetSession:
		target = "/s/" + t.ID
	case moderation.TargetGroup:
		target = "/g/" + t.GroupSlug
	case moderation.TargetMessage:
		target = "/s/" + t.ID
	}
	r, err := h.Moderation.File(c.UserContext(), moderation.Report{Scope: t.Scope, GroupID: t.GroupID, Kind: t.Kind, TargetID: t.ID,
		TargetName: t.Name, TargetURL: target, Subject: t.Subject, Reporter: me.ID, Reason: c.FormValue("reason"), Details: c.FormValue("details")})
	var fields valid.Errors
	if errors.As(err, &fields) {
		return h.renderReport(c, t, c.FormValue("reason"), c.FormValue("details"), fields)
	}
	if err != nil {
		return err
	}
	msg := "Thank you. Your report went to " + t.ScopeLabel + ". They see who reported; the person reported does not."
	if c.FormValue("block") == "on" && t.Kind == moderation.TargetPerson && t.Subject != me.ID {
		if err := h.Moderation.Block(c.UserContext(), me.ID, t.Subject); err != nil {
			return err
		}
		msg += " You blocked " + t.Name + "."
	}
	h.Logger.Info("report filed", "report", r.ID, "scope", r.Scope, "kind", string(r.Kind))
	back := "/"
	if t.GroupSlug != "" {
		back = "/g/" + t.GroupSlug
	}
	if t.Kind == moderation.TargetSession {
		back = "/s/" + t.ID
	}
	return h.redirectWith(c, back, "ok", msg)
}

// isAdmin reports whether u is an instance admin: one of their verified
// addresses is in ADMIN_EMAILS.
func (h *handler) isAdmin(u *auth.User) bool {
	if u == nil {
		return false
	}
	for _, e := range u.VerifiedEmails() {
		if slices.Contains(h.AdminEmails, e) {
			return true
		}
	}
	return false
}

// reportRow is a report as the queue shows it.
type reportRow struct {
	moderation.Report
	When, ReporterName, SubjectName, ReasonLabel string
	Steps                                        []string
	FirstDone                                    bool // the first resolved one, under its heading
}

// moderationQueue is the page of one scope's reports.
type moderationQueue struct {
	Scope, Title, Base string
	Admin              bool
	GroupName          string
}

// groupModeration is a group's moderation queue (organizers only).
func (h *handler) groupModeration(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var getReports func() ([]moderation.Report, error)
	gv, err := h.readGroupBySlug(c, func(p redis.Pipeliner, id, _ string) {
		getReports = h.Moderation.QueueReports(ctx, p, id, 100)
	})
	if currentUser(c) == nil {
		return h.requireUser(c)
	}
	if err != nil {
		return err
	}
	if !gv.Organizer() {
		return forbidden("Only the group's organizers see its reports.")
	}
	reports, err := getReports()
	if err != nil {
		return err
	}
	q := moderationQueue{Scope: gv.Group.ID, Title: "Reports in " + gv.Group.Name, Base: "/g/" + gv.Group.Slug + "/moderation",
		GroupName: gv.Group.Name}
	return h.renderQueue(c, q, reports)
}

// adminModeration is the instance admins' queue.
func (h *handler) adminModeration(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, _ := pageReads(c, h.Redis)
	getReports := h.Moderation.QueueReports(ctx, p, moderation.AdminScope, 100)
	if err := runReads(ctx, p); err != nil {
		return err
	}
	u := currentUser(c)
	if u == nil {
		return h.requireUser(c)
	}
	if !h.isAdmin(u) {
		return forbidden("Only the site's admins see this queue.")
	}
	reports, err := getReports()
	if err != nil {
		return err
	}
	return h.renderQueue(c, moderationQueue{Scope: moderation.AdminScope, Title: "Reports for the site's admins", Base: "/admin/moderation", Admin: true}, reports)
}

func (h *handler) renderQueue(c *fiber.Ctx, q moderationQueue, reports []moderation.Report) error {
	ctx := c.UserContext()
	var people []string
	for _, r := range reports {
		people = append(people, r.Reporter)
		if r.Subject != "" {
			people = append(people, r.Subject)
		}
		for _, a := range r.Actions {
			people = append(people, a.By)
		}
	}
	users, err := h.Users.GetMany(ctx, people)
	if err != nil {
		return err
	}
	name := func(id string) string {
		if u, ok := users[id]; ok {
			return u.Name
		}
		return "someone no longer here"
	}
	labels := map[string]string{}
	for _, r := range moderation.Reasons {
		labels[r.Value] = r.Label
	}
	loc := knownZone(c)
	if loc == nil {
		loc = zoneNamed("UTC")
	}
	var open, done []reportRow
	for _, r := range reports {
		row := reportRow{Report: r, When: localTime(r.At, loc), ReporterName: name(r.Reporter), ReasonLabel: labels[r.Reason]}
		if r.Subject != "" {
			row.SubjectName = name(r.Subject)
		}
		for _, a := range r.Actions {
			step := actionLabels[a.Kind] + " by " + name(a.By) + ", " + localTime(a.At, loc)
			if a.Note != "" {
				step += ": " + a.Note
			}
			row.Steps = append(row.Steps, step)
		}
		if r.Resolved {
			done = append(done, row)
		} else {
			open = append(open, row)
		}
	}
	if len(done) > 0 {
		done[0].FirstDone = true
	}
	data := h.view(c, q.Title)
	data["Q"] = q
	data["OpenCount"] = len(open)
	data["Rows"] = append(open, done...)
	return c.Render("moderation", data)
}

// actionLabels name the actions in a report's history.
var actionLabels = map[string]string{
	"resolve": "Resolved", "reopen": "Reopened", "warn": "Warned by mail", "remove": "Removed from the group",
	"ban": "Banned from the group", "suspend": "Account suspended", "unsuspend": "Suspension lifted",
}

// groupModerationAct takes an action on a group's report (organizers).
func (h *handler) groupModerationAct(c *fiber.Ctx) error {
	gv, err := h.loadGroupAsOrganizer(c)
	if err != nil {
		return err
	}
	return h.moderate(c, gv.Group.ID, "/g/"+gv.Group.Slug+"/moderation", gv.Group.Name, false)
}

// adminModerationAct takes an action on an admin report.
func (h *handler) adminModerationAct(c *fiber.Ctx) error {
	if !h.isAdmin(currentUser(c)) {
		return forbidden("Only the site's admins can do that.")
	}
	return h.moderate(c, moderation.AdminScope, "/admin/moderation", "", true)
}

// moderate runs one action on report :id of scope and logs it.
func (h *handler) moderate(c *fiber.Ctx, scope, back, groupName string, admin bool) error {
	ctx := c.UserContext()
	action := c.Params("action")
	allowed := []string{"resolve", "reopen", "warn"}
	if admin {
		allowed = append(allowed, "suspend", "unsuspend")
	} else {
		allowed = append(allowed, "remove", "ban")
	}
	if !slices.Contains(allowed, action) {
		return notFound()
	}
	note := strings.TrimSpace(c.FormValue("note"))
	if msg := valid.MultiLine("The note", note); msg != "" || len([]rune(note)) > 1000 {
		return httpError(fiber.StatusUnprocessableEntity, "That note does not work", "Keep the note to plain text under 1,000 characters.")
	}
	r, err := h.Moderation.Get(ctx, scope, c.Params("id"))
	if errors.Is(err, moderation.ErrNotFound) {
		return notFound()
	}
	if err != nil {
		return err
	}
	me := currentUser(c)
	if r.Subject == "" && action != "resolve" && action != "reopen" {
		return httpError(fiber.StatusUnprocessableEntity, "Nobody to act on", "This report is not about one person; resolve it when you have dealt with it.")
	}
	switch action {
	case "warn":
		if note == "" {
			return h.redirectWith(c, back, "error", "Write the warning in the note: it is what the person reads.")
		}
		if err := h.warn(ctx, r, note, groupName); err != nil {
			return err
		}
	case "remove":
		err = h.Groups.Remove(ctx, scope, me.ID, r.Subject)
	case "ban":
		err = h.Groups.Ban(ctx, scope, me.ID, r.Subject)
	case "suspend", "unsuspend":
		if r.Subject == me.ID {
			return h.redirectWith(c, back, "error", "You cannot suspend yourself.")
		}
		_, err = h.Users.SetSuspended(ctx, r.Subject, action == "suspend")
	}
	if msg, ok := membershipMessage(err); ok {
		return h.redirectWith(c, back, "error", msg)
	}
	if isForbidden(err) {
		return h.redirectWith(c, back, "error", "Organizers cannot remove or ban an owner or another organizer; report them to the site's admins.")
	}
	if err != nil {
		return err
	}
	if err := h.Moderation.Record(ctx, scope, r.ID, moderation.Action{Kind: action, By: me.ID, Note: note}); err != nil {
		return err
	}
	h.Logger.Info("moderation action", "scope", scope, "report", r.ID, "action", action, "by", me.ID)
	return h.redirectWith(c, back, "ok", actionLabels[action]+".")
}

// warn mails the person a report is about the moderator's note.
func (h *handler) warn(ctx context.Context, r moderation.Report, note, groupName string) error {
	u, err := h.Users.Get(ctx, r.Subject)
	if err != nil {
		return err
	}
	to := ""
	if emails := u.VerifiedEmails(); len(emails) > 0 {
		to = emails[0]
	}
	if to == "" {
		return httpError(fiber.StatusUnprocessableEntity, "No address to warn", "This person has no verified address to mail the warning to.")
	}
	from := "the site's admins"
	if groupName != "" {
		from = "the organizers of " + groupName
	}
	// A warning is a safety notice: it goes out whatever the mail
	// settings, and its footer links to them rather than unsubscribing.
	_, err = h.Mail.Enqueue(ctx, mail.Message{Kind: mail.KindGeneric, To: to, ToName: u.Name, UnsubscribeURL: h.absURL("/profile"),
		IdempotencyKey: "warn:" + r.ID + ":" + strings.ReplaceAll(h.Events.Now().UTC().Format("20060102T150405.000"), ".", ""),
		Data: map[string]any{"Subject": "A warning from " + from,
			"Body": "Hello " + u.Name + ",\n\nAfter a report, " + from + " ask you to read this:\n\n" + note +
				"\n\nIf it happens again they may remove you. Reply to this mail if you want to talk about it."}})
	return err
}

// blocksPage lists the people the viewer blocked, with a way to unblock.
func (h *handler) blocksPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := currentUser(c)
	p := h.Redis.Pipeline()
	get := h.Moderation.QueueBlocks(ctx, p, me.ID)
	if err := runReads(ctx, p); err != nil {
		return err
	}
	blocked, _, err := get()
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(blocked))
	for id := range blocked {
		ids = append(ids, id)
	}
	users, err := h.Users.GetMany(ctx, ids)
	if err != nil {
		return err
	}
	data := h.view(c, "People you blocked")
	data["Blocked"] = peopleOf(users, ids)
	return c.Render("blocks", data)
}

// blockPerson blocks :uid for the viewer.
func (h *handler) blockPerson(c *fiber.Ctx) error {
	me := currentUser(c)
	uid := c.Params("uid")
	if uid == me.ID {
		return httpError(fiber.StatusUnprocessableEntity, "You cannot block yourself", "Blocking is for other people.")
	}
	if _, err := h.Users.Get(c.UserContext(), uid); err != nil {
		return notFound()
	}
	if err := h.Moderation.Block(c.UserContext(), me.ID, uid); err != nil {
		return err
	}
	return h.redirectWith(c, "/blocks", "ok", "Blocked. They cannot send you mentoring requests or messages, and do not see your RSVPs.")
}

// unblockPerson lifts the viewer's block of :uid.
func (h *handler) unblockPerson(c *fiber.Ctx) error {
	if err := h.Moderation.Unblock(c.UserContext(), currentUser(c).ID, c.Params("uid")); err != nil {
		return err
	}
	return h.redirectWith(c, "/blocks", "ok", "Unblocked.")
}

// blockedBetween reports whether a or b blocked the other, for the
// actions blocks forbid (mentoring requests, messages).
func (h *handler) blockedBetween(ctx context.Context, a, b string) (bool, error) {
	return h.Moderation.EitherBlocked(ctx, a, b)
}
