package web

import (
	"errors"
	"maps"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// suggestionFilter is the filter form as typed.
type suggestionFilter struct {
	Skill, Path, Language, MaxTZ string
	AvailableNow                 bool
}

func filterFrom(q url.Values) suggestionFilter {
	return suggestionFilter{Skill: q.Get("skill"), Path: q.Get("path"), Language: q.Get("language"),
		MaxTZ: q.Get("max_tz_hours"), AvailableNow: q.Get("available_now") == "on"}
}

// query is the filter as the page's address query.
func (f suggestionFilter) query() string {
	q := url.Values{}
	for k, v := range map[string]string{"skill": f.Skill, "path": f.Path, "language": f.Language, "max_tz_hours": f.MaxTZ} {
		if strings.TrimSpace(v) != "" {
			q.Set(k, v)
		}
	}
	if f.AvailableNow {
		q.Set("available_now", "on")
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func (f suggestionFilter) filter() (match.Filter, valid.Errors) {
	errs := valid.Errors{}
	return match.Filter{Skill: f.Skill, Path: f.Path, Language: f.Language,
		MaxTZHours: formInt(f.MaxTZ, "max_tz_hours", "the hours apart", errs), AvailableNow: f.AvailableNow}, errs
}

// askDraft is a request form that was sent back, with its message.
type askDraft struct {
	MentorID, Message, Error string
}

// suggestionCard is one suggested mentor as the page shows them.
type suggestionCard struct {
	Mentor       Person
	Reasons      string
	Skills       string
	Paths        string
	Languages    string
	TimeZone     string
	Hours        int
	Bio          string
	AvailableNow bool
	FreeSeats    int
	Thanks       int
	// RequestID is my open request to this mentor; Mine is set when they
	// already mentor me.
	RequestID string
	Mine      bool
	Draft     askDraft
}

// maxTZChoices are the distances offered in the filter.
var maxTZChoices = []int{1, 2, 3, 4, 6, 8}

// mentorSuggestions ranks mentors for the visitor, with the reasons in
// plain words, filters and a request form per mentor.
func (h *handler) mentorSuggestions(c *fiber.Ctx) error {
	q, err := url.ParseQuery(string(c.Context().QueryArgs().QueryString()))
	if err != nil {
		q = url.Values{}
	}
	return h.renderSuggestions(c, filterFrom(q), askDraft{})
}

func (h *handler) renderSuggestions(c *fiber.Ctx, sf suggestionFilter, draft askDraft) error {
	ctx := c.UserContext()
	f, fields := sf.filter()
	// The ranking and my mentoring ride with the session's own read.
	first, uid := pageReads(c, h.Redis)
	suggest := h.Mentors.QueueSuggest(ctx, first, uid, f, match.DefaultSuggestions)
	mentoring := h.Mentors.QueueMentoring(ctx, first, uid)
	if err := runReads(ctx, first); err != nil {
		return err
	}
	u := currentUser(c)
	if u == nil {
		return h.requireUser(c)
	}
	if u.ID != uid {
		return h.renderSuggestions(c, sf, draft) // the cookie named someone else: read again as the viewer
	}
	data := h.view(c, "Mentors for you")
	data["Filter"] = sf
	data["PathOptions"] = pathOptions(sf.Path)
	data["TZOptions"] = tzOptions(sf.MaxTZ)
	data["FilterAction"] = "/mentors/suggestions"
	data["Draft"] = draft
	data["Fields"] = formErrors(nil)
	data["Back"] = "/mentors/suggestions" + sf.query()
	data["Filtered"] = sf.query() != ""
	status := fiber.StatusOK
	if draft.Error != "" {
		status = fiber.StatusUnprocessableEntity
	}
	second := h.Redis.Pipeline()
	getList, likely, err := suggest.QueueProfiles(ctx, second)
	if errors.Is(err, mentors.ErrNotFound) {
		data["NoProfile"] = true
		return c.Status(status).Render("mentors/suggestions", data)
	}
	fields = mergeErrors(fields, err)
	if len(fields) > 0 {
		data["Fields"] = formErrors(fields)
		return c.Status(fiber.StatusUnprocessableEntity).Render("mentors/suggestions", data)
	}
	if err != nil {
		return err
	}
	getMentoring, err := mentoring.QueueRecords(ctx, second)
	if err != nil {
		return err
	}
	users, missing := h.recentPeople(c, likely) // names a minute old, as on the session page
	getUsers := h.Users.QueueGetMany(ctx, second, missing)
	if err := runReads(ctx, second); err != nil {
		return err
	}
	list, err := getList()
	if err != nil {
		return err
	}
	mine, err := getMentoring()
	if err != nil {
		return err
	}
	read, err := getUsers()
	if err != nil {
		return err
	}
	for id, u := range read {
		users[id] = u
	}
	cards, err := h.suggestionCards(c, list, draft, mine, users)
	if err != nil {
		return err
	}
	data["Suggestions"] = cards
	c.Status(status)
	return h.frags.renderMap(c, "mentors/suggestions", data, false)
}

// suggestionCards puts list in words for the page, with the visitor's
// open requests and mentors from mine; users holds the people read with
// the list, the others are read now.
func (h *handler) suggestionCards(c *fiber.Ctx, list []match.Suggestion, draft askDraft, mine mentors.MentoringRead, users map[string]*auth.User) ([]suggestionCard, error) {
	asked := map[string]string{}
	for _, r := range mine.PendingOut {
		asked[r.MentorID] = r.ID
	}
	current := map[string]bool{}
	for _, m := range mine.Mentors {
		current[m.MentorID] = true
	}
	ids := make([]string, len(list))
	var missing []string
	for i, s := range list {
		ids[i] = s.Mentor.UserID
		if _, ok := users[ids[i]]; !ok {
			missing = append(missing, ids[i])
		}
	}
	if len(missing) > 0 {
		more, err := h.Users.GetMany(c.UserContext(), missing)
		if err != nil {
			return nil, err
		}
		maps.Copy(users, more)
	}
	people := personMap(users, ids)
	cards := make([]suggestionCard, len(list))
	for i, s := range list {
		m := s.Mentor
		cards[i] = suggestionCard{
			Mentor: people[m.UserID], Reasons: s.Reasons.String(), Skills: skillsWords(m.Skills), Paths: pathNames(m.Paths),
			Languages: languagesText(m.Languages), TimeZone: m.TimeZone, Hours: m.Availability.HoursPerWeek, Bio: m.Bio,
			AvailableNow: m.AvailableNow, FreeSeats: m.Capacity - m.Active, Thanks: m.Thanks, RequestID: asked[m.UserID], Mine: current[m.UserID],
		}
		if draft.MentorID == m.UserID {
			cards[i].Draft = draft
		}
	}
	return cards, nil
}

// mentorAsk files a request to a mentor with a message. A missing or too
// long message comes back next to that mentor's form; refusals (yourself,
// too many open requests, a second request, a paused or full mentor) come
// back as a message at the top of the suggestions.
func (h *handler) mentorAsk(c *fiber.Ctx) error {
	u := currentUser(c)
	back := safeNext(c.FormValue("back"))
	if !strings.HasPrefix(back, "/mentors/suggestions") {
		back = "/mentors/suggestions"
	}
	mentorID, message := c.FormValue("mentor"), c.FormValue("message")
	if blocked, err := h.blockedBetween(c.UserContext(), u.ID, mentorID); err != nil {
		return err
	} else if blocked {
		// Said the same way whoever blocked whom, so it tells nobody who did.
		return h.redirectWith(c, back, "error", "You cannot send this mentor a request.")
	}
	r, err := h.Mentors.Ask(c.UserContext(), u.ID, mentorID, message)
	var ve valid.Errors
	if errors.As(err, &ve) {
		q := url.Values{}
		if bu, err := url.Parse(back); err == nil {
			q = bu.Query()
		}
		return h.renderSuggestions(c, filterFrom(q), askDraft{MentorID: mentorID, Message: message, Error: ve["message"]})
	}
	if err != nil {
		return h.refuseOr(c, back, err, "Fill in your mentee profile before asking a mentor.")
	}
	name := "the mentor"
	if p, err := h.peopleByID(c, []string{mentorID}); err == nil {
		name = p[mentorID].Name
	}
	return h.redirectWith(c, "/mentors/requests/"+r.ID, "ok", "Your request is on its way to "+name+". This page shows their answer when it comes.")
}

// tzOptions are the distance choices of the filter.
func tzOptions(chosen string) []option {
	out := []option{{Value: "", Label: "Any distance", Checked: strings.TrimSpace(chosen) == ""}}
	for _, h := range maxTZChoices {
		v := strconv.Itoa(h)
		label := "At most " + v + " hours apart"
		if h == 1 {
			label = "At most 1 hour apart"
		}
		out = append(out, option{Value: v, Label: label, Checked: v == strings.TrimSpace(chosen)})
	}
	return out
}
