package mentors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// saveMentorScript stores a mentor profile and returns the previous one,
// keeping the pause state. KEYS: mentor. ARGV: profile json, capacity, now ms.
var saveMentorScript = redis.NewScript(`
local old = redis.call('HGET', KEYS[1], 'profile')
redis.call('HSET', KEYS[1], 'profile', ARGV[1], 'capacity', ARGV[2], 'updated', ARGV[3])
redis.call('HSETNX', KEYS[1], 'paused', '0')
return old or ''
`)

// pauseScript switches a mentor's pause. KEYS: mentor. ARGV: paused, auto, reason.
var pauseScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'paused', ARGV[1], 'paused_auto', ARGV[2], 'pause_reason', ARGV[3])
return 1
`)

// SaveMentorProfile validates and stores a mentor profile and returns it
// normalised. The pause state is kept as it is (see SetPaused).
func (s *Store) SaveMentorProfile(ctx context.Context, p match.MentorProfile) (match.MentorProfile, error) {
	if !ids.Valid(p.UserID) {
		return p, fmt.Errorf("mentors: save mentor profile: %w", ErrNotFound)
	}
	if err := p.Normalize(); err != nil {
		return p, err
	}
	stored := p
	stored.Paused, stored.PausedAuto, stored.PauseReason, stored.Active = false, false, "", 0
	raw, err := json.Marshal(stored)
	if err != nil {
		return p, fmt.Errorf("mentors: save mentor profile %s: %w", p.UserID, err)
	}
	oldRaw, err := saveMentorScript.Run(ctx, s.rdb, []string{s.mentorKey(p.UserID)}, raw, p.Capacity, ms(s.now())).Text()
	if err != nil {
		return p, fmt.Errorf("mentors: save mentor profile %s: %w", p.UserID, err)
	}
	s.forgetMentor(p.UserID)
	var old match.MentorProfile
	if oldRaw != "" {
		_ = json.Unmarshal([]byte(oldRaw), &old)
	}
	if err := s.reindex(ctx, &old, &p); err != nil {
		return p, fmt.Errorf("mentors: index mentor %s: %w", p.UserID, err)
	}
	return s.MentorProfile(ctx, p.UserID)
}

// RemoveMentorProfile takes userID's mentor profile away and them out of
// every mentor index (a deleted account): each index's version moves, so
// the lists every instance remembers are ranked again without them. No
// profile is no error.
func (s *Store) RemoveMentorProfile(ctx context.Context, userID string) error {
	raw, err := s.rdb.HGet(ctx, s.mentorKey(userID), "profile").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mentors: remove mentor profile %s: %w", userID, err)
	}
	var old match.MentorProfile
	if err := json.Unmarshal(raw, &old); err != nil {
		return fmt.Errorf("mentors: remove mentor profile %s: %w", userID, err)
	}
	old.UserID = userID
	pipe := s.rdb.TxPipeline() // unindexed and gone in one round trip (one transaction per slot on a Cluster)
	s.queueReindex(ctx, pipe, &old, &match.MentorProfile{UserID: userID})
	pipe.Del(ctx, s.mentorKey(userID))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("mentors: remove mentor profile %s: %w", userID, err)
	}
	s.forgetMentor(userID)
	return nil
}

// indexEntry is one index a mentor belongs to: a plain set for the
// filters, a sorted set scored by match points for each language paired
// with each skill and path, so one union gives every candidate of a mentee
// with the points their skills and path bring.
type indexEntry struct {
	key    string
	points int
	sorted bool
}

// indexEntries are the indexes a mentor belongs to; none when they don't
// take mentees at all.
func (s *Store) indexEntries(p *match.MentorProfile) []indexEntry {
	if p.UserID == "" || p.Capacity == 0 {
		return nil
	}
	out := []indexEntry{{key: s.allMentorsKey()}}
	for _, l := range p.Languages {
		out = append(out, indexEntry{key: s.languageKey(l)})
	}
	for _, k := range p.Skills {
		out = append(out, indexEntry{key: s.indexKey("skill", k.Name)})
		for _, l := range p.Languages {
			out = append(out, indexEntry{key: s.fitKey(l, "skill", k.Name), points: match.SkillPoints(k.Level), sorted: true})
		}
	}
	for _, path := range p.Paths {
		out = append(out, indexEntry{key: s.indexKey("path", path)})
		for _, l := range p.Languages {
			out = append(out, indexEntry{key: s.fitKey(l, "path", path), points: match.PathPoints(path == p.PreferPath), sorted: true})
		}
	}
	return out
}

// reindex moves a mentor from the indexes of old to those of p, and
// counts a new version of every index it touches (see versionsKey), in
// one transaction: a ranking read with the versions of its indexes is
// never paired with versions that came after the change.
func (s *Store) reindex(ctx context.Context, old, p *match.MentorProfile) error {
	pipe := s.rdb.TxPipeline()
	s.queueReindex(ctx, pipe, old, p)
	_, err := pipe.Exec(ctx)
	return err
}

// queueReindex queues reindex's writes on pipe, a transaction.
func (s *Store) queueReindex(ctx context.Context, pipe redis.Pipeliner, old, p *match.MentorProfile) {
	keep := map[string]bool{}
	for _, e := range s.indexEntries(p) {
		keep[e.key] = true
		if e.sorted {
			pipe.ZAdd(ctx, e.key, redis.Z{Score: float64(e.points), Member: p.UserID})
		} else {
			pipe.SAdd(ctx, e.key, p.UserID)
		}
		pipe.HIncrBy(ctx, s.versionsKey(), e.key, 1)
	}
	for _, e := range s.indexEntries(old) {
		if keep[e.key] {
			continue
		}
		if e.sorted {
			pipe.ZRem(ctx, e.key, p.UserID)
		} else {
			pipe.SRem(ctx, e.key, p.UserID)
		}
		pipe.HIncrBy(ctx, s.versionsKey(), e.key, 1)
	}
}

// MentorProfile returns a mentor's profile with their pause state and how
// many mentees they have now.
func (s *Store) MentorProfile(ctx context.Context, userID string) (match.MentorProfile, error) {
	ps, err := s.mentorProfiles(ctx, []string{userID})
	if err != nil {
		return match.MentorProfile{}, fmt.Errorf("mentors: mentor profile %s: %w", userID, err)
	}
	if len(ps) == 0 {
		return match.MentorProfile{}, fmt.Errorf("mentors: mentor profile %s: %w", userID, ErrNotFound)
	}
	return ps[0], nil
}

// mentorProfiles loads the profiles of the given users in one round trip,
// leaving out those without one.
func (s *Store) mentorProfiles(ctx context.Context, userIDs []string) ([]match.MentorProfile, error) {
	pipe := s.rdb.Pipeline()
	read := s.queueMentorProfiles(ctx, pipe, userIDs, false)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	return read()
}

// queueMentorProfiles queues on p the reads of mentorProfiles; the
// returned function decodes them once p has been executed. With recent,
// a mentor that a list read less than RecentMentorFor ago (profile, pause,
// thanks and count of mentees) is not read again.
func (s *Store) queueMentorProfiles(ctx context.Context, pipe redis.Pipeliner, userIDs []string, recent bool) func() ([]match.MentorProfile, error) {
	type mentorRead struct {
		id     string
		fields nearcache.Reply[[]any] // not read when kept holds the mentor as read recently
		count  nearcache.Reply[int64]
		kept   recentMentor
	}
	now := s.now()
	reads := make([]mentorRead, 0, len(userIDs))
	for _, u := range userIDs {
		if !ids.Valid(u) {
			continue
		}
		if m, ok := s.recentMentor(ctx, u, recent, now); ok {
			reads = append(reads, mentorRead{id: u, kept: m})
			continue
		}
		reads = append(reads, mentorRead{id: u, fields: nearcache.HMGet(ctx, pipe, s.mentorKey(u), "profile", "paused", "paused_auto", "pause_reason", "thanks"),
			count: nearcache.HLen(ctx, pipe, s.mentorMenteesKey(u))})
	}
	return func() ([]match.MentorProfile, error) {
		out := make([]match.MentorProfile, 0, len(reads))
		for _, r := range reads {
			if !r.fields.Read() {
				if !r.kept.none {
					out = append(out, r.kept.p)
				}
				continue
			}
			v, err := r.fields.Result()
			if err != nil {
				return nil, err
			}
			if err := r.count.Err(); err != nil {
				return nil, err
			}
			raw, ok := v[0].(string)
			if !ok {
				if recent {
					s.keepMentor(r.id, recentMentor{none: true, read: now})
				}
				continue
			}
			p, ok := s.mentorDecoded.Get(raw)
			if !ok {
				if err := json.Unmarshal([]byte(raw), &p); err != nil {
					return nil, err
				}
				s.mentorDecoded.Put(raw, p)
			}
			p.Paused = v[1] == "1"
			p.PausedAuto = v[2] == "1"
			p.PauseReason, _ = v[3].(string)
			p.Active = int(r.count.Val())
			if t, ok := v[4].(string); ok {
				p.Thanks, _ = strconv.Atoi(t)
			}
			if recent {
				s.keepMentor(r.id, recentMentor{p: p, read: now})
			}
			out = append(out, p)
		}
		return out, nil
	}
}

// recentMentor gives mentorID as a list read them less than
// RecentMentorFor before now, when recent asks for it and the near cache
// does not serve the request (it answers the reads from memory, as they
// are).
func (s *Store) recentMentor(ctx context.Context, mentorID string, recent bool, now time.Time) (recentMentor, bool) {
	if !recent || nearcache.Serves(ctx) {
		return recentMentor{}, false
	}
	m, ok := s.mentorsRecent.Get(mentorID)
	if !ok || m.forgot || now.Sub(m.read) >= RecentMentorFor {
		return recentMentor{}, false
	}
	return m, true
}

// keepMentor keeps m, read at m.read, unless this instance changed the
// mentor since.
func (s *Store) keepMentor(mentorID string, m recentMentor) {
	if c, ok := s.mentorsRecent.Get(mentorID); ok && c.forgot && !c.read.Before(m.read) {
		return
	}
	s.mentorsRecent.Put(mentorID, m)
}

// SetPaused pauses or resumes a mentor by their own choice. Resuming also
// ends an automatic pause.
func (s *Store) SetPaused(ctx context.Context, userID string, paused bool, reason string) error {
	if !ids.Valid(userID) {
		return fmt.Errorf("mentors: pause %s: %w", userID, ErrNotFound)
	}
	reason = strings.TrimSpace(reason)
	if !paused {
		reason = ""
	}
	if msg := valid.Line("The reason", reason); msg != "" {
		return valid.Errors{"reason": msg}
	}
	n, err := pauseScript.Run(ctx, s.rdb, []string{s.mentorKey(userID)}, boolFlag(paused), "0", reason).Int()
	if err != nil {
		return fmt.Errorf("mentors: pause %s: %w", userID, err)
	}
	s.forgetMentor(userID)
	if n == 0 {
		return fmt.Errorf("mentors: pause %s: %w", userID, ErrNotFound)
	}
	return nil
}

func boolFlag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// SaveMenteeProfile validates and stores a mentee profile and returns it
// normalised.
func (s *Store) SaveMenteeProfile(ctx context.Context, p match.MenteeProfile) (match.MenteeProfile, error) {
	if !ids.Valid(p.UserID) {
		return p, fmt.Errorf("mentors: save mentee profile: %w", ErrNotFound)
	}
	if err := p.Normalize(); err != nil {
		return p, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return p, fmt.Errorf("mentors: save mentee profile %s: %w", p.UserID, err)
	}
	if err := s.rdb.HSet(ctx, s.menteeKey(p.UserID), "profile", raw, "updated", ms(s.now())).Err(); err != nil {
		return p, fmt.Errorf("mentors: save mentee profile %s: %w", p.UserID, err)
	}
	s.menteeRaw.Put(p.UserID, string(raw))
	return p, nil
}

// MenteeProfile returns a mentee's profile.
func (s *Store) MenteeProfile(ctx context.Context, userID string) (match.MenteeProfile, error) {
	pipe := s.rdb.Pipeline()
	read := s.queueMenteeProfile(ctx, pipe, userID)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return match.MenteeProfile{}, fmt.Errorf("mentors: mentee profile %s: %w", userID, err)
	}
	return read()
}

// queueMenteeProfile queues on p the read of MenteeProfile; the returned
// function decodes it once p has been executed.
func (s *Store) queueMenteeProfile(ctx context.Context, pipe redis.Pipeliner, userID string) func() (match.MenteeProfile, error) {
	if !ids.Valid(userID) {
		return func() (match.MenteeProfile, error) {
			return match.MenteeProfile{}, fmt.Errorf("mentors: mentee profile %s: %w", userID, ErrNotFound)
		}
	}
	cmd := nearcache.HGet(ctx, pipe, s.menteeKey(userID), "profile")
	return func() (match.MenteeProfile, error) {
		raw, err := cmd.Result()
		if errors.Is(err, redis.Nil) {
			return match.MenteeProfile{}, fmt.Errorf("mentors: mentee profile %s: %w", userID, ErrNotFound)
		}
		if err != nil {
			return match.MenteeProfile{}, fmt.Errorf("mentors: mentee profile %s: %w", userID, err)
		}
		return s.decodeMentee(userID, raw)
	}
}

// decodeMentee decodes userID's stored mentee profile, once per version
// (menteeDecoded): callers share its slices and must not change them.
func (s *Store) decodeMentee(userID, raw string) (match.MenteeProfile, error) {
	if p, ok := s.menteeDecoded.Get(raw); ok {
		return p, nil
	}
	var p match.MenteeProfile
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, fmt.Errorf("mentors: mentee profile %s: %w", userID, err)
	}
	s.menteeDecoded.Put(raw, p)
	return p, nil
}

// menteeProfiles loads the mentee profiles of the given users in one round
// trip, leaving out those without one.
func (s *Store) menteeProfiles(ctx context.Context, userIDs []string) ([]match.MenteeProfile, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, 0, len(userIDs))
	for _, u := range userIDs {
		if ids.Valid(u) {
			cmds = append(cmds, pipe.HGet(ctx, s.menteeKey(u), "profile"))
		}
	}
	if len(cmds) == 0 {
		return nil, nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	out := make([]match.MenteeProfile, 0, len(cmds))
	for _, c := range cmds {
		raw, err := c.Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		var p match.MenteeProfile
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
