package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/mentors"
)

// checkInWords are the answers as people read them.
var checkInWords = map[mentors.CheckInAnswer]string{
	mentors.CheckInGreat: "Great", mentors.CheckInOK: "OK", mentors.CheckInStuck: "Stuck",
}

// checkInView is one answer as the mentorship page shows it.
type checkInView struct {
	mentors.CheckIn
	Who, Words string
}

// checkInsData adds the check-ins section's data; only the mentor sees
// the answers.
func checkInsData(data fiber.Map, pg mentors.MentorshipPage, viewerID string, people map[string]Person) {
	data["CheckInWeeks"] = pg.CheckInWeeks
	data["Cadences"] = mentors.CheckInCadences
	if viewerID != pg.MentorID {
		return
	}
	var out []checkInView
	for _, c := range pg.CheckIns {
		out = append(out, checkInView{CheckIn: c, Who: people[c.UserID].Name, Words: checkInWords[c.Answer]})
	}
	data["CheckIns"] = out
}

// mentorshipCheckInsSet sets the check-in cadence; only the mentor may.
func (h *handler) mentorshipCheckInsSet(c *fiber.Ctx) error {
	weeks, err := strconv.Atoi(c.FormValue("weeks"))
	if err != nil {
		weeks = -1
	}
	err = h.Mentors.SetCheckIns(c.UserContext(), currentUser(c).ID, c.Params("id"), weeks)
	back := "/mentors/mentorships/" + c.Params("id") + "#checkins"
	switch {
	case errors.Is(err, mentors.ErrCheckInCadence):
		return h.redirectWith(c, back, "error", "Choose every 2, 3 or 4 weeks, or off.")
	case errors.Is(err, mentors.ErrForbidden):
		return h.redirectWith(c, back, "error", "Only the mentor sets how often check-ins go out.")
	case err != nil:
		return h.refuseOr(c, back, err, "")
	case weeks == 0:
		return h.redirectWith(c, back, "ok", "Check-ins are off.")
	}
	return h.redirectWith(c, back, "ok", "Check-ins go out every "+strconv.Itoa(weeks)+" weeks.")
}

// loadCheckInLink resolves a check-in link's token; ok is false for one
// that is unknown, tampered with or too old.
func (h *handler) loadCheckInLink(c *fiber.Ctx) (mentors.CheckInLink, map[string]Person, bool, error) {
	ctx := c.UserContext()
	p := h.Redis.Pipeline()
	who, getLink, err := h.Mentors.QueueCheckInLink(ctx, p, c.Params("token"))
	if errors.Is(err, mentors.ErrNotFound) {
		return mentors.CheckInLink{}, nil, false, nil
	}
	if err != nil {
		return mentors.CheckInLink{}, nil, false, err
	}
	ids := []string{who.Mentor, who.Mentee}
	getUsers := h.Users.QueueGetMany(ctx, p, ids)
	if err := runReads(ctx, p); err != nil {
		return mentors.CheckInLink{}, nil, false, err
	}
	l, err := getLink()
	if errors.Is(err, mentors.ErrNotFound) {
		return l, nil, false, nil
	}
	if err != nil {
		return l, nil, false, err
	}
	users, err := getUsers()
	if err != nil {
		return l, nil, false, err
	}
	people := personMap(users, ids)
	other := who.Mentee
	if l.UserID == who.Mentee {
		other = who.Mentor
	}
	return l, map[string]Person{"me": people[l.UserID], "other": people[other], "mentor": people[who.Mentor]}, true, nil
}

// checkInAnswer is the answer a link or form names, or "".
func checkInAnswer(v string) mentors.CheckInAnswer {
	a := mentors.CheckInAnswer(v)
	if _, ok := checkInWords[a]; ok {
		return a
	}
	return ""
}

// checkInLinkPage shows what confirming will record, with one button per
// answer (the link's own first). Mail scanners follow links with GET, so
// this changes nothing.
func (h *handler) checkInLinkPage(c *fiber.Ctx) error {
	l, people, ok, err := h.loadCheckInLink(c)
	if err != nil {
		return err
	}
	if !ok {
		c.Status(fiber.StatusNotFound)
		return h.invalidLink(c)
	}
	data := h.view(c, "How is it going with "+people["other"].Name+"?")
	data["L"] = l
	data["Token"] = c.Params("token")
	data["Me"], data["Other"] = people["me"], people["other"]
	data["Chosen"] = checkInAnswer(c.Query("answer"))
	data["Given"] = checkInWords[l.Answer]
	data["Answers"] = checkInChoices()
	return c.Render("mentors/checkin", data)
}

// checkInChoice is one answer button.
type checkInChoice struct {
	Value mentors.CheckInAnswer
	Words string
}

func checkInChoices() []checkInChoice {
	out := make([]checkInChoice, 0, len(mentors.CheckInAnswers))
	for _, a := range mentors.CheckInAnswers {
		out = append(out, checkInChoice{a, checkInWords[a]})
	}
	return out
}

// checkInLinkAnswer records the answer from the confirm button: no
// sign-in and no CSRF token, the token in the URL is the credential.
func (h *handler) checkInLinkAnswer(c *fiber.Ctx) error {
	l, people, ok, err := h.loadCheckInLink(c)
	if err != nil {
		return err
	}
	if !ok {
		c.Status(fiber.StatusNotFound)
		return h.invalidLink(c)
	}
	// Only the posted form counts, not the query of the link.
	a := checkInAnswer(string(c.Request().PostArgs().Peek("answer")))
	if a == "" {
		return httpError(fiber.StatusBadRequest, "Choose an answer", "The form did not say how it is going. Open the link from your email again.")
	}
	if err := h.Mentors.AnswerCheckIn(c.UserContext(), c.Params("token"), a); err != nil {
		if errors.Is(err, mentors.ErrNotFound) {
			c.Status(fiber.StatusNotFound)
			return h.invalidLink(c)
		}
		return err
	}
	data := h.view(c, "Thank you")
	data["L"] = l
	data["Me"], data["Other"] = people["me"], people["other"]
	data["IsMentor"] = people["mentor"].ID == l.UserID
	data["Done"] = checkInWords[a]
	return c.Render("mentors/checkin", data)
}
