package events

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/redis/go-redis/v9"
)

// RSVPStatus is where a person stands for one session.
type RSVPStatus string

// RSVP statuses. RSVPNone means the person never answered.
const (
	RSVPNone       RSVPStatus = ""
	RSVPGoing      RSVPStatus = "going"
	RSVPWaitlisted RSVPStatus = "waitlisted"
	RSVPNotGoing   RSVPStatus = "not-going"
	RSVPPending    RSVPStatus = "pending"
	RSVPRemoved    RSVPStatus = "removed"
)

// CheckInLead is how long before the start organizers may check people in.
const CheckInLead = time.Hour

// RSVPResult tells the person what their answer did.
type RSVPResult struct {
	Status    RSVPStatus
	Position  int      // place on the waitlist, 1-based; 0 when not waitlisted
	SeatsLeft int      // -1 when the session has no limit
	Promoted  []string // users moved from the waitlist to a seat by this change
	// Freed says that this answer gave up a seat nobody on the waitlist
	// took: the session has one more seat free.
	Freed bool
	// Before is the person's answer before this change (RSVPNone for
	// none).
	Before RSVPStatus
	start  int64 // session start (unix ms), for the personal index
	// ran says the script ran, so Before is known, also beside the
	// error of a refusal (see rsvpScript).
	ran bool
}

func parseResult(vals []interface{}) (RSVPResult, error) {
	if len(vals) < 4 {
		return RSVPResult{}, fmt.Errorf("unexpected script reply %v", vals)
	}
	r := RSVPResult{Status: RSVPStatus(fmt.Sprint(vals[0]))}
	r.Position, _ = strconv.Atoi(fmt.Sprint(vals[1]))
	if r.Position < 0 {
		r.Freed, r.Position = true, 0
	}
	r.SeatsLeft, _ = strconv.Atoi(fmt.Sprint(vals[2]))
	r.start, _ = strconv.ParseInt(fmt.Sprint(vals[3]), 10, 64)
	if len(vals) > 4 {
		r.Before = RSVPStatus(fmt.Sprint(vals[4]))
	}
	for _, v := range vals[min(len(vals), 5):] {
		r.Promoted = append(r.Promoted, fmt.Sprint(v))
	}
	return r, nil
}

// RSVP records that userID is going (going=true) or not. A second identical
// answer changes nothing and keeps the person's place. Cancelled, started,
// not yet open and closed sessions refuse RSVPs; dropping out stays possible
// until the start. Membership and privacy are the caller's to check.
func (s *Store) RSVP(ctx context.Context, eventID, userID string, going bool) (RSVPResult, error) {
	res, followUp, err := s.RSVPQueued(ctx, eventID, userID, going)
	if err != nil {
		return res, err
	}
	return res, runFollowUp(ctx, s.rdb, followUp)
}

// FollowUp is the idempotent follow-up of a change that already
// succeeded: it queues its writes on p and returns the check that reports
// their error once p has run.
type FollowUp func(p redis.Pipeliner) func() error

// runFollowUp runs f in a round trip of its own.
func runFollowUp(ctx context.Context, rdb redis.UniversalClient, f FollowUp) error {
	p := rdb.Pipeline()
	check := f(p)
	_, _ = p.Exec(ctx) // check reports the error
	return check()
}

// RSVPQueued is RSVP that leaves its follow-up (the person's own index of
// sessions) to the caller, to send with the request's last writes in one
// round trip.
func (s *Store) RSVPQueued(ctx context.Context, eventID, userID string, going bool) (RSVPResult, FollowUp, error) {
	want := RSVPGoing
	if !going {
		want = RSVPNotGoing
		if err := s.notices.Mark(ctx, eventID); err != nil {
			// Dropping out can hand a seat on: mark before it can.
			return RSVPResult{}, nil, fmt.Errorf("events: rsvp %s: %w", eventID, err)
		}
	}
	p := s.rdb.Pipeline()
	get := s.queueAnswer(ctx, p, eventID, userID, want)
	_, _ = p.Exec(ctx) // get reports the script's error
	res, err := get(true)
	if err != nil {
		return RSVPResult{}, nil, err
	}
	return res, s.followUp(ctx, eventID, userID, res), nil
}

// QueueGoing queues on p the "going" of RSVPQueued, so it can share a
// round trip with a change elsewhere (joining the session's group), and
// its follow-up right behind it, as for the answer it gives unless
// refused: the session on the person's own list. The returned function
// gives what RSVPQueued gives once p has been executed, with, for
// follow-up, only what puts the list right when the answer was refused
// (or not wanted) and the session was not on it before: nil when nothing
// is left to do. When Redis had not loaded the script (after a restart),
// it runs it in full then only with want: a caller whose other change
// failed passes false, and nothing is recorded. A "going" hands no seat
// on, so it needs no notice mark.
func (s *Store) QueueGoing(ctx context.Context, p redis.Pipeliner, ev Event, userID string) func(want bool) (RSVPResult, FollowUp, error) {
	get := s.queueAnswer(ctx, p, ev.ID, userID, RSVPGoing)
	listed := s.queueListing(ctx, p, ev.ID, userID, ev.Start.UnixMilli(), true)
	return func(want bool) (RSVPResult, FollowUp, error) {
		res, err := get(want)
		switch {
		case err != nil || !want:
			before := res.Before
			if !res.ran {
				// Not run (not loaded, or Redis failed): the answer as
				// it is now. When that cannot be read either, the list
				// stays as it is: a stray entry (its reader shows the
				// status) rather than a session lost from it.
				now, rerr := s.rdb.HGet(ctx, s.rsvpKey(ev.ID), userID).Result()
				if rerr != nil && !errors.Is(rerr, redis.Nil) {
					return res, nil, err
				}
				before = RSVPStatus(now)
			}
			if Active(before) {
				return res, nil, err // on the list before, and still
			}
			return res, s.listing(ctx, ev.ID, userID, 0, false), err
		case listed() != nil || res.start != ev.Start.UnixMilli():
			// The write failed, or the session moved since it was read:
			// list it again, at the start the script found.
			return res, s.followUp(ctx, ev.ID, userID, res), nil
		}
		return res, nil, nil
	}
}

// queueAnswer queues the RSVP script for userID's answer (going or not
// going) on p; the returned function reads its reply, as QueueGoing's.
func (s *Store) queueAnswer(ctx context.Context, p redis.Pipeliner, eventID, userID string, answer RSVPStatus) func(want bool) (RSVPResult, error) {
	run := ids.New()
	keys, args := s.eventKeys(eventID), []any{userID, string(answer), s.now().UnixMilli(), run}
	cmd := rsvpScript.EvalSha(ctx, p, keys, args...)
	return func(want bool) (RSVPResult, error) {
		if err := cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") && want {
			cmd = rsvpScript.Eval(ctx, s.rdb, keys, args...)
		}
		vals, err := cmd.Slice()
		if err != nil {
			return refused(err), fmt.Errorf("events: rsvp %s: %w", eventID, scriptErr(err))
		}
		res, err := parseResult(vals)
		if err != nil {
			return RSVPResult{}, fmt.Errorf("events: rsvp %s: %w", eventID, err)
		}
		res.ran = true
		s.handedOn(ctx, eventID, run, res)
		return res, nil
	}
}

// refused is what the RSVP script's error err tells of the answer
// before: when err is a refusal, the status after its code (see
// rsvpScript).
func refused(err error) RSVPResult {
	var re redis.Error
	if !errors.As(err, &re) || scriptErr(err) == err {
		return RSVPResult{}
	}
	_, before, ok := strings.Cut(strings.TrimPrefix(re.Error(), "ERR "), " ")
	return RSVPResult{Before: RSVPStatus(before), ran: ok}
}

// handedOn relays the notices of a change that handed seats on (run is
// its notice ID), and says when it left a seat free.
func (s *Store) handedOn(ctx context.Context, eventID, run string, res RSVPResult) {
	if len(res.Promoted) > 0 {
		s.notices.Relay(ctx, eventID, run, s.logger())
	}
	if res.Freed {
		s.changed(ctx, Change{Kind: ChangeSeatsFreed, EventID: eventID, SeatsLeft: res.SeatsLeft})
	}
}

// Retract takes back the answer res that userID's "going" (QueueGoing)
// just recorded, when the change it went with failed (joining the
// group): their answer goes back to what it was before (res.Before),
// and a seat they hold goes to the head of the waitlist, as when someone
// drops out. A promotion or an approval since is taken back too; an
// answer that was already theirs, or one of another kind since (not
// going, removed), is left as it is. It reports whether it took an
// answer back. The going's follow-up must not have run.
func (s *Store) Retract(ctx context.Context, eventID, userID string, res RSVPResult) (bool, error) {
	if !Active(res.Status) || Active(res.Before) {
		return false, nil // nothing changed: it was theirs already
	}
	if err := s.notices.Mark(ctx, eventID); err != nil { // a seat may go on
		return false, fmt.Errorf("events: retract %s on %s: %w", userID, eventID, err)
	}
	run := ids.New()
	vals, err := retractScript.Run(ctx, s.rdb, s.eventKeys(eventID), userID, string(res.Before), run).Slice()
	if err != nil {
		return false, fmt.Errorf("events: retract %s on %s: %w", userID, eventID, scriptErr(err))
	}
	if len(vals) == 0 {
		return false, nil // not going, or removed, since: nothing to take back
	}
	back, err := parseResult(vals)
	if err != nil {
		return false, fmt.Errorf("events: retract %s on %s: %w", userID, eventID, err)
	}
	if res.Status == RSVPGoing {
		// The seat was free before the going took it, and nobody heard
		// that it was taken: giving it back frees nothing new.
		back.Freed = false
	}
	s.handedOn(ctx, eventID, run, back)
	return true, nil
}

// followUp updates the personal index of the person who answered.
func (s *Store) followUp(ctx context.Context, eventID, userID string, res RSVPResult) FollowUp {
	return s.listing(ctx, eventID, userID, res.start, Active(res.Status))
}

// listing is the follow-up that puts session eventID (starting at start,
// unix ms) on userID's own list (listed) or takes it off.
func (s *Store) listing(ctx context.Context, eventID, userID string, start int64, listed bool) FollowUp {
	return func(p redis.Pipeliner) func() error {
		return s.queueListing(ctx, p, eventID, userID, start, listed)
	}
}

// queueListing queues listing's write on p; the returned function
// reports its error once p has run.
func (s *Store) queueListing(ctx context.Context, p redis.Pipeliner, eventID, userID string, start int64, listed bool) func() error {
	if listed {
		cmd := p.ZAdd(ctx, s.userEventsKey(userID), redis.Z{Score: float64(start / 1000), Member: eventID})
		return func() error {
			if err := cmd.Err(); err != nil {
				return fmt.Errorf("events: index %s for %s: %w", eventID, userID, err)
			}
			return nil
		}
	}
	cmd := p.ZRem(ctx, s.userEventsKey(userID), eventID)
	return func() error {
		if err := cmd.Err(); err != nil {
			return fmt.Errorf("events: unindex %s for %s: %w", eventID, userID, err)
		}
		return nil
	}
}

// Approve lets a pending person attend: they take a seat, and are told
// so, or the end of the waitlist when the session is full.
func (s *Store) Approve(ctx context.Context, a Actor, eventID, userID string) (RSVPResult, error) {
	if !a.Organizer {
		return RSVPResult{}, ErrForbidden
	}
	if err := s.notices.Mark(ctx, eventID); err != nil {
		return RSVPResult{}, fmt.Errorf("events: approve %s on %s: %w", userID, eventID, err)
	}
	run := ids.New()
	vals, err := approveScript.Run(ctx, s.rdb, s.eventKeys(eventID), userID, run).Slice()
	if err != nil {
		return RSVPResult{}, fmt.Errorf("events: approve %s on %s: %w", userID, eventID, scriptErr(err))
	}
	res, err := parseResult(vals)
	if err != nil {
		return RSVPResult{}, fmt.Errorf("events: approve %s on %s: %w", userID, eventID, err)
	}
	if res.Status == RSVPGoing {
		s.notices.Relay(ctx, eventID, run, s.logger())
	}
	return res, nil
}

// Remove takes userID off the session (seat, waitlist or request); they
// cannot RSVP to it again. A freed seat goes to the head of the waitlist.
func (s *Store) Remove(ctx context.Context, a Actor, eventID, userID string) (RSVPResult, error) {
	if !a.Organizer {
		return RSVPResult{}, ErrForbidden
	}
	if err := s.notices.Mark(ctx, eventID); err != nil {
		return RSVPResult{}, fmt.Errorf("events: remove %s from %s: %w", userID, eventID, err)
	}
	run := ids.New()
	vals, err := removeScript.Run(ctx, s.rdb, s.eventKeys(eventID), userID, run).Slice()
	if err != nil {
		return RSVPResult{}, fmt.Errorf("events: remove %s from %s: %w", userID, eventID, scriptErr(err))
	}
	res, err := parseResult(vals)
	if err != nil {
		return RSVPResult{}, err
	}
	s.notices.Relay(ctx, eventID, run, s.logger())
	res.Status = RSVPRemoved
	if err := runFollowUp(ctx, s.rdb, s.followUp(ctx, eventID, userID, res)); err != nil {
		return res, err
	}
	return res, nil
}

// CheckIn marks (present=true) or unmarks the attendance of a person going,
// from CheckInLead before the start onwards (during and after the session).
func (s *Store) CheckIn(ctx context.Context, a Actor, eventID, userID string, present bool) error {
	if !a.Organizer {
		return ErrForbidden
	}
	ev, err := s.Get(ctx, eventID)
	if err != nil {
		return err
	}
	if s.now().Before(ev.Start.Add(-CheckInLead)) {
		return ErrCheckInTooEarly
	}
	flag := "0"
	if present {
		flag = "1"
	}
	if err := checkinScript.Run(ctx, s.rdb, s.eventKeys(eventID), userID, flag).Err(); err != nil {
		return fmt.Errorf("events: check in %s on %s: %w", userID, eventID, scriptErr(err))
	}
	return nil
}

// Attendee is one person going, with their attendance mark.
type Attendee struct {
	UserID    string
	CheckedIn bool
}

// Attendees lists the people going in the order they got their seat.
func (s *Store) Attendees(ctx context.Context, eventID string) ([]Attendee, error) {
	var going, checked *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		going = p.ZRange(ctx, s.goingKey(eventID), 0, -1)
		checked = p.SMembers(ctx, s.checkinKey(eventID))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("events: attendees of %s: %w", eventID, err)
	}
	return attendeesOf(going.Val(), checked.Val()), nil
}

// attendeesOf marks who of going checked in.
func attendeesOf(going, checked []string) []Attendee {
	in := make(map[string]bool, len(checked))
	for _, u := range checked {
		in[u] = true
	}
	out := make([]Attendee, 0, len(going))
	for _, u := range going {
		out = append(out, Attendee{UserID: u, CheckedIn: in[u]})
	}
	return out
}

// AttendeeLists are a session's people: going (see Attendees), waiting
// (see Waitlist) and awaiting approval (see Pending).
type AttendeeLists struct {
	Going             []Attendee
	Waitlist, Pending []string
}

// QueueAttendeeLists queues on p the reads of a session's AttendeeLists,
// so an organizer's page reads them with the session; the returned
// function gives them once p has run.
func (s *Store) QueueAttendeeLists(ctx context.Context, p redis.Pipeliner, eventID string) func() (AttendeeLists, error) {
	going := p.ZRange(ctx, s.goingKey(eventID), 0, -1)
	checked := p.SMembers(ctx, s.checkinKey(eventID))
	waiting := p.ZRange(ctx, s.waitlistKey(eventID), 0, -1)
	pending := p.ZRange(ctx, s.pendingKey(eventID), 0, -1)
	return func() (AttendeeLists, error) {
		for _, c := range []*redis.StringSliceCmd{going, checked, waiting, pending} {
			if err := c.Err(); err != nil {
				return AttendeeLists{}, fmt.Errorf("events: attendees of %s: %w", eventID, err)
			}
		}
		return AttendeeLists{Going: attendeesOf(going.Val(), checked.Val()), Waitlist: waiting.Val(), Pending: pending.Val()}, nil
	}
}

// Waitlist lists the people waiting, first in line first.
func (s *Store) Waitlist(ctx context.Context, eventID string) ([]string, error) {
	out, err := s.rdb.ZRange(ctx, s.waitlistKey(eventID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("events: waitlist of %s: %w", eventID, err)
	}
	return out, nil
}

// Pending lists the requests awaiting approval, oldest first.
func (s *Store) Pending(ctx context.Context, eventID string) ([]string, error) {
	out, err := s.rdb.ZRange(ctx, s.pendingKey(eventID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("events: pending of %s: %w", eventID, err)
	}
	return out, nil
}

// Standing is one person's place for one session.
type Standing struct {
	Status    RSVPStatus
	Position  int // 1-based waitlist place, 0 when not waitlisted
	SeatsLeft int // -1 when there is no limit
	CheckedIn bool
	Going     int // how many people are going, whoever asks
}

// StatusOf returns userID's status, waitlist place and the seats left.
func (s *Store) StatusOf(ctx context.Context, eventID, userID string) (Standing, error) {
	out, err := s.StatusesOf(ctx, []string{eventID}, userID)
	if err != nil {
		return Standing{}, err
	}
	return out[0], nil
}

// StatusesOf is StatusOf for several sessions in one round trip (the
// cards of a list).
func (s *Store) StatusesOf(ctx context.Context, eventIDs []string, userID string) ([]Standing, error) {
	p := s.rdb.Pipeline()
	reads := make([]func() (Standing, error), len(eventIDs))
	for i, id := range eventIDs {
		reads[i] = s.QueueStatusOf(ctx, p, id, userID)
	}
	_, _ = p.Exec(ctx) // each read reports its own commands' errors
	out := make([]Standing, len(eventIDs))
	for i, read := range reads {
		st, err := read()
		if err != nil {
			return nil, err
		}
		out[i] = st
	}
	return out, nil
}

// QueueStatusOf queues on p the reads of StatusOf; the returned function
// decodes them once p has been executed. A signed-out visitor (userID "")
// has no standing of their own, so only the seats are read.
func (s *Store) QueueStatusOf(ctx context.Context, p redis.Pipeliner, eventID, userID string) func() (Standing, error) {
	capCmd := p.HGet(ctx, s.eventKey(eventID), "cap")
	var checked *redis.BoolCmd
	if userID != "" {
		checked = p.SIsMember(ctx, s.checkinKey(eventID), userID)
	}
	card := s.queueCardStanding(ctx, p, eventID, userID)
	return func() (Standing, error) {
		capacity, err := capCmd.Int()
		if err != nil {
			return Standing{}, fmt.Errorf("events: status of %s on %s: %w", userID, eventID, scriptErr(err))
		}
		out, err := card(capacity)
		if err != nil || checked == nil {
			return out, err
		}
		if out.CheckedIn, err = checked.Result(); err != nil {
			return Standing{}, fmt.Errorf("events: status of %s on %s: %w", userID, eventID, err)
		}
		return out, nil
	}
}

// AnswerOf names one person's answer to one session (see Answers).
type AnswerOf struct{ EventID, UserID string }

// Answers reads the answers of, in one round trip (RSVPNone where there
// is none), each with its own error.
func (s *Store) Answers(ctx context.Context, of []AnswerOf) ([]RSVPStatus, []error) {
	p := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(of))
	for i, a := range of {
		cmds[i] = p.HGet(ctx, s.rsvpKey(a.EventID), a.UserID)
	}
	_, _ = p.Exec(ctx) // each read reports its own error
	out, errs := make([]RSVPStatus, len(of)), make([]error, len(of))
	for i, c := range cmds {
		v, err := c.Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			errs[i] = fmt.Errorf("events: answer of %s to %s: %w", of[i].UserID, of[i].EventID, err)
		}
		out[i] = RSVPStatus(v)
	}
	return out, errs
}

// QueueStanding queues on p how many are going to session eventID and
// userID's answer (nothing of theirs for ""; not their waitlist place);
// the returned function gives them with the seats left of capacity (the
// session's) once p has run.
func (s *Store) QueueStanding(ctx context.Context, p redis.Pipeliner, eventID, userID string) func(capacity int) (Standing, error) {
	going := nearcache.ZCard(ctx, p, s.goingKey(eventID))
	if userID == "" {
		return func(capacity int) (Standing, error) { return seats(eventID, going, capacity) }
	}
	st := nearcache.HGet(ctx, p, s.rsvpKey(eventID), userID)
	return func(capacity int) (Standing, error) {
		out, err := seats(eventID, going, capacity)
		if err != nil {
			return Standing{}, err
		}
		if err := st.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return Standing{}, fmt.Errorf("events: status of %s on %s: %w", userID, eventID, err)
		}
		out.Status = RSVPStatus(st.Val())
		return out, nil
	}
}

// queueCardStanding queues on p what a card of a list shows of a
// session besides the session itself: how many are going and userID's
// RSVP and waitlist place (nothing of theirs for ""). The capacity comes
// from the session read with it (it is stored with the session, in the
// same write), so the returned function takes it; CheckedIn stays false.
func (s *Store) queueCardStanding(ctx context.Context, p redis.Pipeliner, eventID, userID string) func(capacity int) (Standing, error) {
	standing := s.QueueStanding(ctx, p, eventID, userID)
	if userID == "" {
		return standing
	}
	rank := nearcache.ZRank(ctx, p, s.waitlistKey(eventID), userID)
	return func(capacity int) (Standing, error) {
		out, err := standing(capacity)
		if err != nil {
			return Standing{}, err
		}
		switch r, err := rank.Result(); {
		case err == nil:
			out.Position = int(r) + 1
		case !errors.Is(err, redis.Nil):
			return Standing{}, fmt.Errorf("events: status of %s on %s: %w", userID, eventID, err)
		}
		return out, nil
	}
}

// seats is the standing of a session of capacity (0: unlimited) with the
// going count read: seats only.
func seats(eventID string, going nearcache.Reply[int64], capacity int) (Standing, error) {
	if err := going.Err(); err != nil {
		return Standing{}, fmt.Errorf("events: seats of %s: %w", eventID, err)
	}
	out := Standing{SeatsLeft: -1, Going: int(going.Val())}
	if capacity > 0 {
		out.SeatsLeft = max(0, capacity-out.Going)
	}
	return out, nil
}

// QueueSessionView queues on p what a session's own page reads of it:
// the session, userID's standing ("" signed out: seats only) and, when
// going > 0, the first that many people going in the order they got
// their seat. The capacity comes from the session itself, read in the
// same round trip, so nothing is read twice. The returned function gives
// them once p has been executed (ErrNotFound when the session is gone).
func (s *Store) QueueSessionView(ctx context.Context, p redis.Pipeliner, eventID, userID string, going int) func() (Event, Standing, []string, error) {
	getEvent := s.QueueGet(ctx, p, eventID)
	card := s.queueCardStanding(ctx, p, eventID, userID)
	var checked nearcache.Reply[bool]
	if userID != "" {
		checked = nearcache.SIsMember(ctx, p, s.checkinKey(eventID), userID)
	}
	var first nearcache.Reply[[]string]
	if going > 0 {
		first = nearcache.ZRange(ctx, p, s.goingKey(eventID), 0, int64(going)-1)
	}
	return func() (Event, Standing, []string, error) {
		ev, err := getEvent()
		if err != nil {
			return Event{}, Standing{}, nil, err
		}
		st, err := card(ev.Capacity)
		if err != nil {
			return Event{}, Standing{}, nil, err
		}
		if userID != "" {
			if st.CheckedIn, err = checked.Result(); err != nil {
				return Event{}, Standing{}, nil, fmt.Errorf("events: check-ins of %s: %w", eventID, err)
			}
		}
		var ids []string
		if going > 0 {
			if ids, err = first.Result(); err != nil {
				return Event{}, Standing{}, nil, fmt.Errorf("events: going to %s: %w", eventID, err)
			}
		}
		return ev, st, ids, nil
	}
}
