package groups

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/redis/go-redis/v9"
)

// The discovery index lists public groups only. It lives under the {idx}
// hash tag, apart from the groups' own keys, so it is brought up to date
// as a follow-up after each write: reindex reads the group afresh and the
// index script applies it unless a newer revision was already applied.
// Search re-checks every group it returns, so a follow-up that lost a race
// or never ran can hide nothing private and show nothing deleted.

// indexScript: KEYS entry; ARGV id, revision, key base, mode ("listed",
// "unlisted" or "delete"), newest score, members score, soonest score,
// terms... Index keys are base.."t:"..term, all in the entry's slot.
var indexScript = redis.NewScript(`
local entry = KEYS[1]
local id, rev, base, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local old = redis.call('HGET', entry, 'rev')
if mode ~= 'delete' and old and tonumber(old) >= rev then return 0 end
local topics = base .. 'topics'
local oldterms = redis.call('HGET', entry, 'terms')
if oldterms then
  for t in string.gmatch(oldterms, '[^\n]+') do
    redis.call('SREM', base .. 't:' .. t, id)
    if string.sub(t, 1, 6) == 'topic:' then redis.call('ZINCRBY', topics, -1, string.sub(t, 7)) end
  end
end
local terms = {}
for i = 8, #ARGV do
  local t = ARGV[i]
  redis.call('SADD', base .. 't:' .. t, id)
  if string.sub(t, 1, 6) == 'topic:' then redis.call('ZINCRBY', topics, 1, string.sub(t, 7)) end
  terms[#terms + 1] = t
end
redis.call('ZREMRANGEBYSCORE', topics, '-inf', 0)
local sorts = {'newest', 'members', 'soonest'}
for i, s in ipairs(sorts) do
  if mode == 'listed' then redis.call('ZADD', base .. 'sort:' .. s, ARGV[4 + i], id)
  else redis.call('ZREM', base .. 'sort:' .. s, id) end
end
if mode == 'delete' then
  redis.call('DEL', entry)
else
  redis.call('HSET', entry, 'rev', rev, 'terms', table.concat(terms, '\n'))
end
return 1
`)

// reindex brings the group's discovery entry up to date with its stored
// state (the group not existing means removing it).
func (s *Store) reindex(ctx context.Context, id string) error {
	g, err := s.loadConsistent(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return s.unindex(ctx, id)
	}
	if err != nil {
		return fmt.Errorf("index %s: %w", id, err)
	}
	args := []any{id, g.rev, s.idxBase(), "unlisted", 0, 0, 0}
	if g.Visibility == Public {
		args[3] = "listed"
		args[4] = g.CreatedAt.UnixMilli()
		args[5] = g.MemberCount
		args[6] = soonestScore(g)
		for _, t := range indexTerms(g) {
			args = append(args, t)
		}
	}
	if err := indexScript.Run(ctx, s.rdb, []string{s.idxEntryKey(id)}, args...).Err(); err != nil {
		return fmt.Errorf("index %s: %w", id, err)
	}
	return nil
}

// unindex removes the group from every index.
func (s *Store) unindex(ctx context.Context, id string) error {
	err := indexScript.Run(ctx, s.rdb, []string{s.idxEntryKey(id)}, id, 0, s.idxBase(), "delete", 0, 0, 0).Err()
	if err != nil {
		return fmt.Errorf("unindex %s: %w", id, err)
	}
	return nil
}

// soonestScore orders by next session; groups with nothing scheduled get 0
// and so sort after every group with a session (see Search).
func soonestScore(g *Group) int64 {
	if g.NextSessionAt.IsZero() {
		return 0
	}
	return g.NextSessionAt.UnixMilli()
}

// indexTerms lists the index sets a public group belongs to.
func indexTerms(g *Group) []string {
	var terms []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	for _, t := range g.Topics {
		add("topic:" + t)
	}
	for _, p := range g.Paths {
		add("path:" + p)
	}
	if c := normalizeCity(g.City); c != "" {
		add("city:" + c)
	}
	if g.Online {
		add("online")
	}
	text := g.Name + " " + g.Description + " " + strings.Join(g.Topics, " ")
	for _, w := range words(text) {
		add("word:" + w)
	}
	return terms
}

func normalizeCity(c string) string {
	return strings.Join(strings.Fields(strings.ToLower(c)), " ")
}

var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be but by for from has have in into is it its
		of on or our that the their this to was we were will with you your`) {
		stopWords[w] = true
	}
}

// words splits text into the distinct lower-case words the search index
// holds: runs of letters, digits, '+' and '#' ("c++", "c#"), without stop
// words and one-letter words other than "c" and "r", and with a plural "s"
// dropped so "operator" finds "operators". Queries go through it too.
func words(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '+' && r != '#'
	}) {
		w = strings.TrimLeft(w, "+#")
		if w == "" || stopWords[w] || seen[w] || len(w) > 40 {
			continue
		}
		if len([]rune(w)) == 1 && w != "c" && w != "r" {
			continue
		}
		if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		if seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}
