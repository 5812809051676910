// Package skills keeps what people can share and want to learn, and each
// group's skill map built from its members: the most wanted skills with
// how many want them, who in the group can teach each, and what is on
// offer that nobody asked for yet. The map is kept incrementally: each
// member's contribution is applied to their groups when their skills or
// their memberships change, by one script per group.
//
// Keys (prefix "fg:" by default):
//   - uskills:{<user>}             hash: teach (JSON skill → level), learn (JSON list), path, record_hidden, updated
//   - smap:{<group>}:users         hash: user → the contribution applied (JSON)
//   - smap:{<group>}:teach:<skill> sorted set: user → level
//   - smap:{<group>}:learn:<skill> set: users who want to learn it
//   - smap:{<group>}:wanted        sorted set: skill → how many want it
//   - smap:{<group>}:offered       sorted set: skill → how many can teach it
//   - smap:{<group>}:paths         sorted set: career path → how many aim for it
package skills

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// MaxSkills bounds each list of a person's skills.
const MaxSkills = 30

// Profile is what one person can share (skill tag → level 1–5) and wants
// to learn, and the career path they aim for ("" for none).
type Profile struct {
	Teach map[string]int `json:"t,omitempty"`
	Learn []string       `json:"l,omitempty"`
	Path  string         `json:"p,omitempty"`
	// RecordHidden keeps the person's learning record to themselves.
	RecordHidden bool `json:"-"`
}

// Empty reports whether p adds nothing to a map.
func (p Profile) Empty() bool { return len(p.Teach) == 0 && len(p.Learn) == 0 && p.Path == "" }

// Merge adds q's skills to p's (the higher level wins) and returns it.
func (p Profile) Merge(q Profile) Profile {
	out := Profile{Teach: maps.Clone(p.Teach), Learn: slices.Clone(p.Learn), Path: p.Path}
	if out.Teach == nil {
		out.Teach = map[string]int{}
	}
	for k, v := range q.Teach {
		out.Teach[k] = max(out.Teach[k], v)
	}
	for _, l := range q.Learn {
		if !slices.Contains(out.Learn, l) {
			out.Learn = append(out.Learn, l)
		}
	}
	slices.Sort(out.Learn)
	if out.Path == "" {
		out.Path = q.Path
	}
	return out
}

// ParseTeach reads "go:4, kubernetes 3, rust" (level 3 when left out)
// into skill tags and levels; field errors go to errs under field.
func ParseTeach(s string, errs valid.Errors, field string) map[string]int {
	out := map[string]int{}
	for _, part := range splitList(s) {
		name, level := part, 3
		if i := strings.LastIndexAny(part, ": "); i > 0 {
			if n, err := strconv.Atoi(strings.TrimSpace(part[i+1:])); err == nil {
				name, level = strings.TrimSpace(part[:i]), n
			}
		}
		tag, ok := match.NormalizeSkill(name)
		switch {
		case !ok:
			errs.Add(field, fmt.Sprintf("%q is not a skill name: use letters, digits and + # . -", name))
		case level < 1 || level > 5:
			errs.Add(field, fmt.Sprintf("Give %s a level from 1 to 5.", match.SkillLabel(tag)))
		default:
			out[tag] = max(out[tag], level)
		}
	}
	if len(out) > MaxSkills {
		errs.Add(field, fmt.Sprintf("List at most %d skills.", MaxSkills))
	}
	return out
}

// ParseLearn reads "rust, terraform" into skill tags.
func ParseLearn(s string, errs valid.Errors, field string) []string {
	var out []string
	for _, part := range splitList(s) {
		tag, ok := match.NormalizeSkill(part)
		if !ok {
			errs.Add(field, fmt.Sprintf("%q is not a skill name: use letters, digits and + # . -", part))
			continue
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	if len(out) > MaxSkills {
		errs.Add(field, fmt.Sprintf("List at most %d skills.", MaxSkills))
	}
	slices.Sort(out)
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TeachText writes teach back as ParseTeach reads it, sorted.
func TeachText(teach map[string]int) string {
	parts := make([]string, 0, len(teach))
	for _, k := range slices.Sorted(maps.Keys(teach)) {
		parts = append(parts, match.SkillLabel(k)+":"+strconv.Itoa(teach[k]))
	}
	return strings.Join(parts, ", ")
}

// LearnText writes learn back as ParseLearn reads it.
func LearnText(learn []string) string {
	parts := make([]string, len(learn))
	for i, k := range learn {
		parts[i] = match.SkillLabel(k)
	}
	return strings.Join(parts, ", ")
}

// Store keeps people's skills and the groups' maps.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewStore returns a Store whose keys start with prefix.
func NewStore(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix, Now: time.Now}
}

func (s *Store) userKey(uid string) string         { return s.prefix + "uskills:{" + uid + "}" }
func (s *Store) mapKey(gid string) string          { return s.prefix + "smap:{" + gid + "}" }
func (s *Store) usersKey(gid string) string        { return s.mapKey(gid) + ":users" }
func (s *Store) teachKey(gid, skill string) string { return s.mapKey(gid) + ":teach:" + skill }
func (s *Store) learnKey(gid, skill string) string { return s.mapKey(gid) + ":learn:" + skill }
func (s *Store) wantedKey(gid string) string       { return s.mapKey(gid) + ":wanted" }
func (s *Store) offeredKey(gid string) string      { return s.mapKey(gid) + ":offered" }
func (s *Store) pathsKey(gid string) string        { return s.mapKey(gid) + ":paths" }

// Save stores uid's own skills and path (p.Path must be a known path or
// "").
func (s *Store) Save(ctx context.Context, uid string, p Profile) error {
	teach, err := json.Marshal(p.Teach)
	if err != nil {
		return err
	}
	learn, err := json.Marshal(p.Learn)
	if err != nil {
		return err
	}
	err = s.rdb.HSet(ctx, s.userKey(uid), "teach", teach, "learn", learn, "path", p.Path, "updated", s.Now().UnixMilli()).Err()
	if err != nil {
		return fmt.Errorf("skills: save %s: %w", uid, err)
	}
	return nil
}

// SetRecordHidden hides uid's learning record from others, or shows it.
func (s *Store) SetRecordHidden(ctx context.Context, uid string, hidden bool) error {
	v := "0"
	if hidden {
		v = "1"
	}
	if err := s.rdb.HSet(ctx, s.userKey(uid), "record_hidden", v).Err(); err != nil {
		return fmt.Errorf("skills: record of %s: %w", uid, err)
	}
	return nil
}

// QueueOwn queues on p the read of uid's own skills.
func (s *Store) QueueOwn(ctx context.Context, p redis.Pipeliner, uid string) func() (Profile, error) {
	cmd := p.HMGet(ctx, s.userKey(uid), "teach", "learn", "path", "record_hidden")
	return func() (Profile, error) {
		vals, err := cmd.Result()
		if err != nil {
			return Profile{}, fmt.Errorf("skills: read %s: %w", uid, err)
		}
		var out Profile
		if raw, ok := vals[0].(string); ok && raw != "" {
			if err := json.Unmarshal([]byte(raw), &out.Teach); err != nil {
				return Profile{}, fmt.Errorf("skills: decode %s: %w", uid, err)
			}
		}
		if raw, ok := vals[1].(string); ok && raw != "" {
			if err := json.Unmarshal([]byte(raw), &out.Learn); err != nil {
				return Profile{}, fmt.Errorf("skills: decode %s: %w", uid, err)
			}
		}
		out.Path, _ = vals[2].(string)
		out.RecordHidden = vals[3] == "1"
		return out, nil
	}
}

// applyScript replaces one member's contribution to a group's map, if the
// contribution stored is still ARGV[2] (compare and set), adjusting the
// per-skill sets and the counts. KEYS: users, wanted, offered, paths,
// then the teach and learn keys of every skill in the old or new
// contribution, in the order ARGV lists them. ARGV: user, old JSON ("" for none), new JSON
// ("" to remove), n, then n skill tags.
var applyScript = redis.NewScript(`
local uid = ARGV[1]
local cur = redis.call('HGET', KEYS[1], uid) or ''
if cur ~= ARGV[2] then return redis.error_reply('CHANGED') end
local n = tonumber(ARGV[4])
local teachKey, learnKey = {}, {}
for i = 1, n do
  teachKey[ARGV[4 + i]] = KEYS[4 + i]
  learnKey[ARGV[4 + i]] = KEYS[4 + n + i]
end
local function parse(raw)
  if raw == '' then return {t = {}, l = {}} end
  local c = cjson.decode(raw)
  if type(c.t) ~= 'table' then c.t = {} end
  if type(c.l) ~= 'table' then c.l = {} end
  return c
end
local old, new = parse(ARGV[2]), parse(ARGV[3])
if old.p ~= new.p then
  if type(old.p) == 'string' and old.p ~= '' then
    if tonumber(redis.call('ZINCRBY', KEYS[4], -1, old.p)) <= 0 then redis.call('ZREM', KEYS[4], old.p) end
  end
  if type(new.p) == 'string' and new.p ~= '' then redis.call('ZINCRBY', KEYS[4], 1, new.p) end
end
for skill, _ in pairs(old.t) do
  if not new.t[skill] then
    redis.call('ZREM', teachKey[skill], uid)
    if tonumber(redis.call('ZINCRBY', KEYS[3], -1, skill)) <= 0 then redis.call('ZREM', KEYS[3], skill) end
  end
end
for skill, level in pairs(new.t) do
  if not old.t[skill] then redis.call('ZINCRBY', KEYS[3], 1, skill) end
  redis.call('ZADD', teachKey[skill], level, uid)
end
local had = {}
for _, skill in ipairs(old.l) do had[skill] = true end
local has = {}
for _, skill in ipairs(new.l) do has[skill] = true end
for skill, _ in pairs(had) do
  if not has[skill] then
    redis.call('SREM', learnKey[skill], uid)
    if tonumber(redis.call('ZINCRBY', KEYS[2], -1, skill)) <= 0 then redis.call('ZREM', KEYS[2], skill) end
  end
end
for skill, _ in pairs(has) do
  if not had[skill] then
    redis.call('SADD', learnKey[skill], uid)
    redis.call('ZINCRBY', KEYS[2], 1, skill)
  end
end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], uid) else redis.call('HSET', KEYS[1], uid, ARGV[3]) end
return 1
`)

// errChanged says another instance changed the contribution meanwhile.
var errChanged = errors.New("skills: contribution changed meanwhile")

// Apply makes p uid's contribution to groupID's map (an empty p removes
// it). Concurrent applies for one member retry until one wins; the last
// to run sets the stored contribution.
func (s *Store) Apply(ctx context.Context, groupID, uid string, p Profile) error {
	next := ""
	if !p.Empty() {
		raw, err := json.Marshal(Profile{Teach: p.Teach, Learn: p.Learn, Path: p.Path})
		if err != nil {
			return err
		}
		next = string(raw)
	}
	for range 20 {
		cur, err := s.rdb.HGet(ctx, s.usersKey(groupID), uid).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("skills: map of %s: %w", groupID, err)
		}
		if cur == next {
			return nil
		}
		var old Profile
		if cur != "" {
			if err := json.Unmarshal([]byte(cur), &old); err != nil {
				return fmt.Errorf("skills: map of %s: %w", groupID, err)
			}
		}
		set := map[string]bool{}
		for k := range old.Teach {
			set[k] = true
		}
		for k := range p.Teach {
			set[k] = true
		}
		for _, k := range append(slices.Clone(old.Learn), p.Learn...) {
			set[k] = true
		}
		names := slices.Sorted(maps.Keys(set))
		keys := []string{s.usersKey(groupID), s.wantedKey(groupID), s.offeredKey(groupID), s.pathsKey(groupID)}
		for _, k := range names {
			keys = append(keys, s.teachKey(groupID, k))
		}
		for _, k := range names {
			keys = append(keys, s.learnKey(groupID, k))
		}
		args := []any{uid, cur, next, len(names)}
		for _, k := range names {
			args = append(args, k)
		}
		err = applyScript.Run(ctx, s.rdb, keys, args...).Err()
		if err != nil && strings.Contains(err.Error(), "CHANGED") {
			continue
		}
		if err != nil {
			return fmt.Errorf("skills: map of %s: %w", groupID, err)
		}
		return nil
	}
	return fmt.Errorf("skills: map of %s: %w", groupID, errChanged)
}

// DropGroup deletes groupID's map: every member's contribution names the
// per-skill keys to delete.
func (s *Store) DropGroup(ctx context.Context, groupID string) error {
	contributions, err := s.rdb.HGetAll(ctx, s.usersKey(groupID)).Result()
	if err != nil {
		return fmt.Errorf("skills: drop map of %s: %w", groupID, err)
	}
	keys := []string{s.usersKey(groupID), s.wantedKey(groupID), s.offeredKey(groupID), s.pathsKey(groupID)}
	for _, raw := range contributions {
		var c Profile
		if json.Unmarshal([]byte(raw), &c) != nil {
			continue
		}
		for k := range c.Teach {
			keys = append(keys, s.teachKey(groupID, k))
		}
		for _, k := range c.Learn {
			keys = append(keys, s.learnKey(groupID, k))
		}
	}
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("skills: drop map of %s: %w", groupID, err)
	}
	return nil
}
