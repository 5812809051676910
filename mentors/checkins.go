package mentors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/luascript"
)

// CheckInAnswer is a one-click answer to "How is it going?".
type CheckInAnswer string

// The answers a check-in offers.
const (
	CheckInGreat CheckInAnswer = "great"
	CheckInOK    CheckInAnswer = "ok"
	CheckInStuck CheckInAnswer = "stuck"
)

// CheckInAnswers lists the answers in the order mails and pages show them.
var CheckInAnswers = []CheckInAnswer{CheckInGreat, CheckInOK, CheckInStuck}

// CheckInCadences are the check-in intervals a mentor can choose, in
// weeks; 0 is off.
var CheckInCadences = []int{0, 2, 3, 4}

// ErrCheckInCadence is the refusal of a cadence not on offer.
var ErrCheckInCadence = errors.New("choose every 2, 3 or 4 weeks, or off")

const week = 7 * 24 * time.Hour

// CheckIn is one person's answer to one check-in.
type CheckIn struct {
	Due      time.Time // the check-in's period starts here
	UserID   string
	Answer   CheckInAnswer
	Answered time.Time
}

// CheckInLink is what a check-in link's token names.
type CheckInLink struct {
	MentorshipID string
	UserID       string
	Due          time.Time
	Answer       CheckInAnswer // the answer already given, if any
}

// cadenceScript sets a running mentorship's check-in cadence on behalf of
// its mentor. KEYS: mentorship. ARGV: actor, weeks, next due ms.
var cadenceScript = redis.NewScript(shipLua + `
if ARGV[1] ~= s[1] then return 'FORBIDDEN' end
redis.call('HSET', KEYS[1], 'checkin_weeks', ARGV[2], 'checkin_due', ARGV[3])
return 'OK'
`)

// checkInScript sends the check-in of the period starting at due, once:
// it stores both people's link hashes, records both notices and moves the
// mentorship's due time on past now. Links of periods before the last
// one are dropped.
// KEYS: mentorship, check-ins, notices. ARGV: due ms, now ms, run, the
// mentor's token hash, the mentee's, the mentor's notice, the mentee's.
var checkInScript = redis.NewScript(noticeLua + `
local s = redis.call('HMGET', KEYS[1], 'mentor', 'mentee', 'ended', 'checkin_weeks', 'checkin_due')
if not s[1] or (s[3] and s[3] ~= '') or not s[4] or s[4] == '0' then return {'OFF'} end
if s[5] ~= ARGV[1] then return {'MOVED', s[5]} end
local step = tonumber(s[4]) * 7 * 24 * 3600 * 1000
local due, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local next = due + step
while next <= now do next = next + step end
local h = redis.call('HGETALL', KEYS[2])
for i = 1, #h, 2 do
  if string.sub(h[i], 1, 4) == 'tok:' then
    local d = tonumber(string.match(h[i + 1], '^(%d+)'))
    if d < due - step then redis.call('HDEL', KEYS[2], h[i]) end
  end
end
redis.call('HSET', KEYS[2], 'tok:' .. ARGV[4], ARGV[1] .. ' ' .. s[1], 'tok:' .. ARGV[5], ARGV[1] .. ' ' .. s[2])
redis.call('HSET', KEYS[1], 'checkin_due', tostring(next))
notice(KEYS[3], ARGV[3] .. '.1', ARGV[6], s[1], s[2])
notice(KEYS[3], ARGV[3] .. '.2', ARGV[7], s[2], s[1])
return {'SENT', tostring(next)}
`)

// answerScript records the answer of a check-in link's person.
// KEYS: check-ins. ARGV: token hash, answer, now ms.
var answerScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1])
if not v then return 'NOTFOUND' end
local due, user = string.match(v, '^(%d+) (%S+)$')
redis.call('HSET', KEYS[1], 'ans:' .. due .. ':' .. user, ARGV[2] .. ' ' .. ARGV[3])
return 'OK'
`)

// SetCheckIns sets how often a running mentorship's check-in mail goes
// out, in weeks (CheckInCadences; 0 stops it). Only the mentor sets it;
// the first goes out one interval from now.
func (s *Store) SetCheckIns(ctx context.Context, actorID, shipID string, weeks int) error {
	ok := false
	for _, w := range CheckInCadences {
		ok = ok || w == weeks
	}
	if !ok {
		return fmt.Errorf("mentors: check-ins %s: %w", shipID, ErrCheckInCadence)
	}
	who, err := s.MentorshipParties(ctx, shipID)
	if err != nil {
		return err
	}
	due := int64(0)
	if weeks > 0 {
		due = ms(s.now().Add(time.Duration(weeks) * week))
	}
	code, err := cadenceScript.Run(ctx, s.rdb, []string{s.mentorshipKey(who.Mentor, shipID)}, actorID, weeks, due).Text()
	if err == nil {
		err = scriptError(code)
	}
	if err == nil {
		if weeks > 0 {
			err = s.rdb.ZAdd(ctx, s.checkInsDueKey(), redis.Z{Score: float64(due), Member: shipID}).Err()
		} else {
			err = s.rdb.ZRem(ctx, s.checkInsDueKey(), shipID).Err()
		}
	}
	if err != nil {
		return fmt.Errorf("mentors: check-ins %s: %w", shipID, err)
	}
	return nil
}

// SendCheckIns sends every check-in due at now: both people of each
// mentorship get a notice with their personal answer links. Each period
// is sent once however often it runs; run it from a periodic worker. It
// returns how many mentorships were checked in on.
func (s *Store) SendCheckIns(ctx context.Context, now time.Time) (int, error) {
	due, err := s.rdb.ZRangeByScoreWithScores(ctx, s.checkInsDueKey(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(ms(now), 10), Count: sweepBatch}).Result()
	if err != nil {
		return 0, fmt.Errorf("mentors: check-ins: %w", err)
	}
	sent := 0
	for _, z := range due {
		shipID, _ := z.Member.(string)
		ok, err := s.sendCheckIn(ctx, shipID, int64(z.Score), now)
		if err != nil {
			return sent, fmt.Errorf("mentors: check-in %s: %w", shipID, err)
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Store) sendCheckIn(ctx context.Context, shipID string, dueMS int64, now time.Time) (bool, error) {
	who, err := s.MentorshipParties(ctx, shipID)
	if errors.Is(err, ErrNotFound) {
		return false, s.rdb.ZRem(ctx, s.checkInsDueKey(), shipID).Err()
	}
	if err != nil {
		return false, err
	}
	if err := s.notices.Mark(ctx, who.Mentor); err != nil {
		return false, err
	}
	run := ids.New()
	mentorTok, menteeTok := shipID+"."+ids.Secret(), shipID+"."+ids.Secret()
	at := time.UnixMilli(dueMS).UTC()
	note := func(token string) string {
		return encodeNotice(Notice{Kind: NoticeCheckIn, MentorshipID: shipID, MentorID: who.Mentor, Text: token, At: at})
	}
	res, err := checkInScript.Run(ctx, s.rdb, []string{s.mentorshipKey(who.Mentor, shipID), s.shipCheckInsKey(who.Mentor, shipID), s.mentorNoticesKey(who.Mentor)},
		dueMS, ms(now), run, secretHash(mentorTok), secretHash(menteeTok), note(mentorTok), note(menteeTok)).StringSlice()
	if err != nil {
		return false, err
	}
	switch res[0] {
	case "OFF":
		return false, s.rdb.ZRem(ctx, s.checkInsDueKey(), shipID).Err()
	case "MOVED", "SENT":
		next, err := strconv.ParseInt(res[1], 10, 64)
		if err != nil {
			return false, fmt.Errorf("unexpected due time %q", res[1])
		}
		if err := s.rdb.ZAdd(ctx, s.checkInsDueKey(), redis.Z{Score: float64(next), Member: shipID}).Err(); err != nil {
			return false, err
		}
	}
	if res[0] != "SENT" {
		return false, nil
	}
	s.notices.Relay(ctx, who.Mentor, run, s.logger())
	return true, nil
}

// secretHash is what Redis keeps of a link's secret.
func secretHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// parseCheckInToken splits a check-in link's token into its mentorship
// and its secret.
func parseCheckInToken(token string) (string, bool) {
	ship, secret, ok := strings.Cut(token, ".")
	return ship, ok && ids.Valid(ship) && ids.ValidSecret(secret)
}

// CheckInLink returns what a check-in link is for, with the answer given
// so far; ErrNotFound for a token that is unknown, tampered with or too
// old. It changes nothing.
func (s *Store) CheckInLink(ctx context.Context, token string) (CheckInLink, error) {
	p := s.rdb.Pipeline()
	_, get, err := s.QueueCheckInLink(ctx, p, token)
	if err != nil {
		return CheckInLink{}, err
	}
	_, _ = p.Exec(ctx) // get reports its own command's error
	return get()
}

// QueueCheckInLink queues on p CheckInLink's read, one script on the
// mentorship's check-ins, and returns at once the mentorship's people
// (read first unless this Store knows them), so a page can read them
// with it. The returned function gives CheckInLink's answer once p has
// been executed.
func (s *Store) QueueCheckInLink(ctx context.Context, p redis.Pipeliner, token string) (Parties, func() (CheckInLink, error), error) {
	shipID, ok := parseCheckInToken(token)
	if !ok {
		return Parties{}, nil, fmt.Errorf("mentors: check-in link: %w", ErrNotFound)
	}
	who, err := s.MentorshipParties(ctx, shipID)
	if err != nil {
		return Parties{}, nil, err
	}
	keys, args := []string{s.shipCheckInsKey(who.Mentor, shipID)}, []any{secretHash(token)}
	answer := luascript.Queue(ctx, p, s.rdb, checkInLinkScript, true, keys, args...)
	return who, func() (CheckInLink, error) {
		res, err := answer().StringSlice()
		if errors.Is(err, redis.Nil) {
			return CheckInLink{}, fmt.Errorf("mentors: check-in link: %w", ErrNotFound)
		}
		if err != nil {
			return CheckInLink{}, fmt.Errorf("mentors: check-in link: %w", err)
		}
		dueS, user, _ := strings.Cut(res[0], " ")
		a, _, _ := strings.Cut(res[1], " ")
		return CheckInLink{MentorshipID: shipID, UserID: user, Due: fromMS(dueS), Answer: CheckInAnswer(a)}, nil
	}, nil
}

// checkInLinkScript reads a check-in link's period and person, and the
// answer they gave for it, from the mentorship's check-ins in one call:
// the answer's field is named by the link's. KEYS: check-ins. ARGV: the
// token's hash. It returns nil for an unknown token, else the link's
// entry and the answer's ("" when none).
var checkInLinkScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'tok:' .. ARGV[1])
if not v then return false end
local due, user = string.match(v, '^(%d+) (%S+)$')
return {v, redis.call('HGET', KEYS[1], 'ans:' .. due .. ':' .. user) or ''}
`)

// AnswerCheckIn records the answer of a check-in link's person; a second
// answer in the same period replaces the first.
func (s *Store) AnswerCheckIn(ctx context.Context, token string, a CheckInAnswer) error {
	if a != CheckInGreat && a != CheckInOK && a != CheckInStuck {
		return fmt.Errorf("mentors: check-in answer %q: %w", a, ErrWrongState)
	}
	shipID, ok := parseCheckInToken(token)
	if !ok {
		return fmt.Errorf("mentors: check-in answer: %w", ErrNotFound)
	}
	who, err := s.MentorshipParties(ctx, shipID)
	if err != nil {
		return err
	}
	code, err := answerScript.Run(ctx, s.rdb, []string{s.shipCheckInsKey(who.Mentor, shipID)}, secretHash(token), string(a), ms(s.now())).Text()
	if err == nil {
		err = scriptError(code)
	}
	if err != nil {
		return fmt.Errorf("mentors: check-in answer: %w", err)
	}
	return nil
}

// readCheckIns gives the answers a read of the check-ins hash found,
// newest period first.
func readCheckIns(cmd *redis.MapStringStringCmd) []CheckIn {
	var out []CheckIn
	for k, v := range cmd.Val() {
		rest, ok := strings.CutPrefix(k, "ans:")
		if !ok {
			continue
		}
		due, user, _ := strings.Cut(rest, ":")
		a, at, _ := strings.Cut(v, " ")
		out = append(out, CheckIn{Due: fromMS(due), UserID: user, Answer: CheckInAnswer(a), Answered: fromMS(at)})
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].Due.Equal(out[b].Due) {
			return out[a].Due.After(out[b].Due)
		}
		return out[a].UserID < out[b].UserID
	})
	return out
}
