package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mentors"
)

// mentorSummary is what the dashboard shows about mentoring: my mentors, my
// mentees and the requests waiting in both directions, with names. It is
// everything the partial "partials/mentor_summary" needs; the partial only
// links to pages, so it carries no CSRF token.
type mentorSummary struct {
	Mentors    []mentorshipItem // people mentoring me
	Mentees    []mentorshipItem // people I mentor
	PendingIn  []requestItem    // open requests to me as a mentor
	PendingOut []requestItem    // my open requests to mentors
	// HasMentorProfile and HasMenteeProfile say which profiles exist, so
	// the partial can offer to create the missing one.
	HasMentorProfile, HasMenteeProfile bool
	// Paused is set while my mentor profile is paused; PauseReason says why
	// when the app paused it.
	Paused      bool
	PauseReason string
}

// Empty reports whether there is no mentoring to show at all.
func (s mentorSummary) Empty() bool {
	return len(s.Mentors)+len(s.Mentees)+len(s.PendingIn)+len(s.PendingOut) == 0
}

// mentorshipItem is a running mentorship seen from one side.
type mentorshipItem struct {
	ID    string
	Other Person
	Since string // "since 3 Mar 2026"
}

// requestItem is an open request seen from one side.
type requestItem struct {
	ID    string
	Other Person
	// Status says whose turn it is in words; YourTurn marks the ones that
	// wait for the viewer.
	Status   string
	YourTurn bool
	Age      string // "sent 2 days ago"
}

// mentorSummary gathers the dashboard's mentoring lists for userID.
func (h *handler) mentorSummary(c *fiber.Ctx, userID string) (mentorSummary, error) {
	ctx := c.UserContext()
	var s mentorSummary
	mine, err := h.Mentors.MyMentors(ctx, userID)
	if err != nil {
		return s, err
	}
	theirs, err := h.Mentors.MyMentees(ctx, userID)
	if err != nil {
		return s, err
	}
	in, err := h.Mentors.PendingIn(ctx, userID)
	if err != nil {
		return s, err
	}
	out, err := h.Mentors.PendingOut(ctx, userID)
	if err != nil {
		return s, err
	}
	mp, err := h.Mentors.MentorProfile(ctx, userID)
	switch {
	case err == nil:
		s.HasMentorProfile, s.Paused = true, mp.Paused
		if mp.PausedAuto {
			s.PauseReason = mp.PauseReason
		}
	case !errors.Is(err, mentors.ErrNotFound):
		return s, err
	}
	if _, err := h.Mentors.MenteeProfile(ctx, userID); err == nil {
		s.HasMenteeProfile = true
	} else if !errors.Is(err, mentors.ErrNotFound) {
		return s, err
	}

	var ids []string
	for _, m := range mine {
		ids = append(ids, m.MentorID)
	}
	for _, m := range theirs {
		ids = append(ids, m.MenteeID)
	}
	for _, r := range in {
		ids = append(ids, r.MenteeID)
	}
	for _, r := range out {
		ids = append(ids, r.MentorID)
	}
	people, err := h.peopleByID(c, ids)
	if err != nil {
		return s, err
	}
	loc := currentUser(c).Location()
	now := time.Now()
	for _, m := range mine {
		s.Mentors = append(s.Mentors, mentorshipItem{ID: m.ID, Other: people[m.MentorID], Since: "since " + shortDate(m.Started, loc)})
	}
	for _, m := range theirs {
		s.Mentees = append(s.Mentees, mentorshipItem{ID: m.ID, Other: people[m.MenteeID], Since: "since " + shortDate(m.Started, loc)})
	}
	for _, r := range in {
		it := requestItem{ID: r.ID, Other: people[r.MenteeID], Age: "sent " + timefmt.Relative(r.Created, now)}
		if r.State == mentors.RequestQuestion {
			it.Status = "waiting for their answer to your question"
		} else {
			it.Status, it.YourTurn = "waiting for your answer", true
		}
		s.PendingIn = append(s.PendingIn, it)
	}
	for _, r := range out {
		it := requestItem{ID: r.ID, Other: people[r.MentorID], Age: "sent " + timefmt.Relative(r.Created, now)}
		if r.State == mentors.RequestQuestion {
			it.Status, it.YourTurn = "the mentor asked you a question", true
		} else {
			it.Status = "waiting for the mentor"
		}
		s.PendingOut = append(s.PendingOut, it)
	}
	return s, nil
}

// shortDate is a day in the viewer's zone: "3 Mar 2026".
func shortDate(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006")
}
