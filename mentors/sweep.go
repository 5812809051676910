package mentors

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/redis/go-redis/v9"
)

// sweepBatch is how many waiting requests one sweep step reads.
const sweepBatch = 500

// PauseReasonSilent is the pause reason the sweep gives, and tells the
// mentor how to come back.
const PauseReasonSilent = "You left a mentoring request unanswered, so we paused your profile. " +
	"Switch it back on from your mentor profile when you have time again."

// PauseSilentMentors expires every request that has waited for its mentor
// longer than SilenceLimit at now, pauses those mentors, and tells each
// mentor how to come back and each mentee to look at other mentors. It
// returns how many requests expired; run it from a periodic worker.
func (s *Store) PauseSilentMentors(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	cutoff := ms(now.Add(-s.SilenceLimit))
	expired := 0
	for {
		members, err := s.rdb.ZRangeByScore(ctx, s.waitingKey(), &redis.ZRangeBy{
			Min: "-inf", Max: strconv.FormatInt(cutoff, 10), Count: sweepBatch,
		}).Result()
		if err != nil {
			return expired, fmt.Errorf("mentors: sweep: %w", err)
		}
		if len(members) == 0 {
			return expired, nil
		}
		for _, member := range members {
			ok, err := s.expire(ctx, member, cutoff, now)
			if err != nil {
				return expired, fmt.Errorf("mentors: sweep %s: %w", member, err)
			}
			if ok {
				expired++
			}
		}
		if len(members) < sweepBatch {
			return expired, nil
		}
	}
}

// expire handles one waiting request; it always takes the request off the
// waiting index unless its mentor's turn began after the cutoff.
func (s *Store) expire(ctx context.Context, member string, cutoff int64, now time.Time) (bool, error) {
	mentor, id, _ := strings.Cut(member, "/")
	if err := s.notices.Mark(ctx, mentor); err != nil {
		return false, err
	}
	run, at := ids.New(), time.UnixMilli(ms(now)).UTC()
	expired := Notice{Kind: NoticeRequestExpired, Other: mentor, RequestID: id, At: at}
	paused := Notice{Kind: NoticeMentorPaused, To: mentor, RequestID: id, Text: PauseReasonSilent, At: at}
	res, err := expireScript.Run(ctx, s.rdb, []string{
		s.requestKey(mentor, id), s.mentorPairsKey(mentor), s.mentorPendingKey(mentor), s.mentorKey(mentor),
		s.mentorNoticesKey(mentor),
	}, cutoff, ms(now), PauseReasonSilent, id, run, encodeNotice(expired), encodeNotice(paused)).StringSlice()
	if err != nil {
		return false, err
	}
	switch res[0] {
	case "LATER":
		waiting, _ := strconv.ParseFloat(res[1], 64)
		return false, s.rdb.ZAdd(ctx, s.waitingKey(), redis.Z{Score: waiting, Member: member}).Err()
	case "GONE", "SKIP":
		return false, s.rdb.ZRem(ctx, s.waitingKey(), member).Err()
	}
	s.forgetMentor(mentor) // paused now
	s.notices.Relay(ctx, mentor, run, s.logger())
	mentee := res[1]
	pipe := s.rdb.Pipeline()
	pipe.ZRem(ctx, s.menteeOpenKey(mentee), member)
	pipe.ZRem(ctx, s.waitingKey(), member)
	s.keepClosed(ctx, pipe, mentor, id)
	if _, err := pipe.Exec(ctx); err != nil {
		return true, err
	}
	return true, nil
}
