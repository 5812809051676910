package groups

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/redis/go-redis/v9"
)

// The discovery index lists public groups only. It lives under the {idx}
// hash tag, apart from the groups' own keys, so it is brought up to date
// as a follow-up after each write: reindex reads the group afresh and the
// index script applies it unless a newer revision was already applied.
// Search re-checks every group it returns, so a follow-up that lost a race
// or never ran can hide nothing private and show nothing deleted.

// indexScript: KEYS entry, topics, the newest, members and soonest sorts,
// then the term sets of the entry's old terms (as the caller read them)
// and of its new terms, in order; all under the {idx} tag. ARGV id,
// revision, mode ("listed", "unlisted" or "delete"), newest score,
// members score, soonest score, old terms ("\n"-joined), content
// revision (see memberCountScript), new terms...
// The last two KEYS are the index's versions (all, members; see
// idxVersionKey), both moved by a change.
// It returns 0 when a newer revision was already applied and -1 when the
// old terms changed since the caller read them (read them again).
var indexScript = redis.NewScript(`
local entry, topics = KEYS[1], KEYS[2]
local id, rev, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local old = redis.call('HGET', entry, 'rev')
if mode ~= 'delete' and old and tonumber(old) >= rev then return 0 end
if (redis.call('HGET', entry, 'terms') or '') ~= ARGV[7] then return -1 end
local k = 6
for t in string.gmatch(ARGV[7], '[^\n]+') do
  redis.call('SREM', KEYS[k], id)
  k = k + 1
  if string.sub(t, 1, 6) == 'topic:' then redis.call('ZINCRBY', topics, -1, string.sub(t, 7)) end
end
local terms = {}
for i = 9, #ARGV do
  local t = ARGV[i]
  redis.call('SADD', KEYS[k], id)
  k = k + 1
  if string.sub(t, 1, 6) == 'topic:' then redis.call('ZINCRBY', topics, 1, string.sub(t, 7)) end
  terms[#terms + 1] = t
end
redis.call('ZREMRANGEBYSCORE', topics, '-inf', 0)
for i = 1, 3 do
  if mode == 'listed' then redis.call('ZADD', KEYS[2 + i], ARGV[3 + i], id)
  else redis.call('ZREM', KEYS[2 + i], id) end
end
if mode == 'delete' then
  redis.call('DEL', entry)
else
  redis.call('HSET', entry, 'rev', rev, 'crev', ARGV[8], 'terms', table.concat(terms, '\n'))
end
redis.call('INCR', KEYS[#KEYS - 1])
redis.call('INCR', KEYS[#KEYS])
return 1
`)

// memberCountScript takes a group's new member count into the index
// without reindexing it, when the entry already holds the group's content
// (terms, visibility, the other sorts) as of the last change that was
// not a membership change (content revision crev): then only the count
// moved. Membership changes arriving out of order are fine: the newest
// revision's count wins. KEYS entry, members sort, members version (see
// idxVersionKey). ARGV id, rev, crev, members. It returns 1 when
// applied, 0 when a newer revision was already applied, and -1 when the
// caller must reindex the group instead.
var memberCountScript = redis.NewScript(`
local e = redis.call('HMGET', KEYS[1], 'rev', 'crev')
if not e[1] or not e[2] then return -1 end
local rev = tonumber(ARGV[2])
if tonumber(e[1]) >= rev then return 0 end
if tonumber(e[2]) < tonumber(ARGV[3]) then return -1 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
  redis.call('INCR', KEYS[3])
end
redis.call('HSET', KEYS[1], 'rev', rev)
return 1
`)

// memberCount is a group's revision, content revision and member count
// as read together from its hash (see Recount); the zero value says
// nothing (the group is gone).
type memberCount struct {
	rev, crev, members int64
}

// A join does not wait for the discovery index to take the group's new
// member count: it marks the group in the recount set (one ZADD, sent
// with the join), and Recount, run by every instance four times a second,
// takes the counts of the marked groups in batches. A thousand people
// joining one group in a second then cost the index a few updates
// instead of a thousand, and a join one round trip less. Until then the
// members sort may show the count of a moment before; pages show the
// count from the group itself.
//
// A mark is the time of the latest join that made it. A round takes the
// counts of the groups marked since the round before (so the order
// follows joins within a round) and of those whose marks are recountGrace
// old, and forgets the latter unless a join moved them since they were
// read: on Redis Cluster a join's mark and the join itself go to
// different nodes at once, and a retry or a redirect may hold the join
// back for seconds, so a round may read the mark before the join lands;
// the round that forgets it takes the count the join left. A group joined
// once is thus counted about twice, however many rounds pass between.

// recountEvery is how often RunRecount runs a round, recountBatch how
// many marks a round trip takes, recountRound how many new and how many
// old marks one round looks at, recountGrace how old a mark must be
// before a round may forget it, and recountSlack how far before the last
// round a mark still counts as new (instances' clocks differ, and a mark
// stamped before a round may land after it read).
const (
	recountEvery = 250 * time.Millisecond
	recountBatch = 100
	recountRound = 1000
	recountGrace = 5 * time.Second
	recountSlack = time.Second
)

// queueRecountMark queues on p the mark that has Recount take group id's
// member count: the time of this join, unless a later one is there.
func (s *Store) queueRecountMark(ctx context.Context, p redis.Pipeliner, id string) *redis.IntCmd {
	return p.ZAddGT(ctx, s.idxRecountKey(), redis.Z{Score: float64(s.nowMS()), Member: id})
}

// recountDoneScript forgets the marks of the groups whose counts Recount
// took, unless a join marked them again since. KEYS the recount set.
// ARGV id, mark as read, id, mark as read...
var recountDoneScript = redis.NewScript(`
for i = 1, #ARGV, 2 do
  local m = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if m and tonumber(m) <= tonumber(ARGV[i + 1]) then redis.call('ZREM', KEYS[1], ARGV[i]) end
end
return 1
`)

// Recount runs a round: it takes into the discovery index the member
// counts of the groups marked by joins (see queueRecountMark) since the
// last round, and of those marked recountGrace ago or more, whose marks
// it forgets unless a join moved them since; it says how many groups it
// took. A mark stays for the next round when its group's update failed.
func (s *Store) Recount(ctx context.Context) (int, error) {
	now := s.Now()
	since := "-inf"
	if last := s.recountLast.Swap(now.UnixMilli()); last != 0 {
		since = "(" + strconv.FormatInt(last-recountSlack.Milliseconds(), 10)
	}
	settled := float64(now.Add(-recountGrace).UnixMilli())
	p := s.rdb.Pipeline()
	fresh := p.ZRangeByScoreWithScores(ctx, s.idxRecountKey(), &redis.ZRangeBy{Min: since, Max: "+inf", Count: recountRound})
	old := p.ZRangeByScoreWithScores(ctx, s.idxRecountKey(), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatFloat(settled, 'f', -1, 64), Count: recountRound})
	_, _ = p.Exec(ctx) // each read reports its own error
	marks, err := fresh.Result()
	if err == nil {
		var olds []redis.Z
		olds, err = old.Result()
		taken := make(map[any]bool, len(marks))
		for _, m := range marks {
			taken[m.Member] = true
		}
		for _, m := range olds {
			if !taken[m.Member] { // after a pause, a mark is both new and old
				marks = append(marks, m)
			}
		}
	}
	if err != nil {
		s.recountLast.Store(0) // the next round looks at every mark
		return 0, fmt.Errorf("groups: recount: %w", err)
	}
	var done []any
	var errs []error
	for from := 0; from < len(marks); from += recountBatch {
		batch := marks[from:min(from+recountBatch, len(marks))]
		took, err := s.recountBatch(ctx, batch)
		errs = append(errs, err)
		for i, m := range batch {
			if took[i] && m.Score <= settled {
				done = append(done, m.Member, strconv.FormatFloat(m.Score, 'f', -1, 64))
			}
		}
	}
	if len(done) > 0 {
		if err := recountDoneScript.Run(ctx, s.rdb, []string{s.idxRecountKey()}, done...).Err(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return len(marks), fmt.Errorf("groups: recount: %w", err)
	}
	return len(marks), nil
}

// recountBatch takes the counts of the groups marks name into the index,
// and says of each whether it did.
func (s *Store) recountBatch(ctx context.Context, marks []redis.Z) ([]bool, error) {
	p := s.rdb.Pipeline()
	reads := make([]*redis.SliceCmd, len(marks))
	for i, m := range marks {
		reads[i] = p.HMGet(ctx, s.groupKey(m.Member.(string)), "rev", "crev", "members")
	}
	_, _ = p.Exec(ctx) // each read reports its own error
	counts := make([]memberCount, len(marks))
	counted := make([]*redis.Cmd, len(marks))
	var errs []error
	p = s.rdb.Pipeline()
	for i, m := range marks {
		vals, err := reads[i].Result()
		if err != nil {
			errs = append(errs, err) // this group waits for the next round; the others go on
			continue
		}
		counts[i] = memberCount{rev: hashInt(vals[0]), crev: hashInt(vals[1]), members: hashInt(vals[2])}
		counted[i] = s.queueMemberCount(ctx, p, m.Member.(string), counts[i])
	}
	_, _ = p.Exec(ctx) // finishMemberCount reports each script's error
	took := make([]bool, len(marks))
	for i, m := range marks {
		if reads[i].Err() != nil {
			continue
		}
		if err := s.finishMemberCount(ctx, m.Member.(string), counts[i], counted[i]); err != nil {
			errs = append(errs, err)
			continue
		}
		took[i] = true
	}
	return took, errors.Join(errs...)
}

// RunRecount runs Recount every recountEvery until ctx ends. A failure is
// logged, and its marks wait for the next round.
func (s *Store) RunRecount(ctx context.Context) {
	t := time.NewTicker(recountEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.Recount(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("groups: recount", "err", err)
		}
	}
}

// hashInt is a hash field read with HMGET as a number, 0 when missing.
func hashInt(v any) int64 {
	str, _ := v.(string)
	n, _ := strconv.ParseInt(str, 10, 64)
	return n
}

// queueMemberCount queues on p the index's update to count (nil for a
// zero count); finishMemberCount completes it once p has run.
func (s *Store) queueMemberCount(ctx context.Context, p redis.Pipeliner, id string, count memberCount) *redis.Cmd {
	if count.rev == 0 {
		return nil
	}
	return memberCountScript.EvalSha(ctx, p, s.memberCountKeys(id), id, count.rev, count.crev, count.members)
}

func (s *Store) memberCountKeys(id string) []string {
	return []string{s.idxEntryKey(id), s.idxSortKey(SortMembers), s.idxVersionKey("members")}
}

// finishMemberCount checks the queued count update and falls back to a
// reindex when the index could not take the count alone (or Redis had
// not loaded the script yet: then it runs it in full first).
func (s *Store) finishMemberCount(ctx context.Context, id string, count memberCount, cmd *redis.Cmd) error {
	if cmd == nil {
		return s.reindex(ctx, id)
	}
	res, err := cmd.Int()
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		res, err = memberCountScript.Run(ctx, s.rdb, s.memberCountKeys(id), id, count.rev, count.crev, count.members).Int()
	}
	if err != nil {
		return fmt.Errorf("index %s: member count: %w", id, err)
	}
	if res == -1 {
		return s.reindex(ctx, id)
	}
	return nil
}

// indexEntry is what the discovery index should hold for one group.
type indexEntry struct {
	rev, crev                int64
	mode                     string
	newest, members, soonest int64
	terms                    []string
}

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
	e := indexEntry{rev: g.rev, crev: g.crev, mode: "unlisted"}
	if g.Visibility == Public {
		e = indexEntry{rev: g.rev, crev: g.crev, mode: "listed", newest: g.CreatedAt.UnixMilli(), members: int64(g.MemberCount),
			soonest: soonestScore(g), terms: indexTerms(g)}
	}
	if err := s.applyIndex(ctx, id, e); err != nil {
		return fmt.Errorf("index %s: %w", id, err)
	}
	return nil
}

// unindex removes the group from every index.
func (s *Store) unindex(ctx context.Context, id string) error {
	if err := s.applyIndex(ctx, id, indexEntry{mode: "delete"}); err != nil {
		return fmt.Errorf("unindex %s: %w", id, err)
	}
	if err := s.rdb.ZRem(ctx, s.idxRecountKey(), id).Err(); err != nil {
		return fmt.Errorf("unindex %s: recount mark: %w", id, err)
	}
	return nil
}

// indexAttempts bounds how often applyIndex re-reads terms that other
// writers keep changing.
const indexAttempts = 10

// applyIndex runs indexScript with every key it touches declared: it reads
// the entry's current terms to name their sets, and tries again when they
// changed before the script ran.
func (s *Store) applyIndex(ctx context.Context, id string, e indexEntry) error {
	entry := s.idxEntryKey(id)
	for range indexAttempts {
		old, err := s.rdb.HGet(ctx, entry, "terms").Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		keys := []string{entry, s.idxTopicsKey(), s.idxSortKey(SortNewest), s.idxSortKey(SortMembers), s.idxSortKey(SortSoonest)}
		if old != "" {
			for _, t := range strings.Split(old, "\n") {
				keys = append(keys, s.idxTermKey(t))
			}
		}
		args := []any{id, e.rev, e.mode, e.newest, e.members, e.soonest, old, e.crev}
		for _, t := range e.terms {
			keys = append(keys, s.idxTermKey(t))
			args = append(args, t)
		}
		keys = append(keys, s.idxVersionKey("all"), s.idxVersionKey("members"))
		res, err := indexScript.Run(ctx, s.rdb, keys, args...).Int()
		if err != nil {
			return err
		}
		if res != -1 {
			return nil
		}
	}
	return errors.New("its terms kept changing meanwhile")
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
