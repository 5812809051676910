package web

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// roundSignup is a mentor who signed up, with the seats offered.
type roundSignup struct {
	Person   Person
	Capacity int
}

// pairRow is a proposed or published pair with its reasons in words.
type pairRow struct {
	Mentee, Mentor Person
	Quality        string // strong, good or fair
	Reasons        string // for the organizers, naming both
	MineReasons    string // for the viewer when they are one of the two
	Manual         bool
}

// unmatchedRow is someone a round left without a pair, with why.
type unmatchedRow struct {
	Person Person
	Role   string
	Reason string
}

// roundDraft keeps what was typed into the round page's forms when one
// comes back with errors.
type roundDraft struct {
	Role, Capacity, Mentee, Mentor, MenteeA, MenteeB string
}

// loadRound finds the round named by :id in the group named by :slug.
func (h *handler) loadRound(c *fiber.Ctx) (groupView, mentors.Round, error) {
	gv, err := h.loadRoundsGroup(c)
	if err != nil {
		return gv, mentors.Round{}, err
	}
	r, err := h.Mentors.Round(c.UserContext(), c.Params("id"))
	if err != nil {
		return gv, r, err
	}
	if r.GroupID != gv.Group.ID {
		return gv, r, notFound()
	}
	return gv, r, nil
}

// roundPage shows a round: sign-up for members; sign-ups, matching,
// pairs with reasons, the unmatched with reasons and the adjusting forms
// for organizers.
func (h *handler) roundPage(c *fiber.Ctx) error {
	gv, r, err := h.loadRound(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	role := myRole(r, u.ID)
	if q := c.Query("role"); role == "" && (q == string(match.RoleMentee) || q == string(match.RoleMentor)) {
		role = q // back from filling in the profile the sign-up needed
	}
	return h.renderRound(c, gv, r, roundDraft{Role: role}, nil)
}

func (h *handler) renderRound(c *fiber.Ctx, gv groupView, r mentors.Round, draft roundDraft, fields valid.Errors) error {
	u := currentUser(c)
	ids := slices.Clone(r.Mentees)
	for id := range r.Mentors {
		ids = append(ids, id)
	}
	people, err := h.peopleByID(c, ids)
	if err != nil {
		return err
	}
	now := time.Now()
	data := h.view(c, "Mentoring round in "+gv.Group.Name)
	data["Loc"] = zoneOr(c, gv.Group.TimeZone)
	data["G"] = gv
	data["Group"] = gv.Group
	data["Round"] = r
	data["Status"] = roundStatus(r, now)
	data["SignupOpen"] = r.State == mentors.RoundOpen && now.Before(r.Deadline)
	data["Closes"] = timefmt.Relative(r.Deadline, now)
	data["MyRole"] = myRole(r, u.ID)
	data["MyCapacity"] = r.Mentors[u.ID]
	data["Draft"] = draft
	data["Fields"] = formErrors(fields)
	data["MaxCapacity"] = match.MaxCapacity

	var signedMentors []roundSignup
	for id, capacity := range r.Mentors {
		signedMentors = append(signedMentors, roundSignup{Person: people[id], Capacity: capacity})
	}
	slices.SortFunc(signedMentors, func(a, b roundSignup) int { return strings.Compare(a.Person.Name, b.Person.Name) })
	signedMentees := make([]Person, 0, len(r.Mentees))
	for _, id := range r.Mentees {
		signedMentees = append(signedMentees, people[id])
	}
	slices.SortFunc(signedMentees, func(a, b Person) int { return strings.Compare(a.Name, b.Name) })
	data["Mentors"] = signedMentors
	data["Mentees"] = signedMentees

	if r.Result != nil {
		var pairs, mine []pairRow
		var paired []Person
		for _, p := range r.Result.Pairs {
			mentee, mentor := people[p.MenteeID], people[p.MentorID]
			row := pairRow{Mentee: mentee, Mentor: mentor, Quality: match.Quality(p.Score),
				Reasons: p.Reasons.ForOrganizer(mentee.Name, mentor.Name), Manual: p.Manual}
			pairs = append(pairs, row)
			paired = append(paired, mentee)
			switch u.ID {
			case p.MenteeID:
				row.MineReasons = p.Reasons.String()
				mine = append(mine, row)
			case p.MentorID:
				row.MineReasons = row.Reasons
				mine = append(mine, row)
			}
		}
		existing := make([]pairRow, 0, len(r.Result.Existing))
		for _, p := range r.Result.Existing {
			existing = append(existing, pairRow{Mentee: people[p.MenteeID], Mentor: people[p.MentorID]})
		}
		data["Existing"] = existing
		var unmatched []unmatchedRow
		for _, x := range r.Result.Unmatched {
			unmatched = append(unmatched, unmatchedRow{Person: people[x.UserID], Role: string(x.Role), Reason: x.Reason})
		}
		data["Pairs"] = pairs
		data["Paired"] = paired
		data["Unmatched"] = unmatched
		if r.State == mentors.RoundPublished || r.State == mentors.RoundPublishing {
			data["MyPairs"] = mine
		}
	}
	return renderForm(c, "mentors/round", data, len(fields) > 0)
}

// organizerRoundActions are the round actions only organizers may take.
var organizerRoundActions = map[string]bool{"run": true, "reset": true, "publish": true, "pair": true, "swap": true}

// roundAction is one action on a round: members sign up or leave;
// organizers run, reset, publish, set a pair or swap two mentors.
func (h *handler) roundAction(c *fiber.Ctx) error {
	gv, r, err := h.loadRound(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	action := c.Params("action")
	if organizerRoundActions[action] && !gv.Organizer() {
		return forbidden("Only the group's organizers can run, change or publish a round.")
	}
	ctx := c.UserContext()
	actor := mentors.Actor{UserID: u.ID, Organizer: gv.Organizer()}
	here := "/g/" + gv.Group.Slug + "/rounds/" + r.ID
	draft := roundDraft{Role: c.FormValue("role"), Capacity: c.FormValue("capacity"), Mentee: c.FormValue("mentee"),
		Mentor: c.FormValue("mentor"), MenteeA: c.FormValue("mentee_a"), MenteeB: c.FormValue("mentee_b")}
	var done, noProfile string
	switch action {
	case "signup":
		fields := valid.Errors{}
		capacity := formInt(draft.Capacity, "capacity", "how many mentees you take", fields)
		if len(fields) == 0 {
			err = h.Mentors.SignUp(ctx, r.ID, u.ID, match.Role(draft.Role), capacity)
		} else {
			err = fields
		}
		done = "You are signed up as " + draft.Role + ". You will hear when the pairs are published."
		noProfile = "To sign up as " + draft.Role + ", fill in your " + draft.Role + " profile first. Saving it brings you back to the round."
	case "leave":
		err = h.Mentors.LeaveRound(ctx, r.ID, u.ID)
		done = "You left this round."
	case "run":
		var res match.Result
		res, err = h.Mentors.RunRound(ctx, actor, r.ID)
		done = fmt.Sprintf("Matched: %s, %s without a pair. Check them below, adjust if needed, then publish.",
			timefmt.Plural(len(res.Pairs), "pair"), timefmt.Plural(len(res.Unmatched), "person"))
	case "reset":
		err = h.Mentors.ResetRound(ctx, actor, r.ID)
		done = "The pairs are dropped and sign-up is open again until the deadline. Run the matching again when ready."
	case "publish":
		var rep mentors.PublishReport
		rep, err = h.Mentors.PublishRound(ctx, actor, r.ID)
		if err == nil {
			err = h.tellUnmatched(c, gv, r)
		}
		if err == nil {
			done, err = h.publishText(c, rep)
		}
	case "pair":
		_, err = h.Mentors.SetPair(ctx, actor, r.ID, draft.Mentee, draft.Mentor)
		done = "The pair is changed."
	case "swap":
		_, err = h.Mentors.SwapMentors(ctx, actor, r.ID, draft.MenteeA, draft.MenteeB)
		done = "The two mentees swapped mentors."
	default:
		return notFound()
	}
	var ve valid.Errors
	if errors.As(err, &ve) {
		return h.renderRound(c, gv, r, draft, ve)
	}
	if errors.Is(err, mentors.ErrNoProfile) && action == "signup" {
		// Fill in the profile, then come back to the round with the role kept.
		back := here + "?role=" + url.QueryEscape(draft.Role)
		return h.redirectWith(c, "/mentors/profile/"+draft.Role+"?next="+url.QueryEscape(back), "ok", noProfile)
	}
	if err != nil {
		return h.refuseOr(c, here, err, noProfile)
	}
	return h.redirectWith(c, here, "ok", done)
}

// tellUnmatched mails the people a published round left without a pair
// their next steps (once each: the mail's key is the round and person).
func (h *handler) tellUnmatched(c *fiber.Ctx, gv groupView, r mentors.Round) error {
	if r.Result == nil || len(r.Result.Unmatched) == 0 {
		return nil
	}
	mentees, mentorsLeft := map[string]string{}, map[string]string{}
	for _, u := range r.Result.Unmatched {
		if u.Role == match.RoleMentee {
			mentees[u.UserID] = u.Reason
		} else {
			mentorsLeft[u.UserID] = u.Reason
		}
	}
	return h.Notify.RoundUnmatched(c.UserContext(), gv.Group, r.ID, mentees, mentorsLeft)
}

// publishText says how publishing went, naming pairs that could not start.
func (h *handler) publishText(c *fiber.Ctx, rep mentors.PublishReport) (string, error) {
	msg := "Published: " + timefmt.Plural(len(rep.Started), "mentorship") + " started. Each pair can now see the other on their mentoring page."
	if len(rep.Skipped) == 0 {
		return msg, nil
	}
	var ids []string
	for _, s := range rep.Skipped {
		ids = append(ids, s.Pair.MenteeID, s.Pair.MentorID)
	}
	people, err := h.peopleByID(c, ids)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, s := range rep.Skipped {
		parts = append(parts, people[s.Pair.MenteeID].Name+" with "+people[s.Pair.MentorID].Name+": "+s.Reason)
	}
	return msg + " Not started: " + strings.Join(parts, "; ") + ".", nil
}
