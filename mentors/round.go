package mentors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// RoundState is where a matching round stands.
type RoundState string

// The states of a round, in order; reset takes a matched round back to open.
const (
	RoundOpen       RoundState = "open"       // members sign up
	RoundMatched    RoundState = "matched"    // pairs proposed, the organizer may adjust them
	RoundPublishing RoundState = "publishing" // mentorships are being started
	RoundPublished  RoundState = "published"
)

// Unmatched codes the store adds to the engine's.
const (
	UnmatchedNoProfile = "no_profile"
	UnmatchedOrganizer = "organizer"
)

// Round is a group's mentoring round.
type Round struct {
	ID              string
	GroupID         string
	State           RoundState
	Deadline        time.Time // sign-up closes
	Created         time.Time
	CreatedBy       string
	ExcludePrevious bool           // pairs from earlier published rounds are not matched again
	Mentors         map[string]int // signed-up mentors and their capacity for this round
	Mentees         []string       // signed-up mentees, sorted
	Result          *match.Result  // once matched
	version         string
}

// OpenRound starts a round in a group with a sign-up deadline in the future.
func (s *Store) OpenRound(ctx context.Context, actor Actor, groupID string, deadline time.Time, excludePrevious bool) (Round, error) {
	if !actor.Organizer {
		return Round{}, fmt.Errorf("mentors: open round: %w", ErrForbidden)
	}
	if !ids.Valid(groupID) {
		return Round{}, fmt.Errorf("mentors: open round: group %w", ErrNotFound)
	}
	now := s.now()
	if !deadline.After(now) {
		return Round{}, valid.Errors{"deadline": "The sign-up deadline must be in the future"}
	}
	id := ids.New()
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, s.roundKey(id), "id", id, "group", groupID, "state", string(RoundOpen),
		"deadline", ms(deadline), "created", ms(now), "created_by", actor.UserID,
		"exclude", boolFlag(excludePrevious), "version", 0)
	if _, err := pipe.Exec(ctx); err != nil {
		return Round{}, fmt.Errorf("mentors: open round: %w", err)
	}
	if err := s.rdb.ZAdd(ctx, s.groupRoundsKey(groupID), redis.Z{Score: float64(ms(now)), Member: id}).Err(); err != nil {
		return Round{}, fmt.Errorf("mentors: open round: %w", err)
	}
	return s.Round(ctx, id)
}

// GroupRounds lists a group's round IDs, newest first.
func (s *Store) GroupRounds(ctx context.Context, groupID string) ([]string, error) {
	if !ids.Valid(groupID) {
		return nil, nil
	}
	p := s.rdb.Pipeline()
	get := s.QueueGroupRounds(ctx, p, groupID)
	_, _ = p.Exec(ctx) // get reports its own command's error
	return get()
}

// QueueGroupRounds queues on p the read of GroupRounds for a valid group
// ID; the returned function gives the IDs once p has been executed.
func (s *Store) QueueGroupRounds(ctx context.Context, p redis.Pipeliner, groupID string) func() ([]string, error) {
	cmd := p.ZRevRange(ctx, s.groupRoundsKey(groupID), 0, -1)
	return func() ([]string, error) {
		out, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("mentors: rounds of %s: %w", groupID, err)
		}
		return out, nil
	}
}

// Round returns a round with its sign-ups and result.
func (s *Store) Round(ctx context.Context, id string) (Round, error) {
	if !ids.Valid(id) {
		return Round{}, fmt.Errorf("mentors: round %s: %w", id, ErrNotFound)
	}
	p := s.rdb.Pipeline()
	get := s.QueueRound(ctx, p, id)
	_, _ = p.Exec(ctx) // get reports its own commands' errors
	return get()
}

// QueueRound queues on p the read of Round for a valid round ID; the
// returned function gives the round, or ErrNotFound, once p has been
// executed.
func (s *Store) QueueRound(ctx context.Context, p redis.Pipeliner, id string) func() (Round, error) {
	hc := p.HGetAll(ctx, s.roundKey(id))
	mc := p.HGetAll(ctx, s.roundMentorsKey(id))
	ec := p.SMembers(ctx, s.roundMenteesKey(id))
	return func() (Round, error) {
		for _, c := range []redis.Cmder{hc, mc, ec} {
			if err := c.Err(); err != nil {
				return Round{}, fmt.Errorf("mentors: round %s: %w", id, err)
			}
		}
		r, err := roundFrom(hc.Val(), mc.Val(), ec.Val())
		if err != nil {
			return Round{}, fmt.Errorf("mentors: round %s: %w", id, err)
		}
		return r, nil
	}
}

func roundFrom(h, mentors map[string]string, mentees []string) (Round, error) {
	if len(h) == 0 {
		return Round{}, ErrNotFound
	}
	r := Round{
		ID: h["id"], GroupID: h["group"], State: RoundState(h["state"]), Deadline: fromMS(h["deadline"]),
		Created: fromMS(h["created"]), CreatedBy: h["created_by"], ExcludePrevious: h["exclude"] == "1",
		Mentors: make(map[string]int, len(mentors)), Mentees: mentees, version: h["version"],
	}
	slices.Sort(r.Mentees)
	for u, c := range mentors {
		r.Mentors[u], _ = strconv.Atoi(c)
	}
	if raw := h["result"]; raw != "" {
		r.Result = &match.Result{}
		if err := json.Unmarshal([]byte(raw), r.Result); err != nil {
			return r, err
		}
	}
	return r, nil
}

// SignUp signs a member up for a round as mentor or mentee, using their
// profile; a mentor may offer fewer seats for this round than their profile
// (capacity 0 = the profile's). Signing up again in the same role updates
// the capacity.
func (s *Store) SignUp(ctx context.Context, roundID, userID string, role match.Role, capacity int) error {
	errs := valid.Errors{}
	if role != match.RoleMentor && role != match.RoleMentee {
		errs.Add("role", "Sign up as mentor or as mentee")
	}
	if role == match.RoleMentor && (capacity < 0 || capacity > match.MaxCapacity) {
		errs.Add("capacity", fmt.Sprintf("Offer between 1 and %d mentees", match.MaxCapacity))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if !ids.Valid(userID) {
		return fmt.Errorf("mentors: sign up: %w", ErrNotFound)
	}
	if role == match.RoleMentor {
		p, err := s.MentorProfile(ctx, userID)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("mentors: sign up: %w", ErrNoProfile)
		}
		if err != nil {
			return err
		}
		if p.Capacity == 0 {
			return fmt.Errorf("mentors: sign up: %w", ErrNotMentoring)
		}
		if capacity > p.Capacity {
			return valid.Errors{"capacity": fmt.Sprintf("Your profile offers at most %d mentees", p.Capacity)}
		}
		if capacity == 0 {
			capacity = p.Capacity
		}
	} else if _, err := s.MenteeProfile(ctx, userID); errors.Is(err, ErrNotFound) {
		return fmt.Errorf("mentors: sign up: %w", ErrNoProfile)
	} else if err != nil {
		return err
	}
	return s.signup(ctx, roundID, userID, string(role), capacity)
}

// LeaveRound takes a member's sign-up back while the round is open.
func (s *Store) LeaveRound(ctx context.Context, roundID, userID string) error {
	return s.signup(ctx, roundID, userID, "leave", 0)
}

func (s *Store) signup(ctx context.Context, roundID, userID, role string, capacity int) error {
	if !ids.Valid(roundID) {
		return fmt.Errorf("mentors: sign up: round %w", ErrNotFound)
	}
	res, err := signupScript.Run(ctx, s.rdb, []string{s.roundKey(roundID), s.roundMentorsKey(roundID), s.roundMenteesKey(roundID)},
		role, userID, capacity, ms(s.now())).Text()
	if err != nil {
		return fmt.Errorf("mentors: sign up for %s: %w", roundID, err)
	}
	switch res {
	case "OK":
		return nil
	case "CLOSED":
		return fmt.Errorf("mentors: sign up for %s: %w", roundID, ErrSignupClosed)
	case "OTHERROLE":
		return fmt.Errorf("mentors: sign up for %s: %w", roundID, ErrOtherRole)
	}
	return fmt.Errorf("mentors: sign up for %s: %w", roundID, scriptError(res))
}

// stateError maps a refused round transition to its error.
func stateError(res string) error {
	switch res {
	case "OK":
		return nil
	case "CHANGED":
		return errChanged
	case "STATE:" + string(RoundOpen):
		return ErrNotRun
	case "STATE:" + string(RoundMatched):
		return ErrAlreadyRun
	case "STATE:" + string(RoundPublishing), "STATE:" + string(RoundPublished):
		return ErrPublished
	}
	return scriptError(res)
}

var errChanged = errors.New("sign-ups changed while matching")

// RunRound matches a round once: it reads the sign-ups and profiles, runs
// match.Round and stores the pairs and the unmatched with their reasons.
// Running a matched round again returns ErrAlreadyRun (ResetRound first).
func (s *Store) RunRound(ctx context.Context, actor Actor, roundID string) (match.Result, error) {
	if !actor.Organizer {
		return match.Result{}, fmt.Errorf("mentors: run round: %w", ErrForbidden)
	}
	for attempt := 0; ; attempt++ {
		r, err := s.Round(ctx, roundID)
		if err != nil {
			return match.Result{}, err
		}
		if r.State != RoundOpen {
			return match.Result{}, fmt.Errorf("mentors: run round %s: %w", roundID, stateError("STATE:"+string(r.State)))
		}
		res, err := s.computeRound(ctx, &r)
		if err != nil {
			return match.Result{}, fmt.Errorf("mentors: run round %s: %w", roundID, err)
		}
		raw, err := json.Marshal(res)
		if err != nil {
			return match.Result{}, fmt.Errorf("mentors: run round %s: %w", roundID, err)
		}
		code, err := stateScript.Run(ctx, s.rdb, []string{s.roundKey(roundID)},
			string(RoundOpen), string(RoundMatched), ms(s.now()), r.version, raw).Text()
		if err == nil {
			err = stateError(code)
		}
		if errors.Is(err, errChanged) && attempt < 3 {
			continue
		}
		if err != nil {
			return match.Result{}, fmt.Errorf("mentors: run round %s: %w", roundID, err)
		}
		return res, nil
	}
}

// roundCapacity is how many mentees a mentor can take in a round: their
// round offer, bounded by the free seats of their profile; none if paused.
func roundCapacity(offer int, p *match.MentorProfile) int {
	if p.Paused {
		return 0
	}
	return max(0, min(offer, p.Capacity-p.Active))
}

// roundProfiles loads the profiles of a round's sign-ups with their round
// capacities, and lists who has no profile any more.
func (s *Store) roundProfiles(ctx context.Context, r *Round) ([]match.MentorProfile, []match.MenteeProfile, []match.Unmatched, error) {
	mentorIDs := make([]string, 0, len(r.Mentors))
	for u := range r.Mentors {
		mentorIDs = append(mentorIDs, u)
	}
	slices.Sort(mentorIDs)
	mentors, err := s.mentorProfiles(ctx, mentorIDs)
	if err != nil {
		return nil, nil, nil, err
	}
	mentees, err := s.menteeProfiles(ctx, r.Mentees)
	if err != nil {
		return nil, nil, nil, err
	}
	for k := range mentors {
		mentors[k].Capacity = roundCapacity(r.Mentors[mentors[k].UserID], &mentors[k])
	}
	var missing []match.Unmatched
	for _, u := range r.Mentees {
		if !slices.ContainsFunc(mentees, func(p match.MenteeProfile) bool { return p.UserID == u }) {
			missing = append(missing, match.Unmatched{UserID: u, Role: match.RoleMentee, Code: UnmatchedNoProfile, Reason: "has no mentee profile any more"})
		}
	}
	for _, u := range mentorIDs {
		if !slices.ContainsFunc(mentors, func(p match.MentorProfile) bool { return p.UserID == u }) {
			missing = append(missing, match.Unmatched{UserID: u, Role: match.RoleMentor, Code: UnmatchedNoProfile, Reason: "has no mentor profile any more"})
		}
	}
	return mentors, mentees, missing, nil
}

func (s *Store) computeRound(ctx context.Context, r *Round) (match.Result, error) {
	mentors, mentees, missing, err := s.roundProfiles(ctx, r)
	if err != nil {
		return match.Result{}, err
	}
	in := match.RoundInput{Mentees: mentees, Mentors: mentors, At: s.now()}
	if r.ExcludePrevious {
		prev, err := s.rdb.SMembers(ctx, s.groupPairsKey(r.GroupID)).Result()
		if err != nil {
			return match.Result{}, err
		}
		for _, p := range prev {
			mentee, mentor, _ := strings.Cut(p, "/")
			in.Exclude = append(in.Exclude, match.PairKey{MenteeID: mentee, MentorID: mentor})
		}
	}
	existing, err := s.existingPairs(ctx, r)
	if err != nil {
		return match.Result{}, err
	}
	in.Exclude = append(in.Exclude, existing...)
	res := match.Round(in)
	res.Existing = existing
	res.Unmatched = append(res.Unmatched, missing...)
	sortUnmatched(res.Unmatched)
	return res, nil
}

// existingPairs lists the round's mentees and mentors who already mentor
// each other (an active mentorship, from a request or an earlier round),
// read in one round trip.
func (s *Store) existingPairs(ctx context.Context, r *Round) ([]match.PairKey, error) {
	p := s.rdb.Pipeline()
	cmds := make([]*redis.StringSliceCmd, len(r.Mentees))
	for i, m := range r.Mentees {
		cmds[i] = p.HKeys(ctx, s.menteeMentorsKey(m))
	}
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	var out []match.PairKey
	for i, m := range r.Mentees {
		for _, mentor := range cmds[i].Val() {
			if _, ok := r.Mentors[mentor]; ok {
				out = append(out, match.PairKey{MenteeID: m, MentorID: mentor})
			}
		}
	}
	slices.SortFunc(out, func(a, b match.PairKey) int {
		return strings.Compare(a.MenteeID+"/"+a.MentorID, b.MenteeID+"/"+b.MentorID)
	})
	return out, nil
}

func sortUnmatched(u []match.Unmatched) {
	slices.SortFunc(u, func(a, b match.Unmatched) int {
		if a.Role != b.Role {
			if a.Role == match.RoleMentee {
				return -1
			}
			return 1
		}
		return strings.Compare(a.UserID, b.UserID)
	})
}

// ResetRound drops a matched round's result so it can take more sign-ups
// and run again; a published round cannot be reset.
func (s *Store) ResetRound(ctx context.Context, actor Actor, roundID string) error {
	if !actor.Organizer {
		return fmt.Errorf("mentors: reset round: %w", ErrForbidden)
	}
	if !ids.Valid(roundID) {
		return fmt.Errorf("mentors: reset round: %w", ErrNotFound)
	}
	code, err := stateScript.Run(ctx, s.rdb, []string{s.roundKey(roundID)},
		string(RoundMatched), string(RoundOpen), ms(s.now()), "", "-").Text()
	if err == nil {
		err = stateError(code)
	}
	if err != nil {
		return fmt.Errorf("mentors: reset round %s: %w", roundID, err)
	}
	return nil
}
