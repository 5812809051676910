package skills

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Wanted is a skill members want to learn, with how many, and who in the
// group can teach it (best level first).
type Wanted struct {
	Skill    string
	Learners int
	Teachers []Teacher
}

// Teacher is a member who can teach a skill, at a level from 1 to 5.
type Teacher struct {
	UserID string
	Level  int
}

// Offered is a skill members can teach that nobody in the group has
// asked to learn yet.
type Offered struct {
	Skill    string
	Teachers int
}

// Map is a group's skill map as its page shows it.
type Map struct {
	Wanted  []Wanted
	Offered []Offered
	// Paths are the career paths members aim for, most first.
	Paths []PathCount
}

// PathCount is a career path and how many members aim for it.
type PathCount struct {
	Path    string
	Members int
}

// MapRead reads a group's map in two round trips a page shares: the
// ranked skills, then the teachers of the most wanted ones.
type MapRead struct {
	s                      *Store
	groupID                string
	teachersEach           int
	wanted, offered, paths *redis.ZSliceCmd
}

// QueueMap queues on p the reads of groupID's most wanted skills (up to
// wanted) and most offered ones.
func (s *Store) QueueMap(ctx context.Context, p redis.Pipeliner, groupID string, wanted, teachersEach int) *MapRead {
	return &MapRead{s: s, groupID: groupID, teachersEach: teachersEach,
		wanted:  p.ZRevRangeWithScores(ctx, s.wantedKey(groupID), 0, int64(wanted)-1),
		offered: p.ZRevRangeWithScores(ctx, s.offeredKey(groupID), 0, 99),
		paths:   p.ZRevRangeWithScores(ctx, s.pathsKey(groupID), 0, 19)}
}

// QueueTeachers queues on p, once the first reads have run, the teachers
// of the wanted skills; the returned function gives the map once p has
// run.
func (r *MapRead) QueueTeachers(ctx context.Context, p redis.Pipeliner) (func() (Map, error), error) {
	wanted, err := r.wanted.Result()
	if err != nil {
		return nil, fmt.Errorf("skills: map of %s: %w", r.groupID, err)
	}
	offered, err := r.offered.Result()
	if err != nil {
		return nil, fmt.Errorf("skills: map of %s: %w", r.groupID, err)
	}
	teachers := make([]*redis.ZSliceCmd, len(wanted))
	for i, z := range wanted {
		teachers[i] = p.ZRevRangeWithScores(ctx, r.s.teachKey(r.groupID, z.Member.(string)), 0, int64(r.teachersEach)-1)
	}
	offeredSkills := make([]string, len(offered))
	for i, z := range offered {
		offeredSkills[i] = z.Member.(string)
	}
	var askedFor *redis.FloatSliceCmd
	if len(offeredSkills) > 0 {
		askedFor = p.ZMScore(ctx, r.s.wantedKey(r.groupID), offeredSkills...)
	}
	paths, err := r.paths.Result()
	if err != nil {
		return nil, fmt.Errorf("skills: map of %s: %w", r.groupID, err)
	}
	return func() (Map, error) {
		var m Map
		for _, z := range paths {
			m.Paths = append(m.Paths, PathCount{Path: z.Member.(string), Members: int(z.Score)})
		}
		isWanted := map[string]bool{}
		for i, z := range wanted {
			skill := z.Member.(string)
			isWanted[skill] = true
			w := Wanted{Skill: skill, Learners: int(z.Score)}
			zs, err := teachers[i].Result()
			if err != nil {
				return Map{}, fmt.Errorf("skills: teachers of %s in %s: %w", skill, r.groupID, err)
			}
			for _, t := range zs {
				w.Teachers = append(w.Teachers, Teacher{UserID: t.Member.(string), Level: int(t.Score)})
			}
			m.Wanted = append(m.Wanted, w)
		}
		if askedFor == nil {
			return m, nil
		}
		scores, err := askedFor.Result()
		if err != nil {
			return Map{}, fmt.Errorf("skills: map of %s: %w", r.groupID, err)
		}
		for i, z := range offered {
			if scores[i] > 0 || isWanted[offeredSkills[i]] {
				continue // somebody wants it
			}
			m.Offered = append(m.Offered, Offered{Skill: offeredSkills[i], Teachers: int(z.Score)})
		}
		return m, nil
	}, nil
}
