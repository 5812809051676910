package mentors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// Limits of a mentorship's shared goals and notes.
const (
	MaxGoals    = 30
	MaxGoalText = 200
	MaxNotes    = 200
	MaxNoteText = 2000
)

// Refusals of the goal and note writes, checked with errors.Is.
var (
	ErrTooManyGoals = fmt.Errorf("a mentorship can have at most %d goals: remove one you no longer need", MaxGoals)
	ErrTooManyNotes = fmt.Errorf("a mentorship can have at most %d notes", MaxNotes)
)

// Goal is one item of a mentorship's shared checklist.
type Goal struct {
	ID    string    `json:"id"`
	Text  string    `json:"text"`
	By    string    `json:"by"`
	Added time.Time `json:"at"`
	Done  bool      `json:"-"`
}

// Note is one entry of a mentorship's shared notes, never edited.
type Note struct {
	Text   string    `json:"text"`
	By     string    `json:"by"`
	Posted time.Time `json:"at"`
}

// shipLua checks that ARGV[1] is the mentor or mentee of the running
// mentorship whose hash is KEYS[1].
const shipLua = `
local s = redis.call('HMGET', KEYS[1], 'mentor', 'mentee', 'ended')
if not s[1] then return 'NOTFOUND' end
if ARGV[1] ~= s[1] and ARGV[1] ~= s[2] then return 'NOTFOUND' end
if s[3] and s[3] ~= '' then return 'ENDED' end
`

// goalScript adds, ticks, unticks or removes a goal.
// KEYS: mentorship, goals, done. ARGV: actor, action, goal id, goal JSON,
// limit.
var goalScript = redis.NewScript(shipLua + `
local a = ARGV[2]
if a == 'add' then
  if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[5]) then return 'GOALS' end
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
  return 'OK'
end
if redis.call('HEXISTS', KEYS[2], ARGV[3]) == 0 then return 'NOGOAL' end
if a == 'tick' then redis.call('SADD', KEYS[3], ARGV[3])
elseif a == 'untick' then redis.call('SREM', KEYS[3], ARGV[3])
else
  redis.call('HDEL', KEYS[2], ARGV[3])
  redis.call('SREM', KEYS[3], ARGV[3])
end
return 'OK'
`)

// noteScript appends a note. KEYS: mentorship, notes. ARGV: actor, note
// JSON, limit.
var noteScript = redis.NewScript(shipLua + `
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[3]) then return 'NOTES' end
redis.call('RPUSH', KEYS[2], ARGV[2])
return 'OK'
`)

// ErrNoGoal is the refusal to change a goal that is not there (any more).
var ErrNoGoal = errors.New("that goal is no longer on the list")

func workError(code string) error {
	switch code {
	case "GOALS":
		return ErrTooManyGoals
	case "NOTES":
		return ErrTooManyNotes
	case "NOGOAL":
		return ErrNoGoal
	}
	return scriptError(code)
}

// GoalAction is a change to a goal that is already on the list.
type GoalAction string

// The changes to a goal.
const (
	GoalTick   GoalAction = "tick"
	GoalUntick GoalAction = "untick"
	GoalRemove GoalAction = "remove"
)

func lineError(field, label, text string, limit int) valid.Errors {
	errs := valid.Errors{}
	n := utf8.RuneCountInString(text)
	switch {
	case n == 0:
		errs.Add(field, "Write "+label+".")
	case n > limit:
		errs.Add(field, fmt.Sprintf("Keep it to %d characters (now %d).", limit, n))
	}
	return errs
}

// AddGoal puts a goal on a running mentorship's checklist on behalf of its
// mentor or mentee, within MaxGoals.
func (s *Store) AddGoal(ctx context.Context, actorID, shipID, text string) (Goal, error) {
	text = strings.TrimSpace(text)
	errs := lineError("goal", "the goal", text, MaxGoalText)
	errs.Add("goal", valid.Line("The goal", text))
	if err := errs.Err(); err != nil {
		return Goal{}, err
	}
	g := Goal{ID: ids.New(), Text: text, By: actorID, Added: time.UnixMilli(ms(s.now())).UTC()}
	b, err := json.Marshal(g)
	if err != nil {
		return Goal{}, fmt.Errorf("mentors: add goal %s: %w", shipID, err)
	}
	if err := s.goal(ctx, actorID, shipID, "add", g.ID, string(b)); err != nil {
		return Goal{}, fmt.Errorf("mentors: add goal %s: %w", shipID, err)
	}
	return g, nil
}

// ChangeGoal ticks, unticks or removes a goal of a running mentorship on
// behalf of its mentor or mentee.
func (s *Store) ChangeGoal(ctx context.Context, actorID, shipID, goalID string, a GoalAction) error {
	if a != GoalTick && a != GoalUntick && a != GoalRemove {
		return fmt.Errorf("mentors: goal %s: %w", goalID, ErrWrongState)
	}
	if !ids.Valid(goalID) {
		return fmt.Errorf("mentors: goal %s: %w", goalID, ErrNoGoal)
	}
	if err := s.goal(ctx, actorID, shipID, string(a), goalID, ""); err != nil {
		return fmt.Errorf("mentors: %s goal %s: %w", a, goalID, err)
	}
	return nil
}

func (s *Store) goal(ctx context.Context, actorID, shipID, action, goalID, raw string) error {
	mentor, err := s.shipMentor(ctx, shipID)
	if err != nil {
		return err
	}
	code, err := goalScript.Run(ctx, s.rdb, []string{s.mentorshipKey(mentor, shipID), s.shipGoalsKey(mentor, shipID), s.shipDoneKey(mentor, shipID)},
		actorID, action, goalID, raw, MaxGoals).Text()
	if err != nil {
		return err
	}
	return workError(code)
}

// AddNote appends a note to a running mentorship on behalf of its mentor
// or mentee, within MaxNotes. Notes are Markdown.
func (s *Store) AddNote(ctx context.Context, actorID, shipID, text string) (Note, error) {
	text = strings.TrimSpace(text)
	errs := lineError("note", "the note", text, MaxNoteText)
	errs.Add("note", valid.MultiLine("The note", text))
	if err := errs.Err(); err != nil {
		return Note{}, err
	}
	n := Note{Text: text, By: actorID, Posted: time.UnixMilli(ms(s.now())).UTC()}
	b, err := json.Marshal(n)
	if err != nil {
		return Note{}, fmt.Errorf("mentors: add note %s: %w", shipID, err)
	}
	mentor, err := s.shipMentor(ctx, shipID)
	if err != nil {
		return Note{}, fmt.Errorf("mentors: add note %s: %w", shipID, err)
	}
	code, err := noteScript.Run(ctx, s.rdb, []string{s.mentorshipKey(mentor, shipID), s.shipNotesKey(mentor, shipID)},
		actorID, string(b), MaxNotes).Text()
	if err == nil {
		err = workError(code)
	}
	if err != nil {
		return Note{}, fmt.Errorf("mentors: add note %s: %w", shipID, err)
	}
	return n, nil
}

// Parties are the mentor and mentee of a mentorship, which never change.
type Parties struct{ Mentor, Mentee string }

// MentorshipParties names the two people of a mentorship: from memory
// once known, else in two round trips. Anyone may ask; a page shows
// nothing before checking the viewer is one of them.
func (s *Store) MentorshipParties(ctx context.Context, shipID string) (Parties, error) {
	if p, ok := s.partiesOf.Get(shipID); ok {
		return p, nil
	}
	mentor, err := s.shipMentor(ctx, shipID)
	if err != nil {
		return Parties{}, fmt.Errorf("mentors: mentorship %s: %w", shipID, err)
	}
	mentee, err := s.rdb.HGet(ctx, s.mentorshipKey(mentor, shipID), "mentee").Result()
	if errors.Is(err, redis.Nil) {
		return Parties{}, fmt.Errorf("mentors: mentorship %s: %w", shipID, ErrNotFound)
	}
	if err != nil {
		return Parties{}, fmt.Errorf("mentors: mentorship %s: %w", shipID, err)
	}
	p := Parties{Mentor: mentor, Mentee: mentee}
	s.partiesOf.Put(shipID, p)
	return p, nil
}

// MentorshipPage is what a mentorship's page shows: the mentorship, its
// goals (in the order they were added), its notes (newest first), its
// meetings (soonest first) and the two people's weekly availabilities.
type MentorshipPage struct {
	Mentorship
	Goals    []Goal
	Notes    []Note
	Meetings []Meeting
	Times    Availabilities
	// CheckInWeeks is the check-in cadence (0: off); CheckIns the
	// answers, newest period first.
	CheckInWeeks int
	CheckIns     []CheckIn
}

// QueueMentorshipPage queues on p the reads of a mentorship's page; the
// returned function gives them once p has run.
func (s *Store) QueueMentorshipPage(ctx context.Context, p redis.Pipeliner, who Parties, shipID string) func() (MentorshipPage, error) {
	ship := p.HGetAll(ctx, s.mentorshipKey(who.Mentor, shipID))
	goals := p.HGetAll(ctx, s.shipGoalsKey(who.Mentor, shipID))
	done := p.SMembers(ctx, s.shipDoneKey(who.Mentor, shipID))
	notes := p.LRange(ctx, s.shipNotesKey(who.Mentor, shipID), 0, -1)
	meetings := p.HGetAll(ctx, s.shipMeetingsKey(who.Mentor, shipID))
	checkIns := p.HGetAll(ctx, s.shipCheckInsKey(who.Mentor, shipID))
	times := s.queueAvailabilities(ctx, p, who)
	return func() (MentorshipPage, error) {
		h, err := ship.Result()
		if err != nil {
			return MentorshipPage{}, fmt.Errorf("mentors: mentorship %s: %w", shipID, err)
		}
		if len(h) == 0 {
			return MentorshipPage{}, fmt.Errorf("mentors: mentorship %s: %w", shipID, ErrNotFound)
		}
		pg := MentorshipPage{Mentorship: mentorshipFromHash(h)}
		ticked := map[string]bool{}
		for _, id := range done.Val() {
			ticked[id] = true
		}
		for _, raw := range goals.Val() {
			var g Goal
			if json.Unmarshal([]byte(raw), &g) == nil {
				g.Done = ticked[g.ID]
				pg.Goals = append(pg.Goals, g)
			}
		}
		sort.Slice(pg.Goals, func(a, b int) bool {
			if !pg.Goals[a].Added.Equal(pg.Goals[b].Added) {
				return pg.Goals[a].Added.Before(pg.Goals[b].Added)
			}
			return pg.Goals[a].ID < pg.Goals[b].ID
		})
		raws := notes.Val()
		for k := len(raws) - 1; k >= 0; k-- {
			var n Note
			if json.Unmarshal([]byte(raws[k]), &n) == nil {
				pg.Notes = append(pg.Notes, n)
			}
		}
		pg.Meetings = readMeetings(meetings)
		pg.CheckIns = readCheckIns(checkIns)
		pg.CheckInWeeks, _ = strconv.Atoi(h["checkin_weeks"])
		if pg.Times, err = times(); err != nil {
			return MentorshipPage{}, err
		}
		for _, c := range []redis.Cmder{goals, done, notes, meetings, checkIns} {
			if err := c.Err(); err != nil {
				return MentorshipPage{}, fmt.Errorf("mentors: mentorship %s: %w", shipID, err)
			}
		}
		return pg, nil
	}
}
