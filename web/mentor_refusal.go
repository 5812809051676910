package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/mentors"
)

// mentorRefusals are the mentoring store's refusals a person can act on;
// each is shown as a flash message after a redirect.
var mentorRefusals = []error{
	mentors.ErrSelf, mentors.ErrPaused, mentors.ErrNotMentoring, mentors.ErrFull, mentors.ErrAlreadyMentor,
	mentors.ErrTooManyRequests, mentors.ErrDuplicateRequest, mentors.ErrWithdrawn, mentors.ErrExpired,
	mentors.ErrClosed, mentors.ErrWrongState, mentors.ErrEnded, mentors.ErrNoProfile, mentors.ErrSignupClosed,
	mentors.ErrOtherRole, mentors.ErrAlreadyRun, mentors.ErrNotRun, mentors.ErrPublished,
	mentors.ErrTooManyGoals, mentors.ErrTooManyNotes, mentors.ErrNoGoal,
	mentors.ErrMeetingInPast, mentors.ErrMeetingTooFar, mentors.ErrOutsideTimes, mentors.ErrMoveOutside,
	mentors.ErrTooManyMeetings, mentors.ErrNoMeeting, mentors.ErrOwnProposal,
}

// refusalText is the sentence for a refusal of the mentoring store, or ""
// when err is something else. noProfile names the profile that is missing.
func refusalText(err error, noProfile string) string {
	if errors.Is(err, mentors.ErrNoProfile) && noProfile != "" {
		return noProfile
	}
	for _, r := range mentorRefusals {
		if errors.Is(err, r) {
			s := r.Error()
			return strings.ToUpper(s[:1]) + s[1:] + "."
		}
	}
	return ""
}

// refuseOr sends the visitor back to to with the refusal as a flash
// message, or returns err for the error handler when it is no refusal.
func (h *handler) refuseOr(c *fiber.Ctx, to string, err error, noProfile string) error {
	if msg := refusalText(err, noProfile); msg != "" {
		return h.redirectWith(c, to, "error", msg)
	}
	return err
}

// peopleByID looks up the people behind ids; someone whose account is gone
// is shown as a former member.
func (h *handler) peopleByID(c *fiber.Ctx, ids []string) (map[string]Person, error) {
	users, err := h.Users.GetMany(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	return personMap(users, ids), nil
}

// personMap names the people behind ids from users; those not there are
// "A former member".
func personMap(users map[string]*auth.User, ids []string) map[string]Person {
	out := make(map[string]Person, len(ids))
	for _, id := range ids {
		if u, ok := users[id]; ok {
			out[id] = personOf(u)
		} else {
			out[id] = Person{ID: id, Name: "A former member"}
		}
	}
	return out
}
