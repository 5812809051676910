package mentors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// Mentoring reads someone's mentoring (running mentorships and open
// requests on both sides, and which profiles they have) in two round trips
// that a page shares with its other reads: QueueMentoring queues the
// lists and profiles, QueueRecords then the mentorships and requests.
// When the lists named records on this Store's last read of them,
// QueueMentoring reads those records with the lists, and QueueRecords
// queues only the parts (mentorships either way, requests either way)
// that the lists name differently now.
type Mentoring struct {
	s                *Store
	userID           string
	mentors, mentees nearcache.Reply[map[string]string]
	in               nearcache.Reply[[]string]
	out              *redis.ZSliceCmd
	mentorProfile    func() ([]match.MentorProfile, error)
	menteeProfile    func() (match.MenteeProfile, error)
	guess            recordKeys   // the records the lists named last time
	guessed          *recordReads // their reads, queued with the lists; nil without a guess
}

// recordKeys are the keys of someone's mentoring records: mentorships as
// mentee and as mentor (sorted), requests to and from them (in list
// order).
type recordKeys struct{ mentors, mentees, in, out []string }

// recordReads are the queued reads of a recordKeys.
type recordReads struct {
	mentors, mentees func() ([]Mentorship, error)
	in, out          func() (open []Request, missing, closed []int, err error)
}

func (k recordKeys) empty() bool {
	return len(k.mentors)+len(k.mentees)+len(k.in)+len(k.out) == 0
}

// reuse returns the reads of the records k names: each part that the
// guess named alike was read with the lists, the others are queued on p.
// It remembers k for the next read of these lists (nothing when they
// name no record).
func (m *Mentoring) reuse(ctx context.Context, p redis.Pipeliner, k recordKeys) (mentors, mentees func() ([]Mentorship, error), in, out func() ([]Request, []int, []int, error)) {
	s, g := m.s, recordReads{}
	if m.guessed != nil {
		g = *m.guessed
	}
	changed := false
	known := func(now, then []string) bool {
		same := m.guessed != nil && slices.Equal(now, then)
		changed = changed || !same
		return same
	}
	mentors, mentees, in, out = g.mentors, g.mentees, g.in, g.out
	if !known(k.mentors, m.guess.mentors) {
		mentors = s.queueMentorships(ctx, p, k.mentors)
	}
	if !known(k.mentees, m.guess.mentees) {
		mentees = s.queueMentorships(ctx, p, k.mentees)
	}
	if !known(k.in, m.guess.in) {
		in = s.queueRequests(ctx, p, k.in)
	}
	if !known(k.out, m.guess.out) {
		out = s.queueRequests(ctx, p, k.out)
	}
	switch {
	case k.empty():
		s.recordKeys.Forget(m.userID)
	case changed:
		s.recordKeys.Put(m.userID, k)
	}
	return mentors, mentees, in, out
}

func (s *Store) queueRecordReads(ctx context.Context, p redis.Pipeliner, k recordKeys) *recordReads {
	return &recordReads{
		mentors: s.queueMentorships(ctx, p, k.mentors), mentees: s.queueMentorships(ctx, p, k.mentees),
		in: s.queueRequests(ctx, p, k.in), out: s.queueRequests(ctx, p, k.out),
	}
}

// MentoringRead is what Mentoring found: the lists of MyMentors,
// MyMentees, PendingIn and PendingOut, and the profiles.
type MentoringRead struct {
	Mentors, Mentees      []Mentorship
	PendingIn, PendingOut []Request
	// MentorProfile is the person's mentor profile, nil without one.
	MentorProfile *match.MentorProfile
	// MenteeProfile is the person's mentee profile, nil without one.
	MenteeProfile *match.MenteeProfile
}

// QueueMentoring queues on p the reads of userID's mentoring lists and
// profiles.
func (s *Store) QueueMentoring(ctx context.Context, p redis.Pipeliner, userID string) *Mentoring {
	m := &Mentoring{s: s, userID: userID,
		mentorProfile: s.queueMentorProfiles(ctx, p, []string{userID}, false),
		menteeProfile: s.queueMenteeProfile(ctx, p, userID),
	}
	if ids.Valid(userID) {
		m.mentors = nearcache.HGetAll(ctx, p, s.menteeMentorsKey(userID))
		m.mentees = nearcache.HGetAll(ctx, p, s.mentorMenteesKey(userID))
		m.in = nearcache.ZRange(ctx, p, s.mentorPendingKey(userID), 0, -1)
		m.out = nearcache.ZRangeWithScores(ctx, p, s.menteeOpenKey(userID), 0, -1)
		if k, ok := s.recordKeys.Get(userID); ok {
			m.guess, m.guessed = k, s.queueRecordReads(ctx, p, k)
		}
	}
	return m
}

// KnownPeople returns, once the list reads have run, the people on the
// other side of the mentorships and requests that can be named without
// reading those: mentors and mentees from the lists, and the mentees of
// requests this Store has read before. A page reads them with the
// records; a request's mentee not among them is still to read.
func (m *Mentoring) KnownPeople() []string {
	if m.out == nil { // no lists read for an invalid ID
		return nil
	}
	var out []string
	for mentor := range m.mentors.Val() {
		out = append(out, mentor)
	}
	for mentee := range m.mentees.Val() {
		out = append(out, mentee)
	}
	for _, id := range m.in.Val() {
		if mentee, ok := m.s.menteeOf.Get(id); ok {
			out = append(out, mentee)
		}
	}
	for _, z := range m.out.Val() {
		mentor, _, _ := strings.Cut(z.Member.(string), "/")
		out = append(out, mentor)
	}
	return out
}

// QueueRecords queues on p, once the list reads have run, the reads of
// the mentorships and requests on the lists. The returned function gives
// everything once p has been executed; it frees the person's open-request
// slots that a closed request still holds.
func (m *Mentoring) QueueRecords(ctx context.Context, p redis.Pipeliner) (func() (MentoringRead, error), error) {
	s, userID := m.s, m.userID
	if m.out == nil { // no lists read for an invalid ID
		return func() (MentoringRead, error) { return m.profiles(MentoringRead{}) }, nil
	}
	mentors, err := m.mentors.Result()
	if err != nil {
		return nil, fmt.Errorf("mentors: mentors of %s: %w", userID, err)
	}
	mentees, err := m.mentees.Result()
	if err != nil {
		return nil, fmt.Errorf("mentors: mentees of %s: %w", userID, err)
	}
	inIDs, err := m.in.Result()
	if err != nil {
		return nil, fmt.Errorf("mentors: requests to %s: %w", userID, err)
	}
	outMembers, err := m.out.Result()
	if err != nil {
		return nil, fmt.Errorf("mentors: requests of %s: %w", userID, err)
	}
	var k recordKeys
	for mentor, id := range mentors {
		k.mentors = append(k.mentors, s.mentorshipKey(mentor, id))
	}
	slices.Sort(k.mentors)
	for _, id := range mentees {
		k.mentees = append(k.mentees, s.mentorshipKey(userID, id))
	}
	slices.Sort(k.mentees)
	for _, id := range inIDs {
		k.in = append(k.in, s.requestKey(userID, id))
	}
	for _, z := range outMembers {
		mentor, id, _ := strings.Cut(z.Member.(string), "/")
		k.out = append(k.out, s.requestKey(mentor, id))
	}
	readMentors, readMentees, readIn, readOut := m.reuse(ctx, p, k)
	return func() (MentoringRead, error) {
		var r MentoringRead
		var err error
		if r.Mentors, err = readMentors(); err != nil {
			return r, fmt.Errorf("mentors: mentors of %s: %w", userID, err)
		}
		if r.Mentees, err = readMentees(); err != nil {
			return r, fmt.Errorf("mentors: mentees of %s: %w", userID, err)
		}
		if r.PendingIn, _, _, err = readIn(); err != nil {
			return r, fmt.Errorf("mentors: requests to %s: %w", userID, err)
		}
		out, missing, closed, err := readOut()
		if err != nil {
			return r, fmt.Errorf("mentors: requests of %s: %w", userID, err)
		}
		r.PendingOut = out
		s.freeSlots(ctx, userID, outMembers, missing, closed)
		return m.profiles(r)
	}, nil
}

// profiles adds the profiles to r.
func (m *Mentoring) profiles(r MentoringRead) (MentoringRead, error) {
	mps, err := m.mentorProfile()
	if err != nil {
		return r, fmt.Errorf("mentors: mentor profile %s: %w", m.userID, err)
	}
	if len(mps) > 0 {
		r.MentorProfile = &mps[0]
	}
	e, err := m.menteeProfile()
	switch {
	case err == nil:
		r.MenteeProfile = &e
	case !errors.Is(err, ErrNotFound):
		return r, err
	}
	return r, nil
}

// readMentoring reads userID's mentoring in two round trips.
func (s *Store) readMentoring(ctx context.Context, userID string) (MentoringRead, error) {
	p := s.rdb.Pipeline()
	m := s.QueueMentoring(ctx, p, userID)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return MentoringRead{}, fmt.Errorf("mentors: mentoring of %s: %w", userID, err)
	}
	p = s.rdb.Pipeline()
	read, err := m.QueueRecords(ctx, p)
	if err != nil {
		return MentoringRead{}, err
	}
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return MentoringRead{}, fmt.Errorf("mentors: mentoring of %s: %w", userID, err)
	}
	return read()
}
