package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/careers"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/luascript"
	"github.com/focusgroups/focusgroups/internal/nearcache"
)

// Sort is a discovery order.
type Sort string

// Discovery orders.
const (
	SortSoonest Sort = "soonest" // next session first; then recent past sessions; then none
	SortNewest  Sort = "newest"  // most recently created first
	SortMembers Sort = "members" // most members first
)

// Query is a discovery search. Empty fields do not filter. All words must
// match (name, description or topics). City and Online together mean "in
// that city or online".
type Query struct {
	Words   string
	Topic   string
	Path    string
	City    string
	Online  bool
	Sort    Sort // empty means newest
	Page    int  // from 1
	PerPage int  // default DefaultPerPage, at most MaxPerPage
}

// searchScript: KEYS tmp, tmp-or, sort zset, index version (see
// idxVersionKey), filter sets... (the last ARGV[1] of them are united
// first); ARGV n-or, offset, limit, order ("asc", "desc" or "soonest"),
// now ms. Returns {total, {id...}, version, valid}: valid is, for the
// soonest order, when the next session among the matches starts (unix
// ms; the order changes then), else 0. Equal scores fall back to ID
// order, so pages neither repeat nor skip a group.
var searchScript = redis.NewScript(`
local tmp, tmpor, sortk = KEYS[1], KEYS[2], KEYS[3]
local version = redis.call('GET', KEYS[4]) or '0'
local nor, off, lim, order, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local src = sortk
if #KEYS > 4 then
  local ands = {}
  for i = 5, #KEYS - nor do ands[#ands + 1] = KEYS[i] end
  if nor > 0 then
    local ors = {}
    for i = #KEYS - nor + 1, #KEYS do ors[#ors + 1] = KEYS[i] end
    redis.call('SUNIONSTORE', tmpor, unpack(ors))
    redis.call('PEXPIRE', tmpor, 60000)
    ands[#ands + 1] = tmpor
  end
  local args = {'ZINTERSTORE', tmp, #ands + 1, sortk}
  for _, k in ipairs(ands) do args[#args + 1] = k end
  args[#args + 1] = 'WEIGHTS'
  args[#args + 1] = 1
  for _ in ipairs(ands) do args[#args + 1] = 0 end
  redis.call(unpack(args))
  redis.call('PEXPIRE', tmp, 60000)
  src = tmp
end
local total = redis.call('ZCARD', src)
local ids = {}
local valid = 0
if order == 'asc' then
  ids = redis.call('ZRANGE', src, off, off + lim - 1)
elseif order == 'desc' then
  ids = redis.call('ZREVRANGE', src, off, off + lim - 1)
else
  local up = redis.call('ZCOUNT', src, now, '+inf')
  if off < up then ids = redis.call('ZRANGEBYSCORE', src, now, '+inf', 'LIMIT', off, lim) end
  local rest = lim - #ids
  if rest > 0 then
    local off2 = off - up
    if off2 < 0 then off2 = 0 end
    local past = redis.call('ZREVRANGEBYSCORE', src, '(' .. now, '-inf', 'LIMIT', off2, rest)
    for _, id in ipairs(past) do ids[#ids + 1] = id end
  end
  local first = redis.call('ZRANGEBYSCORE', src, now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first > 0 then valid = tonumber(first[2]) end
end
if src == tmp then redis.call('DEL', tmp, tmpor) end
return {total, ids, version, valid}
`)

// searchFixedKeys are the KEYS searchScript always gets (tmp, tmp-or, the
// sort index and its version); any more are filters.
const searchFixedKeys = 4

// maxQueryWords bounds the sets one search intersects.
const maxQueryWords = 8

// searchAnswer is a search's answer as the index stood at version.
type searchAnswer struct {
	version string
	gids    []string
	total   int
	valid   int64     // unix ms the answer holds until whatever the version (0: no limit)
	at      time.Time // when it was read
}

// Remembered search answers (see QueueSearch): how many, and for how long
// at most, so an index that changed behind the versions' back (an
// instance running older code) shows within that time.
const (
	searchesKept = 2000
	searchFresh  = time.Minute
)

// Search finds public groups. It returns one page and the number of
// matching groups. Private and unlisted groups never appear. It takes two
// round trips (the index, then the groups found), and one more when the
// answer was remembered but the index changed since (see QueueSearch).
func (s *Store) Search(ctx context.Context, q Query) ([]*Group, int, error) {
	p := s.rdb.Pipeline()
	read := s.QueueSearch(ctx, p, q)
	_, _ = p.Exec(ctx) // read reports its command's error
	gids, total, err := read()
	if err != nil {
		return nil, 0, err
	}
	gs, err := s.Visible(ctx, gids)
	if err != nil {
		return nil, 0, err
	}
	return gs, total, nil
}

// QueueSearch queues Search's index search on p (by the script's SHA), so
// a page can run it with its other first reads (the session's, the
// topics). Once p has run, the returned function gives the IDs of the
// page's groups and the number of matches, running the full script first
// when Redis had not loaded it; Visible then reads the groups.
//
// The index is the same for everyone, so this Store remembers each
// query's answer with the index version it was read at: the same query
// then reads the version alone, and searches again (one more round trip)
// only when the index changed since, or after searchFresh.
func (s *Store) QueueSearch(ctx context.Context, p redis.Pipeliner, q Query) func() ([]string, int, error) {
	keys, args := s.searchArgs(q)
	query := searchQuery(keys, args)
	now := s.Now()
	last, ok := s.searches.Get(query)
	if !ok || now.Sub(last.at) >= searchFresh || (last.valid != 0 && now.UnixMilli() >= last.valid) {
		return s.queueSearchScript(ctx, p, query, keys, args)
	}
	version := nearcache.Get(ctx, p, keys[3])
	return func() ([]string, int, error) {
		v, err := version.Result()
		if errors.Is(err, redis.Nil) {
			v, err = "0", nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("groups: search: %w", err)
		}
		if v == last.version {
			return slices.Clone(last.gids), last.total, nil
		}
		again := s.rdb.Pipeline()
		read := s.queueSearchScript(ctx, again, query, keys, args)
		_, _ = again.Exec(ctx) // read reports its command's error
		return read()
	}
}

// QueueSearchNow is QueueSearch that runs the search itself whatever this
// Store remembers, for a caller that has no round trip to spare after p
// (it still remembers the answer for the next QueueSearch).
func (s *Store) QueueSearchNow(ctx context.Context, p redis.Pipeliner, q Query) func() ([]string, int, error) {
	keys, args := s.searchArgs(q)
	return s.queueSearchScript(ctx, p, searchQuery(keys, args), keys, args)
}

// queueSearchScript queues searchScript on p for QueueSearch, which
// remembers its answer under query.
func (s *Store) queueSearchScript(ctx context.Context, p redis.Pipeliner, query string, keys []string, args []any) func() ([]string, int, error) {
	// Without filters the script only reads the sort index: it runs as
	// read-only, so it writes nothing (not even to the AOF) and may run
	// on a replica.
	answer := luascript.Queue(ctx, p, s.rdb, searchScript, len(keys) == searchFixedKeys, keys, args...)
	at := s.Now()
	return func() ([]string, int, error) {
		res, err := answer().Slice()
		if err == nil && len(res) != 4 {
			err = fmt.Errorf("unexpected reply %v", res)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("groups: search: %w", err)
		}
		total, _ := res[0].(int64)
		raw, _ := res[1].([]any)
		gids := make([]string, len(raw))
		for i, r := range raw {
			gids[i], _ = r.(string)
		}
		version, _ := res[2].(string)
		valid, _ := res[3].(int64)
		s.searches.Put(query, searchAnswer{version: version, gids: gids, total: int(total), valid: valid, at: at})
		return slices.Clone(gids), int(total), nil
	}
}

// searchQuery names what searchScript's keys and arguments ask, leaving
// out the scratch keys and the time.
func searchQuery(keys []string, args []any) string {
	return strings.Join(keys[2:], "\n") + "\n" + fmt.Sprint(args[:4]...)
}

// searchArgs are the KEYS and ARGV of searchScript for q.
func (s *Store) searchArgs(q Query) ([]string, []any) {
	start, _, per := pageBounds(q.Page, q.PerPage)
	var filters, ors []string
	ws := words(q.Words)
	if len(ws) > maxQueryWords {
		ws = ws[:maxQueryWords]
	}
	for _, w := range ws {
		filters = append(filters, s.idxTermKey("word:"+w))
	}
	if t := NormalizeTopic(q.Topic); t != "" {
		filters = append(filters, s.idxTermKey("topic:"+t))
	}
	if q.Path != "" {
		p, _ := careers.Normalize(q.Path)
		filters = append(filters, s.idxTermKey("path:"+p))
	}
	city := normalizeCity(q.City)
	switch {
	case city != "" && q.Online:
		ors = []string{s.idxTermKey("city:" + city), s.idxTermKey("online")}
	case city != "":
		filters = append(filters, s.idxTermKey("city:"+city))
	case q.Online:
		filters = append(filters, s.idxTermKey("online"))
	}
	sort, order := q.Sort, "desc"
	switch sort {
	case SortSoonest:
		order = "soonest"
	case SortMembers:
	default:
		sort = SortNewest
	}
	tag := ids.New()
	version := s.idxVersionKey("all")
	if sort == SortMembers {
		version = s.idxVersionKey("members")
	}
	keys := append([]string{s.idxTempKey(tag), s.idxTempKey(tag + ":or"), s.idxSortKey(sort), version}, filters...)
	keys = append(keys, ors...)
	return keys, []any{len(ors), start, per, order, s.nowMS()}
}

// Visible reads the groups a search found (in one round trip) and keeps
// those that still exist and are public, taking any others out of the
// index.
func (s *Store) Visible(ctx context.Context, gids []string) ([]*Group, error) {
	gs, err := s.GetMany(ctx, gids)
	if err == nil {
		gs, err = s.KeepPublic(ctx, gids, gs)
	}
	if err != nil {
		return nil, fmt.Errorf("groups: search: %w", err)
	}
	return gs, nil
}

// KeepPublic keeps, of the groups gs read for the discovery IDs gids (nil
// where gone), those that still exist and are public, and takes the others
// out of the discovery index: a write only when the index was behind.
func (s *Store) KeepPublic(ctx context.Context, gids []string, gs []*Group) ([]*Group, error) {
	out := make([]*Group, 0, len(gs))
	for i, g := range gs {
		if g != nil && g.Visibility == Public {
			out = append(out, g)
			continue
		}
		if err := s.unindex(ctx, gids[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// QueuePopularIDs queues on p the read of the IDs of the limit public
// groups with most members (the first page of an unfiltered Search by
// SortMembers); QueueGetMany and KeepPublic then read and check them.
func (s *Store) QueuePopularIDs(ctx context.Context, p redis.Pipeliner, limit int) func() ([]string, error) {
	_, stop, _ := pageBounds(1, limit)
	cmd := nearcache.ZRevRange(ctx, p, s.idxSortKey(SortMembers), 0, stop)
	return func() ([]string, error) {
		out, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: popular: %w", err)
		}
		return out, nil
	}
}

// TopicCount is a topic and how many public groups carry it.
type TopicCount struct {
	Topic string
	Count int
}

// Topics returns up to limit topics of public groups, most used first, for
// the discovery filters.
func (s *Store) Topics(ctx context.Context, limit int) ([]TopicCount, error) {
	p := s.rdb.Pipeline()
	read := s.QueueTopics(ctx, p, limit)
	_, _ = p.Exec(ctx) // read reports its command's error
	return read()
}

// QueueTopics queues the read of Topics on p; the returned function gives
// the topics once p has been executed.
func (s *Store) QueueTopics(ctx context.Context, p redis.Pipeliner, limit int) func() ([]TopicCount, error) {
	if limit <= 0 {
		limit = 20
	}
	cmd := p.ZRevRangeWithScores(ctx, s.idxTopicsKey(), 0, int64(limit-1))
	return func() ([]TopicCount, error) {
		zs, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: topics: %w", err)
		}
		out := make([]TopicCount, len(zs))
		for i, z := range zs {
			out[i] = TopicCount{Topic: z.Member.(string), Count: int(z.Score)}
		}
		return out, nil
	}
}
