package mentors

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// The directory's indexes, kept with the others by reindex: every mentor
// who takes mentees, and those who speak each language.
func (s *Store) allMentorsKey() string          { return s.indexKey("all", "mentors") }
func (s *Store) languageKey(code string) string { return s.indexKey("speaks", code) }

// DirectoryPage is one page of the mentor directory.
type DirectoryPage struct {
	Mentors []match.MentorProfile
	// Next is where the next page starts (the After of the next call); 0
	// when this page is the last.
	Next int
	// Candidates is how many mentors the skill, path and language filters
	// leave, before the distance and "available now" filters.
	Candidates int
}

// QueueDirectory normalises f and queues on p the read of the directory's
// candidates for it: the mentors who take mentees with f's skill, path and
// language (one set intersection in the index's slot). The returned
// function gives their IDs in a stable order once p has run. A filter
// naming an unknown skill, path or language is refused with valid.Errors.
func (s *Store) QueueDirectory(ctx context.Context, p redis.Pipeliner, f *match.Filter) (func() ([]string, error), error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	keys := []string{s.allMentorsKey()}
	if f.Skill != "" {
		keys = append(keys, s.indexKey("skill", f.Skill))
	}
	if f.Path != "" {
		keys = append(keys, s.indexKey("path", f.Path))
	}
	if f.Language != "" {
		keys = append(keys, s.languageKey(f.Language))
	}
	cmd := p.SInter(ctx, keys...)
	return func() ([]string, error) {
		all, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("mentors: directory: %w", err)
		}
		slices.Sort(all)
		return all, nil
	}, nil
}

// QueueMentorProfiles queues on p the reads of the mentor profiles of
// userIDs; the returned function gives those that exist, in that order.
func (s *Store) QueueMentorProfiles(ctx context.Context, p redis.Pipeliner, userIDs []string) func() ([]match.MentorProfile, error) {
	return s.queueMentorProfiles(ctx, p, userIDs, false)
}

// MentorProfiles reads the mentor profiles of userIDs in one round trip,
// leaving out those without one.
func (s *Store) MentorProfiles(ctx context.Context, userIDs []string) ([]match.MentorProfile, error) {
	return s.mentorProfiles(ctx, userIDs)
}

// QueueMenteeProfile queues on p the read of userID's mentee profile; the
// returned function gives it, or ErrNotFound.
func (s *Store) QueueMenteeProfile(ctx context.Context, p redis.Pipeliner, userID string) func() (match.MenteeProfile, error) {
	return s.queueMenteeProfile(ctx, p, userID)
}

// Directory is the directory's page of at most n mentors from position
// after of the candidates, with the distance and availability filters
// applied (see QueueDirectory and Listed): a round trip for the
// candidates and one per chunk of DirectoryChunk profiles.
func (s *Store) Directory(ctx context.Context, f match.Filter, zone string, after, n int) (DirectoryPage, error) {
	p := s.rdb.Pipeline()
	get, err := s.QueueDirectory(ctx, p, &f)
	if err != nil {
		return DirectoryPage{}, err
	}
	if _, err := p.Exec(ctx); err != nil {
		return DirectoryPage{}, fmt.Errorf("mentors: directory: %w", err)
	}
	all, err := get()
	if err != nil {
		return DirectoryPage{}, err
	}
	return s.DirectoryPageOf(all, func(chunk []string) ([]match.MentorProfile, error) {
		return s.mentorProfiles(ctx, chunk)
	}, f, zone, after, n)
}

// DirectoryChunk is how many candidates one read of profiles covers.
const DirectoryChunk = 60

// DirectoryPageOf walks the sorted candidates all from after, reading
// their profiles a chunk at a time with read (three chunks at most), and
// keeps the first n that Listed shows.
func (s *Store) DirectoryPageOf(all []string, read func([]string) ([]match.MentorProfile, error), f match.Filter, zone string, after, n int) (DirectoryPage, error) {
	page := DirectoryPage{Candidates: len(all)}
	after = max(after, 0)
	for offset := after; offset < len(all); offset += DirectoryChunk {
		chunk := all[offset:min(offset+DirectoryChunk, len(all))]
		profiles, err := read(chunk)
		if err != nil {
			return DirectoryPage{}, fmt.Errorf("mentors: directory: %w", err)
		}
		byID := make(map[string]match.MentorProfile, len(profiles))
		for _, p := range profiles {
			byID[p.UserID] = p
		}
		for j, id := range chunk {
			m, ok := byID[id]
			if !ok || !Listed(m, f, zone, s.now()) {
				continue
			}
			page.Mentors = append(page.Mentors, m)
			if len(page.Mentors) == n {
				if next := offset + j + 1; next < len(all) {
					page.Next = next
				}
				return page, nil
			}
		}
		if offset+DirectoryChunk >= after+3*DirectoryChunk {
			if next := offset + DirectoryChunk; next < len(all) {
				page.Next = next // the filters hid many: go on from there
			}
			break
		}
	}
	return page, nil
}

// Listed reports whether m shows in the directory under f for a viewer in
// zone at now: not paused, with a free seat, available now and near
// enough when f asks.
func Listed(m match.MentorProfile, f match.Filter, zone string, now time.Time) bool {
	if m.Paused || m.Capacity == 0 || m.Active >= m.Capacity {
		return false
	}
	if f.AvailableNow && !m.AvailableNow {
		return false
	}
	if f.MaxTZHours > 0 && zone != "" {
		_, a := now.In(timefmt.Zone(zone)).Zone()
		_, b := now.In(timefmt.Zone(m.TimeZone)).Zone()
		d := a - b
		if d < 0 {
			d = -d
		}
		if d > 12*3600 {
			d = 24*3600 - d
		}
		if d > f.MaxTZHours*3600 {
			return false
		}
	}
	return true
}

// directoryIndexedKey marks that IndexDirectory has run on this data.
func (s *Store) directoryIndexedKey() string { return s.indexKey("done", "directory-v1") }

// IndexDirectory puts the mentors saved before the directory existed into
// its indexes, once: every mentor who takes mentees is in one of the path
// sets (a profile needs a path), which are found by name in the index's
// slot. Later saves keep the indexes themselves. It is idempotent and
// returns how many mentors it indexed.
func (s *Store) IndexDirectory(ctx context.Context) (int, error) {
	if n, err := s.rdb.Exists(ctx, s.directoryIndexedKey()).Result(); err != nil || n == 1 {
		return 0, err
	}
	var pathKeys []string
	scan := func(ctx context.Context, c redis.UniversalClient) error {
		iter := c.Scan(ctx, 0, s.indexKey("path", "*"), 1000).Iterator()
		for iter.Next(ctx) {
			pathKeys = append(pathKeys, iter.Val())
		}
		return iter.Err()
	}
	var err error
	switch c := s.rdb.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex
		err = c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return scan(ctx, node)
		})
	default:
		err = scan(ctx, s.rdb)
	}
	if err != nil {
		return 0, fmt.Errorf("mentors: index directory: %w", err)
	}
	var userIDs []string
	if len(pathKeys) > 0 {
		if userIDs, err = s.rdb.SUnion(ctx, pathKeys...).Result(); err != nil {
			return 0, fmt.Errorf("mentors: index directory: %w", err)
		}
	}
	profiles, err := s.mentorProfiles(ctx, userIDs)
	if err != nil {
		return 0, fmt.Errorf("mentors: index directory: %w", err)
	}
	for i := range profiles {
		if err := s.reindex(ctx, &match.MentorProfile{}, &profiles[i]); err != nil {
			return 0, fmt.Errorf("mentors: index directory: %w", err)
		}
	}
	return len(profiles), s.rdb.Set(ctx, s.directoryIndexedKey(), "1", 0).Err()
}
