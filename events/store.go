package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/notices"
	"github.com/focusgroups/focusgroups/internal/strcache"
	"github.com/redis/go-redis/v9"
)

// Store keeps sessions, RSVPs, series, proposals and calendar tokens in
// Redis under one key prefix.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	// Now is the clock every time rule uses; tests replace it.
	Now func() time.Time
	// Notify receives the notices that need mail. The write that causes a
	// notice records it in the same step; Notify gets it after that write,
	// and again later when it returned an error. Nil leaves notices waiting.
	Notify func(ctx context.Context, n Notice) error
	// Changed hears of each change the world outside may care about (see
	// Change), right after it was stored; it handles its own failures.
	// Nil tells nobody.
	Changed func(ctx context.Context, c Change)
	// Logger receives the failures that leave work for the sweep.
	Logger  *slog.Logger
	notices *notices.Source
	// Retention is how long Sweep keeps a session after it ends.
	Retention time.Duration
	groupOf   strcache.Cache[string] // session ID -> group ID, which never changes
	decoded   strcache.Cache[Event]  // stored JSON -> session, so a view decodes each version once
	// listed remembers the sessions each list last named (see
	// SessionLists.Speculate), so a page can read them with the list.
	listed strcache.Cache[listedIDs]
	// busyListed says that the listed sessions read last had more started
	// within MaxDuration than the page showed, so the next read finds the
	// running ones with listedScript (see QueueListedSessions).
	busyListed atomic.Bool
}

// NewStore returns a Store on rdb whose keys all start with prefix.
func NewStore(rdb redis.UniversalClient, prefix string) *Store {
	s := &Store{rdb: rdb, prefix: prefix, Now: time.Now, Retention: DefaultRetention,
		decoded: strcache.Cache[Event]{Size: 2000}, listed: strcache.Cache[listedIDs]{Size: 2000}}
	s.notices = s.newNotices()
	return s
}

func (s *Store) now() time.Time { return s.Now().UTC() }

func (s *Store) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// scriptErr maps a script's error reply to the package's sentinel errors.
func scriptErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	codes := []struct {
		code string
		err  error
	}{
		{"NOTFOUND", ErrNotFound}, {"CANCELLED", ErrCancelled}, {"PAST", ErrPast},
		{"CLOSED", ErrClosed}, {"NOTOPEN", ErrNotOpen}, {"REMOVED", ErrRemoved},
		{"NOTPENDING", ErrNotPending}, {"NOTGOING", ErrNotGoing}, {"CONFLICT", ErrConflict},
		{"SCHEDULED", ErrAlreadyScheduled},
	}
	// Redis prefixes error replies without a code of their own with "ERR ".
	msg := strings.TrimPrefix(err.Error(), "ERR ")
	for _, c := range codes {
		if strings.HasPrefix(msg, c.code) {
			return c.err
		}
	}
	return err
}

func ms(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// save writes ev when the stored sequence equals expected (-1: must not
// exist yet), refreshes the indexes and returns who was promoted. A
// replacement records its notices in the same script: the promoted, and
// everyone concerned when tell is NoticeChanged (with prev, the version
// before) or NoticeCancelled.
func (s *Store) save(ctx context.Context, ev Event, expected int, tell NoticeKind, prev *Event) ([]string, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	var prevData []byte
	if prev != nil {
		if prevData, err = json.Marshal(prev); err != nil {
			return nil, err
		}
	}
	approval := "0"
	if ev.ApprovalRequired {
		approval = "1"
	}
	if expected >= 0 {
		if err := s.notices.Mark(ctx, ev.ID); err != nil {
			return nil, err
		}
	}
	run := ids.New()
	res, err := saveScript.Run(ctx, s.rdb, s.eventKeys(ev.ID),
		strconv.Itoa(expected), strconv.Itoa(ev.Sequence), data, string(ev.Status),
		ev.Capacity, ms(ev.RSVPOpens), ms(ev.ClosesAt()), ms(ev.Start), approval,
		run, string(tell), prevData).StringSlice()
	if err != nil {
		return nil, scriptErr(err)
	}
	if expected >= 0 {
		s.notices.Relay(ctx, ev.ID, run, s.logger())
	}
	return res, s.index(ctx, ev)
}

// index refreshes the cross-entity indexes of ev (idempotent).
func (s *Store) index(ctx context.Context, ev Event) error {
	score := float64(ev.Start.Unix())
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, s.groupEventsKey(ev.GroupID), redis.Z{Score: score, Member: ev.ID})
		p.ZAdd(ctx, s.endsKey(), redis.Z{Score: float64(ev.End.Unix()), Member: ev.ID})
		if ev.Listed && ev.Status == StatusScheduled {
			p.ZAdd(ctx, s.listedKey(), redis.Z{Score: score, Member: ev.ID})
			p.ZAdd(ctx, s.listedEndsKey(), redis.Z{Score: float64(ev.End.Unix()), Member: ev.ID})
		} else {
			p.ZRem(ctx, s.listedKey(), ev.ID)
			p.ZRem(ctx, s.listedEndsKey(), ev.ID)
		}
		return nil
	})
	return err
}

// Create schedules a single session in groupID. Hosts default to the
// organizer who creates it.
func (s *Store) Create(ctx context.Context, a Actor, groupID string, in Input) (Event, error) {
	if !a.Organizer {
		return Event{}, ErrForbidden
	}
	now := s.now()
	d, err := in.validate(now)
	if err != nil {
		return Event{}, err
	}
	ev := s.newEvent(a, groupID, d, now)
	if _, err := s.save(ctx, ev, -1, "", nil); err != nil {
		return Event{}, fmt.Errorf("events: create in group %s: %w", groupID, err)
	}
	s.changed(ctx, Change{Kind: ChangeScheduled, Event: &ev, SeatsLeft: seatsAtStart(ev)})
	return ev, nil
}

func (s *Store) newEvent(a Actor, groupID string, d draft, now time.Time) Event {
	ev := Event{ID: ids.New(), GroupID: groupID, Status: StatusScheduled, CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
	d.apply(&ev)
	if len(ev.Hosts) == 0 {
		ev.Hosts = []string{a.UserID}
	}
	return ev
}

// Get returns one session.
func (s *Store) Get(ctx context.Context, id string) (Event, error) {
	p := s.rdb.Pipeline()
	get := s.QueueGet(ctx, p, id)
	_, _ = p.Exec(ctx) // get reports its own command's error
	return get()
}

// QueueGet queues the read of session id on p, so a page can read it
// with its other data in one round trip; the returned function decodes
// the session once p has been executed. Each stored version is decoded
// once per Store: the session's slices are shared with other readers and
// must not be changed in place.
func (s *Store) QueueGet(ctx context.Context, p redis.Pipeliner, id string) func() (Event, error) {
	read := nearcache.HGet(ctx, p, s.eventKey(id), "data")
	return func() (Event, error) {
		data, err := read.Result()
		if err != nil {
			return Event{}, fmt.Errorf("events: get %s: %w", id, scriptErr(err))
		}
		if ev, ok := s.decoded.Get(data); ok {
			return ev, nil
		}
		var ev Event
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return Event{}, fmt.Errorf("events: decode %s: %w", id, err)
		}
		ev.Version = versionOf(data)
		s.groupOf.Put(ev.ID, ev.GroupID)
		s.decoded.Put(data, ev)
		return ev, nil
	}
}

// versionSeed makes Event.Version unpredictable from outside, so nobody
// can craft two sessions that share one.
var versionSeed = maphash.MakeSeed()

// versionOf is the Version of a session stored as data; never 0.
func versionOf(data string) uint64 {
	return maphash.String(versionSeed, data) | 1
}

// KnownGroupOf returns the group of session id when this Store has read
// that session before (a session never moves to another group), so a
// page can read the group in the same pipeline as the session.
func (s *Store) KnownGroupOf(id string) (string, bool) {
	return s.groupOf.Get(id)
}

// GetMany returns the sessions that exist among idList, in that order.
func (s *Store) GetMany(ctx context.Context, idList []string) ([]Event, error) {
	cmds := make([]*redis.StringCmd, len(idList))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range idList {
			cmds[i] = p.HGet(ctx, s.eventKey(id), "data")
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("events: get many: %w", err)
	}
	out := make([]Event, 0, len(idList))
	for _, c := range cmds {
		data, err := c.Bytes()
		if err != nil {
			continue
		}
		var ev Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return nil, fmt.Errorf("events: decode: %w", err)
		}
		out = append(out, ev)
	}
	return out, nil
}

// Update replaces the editable fields of a session with in. People going
// and waitlisted are told when the time or place changed; a raised
// capacity promotes from the waitlist. ErrConflict means someone else
// changed the session meanwhile.
func (s *Store) Update(ctx context.Context, a Actor, id string, in Input) (Event, error) {
	if !a.Organizer {
		return Event{}, ErrForbidden
	}
	old, err := s.Get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	if old.Status == StatusCancelled {
		return Event{}, ErrCancelled
	}
	d, err := in.validate(s.now())
	if err != nil {
		return Event{}, err
	}
	ev := old
	d.apply(&ev)
	if len(ev.Hosts) == 0 {
		ev.Hosts = old.Hosts
	}
	return s.commit(ctx, old, ev)
}

// commit saves ev as the next version of old; the same script records the
// notices the change calls for.
func (s *Store) commit(ctx context.Context, old, ev Event) (Event, error) {
	ev.Sequence = old.Sequence + 1
	ev.UpdatedAt = s.now()
	var tell NoticeKind
	var prev *Event
	switch {
	case ev.Status == StatusCancelled && old.Status != StatusCancelled:
		tell = NoticeCancelled
	case ev.Status == StatusScheduled && movedOrRelocated(old, ev):
		tell, prev = NoticeChanged, &old
	}
	if _, err := s.save(ctx, ev, old.Sequence, tell, prev); err != nil {
		return Event{}, fmt.Errorf("events: update %s: %w", ev.ID, err)
	}
	switch tell {
	case NoticeCancelled:
		s.changed(ctx, Change{Kind: ChangeCancelled, Event: &ev, SeatsLeft: -1})
	case NoticeChanged:
		s.changed(ctx, Change{Kind: ChangeMoved, Event: &ev, SeatsLeft: -1})
	}
	return ev, nil
}

// seatsAtStart is the seats a new session has: its capacity, or -1 for
// no limit.
func seatsAtStart(ev Event) int {
	if ev.Capacity == 0 {
		return -1
	}
	return ev.Capacity
}

func movedOrRelocated(a, b Event) bool {
	return !a.Start.Equal(b.Start) || !a.End.Equal(b.End) || a.Venue != b.Venue || a.OnlineURL != b.OnlineURL
}

// SetCapacity changes the number of seats (0 = no limit); a raise promotes
// the head of the waitlist in the same script. Lowering it never takes
// seats away: new RSVPs wait until enough people drop out.
func (s *Store) SetCapacity(ctx context.Context, a Actor, id string, capacity int) (Event, error) {
	if !a.Organizer {
		return Event{}, ErrForbidden
	}
	if capacity < 0 || capacity > MaxCapacity {
		return Event{}, capacityError()
	}
	old, err := s.Get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	ev := old
	ev.Capacity = capacity
	return s.commit(ctx, old, ev)
}

// Cancel marks a session cancelled. It stays visible as cancelled; everyone
// going, waitlisted or awaiting approval is told.
func (s *Store) Cancel(ctx context.Context, a Actor, id string) (Event, error) {
	if !a.Organizer {
		return Event{}, ErrForbidden
	}
	old, err := s.Get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	if old.Status == StatusCancelled {
		return old, nil
	}
	ev := old
	ev.Status = StatusCancelled
	return s.commit(ctx, old, ev)
}
