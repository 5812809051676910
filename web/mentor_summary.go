package web

import (
	"maps"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"

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

// queueMentorSummary queues on p, once m's list reads have run, the reads
// of the mentorships, requests and the people on them that are known; the
// returned function gives the summary, and what it was made of, once p
// has been executed, reading the people not known yet in one more round
// trip.
func (h *handler) queueMentorSummary(c *fiber.Ctx, p redis.Pipeliner, m *mentors.Mentoring) (func() (mentorSummary, mentors.MentoringRead, error), error) {
	ctx := c.UserContext()
	readRecords, err := m.QueueRecords(ctx, p)
	if err != nil {
		return nil, err
	}
	known := m.KnownPeople()
	readPeople := h.Users.QueueGetMany(ctx, p, known)
	return func() (mentorSummary, mentors.MentoringRead, error) {
		r, err := readRecords()
		if err != nil {
			return mentorSummary{}, r, err
		}
		users, err := readPeople()
		if err != nil {
			return mentorSummary{}, r, err
		}
		s, err := h.summaryOf(c, r, users, known)
		return s, r, err
	}, nil
}

// summaryOf puts r in words, with the people on it; users holds those
// read among known, the others are read now.
func (h *handler) summaryOf(c *fiber.Ctx, r mentors.MentoringRead, users map[string]*auth.User, known []string) (mentorSummary, error) {
	var s mentorSummary
	if mp := r.MentorProfile; mp != nil {
		s.HasMentorProfile, s.Paused = true, mp.Paused
		if mp.PausedAuto {
			s.PauseReason = mp.PauseReason
		}
	}
	s.HasMenteeProfile = r.MenteeProfile != nil
	var ids []string
	for _, m := range r.Mentors {
		ids = append(ids, m.MentorID)
	}
	for _, m := range r.Mentees {
		ids = append(ids, m.MenteeID)
	}
	for _, r := range r.PendingIn {
		ids = append(ids, r.MenteeID)
	}
	for _, r := range r.PendingOut {
		ids = append(ids, r.MentorID)
	}
	var missing []string
	for _, id := range ids {
		if !slices.Contains(known, id) && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		more, err := h.Users.GetMany(c.UserContext(), missing)
		if err != nil {
			return s, err
		}
		maps.Copy(users, more)
	}
	people := personMap(users, ids)
	loc := viewerZone(c)
	now := time.Now()
	for _, m := range r.Mentors {
		s.Mentors = append(s.Mentors, mentorshipItem{ID: m.ID, Other: people[m.MentorID], Since: "since " + shortDate(m.Started, loc)})
	}
	for _, m := range r.Mentees {
		s.Mentees = append(s.Mentees, mentorshipItem{ID: m.ID, Other: people[m.MenteeID], Since: "since " + shortDate(m.Started, loc)})
	}
	for _, r := range r.PendingIn {
		it := requestItem{ID: r.ID, Other: people[r.MenteeID], Age: "sent " + timefmt.Relative(r.Created, now)}
		if r.State == mentors.RequestQuestion {
			it.Status = "waiting for their answer to your question"
		} else {
			it.Status, it.YourTurn = "waiting for your answer", true
		}
		s.PendingIn = append(s.PendingIn, it)
	}
	for _, r := range r.PendingOut {
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
