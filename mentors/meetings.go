package mentors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
)

// MaxOpenMeetings is how many proposed or accepted meetings a mentorship
// may have at once.
const MaxOpenMeetings = 20

// Refusals of the meeting writes, checked with errors.Is.
var (
	ErrMeetingInPast   = errors.New("that time has passed: pick a time in the future")
	ErrMeetingTooFar   = fmt.Errorf("meetings can be planned up to %d days ahead", maxAheadDays)
	ErrOutsideTimes    = errors.New("that time is outside your usual times: tick \"outside our usual times\" to propose it anyway")
	ErrMoveOutside     = errors.New("a meeting can only move within your usual times: cancel it and propose a new one")
	ErrTooManyMeetings = fmt.Errorf("a mentorship can have at most %d planned meetings", MaxOpenMeetings)
	ErrNoMeeting       = errors.New("that meeting is not there any more")
	ErrOwnProposal     = errors.New("the other person answers your proposal")
)

const maxAheadDays = 90

// MeetingState says where a meeting stands.
type MeetingState string

// The states of a meeting.
const (
	MeetingProposed  MeetingState = "proposed"
	MeetingAccepted  MeetingState = "accepted"
	MeetingDeclined  MeetingState = "declined"
	MeetingCancelled MeetingState = "cancelled"
)

// Meeting is a meeting of a mentorship. Sequence rises with every change
// sent to calendars, whose UID is the meeting's ID.
type Meeting struct {
	ID       string
	Start    time.Time
	End      time.Time
	By       string // who proposed it
	State    MeetingState
	Outside  bool // proposed outside the shared availability
	Sequence int
}

// meetingJSON is a Meeting as stored; times in ms so scripts compare them.
type meetingJSON struct {
	ID      string       `json:"id"`
	Start   int64        `json:"start"`
	End     int64        `json:"end"`
	By      string       `json:"by"`
	State   MeetingState `json:"state"`
	Outside bool         `json:"outside"`
	Seq     int          `json:"seq"`
}

func (m meetingJSON) meeting() Meeting {
	return Meeting{ID: m.ID, Start: time.UnixMilli(m.Start).UTC(), End: time.UnixMilli(m.End).UTC(), By: m.By,
		State: m.State, Outside: m.Outside, Sequence: m.Seq}
}

// meetingScript proposes, answers, moves or cancels a meeting and records
// the calendar notices (one per person) of what changes their calendars.
// KEYS: mentorship, meetings, notices. ARGV: actor, action, meeting id,
// now ms, start ms, end ms, outside, limit, run, notice template.
var meetingScript = redis.NewScript(noticeLua + shipLua + `
local a, now = ARGV[2], tonumber(ARGV[4])
local function send(m, method)
  if ARGV[10] == '' then return end
  local n = cjson.decode(ARGV[10])
  n.MeetingID, n.Method, n.Sequence = m.id, method, m.seq
  n.StartMS, n.EndMS = m.start, m.end_
  local j = cjson.encode(n)
  notice(KEYS[3], ARGV[9] .. '.1', j, s[1], s[2])
  notice(KEYS[3], ARGV[9] .. '.2', j, s[2], s[1])
end
local function save(m)
  local out = {id = m.id, start = m.start, ['end'] = m.end_, by = m.by, state = m.state, outside = m.outside, seq = m.seq}
  redis.call('HSET', KEYS[2], m.id, cjson.encode(out))
end
if a == 'propose' then
  local open = 0
  for _, raw in ipairs(redis.call('HVALS', KEYS[2])) do
    local m = cjson.decode(raw)
    if (m.state == 'proposed' or m.state == 'accepted') and m['end'] > now then open = open + 1 end
  end
  if open >= tonumber(ARGV[8]) then return 'MEETINGS' end
  save({id = ARGV[3], start = tonumber(ARGV[5]), end_ = tonumber(ARGV[6]), by = ARGV[1], state = 'proposed', outside = ARGV[7] == '1', seq = 0})
  return 'OK'
end
local raw = redis.call('HGET', KEYS[2], ARGV[3])
if not raw then return 'NOMEETING' end
local m = cjson.decode(raw)
m.end_ = m['end']
if a == 'accept' or a == 'decline' then
  if m.state ~= 'proposed' then return 'CLOSED' end
  if m.by == ARGV[1] then return 'OWN' end
  if a == 'decline' then m.state = 'declined'; save(m); return 'OK' end
  if m.start <= now then return 'PAST' end
  m.state = 'accepted'
  save(m)
  send(m, 'REQUEST')
  return 'OK'
end
if a == 'move' then
  if m.state ~= 'proposed' and m.state ~= 'accepted' then return 'CLOSED' end
  if m.state == 'proposed' and m.by ~= ARGV[1] then return 'CLOSED' end
  m.start, m.end_, m.outside = tonumber(ARGV[5]), tonumber(ARGV[6]), false
  if m.state == 'accepted' then m.seq = m.seq + 1 end
  save(m)
  if m.state == 'accepted' then send(m, 'REQUEST') end
  return 'OK'
end
if a == 'cancel' then
  if m.state ~= 'proposed' and m.state ~= 'accepted' then return 'CLOSED' end
  local was = m.state
  m.state = 'cancelled'
  if was == 'accepted' then m.seq = m.seq + 1 end
  save(m)
  if was == 'accepted' then send(m, 'CANCEL') end
  return 'OK'
end
return 'STATE'
`)

func meetingError(code string) error {
	switch code {
	case "MEETINGS":
		return ErrTooManyMeetings
	case "NOMEETING":
		return ErrNoMeeting
	case "OWN":
		return ErrOwnProposal
	case "PAST":
		return ErrMeetingInPast
	}
	return scriptError(code)
}

// checkStart refuses meeting times in the past or too far ahead.
func (s *Store) checkStart(start time.Time) error {
	now := s.now()
	switch {
	case start.IsZero() || !start.After(now):
		return ErrMeetingInPast
	case start.After(now.AddDate(0, 0, maxAheadDays)):
		return ErrMeetingTooFar
	}
	return nil
}

// Availabilities reads the weekly availabilities and zones of a
// mentorship's two people from their profiles.
func (s *Store) Availabilities(ctx context.Context, who Parties) (Availabilities, error) {
	p := s.rdb.Pipeline()
	get := s.queueAvailabilities(ctx, p, who)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Availabilities{}, fmt.Errorf("mentors: availability: %w", err)
	}
	return get()
}

func (s *Store) queueAvailabilities(ctx context.Context, p redis.Pipeliner, who Parties) func() (Availabilities, error) {
	mentor := s.queueMentorProfiles(ctx, p, []string{who.Mentor}, false)
	mentee := s.queueMenteeProfile(ctx, p, who.Mentee)
	return func() (Availabilities, error) {
		var a Availabilities
		mp, err := mentor()
		if err != nil {
			return a, fmt.Errorf("mentors: availability: %w", err)
		}
		if len(mp) == 1 {
			a.Mentor, a.MentorZone = mp[0].Availability, mp[0].TimeZone
		}
		ep, err := mentee()
		if err != nil && !errors.Is(err, ErrNotFound) {
			return a, fmt.Errorf("mentors: availability: %w", err)
		}
		a.Mentee, a.MenteeZone = ep.Availability, ep.TimeZone
		return a, nil
	}
}

// ProposeMeeting proposes a meeting at start on behalf of the mentor or
// mentee of a running mentorship. A time outside both weekly
// availabilities needs outside (the proposer's "outside our usual times");
// the other person's acceptance is their agreement.
func (s *Store) ProposeMeeting(ctx context.Context, actorID, shipID string, start time.Time, outside bool) (Meeting, error) {
	start = start.UTC().Truncate(time.Minute)
	if err := s.checkStart(start); err != nil {
		return Meeting{}, fmt.Errorf("mentors: propose meeting %s: %w", shipID, err)
	}
	who, err := s.MentorshipParties(ctx, shipID)
	if err != nil {
		return Meeting{}, err
	}
	av, err := s.Availabilities(ctx, who)
	if err != nil {
		return Meeting{}, err
	}
	fits := av.Fits(start)
	if !fits && !outside {
		return Meeting{}, fmt.Errorf("mentors: propose meeting %s: %w", shipID, ErrOutsideTimes)
	}
	m := Meeting{ID: ids.New(), Start: start, End: start.Add(MeetingLength), By: actorID, State: MeetingProposed, Outside: !fits}
	if err := s.meeting(ctx, who, actorID, shipID, "propose", m.ID, m.Start, m.End, m.Outside); err != nil {
		return Meeting{}, fmt.Errorf("mentors: propose meeting %s: %w", shipID, err)
	}
	return m, nil
}

// AnswerMeeting accepts or declines a proposed meeting on behalf of the
// other person; accepting sends both a calendar invitation.
func (s *Store) AnswerMeeting(ctx context.Context, actorID, shipID, meetingID string, accept bool) error {
	action := "decline"
	if accept {
		action = "accept"
	}
	return s.changeMeeting(ctx, actorID, shipID, meetingID, action, time.Time{})
}

// MoveMeeting moves a meeting to start, which must lie inside both weekly
// availabilities. An accepted meeting's invitation is updated (same UID,
// SEQUENCE+1); a proposal can be moved only by its proposer.
func (s *Store) MoveMeeting(ctx context.Context, actorID, shipID, meetingID string, start time.Time) error {
	start = start.UTC().Truncate(time.Minute)
	if err := s.checkStart(start); err != nil {
		return fmt.Errorf("mentors: move meeting %s: %w", meetingID, err)
	}
	who, err := s.MentorshipParties(ctx, shipID)
	if err != nil {
		return err
	}
	av, err := s.Availabilities(ctx, who)
	if err != nil {
		return err
	}
	if !av.Fits(start) {
		return fmt.Errorf("mentors: move meeting %s: %w", meetingID, ErrMoveOutside)
	}
	return s.changeMeeting(ctx, actorID, shipID, meetingID, "move", start)
}

// CancelMeeting cancels a proposed or accepted meeting; an accepted one
// is taken out of both calendars (METHOD:CANCEL).
func (s *Store) CancelMeeting(ctx context.Context, actorID, shipID, meetingID string) error {
	return s.changeMeeting(ctx, actorID, shipID, meetingID, "cancel", time.Time{})
}

func (s *Store) changeMeeting(ctx context.Context, actorID, shipID, meetingID, action string, start time.Time) error {
	if !ids.Valid(meetingID) {
		return fmt.Errorf("mentors: %s meeting %s: %w", action, meetingID, ErrNoMeeting)
	}
	who, err := s.MentorshipParties(ctx, shipID)
	if err != nil {
		return err
	}
	var end time.Time
	if !start.IsZero() {
		end = start.Add(MeetingLength)
	}
	if err := s.meeting(ctx, who, actorID, shipID, action, meetingID, start, end, false); err != nil {
		return fmt.Errorf("mentors: %s meeting %s: %w", action, meetingID, err)
	}
	return nil
}

func (s *Store) meeting(ctx context.Context, who Parties, actorID, shipID, action, meetingID string, start, end time.Time, outside bool) error {
	if err := s.notices.Mark(ctx, who.Mentor); err != nil {
		return err
	}
	now, run := s.now(), ids.New()
	note := encodeNotice(Notice{Kind: NoticeMeeting, MentorshipID: shipID, Other: actorID, At: time.UnixMilli(ms(now)).UTC()})
	var startMS, endMS int64
	if !start.IsZero() {
		startMS, endMS = ms(start), ms(end)
	}
	flag := ""
	if outside {
		flag = "1"
	}
	code, err := meetingScript.Run(ctx, s.rdb, []string{s.mentorshipKey(who.Mentor, shipID), s.shipMeetingsKey(who.Mentor, shipID), s.mentorNoticesKey(who.Mentor)},
		actorID, action, meetingID, ms(now), startMS, endMS, flag, MaxOpenMeetings, run, note).Text()
	if err != nil {
		return err
	}
	if err := meetingError(code); err != nil {
		return err
	}
	s.notices.Relay(ctx, who.Mentor, run, s.logger())
	return nil
}

// readMeetings gives the meetings a read found, soonest first.
func readMeetings(cmd *redis.MapStringStringCmd) []Meeting {
	var out []Meeting
	for _, raw := range cmd.Val() {
		var m meetingJSON
		if json.Unmarshal([]byte(raw), &m) == nil {
			out = append(out, m.meeting())
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].Start.Equal(out[b].Start) {
			return out[a].Start.Before(out[b].Start)
		}
		return out[a].ID < out[b].ID
	})
	return out
}
