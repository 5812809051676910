package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/skills"
)

// wallLayout is the value format of an HTML datetime-local field.
const wallLayout = "2006-01-02T15:04"

// sessionForm is the session form as typed, kept as text so a rejected
// form comes back exactly as it was sent.
type sessionForm struct {
	Title, Description, Format, TimeZone string
	Start, End, Venue, OnlineURL         string
	Capacity, RSVPOpens, RSVPCloses      string
	Hosts                                []string
	Approval, Listed                     bool
	// Skills is the skills field as typed ("Go, Kubernetes").
	Skills string
	// Repeat is "" for a single session or an events.Frequency.
	Repeat, RepeatCount, RepeatUntil string
	// Scope is "this" or "following" when editing an occurrence of a series.
	Scope string
	// ProposalID is the call-for-sessions proposal being scheduled.
	ProposalID string
}

// formErrors gives templates each field's message and ARIA attributes.
type formErrors valid.Errors

// Msg is the message for field, or "".
func (e formErrors) Msg(field string) string { return e[field] }

// First is the first of fields, in the form's order, that has a
// message: the field to give the focus. "" when none has.
func (e formErrors) First(fields ...string) string {
	for _, f := range fields {
		if e[f] != "" {
			return f
		}
	}
	return ""
}

// Attrs marks a field invalid and points at its message.
func (e formErrors) Attrs(field string) template.HTMLAttr {
	if e[field] == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + field + `-error"`)
}

// option is one choice of a select or checkbox list.
type option struct {
	Value, Label string
	Checked      bool
}

var formatLabels = map[events.Format]string{
	events.FormatTalk:           "Talk",
	events.FormatWorkshop:       "Workshop",
	events.FormatLightningTalks: "Lightning talks",
	events.FormatStudyGroup:     "Study group",
	events.FormatPairing:        "Pairing session",
	events.FormatPanel:          "Panel",
	events.FormatAMA:            "AMA (ask me anything)",
}

// formatLabel names a session format for people.
func formatLabel(f events.Format) string {
	if l, ok := formatLabels[f]; ok {
		return l
	}
	return string(f)
}

var repeatChoices = []option{
	{Value: "", Label: "Does not repeat"},
	{Value: string(events.FreqWeekly), Label: "Every week"},
	{Value: string(events.FreqBiweekly), Label: "Every two weeks"},
	{Value: string(events.FreqMonthlyWeekday), Label: "Monthly on the same weekday (e.g. first Tuesday)"},
	{Value: string(events.FreqMonthlyLastWeekday), Label: "Monthly on the last weekday (e.g. last Thursday)"},
	{Value: string(events.FreqMonthlyDate), Label: "Monthly on the same date (e.g. the 15th)"},
}

// readSessionForm reads the posted session form.
func readSessionForm(c *fiber.Ctx) sessionForm {
	var hosts []string
	for _, v := range c.Request().PostArgs().PeekMulti("hosts") {
		hosts = append(hosts, string(v))
	}
	return sessionForm{
		Title: c.FormValue("title"), Description: c.FormValue("description"), Format: c.FormValue("format"),
		TimeZone: c.FormValue("timezone"), Start: c.FormValue("start"), End: c.FormValue("end"),
		Venue: c.FormValue("venue"), OnlineURL: c.FormValue("online_url"), Capacity: c.FormValue("capacity"),
		RSVPOpens: c.FormValue("rsvp_opens"), RSVPCloses: c.FormValue("rsvp_closes"), Hosts: hosts,
		Approval: c.FormValue("approval") == "on", Listed: c.FormValue("listed") == "on",
		Repeat: c.FormValue("repeat"), RepeatCount: c.FormValue("recurrence_count"), RepeatUntil: c.FormValue("recurrence_until"),
		Scope: c.FormValue("scope"), ProposalID: c.FormValue("proposal"), Skills: c.FormValue("skills"),
	}
}

// input turns the form into the events package's input. Only public
// groups list their sessions on the home page.
func (f sessionForm) input(g *groups.Group) events.Input {
	return events.Input{
		Title: f.Title, Description: f.Description, Format: f.Format,
		Start: f.Start, End: f.End, TimeZone: f.TimeZone,
		Venue: f.Venue, OnlineURL: f.OnlineURL, Capacity: f.Capacity, Hosts: f.Hosts,
		RSVPOpens: f.RSVPOpens, RSVPCloses: f.RSVPCloses,
		ApprovalRequired: f.Approval, Listed: f.Listed && g.Visibility == groups.Public,
		Skills: skills.ParseLearn(f.Skills, valid.Errors{}, "skills"),
	}
}

// skillErrors checks the form's skills field; the tags themselves are
// read by input.
func (f sessionForm) skillErrors() valid.Errors {
	errs := valid.Errors{}
	errs.Add("skills", valid.Line("The skills", f.Skills))
	skills.ParseLearn(f.Skills, errs, "skills")
	return errs
}

func (f sessionForm) recurrence() events.Recurrence {
	return events.Recurrence{Frequency: f.Repeat, Until: f.RepeatUntil, Count: f.RepeatCount}
}

// formFromEvent fills the edit form with a session's current values, in
// the session's own time zone.
func formFromEvent(ev events.Event) sessionForm {
	loc := zoneNamed(ev.TimeZone)
	wall := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(wallLayout)
	}
	f := sessionForm{
		Title: ev.Title, Description: ev.Description, Format: string(ev.Format), TimeZone: ev.TimeZone,
		Start: wall(ev.Start), End: wall(ev.End),
		Venue: ev.Venue, OnlineURL: ev.OnlineURL, Hosts: ev.Hosts, Skills: skills.LearnText(ev.Skills),
		RSVPOpens: wall(ev.RSVPOpens), RSVPCloses: wall(ev.RSVPCloses),
		Approval: ev.ApprovalRequired, Listed: ev.Listed, Scope: "this",
	}
	if ev.Capacity > 0 {
		f.Capacity = strconv.Itoa(ev.Capacity)
	}
	return f
}

// checkHosts refuses hosts who are not members of the group.
func (h *handler) checkHosts(c *fiber.Ctx, g *groups.Group, hosts []string) error {
	if len(hosts) > events.MaxHosts {
		return valid.Errors{"hosts": fmt.Sprintf("Choose at most %d hosts.", events.MaxHosts)}
	}
	for _, id := range hosts {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		role, err := h.Groups.Role(c.UserContext(), g.ID, id)
		if err != nil {
			return err
		}
		if !role.IsMember() {
			return valid.Errors{"hosts": "Hosts must be members of the group."}
		}
	}
	return nil
}

// sessionFormPage is what the new and edit pages show besides the form.
type sessionFormPage struct {
	Heading, Action, Submit string
	Group                   *groups.Group
	// Event is the session being edited (nil when creating).
	Event    *events.Event
	Proposal *events.Proposal
	Proposer string
	// memberIDs gives the group's members offered as hosts when they were
	// read with the page's group or session (queueHostIDs); nil when not.
	memberIDs func() ([]string, error)
}

// renderSessionForm shows the session form with its errors (422 when there
// are any).
func (h *handler) renderSessionForm(c *fiber.Ctx, p sessionFormPage, f sessionForm, errs valid.Errors, status int) error {
	hosts, err := h.hostChoices(c, &p, f.Hosts)
	if err != nil {
		return err
	}
	data := h.view(c, p.Heading)
	data["Page"] = p
	data["Hosts"] = hosts
	data["Form"] = f
	data["Errs"] = formErrors(errs)
	data["Zones"] = h.zoneChoices(f.TimeZone)
	data["Public"] = p.Group.Visibility == groups.Public
	data["InSeries"] = p.Event != nil && p.Event.SeriesID != ""
	formats := make([]option, 0, len(events.Formats))
	for _, ft := range events.Formats {
		formats = append(formats, option{Value: string(ft), Label: formatLabel(ft), Checked: string(ft) == f.Format})
	}
	data["Formats"] = formats
	repeats := make([]option, len(repeatChoices))
	for i, r := range repeatChoices {
		r.Checked = r.Value == f.Repeat
		repeats[i] = r
	}
	data["Repeats"] = repeats
	if status == 0 {
		status = http.StatusOK
		if len(errs) > 0 {
			status = http.StatusUnprocessableEntity
		}
	}
	return c.Status(status).Render("events/form", data)
}

// queueHostIDs queues on p the read of the group's members a session
// form offers as hosts: the first page of them.
func (h *handler) queueHostIDs(ctx context.Context, p redis.Pipeliner, groupID string) func() ([]string, error) {
	return h.Groups.QueueMemberIDs(ctx, p, groupID, 1, groups.MaxPerPage)
}

// hostChoices lists the group's members (the first page of them, plus
// anyone already chosen) as host checkboxes, and fills in the name of
// the proposal's proposer, in one round trip when the members were read
// with the page.
func (h *handler) hostChoices(c *fiber.Ctx, p *sessionFormPage, chosen []string) ([]option, error) {
	ctx := c.UserContext()
	getMembers := p.memberIDs
	if getMembers == nil { // a form shown again after a post
		rp := h.Redis.Pipeline()
		getMembers = h.queueHostIDs(ctx, rp, p.Group.ID)
		if err := runReads(ctx, rp); err != nil {
			return nil, err
		}
	}
	members, err := getMembers()
	if err != nil {
		return nil, err
	}
	picked := map[string]bool{}
	for _, id := range chosen {
		picked[id] = true
	}
	idList := make([]string, 0, len(members)+len(chosen))
	seen := map[string]bool{}
	for _, id := range slices.Concat(members, chosen) {
		if !seen[id] {
			idList = append(idList, id)
			seen[id] = true
		}
	}
	people := idList
	if p.Proposal != nil {
		people = append(slices.Clip(idList), p.Proposal.ProposerID)
	}
	users, err := h.Users.GetMany(ctx, people)
	if err != nil {
		return nil, err
	}
	if p.Proposal != nil {
		if u, ok := users[p.Proposal.ProposerID]; ok {
			p.Proposer = u.Name
		}
	}
	out := make([]option, 0, len(idList))
	for _, id := range idList {
		if u, ok := users[id]; ok {
			out = append(out, option{Value: id, Label: u.Name, Checked: picked[id]})
		}
	}
	return out, nil
}
