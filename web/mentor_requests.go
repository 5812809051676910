package web

import (
	"errors"
	"maps"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// requestPage is a request thread as one of its two people sees it.
type requestPage struct {
	Request  mentors.Request
	Mentor   Person
	Mentee   Person
	IsMentor bool
	Status   string
	// MenteeGoals and MenteeAim tell the mentor who is asking.
	MenteeGoals, MenteeAim string
	// Can* say which actions the viewer has at this step.
	CanDecide, CanAnswer, CanWithdraw bool
}

// statusWords says where a request stands, from the viewer's side.
func statusWords(r mentors.Request, isMentor bool) string {
	switch r.State {
	case mentors.RequestOpen:
		if isMentor {
			return "Waiting for your answer."
		}
		return "Waiting for the mentor's answer."
	case mentors.RequestQuestion:
		if isMentor {
			return "Waiting for the mentee's answer to your question."
		}
		return "The mentor asked you a question. Answer it below."
	case mentors.RequestAccepted:
		return "Accepted: the mentorship has started."
	case mentors.RequestDeclined:
		return "Declined."
	case mentors.RequestWithdrawn:
		return "Withdrawn by the mentee."
	case mentors.RequestExpired:
		return "Expired: the mentor did not answer in time."
	}
	return string(r.State)
}

// mentorRequestShow shows a request to its mentor or its mentee; anyone
// else gets 403.
func (h *handler) mentorRequestShow(c *fiber.Ctx) error {
	return h.renderRequest(c, nil, nil)
}

// renderRequest reads the request, its two people and the mentee's
// profile in one round trip once this instance has read the request
// before (see mentors.RequestRead).
func (h *handler) renderRequest(c *fiber.Ctx, fields valid.Errors, drafts map[string]string) error {
	u := currentUser(c)
	ctx := c.UserContext()
	p := h.Redis.Pipeline()
	read := h.Mentors.QueueRequest(ctx, p, c.Params("id"))
	known, missing := h.Users.Recent(read.People())
	getUsers := h.Users.QueueGetMany(ctx, p, missing)
	// Without a zone of their own, the viewer's mentoring profile names
	// one, as on the mentorship page: both of theirs are read, since
	// which side they are on is known only once the request is.
	var getMentorZone func() ([]match.MentorProfile, error)
	var getMenteeZone func() (match.MenteeProfile, error)
	if knownZone(c) == nil {
		getMentorZone = h.Mentors.QueueMentorProfiles(ctx, p, []string{u.ID})
		getMenteeZone = h.Mentors.QueueMenteeProfile(ctx, p, u.ID)
	}
	if err := runReads(ctx, p); err != nil {
		return err
	}
	r, profile, err := read.Result(ctx, u.ID)
	if err != nil {
		return err
	}
	users, err := getUsers()
	if err != nil {
		return err
	}
	pair := []string{r.MentorID, r.MenteeID}
	maps.Copy(users, known)
	if read.People() == nil {
		if users, err = h.Users.GetMany(ctx, pair); err != nil {
			return err
		}
	}
	people := personMap(users, pair)
	isMentor := u.ID == r.MentorID
	waiting := r.State == mentors.RequestOpen || r.State == mentors.RequestQuestion
	page := requestPage{
		Request: r, Mentor: people[r.MentorID], Mentee: people[r.MenteeID], IsMentor: isMentor,
		Status:      statusWords(r, isMentor),
		CanDecide:   isMentor && waiting,
		CanAnswer:   !isMentor && r.State == mentors.RequestQuestion,
		CanWithdraw: !isMentor && waiting,
	}
	if isMentor && profile != nil {
		page.MenteeGoals, page.MenteeAim = profile.Goals, menteeAim(*profile)
	}
	title := "Request from " + page.Mentee.Name
	if !isMentor {
		title = "Your request to " + page.Mentor.Name
	}
	data := h.view(c, title)
	data["R"] = page
	if getMentorZone != nil {
		myZone := ""
		if isMentor {
			if ps, err := getMentorZone(); err == nil && len(ps) > 0 {
				myZone = ps[0].TimeZone
			}
		} else if mp, err := getMenteeZone(); err == nil {
			myZone = mp.TimeZone
		}
		data["Loc"] = zoneOr(c, myZone)
	}
	data["Fields"] = formErrors(fields)
	data["Drafts"] = drafts
	return renderForm(c, "mentors/request", data, len(fields) > 0)
}

// mentorRequestAction is one step on a request: the mentor accepts,
// declines or asks a question; the mentee answers or withdraws. A text
// that is missing or too long comes back next to its field; a step that
// is no longer possible comes back as a message on the request page.
func (h *handler) mentorRequestAction(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	id := c.Params("id")
	here := "/mentors/requests/" + id
	var field, done string
	var err error
	switch c.Params("action") {
	case "accept":
		var m mentors.Mentorship
		m, err = h.Mentors.Accept(ctx, u.ID, id)
		if err == nil {
			return h.redirectWith(c, "/mentors/mentorships/"+m.ID, "ok", "You accepted. The mentorship has started: say hello and agree when to meet.")
		}
		if errors.Is(err, mentors.ErrFull) {
			return h.redirectWith(c, here, "error", "You have no free seat: end a mentorship or offer more seats in your mentor profile first.")
		}
	case "decline":
		field, done = "reply", "You declined this request."
		_, err = h.Mentors.Decline(ctx, u.ID, id, c.FormValue(field))
	case "question":
		field, done = "question", "Your question is sent. The request waits for the answer."
		_, err = h.Mentors.AskQuestion(ctx, u.ID, id, c.FormValue(field))
	case "answer":
		field, done = "answer", "Your answer is sent to the mentor."
		_, err = h.Mentors.Answer(ctx, u.ID, id, c.FormValue(field))
	case "withdraw":
		done = "You withdrew this request. You can ask another mentor."
		_, err = h.Mentors.Withdraw(ctx, u.ID, id)
	default:
		return notFound()
	}
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderRequest(c, ve, map[string]string{field: c.FormValue(field)})
	}
	if err != nil {
		return h.refuseOr(c, here, err, "")
	}
	return h.redirectWith(c, here, "ok", done)
}
