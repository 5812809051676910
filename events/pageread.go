package events

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/luascript"
	"github.com/focusgroups/focusgroups/internal/nearcache"
)

// SessionLists reads lists of sessions for a page in two round trips
// that the page shares with its other reads: QueueGroupSessions or
// QueueListedSessions queue the index reads, QueueEvents then the sessions
// themselves and the viewer's standing in the upcoming ones. With
// Speculate, the sessions the list named when this Store last read it
// ride with the index reads, and QueueEvents queues only the others: a
// list that did not change since is read in one round trip.
type SessionLists struct {
	s                   *Store
	name, key           string // for errors; the list's own key, for Speculate
	upcoming, past      int
	now                 time.Time
	running, next, prev *redis.StringSliceCmd
	load                func()    // once the pipeline has run: fills running and next from a script's answer or the timed reads, or checks a plain read's size
	nextStarts          []redis.Z // with QueueGroupSessionsTimed: the upcoming sessions with their starts
	userID              string    // whose standings the speculative reads are
	reads               map[string]func() (Event, error)
	statuses            map[string]func(int) (Standing, error)
	// stand, when set, says which upcoming sessions QueueEvents reads the
	// standing of (see QueueEventsFor).
	stand func(id string) bool
}

// listedIDs are the sessions a list named when it was last read: those
// soon (running or upcoming), whose standings a page shows, and all.
type listedIDs struct{ soon, all []string }

// QueueGroupSessions queues on p the index reads behind GroupUpcoming
// (up to upcoming sessions) and GroupPast (up to past sessions that have
// ended).
func (s *Store) QueueGroupSessions(ctx context.Context, p redis.Pipeliner, groupID string, upcoming, past int) *SessionLists {
	return s.queueLists(ctx, p, s.groupEventsKey(groupID), "group "+groupID, upcoming, past, false)
}

// QueueGroupSessionsTimed is QueueGroupSessions (none past) that also
// reads when each upcoming session starts (NextStarts), for a page that
// picks the soonest among several groups' lists.
func (s *Store) QueueGroupSessionsTimed(ctx context.Context, p redis.Pipeliner, groupID string, upcoming int) *SessionLists {
	return s.queueLists(ctx, p, s.groupEventsKey(groupID), "group "+groupID, upcoming, 0, true)
}

// NextStarts returns, once the index reads of QueueGroupSessionsTimed
// have run, its upcoming sessions soonest first, each with its start in
// Unix seconds as its score.
func (l *SessionLists) NextStarts() []redis.Z {
	l.settle()
	return l.nextStarts
}

// QueueListedSessions queues on p the index reads behind ListedUpcoming
// (up to upcoming sessions; none past). The listed sessions of every
// group that started within MaxDuration may be many, most of them ended:
// once a read found more of them than the page shows, reads find the
// running ones by their end with a script (listedScript) until one finds
// few again, so the page reads only sessions it may show. With few, two
// plain range reads cost Redis less than running a script.
func (s *Store) QueueListedSessions(ctx context.Context, p redis.Pipeliner, upcoming int) *SessionLists {
	if !s.busyListed.Load() {
		l := s.queueLists(ctx, p, s.listedKey(), "the listed sessions", upcoming, 0, false)
		l.load = func() {
			if len(l.running.Val()) > upcoming {
				s.busyListed.Store(true)
			}
		}
		return l
	}
	l := s.newLists(s.listedKey(), "the listed sessions", upcoming, 0)
	l.running, l.next = redis.NewStringSliceCmd(ctx), redis.NewStringSliceCmd(ctx)
	from, to := minuteOf(l.now)
	answer := luascript.Queue(ctx, p, s.rdb, listedScript, true, []string{s.listedKey(), s.listedEndsKey()},
		from.Add(-MaxDuration).Unix(), l.now.Unix(), upcoming, maxRunning, to.Unix())
	l.load = func() {
		reply, err := answer().Slice()
		if err == nil && len(reply) != 3 {
			err = fmt.Errorf("unexpected reply %v", reply)
		}
		if err != nil {
			l.running.SetErr(err)
			l.next.SetErr(err)
			return
		}
		for i, c := range []*redis.StringSliceCmd{l.running, l.next} {
			ids, _ := reply[i].([]any)
			val := make([]string, 0, len(ids))
			for _, id := range ids {
				if str, ok := id.(string); ok {
					val = append(val, str)
				}
			}
			c.SetVal(val)
		}
		if started, _ := reply[2].(int64); started <= int64(upcoming) {
			s.busyListed.Store(false)
		}
	}
	return l
}

// listedScript reads the listed sessions a page may show: up to ARGV[3]
// of those that started from ARGV[1] on, before ARGV[2] (now), and have
// not ended by then, in start order, among the first ARGV[4] started; and
// as many more as it takes to make ARGV[3] that start from ARGV[2] on.
// KEYS[1] is the index by start, KEYS[2] the same sessions by end. A
// session missing from KEYS[2] (indexed before it existed, or its index
// write lost) is given too, not counted among the ARGV[3]: the page reads
// it and checks, as it did every started session before the index. Third
// in its answer is how many start from ARGV[1] on, before ARGV[5] (the
// end of now's minute): what the plain reads' first counts, so the two
// agree on when to switch. It only reads.
var listedScript = redis.NewScript(`
local now, k = tonumber(ARGV[2]), tonumber(ARGV[3])
local running, known = {}, 0
local started = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '(' .. ARGV[2], 'LIMIT', 0, ARGV[4])
if k > 0 then
  for _, id in ipairs(started) do
    local ends = redis.call('ZSCORE', KEYS[2], id)
    if not ends then
      running[#running + 1] = id
    elseif tonumber(ends) > now then
      running[#running + 1] = id
      known = known + 1
      if known == k then break end
    end
  end
end
local next = {}
if known < k then
  next = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf', 'LIMIT', 0, k - known)
end
return {running, next, redis.call('ZCOUNT', KEYS[1], ARGV[1], '(' .. ARGV[5])}
`)

// settle fills the index reads from a script's answer, once.
func (l *SessionLists) settle() {
	if l.load != nil {
		l.load()
		l.load = nil
	}
}

func (s *Store) queueLists(ctx context.Context, p redis.Pipeliner, key, name string, upcoming, past int, timed bool) *SessionLists {
	l := s.newLists(key, name, upcoming, past)
	unix := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	// The reads are bounded by the minute now falls in, not by now, so
	// they repeat for a minute and the near cache answers them; QueueEvents
	// sorts what they read into upcoming and past by now. The first reads
	// the sessions that may run at any time of the minute, and those that
	// start later in it; the second those that start after it. Past
	// maxRunning sessions in the first (500 started within 12 hours), the
	// latest are cut, as the running ones were when it ended at now.
	from, to := minuteOf(l.now)
	started := &redis.ZRangeBy{Min: unix(from.Add(-MaxDuration)), Max: "(" + unix(to), Count: maxRunning}
	next := &redis.ZRangeBy{Min: unix(to), Max: "+inf", Count: int64(upcoming)}
	if timed {
		startedZ, nextZ := nearcache.ZRangeByScoreWithScores(ctx, p, key, started), nearcache.ZRangeByScoreWithScores(ctx, p, key, next)
		l.running, l.next = redis.NewStringSliceCmd(ctx), redis.NewStringSliceCmd(ctx)
		l.load = func() {
			if !fillIDs(l.running, startedZ) || !fillIDs(l.next, nextZ) {
				return
			}
			// Not started yet: from now on in the first read, then the second.
			zs := slices.Concat(startedZ.Val(), nextZ.Val())
			first, _ := slices.BinarySearchFunc(zs, float64(l.now.Unix()), func(z redis.Z, t float64) int { return cmp.Compare(z.Score, t) })
			l.nextStarts = zs[first:min(len(zs), first+upcoming)]
		}
	} else {
		l.running = nearcache.ZRangeByScore(ctx, p, key, started)
		l.next = nearcache.ZRangeByScore(ctx, p, key, next)
	}
	if past > 0 {
		// Sessions started a longest session before the minute have ended:
		// the latest of them follow the ended ones of the first read.
		l.prev = nearcache.ZRevRangeByScore(ctx, p, key, &redis.ZRangeBy{Min: "-inf", Max: "(" + unix(from.Add(-MaxDuration)), Count: int64(past)})
	}
	return l
}

// minuteOf gives the bounds of the minute t falls in: the index reads of
// a list of sessions stay the same over it (see queueLists).
func minuteOf(t time.Time) (from, to time.Time) {
	from = t.Truncate(time.Minute)
	return from, from.Add(time.Minute)
}

// fillIDs sets ids to the members of zs, or to its error; it reports
// whether zs succeeded.
func fillIDs(ids *redis.StringSliceCmd, zs *redis.ZSliceCmd) bool {
	if err := zs.Err(); err != nil {
		ids.SetErr(err)
		return false
	}
	out := make([]string, len(zs.Val()))
	for i, z := range zs.Val() {
		out[i], _ = z.Member.(string)
	}
	ids.SetVal(out)
	return true
}

// newLists is a SessionLists of the index under key, its reads not
// queued yet.
func (s *Store) newLists(key, name string, upcoming, past int) *SessionLists {
	return &SessionLists{s: s, name: name, key: key + "|" + strconv.Itoa(upcoming) + "|" + strconv.Itoa(past),
		upcoming: upcoming, past: past, now: s.now()}
}

// Speculate queues on p, with the index reads, the reads of the sessions
// the list named when this Store last read it and userID's standing in
// the soon ones, as QueueEvents would queue them. A session the index no
// longer names is read for nothing; one it names anew is read by
// QueueEvents.
func (l *SessionLists) Speculate(ctx context.Context, p redis.Pipeliner, userID string) {
	last, ok := l.s.listed.Get(l.key)
	if !ok {
		return
	}
	l.userID = userID
	l.reads = make(map[string]func() (Event, error), len(last.all))
	l.statuses = make(map[string]func(int) (Standing, error), len(last.soon))
	l.queue(ctx, p, last.soon, last.all)
}

// queue queues the reads of the sessions all and the standings in soon
// that are not queued yet.
func (l *SessionLists) queue(ctx context.Context, p redis.Pipeliner, soon, all []string) {
	for _, id := range all {
		if _, ok := l.reads[id]; !ok {
			l.reads[id] = l.s.QueueGet(ctx, p, id)
		}
	}
	for _, id := range soon {
		if _, ok := l.statuses[id]; !ok && (l.stand == nil || l.stand(id)) {
			l.statuses[id] = l.s.queueCardStanding(ctx, p, id, l.userID)
		}
	}
}

// QueueEventsFor is QueueEvents that reads the viewer's standing only in
// the upcoming sessions stand accepts (or that Share or Speculate read
// already); the returned function gives no standing for the others
// unless QueueStandings queues it before the function is called.
func (l *SessionLists) QueueEventsFor(ctx context.Context, p redis.Pipeliner, userID string, stand func(id string) bool) (func() (upcoming, past []Event, standings map[string]Standing, err error), error) {
	l.stand = stand
	return l.QueueEvents(ctx, p, userID)
}

// QueueStandings queues on p, after QueueEventsFor, the viewer's standing
// in the sessions ids that it has not read; the function QueueEventsFor
// returned gives them once p has been executed too.
func (l *SessionLists) QueueStandings(ctx context.Context, p redis.Pipeliner, ids []string) {
	for _, id := range ids {
		if _, ok := l.statuses[id]; !ok {
			l.statuses[id] = l.s.queueCardStanding(ctx, p, id, l.userID)
		}
	}
}

// remember keeps the sessions the list names now for the next Speculate,
// when they changed.
func (l *SessionLists) remember(soon, all []string) {
	if last, ok := l.s.listed.Get(l.key); ok && slices.Equal(last.soon, soon) && slices.Equal(last.all, all) {
		return
	}
	l.s.listed.Put(l.key, listedIDs{soon: soon, all: all})
}

// KnownGroupIDs returns, once the index reads have run, the groups of the
// listed sessions that this Store has read before (a session never moves
// to another group), so a page can read those groups in the same pipeline
// as the sessions.
func (l *SessionLists) KnownGroupIDs() []string {
	var out []string
	seen := map[string]bool{}
	_, all := l.ids()
	for _, id := range all {
		if gid, ok := l.s.groupOf.Get(id); ok && !seen[gid] {
			seen[gid] = true
			out = append(out, gid)
		}
	}
	return out
}

// soon returns, once the index reads have run, the sessions that may be
// upcoming: those started within MaxDuration of now's minute, then those
// to come.
func (l *SessionLists) soon() []string {
	l.settle()
	return append(append([]string{}, l.running.Val()...), l.next.Val()...)
}

// ids returns soon, and all: soon then the started ones read for the past
// list.
func (l *SessionLists) ids() (soon, all []string) {
	soon = l.soon()
	if l.prev == nil {
		return soon, soon
	}
	return soon, append(slices.Clip(soon), l.prev.Val()...)
}

// Share lets QueueEvents, for u's person, use the reads u.QueueEvents
// queued (on the same pipeline, or one that runs before), so a session on
// both lists is read once.
func (l *SessionLists) Share(u *UserSessionList) {
	if l.reads == nil || l.userID != u.userID {
		l.userID = u.userID
		l.reads = make(map[string]func() (Event, error), len(u.reads))
		l.statuses = make(map[string]func(int) (Standing, error), len(u.statuses))
	}
	for id, read := range u.reads {
		if _, ok := l.reads[id]; !ok {
			l.reads[id] = read
		}
	}
	for id, st := range u.statuses {
		if _, ok := l.statuses[id]; !ok {
			l.statuses[id] = st
		}
	}
}

// QueueEvents queues on p, once the index reads have run, the reads of
// the sessions and of userID's standing in each upcoming one ("" for a
// signed-out visitor: seats only) that Speculate did not queue already.
// The returned function gives the upcoming sessions soonest first, the
// ended ones latest first, and the standings by session ID (cancelled
// sessions have none) once p has been executed; when QueueEvents queued
// nothing on p (p.Len() did not grow), it needs p to run no further.
func (l *SessionLists) QueueEvents(ctx context.Context, p redis.Pipeliner, userID string) (func() (upcoming, past []Event, standings map[string]Standing, err error), error) {
	l.settle()
	for _, c := range []*redis.StringSliceCmd{l.running, l.next, l.prev} {
		if c == nil {
			continue
		}
		if err := c.Err(); err != nil {
			return nil, fmt.Errorf("events: sessions of %s: %w", l.name, err)
		}
	}
	soon, all := l.ids()
	if l.reads == nil || l.userID != userID {
		l.userID = userID
		l.reads = map[string]func() (Event, error){}
		l.statuses = map[string]func(int) (Standing, error){}
	}
	l.queue(ctx, p, soon, all)
	l.remember(soon, all)
	reads, statuses := l.reads, l.statuses
	return func() (upcoming, past []Event, standings map[string]Standing, err error) {
		// Sessions are large: each shown is copied once, into evs, which
		// holds the upcoming ones and then the ended ones, sized up front.
		evs := make([]Event, 0, min(len(all), l.upcoming+l.past))
		add := func(id string, keep func(Event) bool) error {
			ev, err := reads[id]()
			switch {
			case errors.Is(err, ErrNotFound):
			case err != nil:
				return err
			case keep(ev):
				evs = append(evs, ev)
			}
			return nil
		}
		running := func(ev Event) bool { return ev.End.After(l.now) }
		for _, id := range l.running.Val() {
			if len(evs) == l.upcoming {
				break
			}
			if err := add(id, running); err != nil {
				return nil, nil, nil, err
			}
		}
		for _, id := range l.next.Val() {
			if len(evs) == l.upcoming {
				break
			}
			if err := add(id, func(Event) bool { return true }); err != nil {
				return nil, nil, nil, err
			}
		}
		upcoming = evs[:len(evs):len(evs)]
		standings = make(map[string]Standing, len(upcoming))
		for _, ev := range upcoming {
			status, ok := statuses[ev.ID]
			if ev.Status == StatusCancelled || !ok {
				continue // no standing: cancelled, or not asked for (QueueEventsFor)
			}
			if standings[ev.ID], err = status(ev.Capacity); err != nil {
				return nil, nil, nil, err
			}
		}
		if l.prev == nil {
			return upcoming, nil, standings, nil
		}
		// Ended: those of the first read, latest first, then the
		// earlier ones (all ended).
		ended := func(ev Event) bool { return !ev.End.After(l.now) }
		started := l.running.Val()
		for i := len(started) - 1; i >= 0 && len(evs)-len(upcoming) < l.past; i-- {
			if err := add(started[i], ended); err != nil {
				return nil, nil, nil, err
			}
		}
		for _, id := range l.prev.Val() {
			if len(evs)-len(upcoming) == l.past {
				break
			}
			if err := add(id, ended); err != nil {
				return nil, nil, nil, err
			}
		}
		past = evs[len(upcoming):]
		return upcoming, past, standings, nil
	}, nil
}

// UserSessionList reads the sessions someone is going to, waitlisted for
// or awaiting approval for, in two round trips that a page shares with
// its other reads: QueueUserSessions queues the index read, QueueEvents
// then the sessions, the person's RSVPs and the standings.
type UserSessionList struct {
	s      *Store
	userID string
	ids    *redis.StringSliceCmd
	// Set by QueueEvents: the reads it queued, for Share.
	reads    map[string]func() (Event, error)
	statuses map[string]func(int) (Standing, error)
}

// QueueUserSessions queues on p the index read behind UserSessions: up
// to limit sessions of userID starting from from (and before to, unless
// to is zero).
func (s *Store) QueueUserSessions(ctx context.Context, p redis.Pipeliner, userID string, from, to time.Time, limit int) *UserSessionList {
	rng := &redis.ZRangeBy{Min: strconv.FormatInt(from.Unix(), 10), Max: "(" + strconv.FormatInt(to.Unix(), 10), Count: int64(limit)}
	if to.IsZero() {
		rng.Max = "+inf"
	}
	return &UserSessionList{s: s, userID: userID, ids: nearcache.ZRangeByScore(ctx, p, s.userEventsKey(userID), rng)}
}

// IDs returns, once the index read has run, the sessions on the list.
func (l *UserSessionList) IDs() []string { return l.ids.Val() }

// KnownGroupIDs returns, once the index read has run, the groups of the
// sessions that this Store has read before (see SessionLists.KnownGroupIDs).
func (l *UserSessionList) KnownGroupIDs() []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range l.ids.Val() {
		if gid, ok := l.s.groupOf.Get(id); ok && !seen[gid] {
			seen[gid] = true
			out = append(out, gid)
		}
	}
	return out
}

// QueueEvents queues on p, once the index read has run, the reads of the
// sessions, of the person's RSVP to each and of the seats and waitlist
// places. The returned function gives, once p has been executed, the
// sessions the person is going to, waitlisted for or awaiting approval
// for, in start order, and the standings of those not cancelled by
// session ID.
func (l *UserSessionList) QueueEvents(ctx context.Context, p redis.Pipeliner) (func() ([]UserSession, map[string]Standing, error), error) {
	ids, err := l.ids.Result()
	if err != nil {
		return nil, fmt.Errorf("events: sessions of %s: %w", l.userID, err)
	}
	reads := make([]func() (Event, error), len(ids))
	statuses := make([]func(int) (Standing, error), len(ids))
	checked := make([]nearcache.Reply[bool], len(ids))
	l.reads = make(map[string]func() (Event, error), len(ids))
	l.statuses = make(map[string]func(int) (Standing, error), len(ids))
	for i, id := range ids {
		reads[i] = l.s.QueueGet(ctx, p, id)
		statuses[i] = l.s.queueCardStanding(ctx, p, id, l.userID)
		checked[i] = nearcache.SIsMember(ctx, p, l.s.checkinKey(id), l.userID)
		l.reads[id], l.statuses[id] = reads[i], statuses[i]
	}
	return func() ([]UserSession, map[string]Standing, error) {
		out := make([]UserSession, 0, len(ids))
		standings := map[string]Standing{}
		for i, read := range reads {
			ev, err := read()
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			standing, err := statuses[i](ev.Capacity)
			if err != nil {
				return nil, nil, err
			}
			if standing.CheckedIn, err = checked[i].Result(); err != nil {
				return nil, nil, fmt.Errorf("events: check-ins of %s: %w", ev.ID, err)
			}
			st := standing.Status
			if st != RSVPGoing && st != RSVPWaitlisted && st != RSVPPending {
				continue
			}
			out = append(out, UserSession{Event: ev, Status: st})
			if ev.Status != StatusCancelled {
				standings[ev.ID] = standing
			}
		}
		return out, standings, nil
	}, nil
}

// QueueSeriesIDs queues on p the read of a series' occurrence IDs in rule
// order; the returned function gives them once p has been executed (none
// for an unknown series).
func (s *Store) QueueSeriesIDs(ctx context.Context, p redis.Pipeliner, seriesID string) func() ([]string, error) {
	cmd := p.ZRange(ctx, s.seriesOccKey(seriesID), 0, -1)
	return func() ([]string, error) {
		ids, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("events: series %s: %w", seriesID, err)
		}
		return ids, nil
	}
}
