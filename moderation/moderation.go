// Package moderation keeps what keeps a community safe: each group's code
// of conduct and who accepted which version, reports about groups,
// sessions, people and organizer messages with the actions taken on them,
// and people's blocks.
//
// Keys (prefix "fg:" by default):
//   - coc:{<group>}            hash: text, version, updated_at, updated_by
//   - coc:{<group>}:accepted   hash: user ID -> version accepted
//   - mod:{<scope>}:reports    sorted set: report ID -> filed (unix ms); scope is a group ID or "admin"
//   - mod:{<scope>}:items      hash: report ID -> report JSON (with its actions)
//   - mod:{<scope>}:log        list: every action taken in the scope, newest first, capped
//   - block:{<user>}           set: the people user blocked
//   - blockedby:{<user>}       set: the people who blocked user
package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// Store keeps codes of conduct, reports and blocks in Redis.
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

// AdminScope is the scope of reports that go to the instance admins.
const AdminScope = "admin"

func (s *Store) codeKey(groupID string) string     { return s.prefix + "coc:{" + groupID + "}" }
func (s *Store) acceptedKey(groupID string) string { return s.codeKey(groupID) + ":accepted" }
func (s *Store) reportsKey(scope string) string    { return s.prefix + "mod:{" + scope + "}:reports" }
func (s *Store) itemsKey(scope string) string      { return s.prefix + "mod:{" + scope + "}:items" }
func (s *Store) logKey(scope string) string        { return s.prefix + "mod:{" + scope + "}:log" }
func (s *Store) blockKey(userID string) string     { return s.prefix + "block:{" + userID + "}" }
func (s *Store) blockedByKey(userID string) string { return s.prefix + "blockedby:{" + userID + "}" }

// ErrNotFound says a report does not exist in the scope asked.
var ErrNotFound = errors.New("moderation: no such report")

// Code is a group's code of conduct.
type Code struct {
	Text      string
	Version   int // 0: the group has none
	UpdatedAt time.Time
	UpdatedBy string
}

// MaxCode bounds a code of conduct, in characters.
const MaxCode = 20000

// DefaultCode is offered to organizers who have none yet.
const DefaultCode = `## Our code of conduct

We are here to learn from each other. Everyone is welcome, whatever their
experience, background, gender, age, body, ethnicity, religion, disability
or identity.

**We expect you to:**

- be kind and patient, especially with people who are new;
- give others room to speak, and credit their ideas;
- disagree about ideas, never about people;
- ask before recording or photographing anyone.

**We do not accept:** harassment, insults, unwelcome sexual attention,
discriminatory jokes, sustained disruption, or recruiting and selling
without the organizers' consent.

**If something happens,** use "Report" on the session, the group or the
person, or talk to an organizer. Organizers may warn, remove or ban anyone
who breaks this code, at a session or online.`

// SetCode replaces groupID's code of conduct; a changed text gets a new
// version, which everyone must accept again. Empty text removes the code.
func (s *Store) SetCode(ctx context.Context, groupID, actorID, text string) (Code, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	errs := valid.Errors{}
	errs.Add("code", valid.MultiLine("The code of conduct", text))
	if utf8.RuneCountInString(text) > MaxCode {
		errs.Add("code", "The code of conduct can have at most 20,000 characters.")
	}
	if err := errs.Err(); err != nil {
		return Code{}, err
	}
	now := s.Now().UTC()
	res, err := setCodeScript.Run(ctx, s.rdb, []string{s.codeKey(groupID), s.acceptedKey(groupID)},
		text, now.UnixMilli(), actorID).Int()
	if err != nil {
		return Code{}, fmt.Errorf("moderation: code of %s: %w", groupID, err)
	}
	return Code{Text: text, Version: res, UpdatedAt: now, UpdatedBy: actorID}, nil
}

// setCodeScript stores a code and bumps its version when the text
// changed; empty text removes the code and its acceptances. KEYS code,
// accepted. ARGV text, now, actor. It returns the version now in force.
var setCodeScript = redis.NewScript(`
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
local cur = redis.call('HMGET', KEYS[1], 'text', 'version')
if cur[1] == ARGV[1] then return tonumber(cur[2]) end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'text', ARGV[1], 'updated_at', ARGV[2], 'updated_by', ARGV[3])
return v
`)

// QueueCode queues the read of groupID's code and of userID's accepted
// version ("" reads none) on p.
func (s *Store) QueueCode(ctx context.Context, p redis.Pipeliner, groupID, userID string) func() (Code, int, error) {
	code := nearcache.HGetAll(ctx, p, s.codeKey(groupID))
	var accepted nearcache.Reply[string]
	if userID != "" {
		accepted = nearcache.HGet(ctx, p, s.acceptedKey(groupID), userID)
	}
	return func() (Code, int, error) {
		m, err := code.Result()
		if err != nil {
			return Code{}, 0, fmt.Errorf("moderation: code of %s: %w", groupID, err)
		}
		var c Code
		c.Text, c.UpdatedBy = m["text"], m["updated_by"]
		c.Version, _ = strconv.Atoi(m["version"])
		if ms, err := strconv.ParseInt(m["updated_at"], 10, 64); err == nil {
			c.UpdatedAt = time.UnixMilli(ms).UTC()
		}
		if userID == "" {
			return c, 0, nil
		}
		raw, err := accepted.Result()
		if errors.Is(err, redis.Nil) {
			return c, 0, nil
		}
		v := 0
		if err == nil {
			v, err = strconv.Atoi(raw)
		}
		if err != nil {
			return Code{}, 0, fmt.Errorf("moderation: acceptance in %s: %w", groupID, err)
		}
		return c, v, nil
	}
}

// CodeOf reads groupID's code and the version userID accepted.
func (s *Store) CodeOf(ctx context.Context, groupID, userID string) (Code, int, error) {
	p := s.rdb.Pipeline()
	get := s.QueueCode(ctx, p, groupID, userID)
	_, _ = p.Exec(ctx)
	return get()
}

// AcceptedVersion is the version of groupID's code userID accepted (0:
// none).
func (s *Store) AcceptedVersion(ctx context.Context, groupID, userID string) (int, error) {
	v, err := s.rdb.HGet(ctx, s.acceptedKey(groupID), userID).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("moderation: acceptance in %s: %w", groupID, err)
	}
	return v, nil
}

// ErrCodeChanged says the version someone accepted is no longer the one
// in force: they read an older text.
var ErrCodeChanged = errors.New("moderation: the code of conduct changed meanwhile")

// acceptScript records an acceptance of the version in force only.
// KEYS code, accepted. ARGV user, version.
var acceptScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'version')
if v ~= ARGV[2] then return redis.error_reply('CHANGED') end
redis.call('HSET', KEYS[2], ARGV[1], v)
return 1
`)

// Accept records that userID accepted version of groupID's code.
func (s *Store) Accept(ctx context.Context, groupID, userID string, version int) error {
	err := acceptScript.Run(ctx, s.rdb, []string{s.codeKey(groupID), s.acceptedKey(groupID)}, userID, version).Err()
	if err != nil && strings.Contains(err.Error(), "CHANGED") {
		return ErrCodeChanged
	}
	if err != nil {
		return fmt.Errorf("moderation: accept code of %s: %w", groupID, err)
	}
	return nil
}

// Block makes userID block other: other cannot send them mentoring
// requests or messages, and does not see their RSVPs.
func (s *Store) Block(ctx context.Context, userID, other string) error {
	if userID == other {
		return errors.New("moderation: nobody can block themselves")
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, s.blockKey(userID), other)
		p.SAdd(ctx, s.blockedByKey(other), userID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("moderation: block: %w", err)
	}
	return nil
}

// Unblock lifts userID's block of other.
func (s *Store) Unblock(ctx context.Context, userID, other string) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SRem(ctx, s.blockKey(userID), other)
		p.SRem(ctx, s.blockedByKey(other), userID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("moderation: unblock: %w", err)
	}
	return nil
}

// QueueBlocks queues the read of the people userID blocked and of those
// who blocked userID on p.
func (s *Store) QueueBlocks(ctx context.Context, p redis.Pipeliner, userID string) func() (blocked, blockedBy map[string]bool, err error) {
	a := nearcache.SMembers(ctx, p, s.blockKey(userID))
	b := nearcache.SMembers(ctx, p, s.blockedByKey(userID))
	return func() (map[string]bool, map[string]bool, error) {
		out := [2]map[string]bool{{}, {}}
		for i, cmd := range [2]nearcache.Reply[[]string]{a, b} {
			ids, err := cmd.Result()
			if err != nil {
				return nil, nil, fmt.Errorf("moderation: blocks of %s: %w", userID, err)
			}
			for _, id := range ids {
				out[i][id] = true
			}
		}
		return out[0], out[1], nil
	}
}

// EitherBlocked reports whether a or b blocked the other.
func (s *Store) EitherBlocked(ctx context.Context, a, b string) (bool, error) {
	p := s.rdb.Pipeline()
	ab := p.SIsMember(ctx, s.blockKey(a), b)
	ba := p.SIsMember(ctx, s.blockKey(b), a)
	if _, err := p.Exec(ctx); err != nil {
		return false, fmt.Errorf("moderation: blocks between %s and %s: %w", a, b, err)
	}
	return ab.Val() || ba.Val(), nil
}

// TargetKind is what a report is about.
type TargetKind string

// Report targets.
const (
	TargetGroup   TargetKind = "group"
	TargetSession TargetKind = "session"
	TargetPerson  TargetKind = "person"
	TargetMessage TargetKind = "message"
)

// Reasons a reporter picks from, with their labels.
var Reasons = []struct{ Value, Label string }{
	{"harassment", "Harassment or threats"},
	{"hate", "Hate or discrimination"},
	{"spam", "Spam or selling"},
	{"unsafe", "Unsafe in person"},
	{"coc", "Breaks the code of conduct otherwise"},
	{"other", "Something else"},
}

// Report is what someone reported, where it went, and what was done.
type Report struct {
	ID         string     `json:"id"`
	Scope      string     `json:"scope"` // the group whose organizers handle it, or AdminScope
	GroupID    string     `json:"group,omitempty"`
	Kind       TargetKind `json:"kind"`
	TargetID   string     `json:"target"`
	TargetName string     `json:"target_name"` // as the reporter saw it
	TargetURL  string     `json:"target_url,omitempty"`
	// Subject is the person the report is about (a person report, the
	// sender of a message, the organizer of a session), for actions.
	Subject  string    `json:"subject,omitempty"`
	Reporter string    `json:"reporter"`
	Reason   string    `json:"reason"`
	Details  string    `json:"details"`
	At       time.Time `json:"at"`
	Resolved bool      `json:"resolved,omitempty"`
	Actions  []Action  `json:"actions,omitempty"`
}

// Action is one step a moderator took on a report.
type Action struct {
	Kind string    `json:"kind"` // resolve, warn, remove, ban, suspend, reopen
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// MaxDetails bounds what a reporter writes.
const MaxDetails = 2000

// File stores a report in its scope's queue. Field errors (reason,
// details) come as valid.Errors.
func (s *Store) File(ctx context.Context, r Report) (Report, error) {
	errs := valid.Errors{}
	if !validReason(r.Reason) {
		errs.Add("reason", "Choose what the problem is.")
	}
	r.Details = strings.TrimSpace(r.Details)
	errs.Add("details", valid.MultiLine("The details", r.Details))
	if utf8.RuneCountInString(r.Details) > MaxDetails {
		errs.Add("details", "Keep the details under 2,000 characters.")
	}
	if err := errs.Err(); err != nil {
		return Report{}, err
	}
	r.ID, r.At = ids.New(), s.Now().UTC()
	data, err := json.Marshal(r)
	if err != nil {
		return Report{}, err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.itemsKey(r.Scope), r.ID, data)
		p.ZAdd(ctx, s.reportsKey(r.Scope), redis.Z{Score: float64(r.At.UnixMilli()), Member: r.ID})
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("moderation: file report in %s: %w", r.Scope, err)
	}
	return r, nil
}

func validReason(v string) bool {
	for _, r := range Reasons {
		if r.Value == v {
			return true
		}
	}
	return false
}

// QueueReports queues the read of scope's newest n reports on p.
func (s *Store) QueueReports(ctx context.Context, p redis.Pipeliner, scope string, n int) func() ([]Report, error) {
	// EVAL, not EVALSHA: a page's pipeline cannot retry a script Redis
	// has not loaded yet, and this one is short.
	script := listReportsScript.EvalRO(ctx, p, []string{s.reportsKey(scope), s.itemsKey(scope)}, n)
	return func() ([]Report, error) {
		raws, err := script.StringSlice()
		if err != nil {
			return nil, fmt.Errorf("moderation: reports of %s: %w", scope, err)
		}
		out := make([]Report, 0, len(raws))
		for _, raw := range raws {
			var r Report
			if err := json.Unmarshal([]byte(raw), &r); err != nil {
				return nil, fmt.Errorf("moderation: decode report of %s: %w", scope, err)
			}
			out = append(out, r)
		}
		return out, nil
	}
}

// Reports reads scope's newest n reports.
func (s *Store) Reports(ctx context.Context, scope string, n int) ([]Report, error) {
	p := s.rdb.Pipeline()
	get := s.QueueReports(ctx, p, scope, n)
	_, _ = p.Exec(ctx)
	return get()
}

// listReportsScript returns the newest ARGV[1] reports. KEYS reports, items.
var listReportsScript = redis.NewScript(`
local ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #ids == 0 then return {} end
local out = {}
for _, raw in ipairs(redis.call('HMGET', KEYS[2], unpack(ids))) do
  if raw then table.insert(out, raw) end
end
return out
`)

// Get reads one report of scope.
func (s *Store) Get(ctx context.Context, scope, id string) (Report, error) {
	raw, err := s.rdb.HGet(ctx, s.itemsKey(scope), id).Bytes()
	if errors.Is(err, redis.Nil) {
		return Report{}, ErrNotFound
	}
	if err != nil {
		return Report{}, fmt.Errorf("moderation: report %s: %w", id, err)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return Report{}, fmt.Errorf("moderation: decode report %s: %w", id, err)
	}
	return r, nil
}

// logSize is how many actions a scope's log keeps.
const logSize = 1000

// actScript appends an action to a report (and resolves or reopens it)
// and to the scope's log in one step. KEYS items, log. ARGV id, action
// JSON, resolved ("1", "0" or "" to leave), log size.
var actScript = redis.NewScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return redis.error_reply('NOTFOUND') end
local r = cjson.decode(raw)
local a = cjson.decode(ARGV[2])
if type(r.actions) ~= 'table' then r.actions = {} end
table.insert(r.actions, a)
if ARGV[3] == '1' then r.resolved = true elseif ARGV[3] == '0' then r.resolved = nil end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(r))
a.report = ARGV[1]
redis.call('LPUSH', KEYS[2], cjson.encode(a))
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
return 1
`)

// Record logs an action on report id of scope. Resolve and reopen change
// its state; warn, remove, ban and suspend leave it open until resolved.
func (s *Store) Record(ctx context.Context, scope, id string, a Action) error {
	a.At = s.Now().UTC()
	resolved := ""
	switch a.Kind {
	case "resolve":
		resolved = "1"
	case "reopen":
		resolved = "0"
	}
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	err = actScript.Run(ctx, s.rdb, []string{s.itemsKey(scope), s.logKey(scope)}, id, data, resolved, logSize).Err()
	if err != nil && strings.Contains(err.Error(), "NOTFOUND") {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("moderation: %s on %s: %w", a.Kind, id, err)
	}
	return nil
}

// DropGroup deletes groupID's code of conduct, acceptances, reports and
// their log.
func (s *Store) DropGroup(ctx context.Context, groupID string) error {
	err := s.rdb.Del(ctx, s.codeKey(groupID), s.acceptedKey(groupID), s.reportsKey(groupID), s.itemsKey(groupID), s.logKey(groupID)).Err()
	if err != nil {
		return fmt.Errorf("moderation: drop %s: %w", groupID, err)
	}
	return nil
}
