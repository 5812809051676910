// Package mentors owns mentor and mentee profiles, explained suggestions,
// mentoring requests, mentorships and matching rounds in groups, on Redis.
// The matching engine itself is the pure package mentors/match.
package mentors

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/notices"
	"github.com/focusgroups/focusgroups/internal/strcache"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// Defaults of the Store's tunables.
const (
	DefaultSilenceLimit    = 7 * 24 * time.Hour
	DefaultMaxOpenRequests = 3
)

// Errors callers check with errors.Is; each is wrapped with context.
var (
	ErrNotFound         = errors.New("not found")
	ErrForbidden        = errors.New("not allowed")
	ErrSelf             = errors.New("you cannot ask yourself to be your mentor")
	ErrPaused           = errors.New("this mentor is paused")
	ErrNotMentoring     = errors.New("this person does not take mentees")
	ErrFull             = errors.New("this mentor has no room for another mentee")
	ErrAlreadyMentor    = errors.New("this mentor is already your mentor")
	ErrTooManyRequests  = errors.New("too many open requests: wait for an answer or withdraw one")
	ErrDuplicateRequest = errors.New("you already have an open request to this mentor")
	ErrWithdrawn        = errors.New("the mentee withdrew this request")
	ErrExpired          = errors.New("this request expired without an answer")
	ErrClosed           = errors.New("this request was already answered")
	ErrWrongState       = errors.New("that is not possible at this step")
	ErrEnded            = errors.New("this mentorship has already ended")
	ErrNoProfile        = errors.New("fill in your profile first")
	ErrSignupClosed     = errors.New("sign-up for this round is closed")
	ErrOtherRole        = errors.New("already signed up for this round in the other role")
	ErrAlreadyRun       = errors.New("this round was already matched: reset it before running it again")
	ErrNotRun           = errors.New("this round has not been matched yet")
	ErrPublished        = errors.New("this round is already published")
)

// Store keeps the mentoring data in Redis. Set the exported fields before
// first use; zero values take the defaults.
type Store struct {
	rdb    redis.UniversalClient
	prefix string

	// Now is the clock (UTC); tests replace it.
	Now func() time.Time
	// SilenceLimit is how long a request may wait for its mentor before the
	// sweep expires it and pauses the mentor.
	SilenceLimit time.Duration
	// MaxOpenRequests is how many requests a mentee may have open at once.
	MaxOpenRequests int
	// Notify receives the notices someone must hear about by mail. The
	// write that causes a notice records it in the same script; Notify
	// gets it right after, and again later when it returned an error.
	// Nil leaves notices waiting.
	Notify func(ctx context.Context, n Notice) error
	// Logger receives the failures that leave work for the sweep.
	Logger  *slog.Logger
	notices *notices.Source
	// menteeOf remembers each request's mentee, which never changes, so
	// a page can read the people behind a mentor's requests with them.
	menteeOf strcache.Cache[string]
	// menteeRaw remembers each mentee's stored profile as last read, so
	// a page can rank mentors for it while it reads it again to check.
	menteeRaw strcache.Cache[string]
	// partiesOf remembers each mentorship's mentor and mentee, which never
	// change, so its page reads everything else in one pipeline.
	partiesOf strcache.Cache[Parties]
	// requestParties remembers each request's mentor and mentee, which
	// never change, so its page reads the request with the session.
	requestParties strcache.Cache[Parties]
	// mentorDecoded remembers each stored mentor profile decoded, keyed
	// by its JSON, so a list of mentors decodes each version once.
	mentorDecoded strcache.Cache[match.MentorProfile]
	// menteeDecoded does the same for mentee profiles: the suggestions
	// page decoded the viewer's up to three times per view (8 % of its
	// CPU).
	menteeDecoded strcache.Cache[match.MenteeProfile]
	// rankings remembers each mentee's last ranking per filter (its first
	// 200 candidates, with the versions of its indexes), so the next page
	// of suggestions reads their profiles with it and, while the indexes
	// did not change, builds no ranking (see SuggestRead).
	rankings strcache.Cache[ranking]
	// recordKeys remembers the records each person's mentoring lists
	// named when last read (people with none are not kept), so the next
	// read reads them with the lists.
	recordKeys strcache.Cache[recordKeys]
	// mentorsRecent remembers each mentor as a list of suggestions last
	// read them, so the next list within RecentMentorFor does not read
	// them again (see queueMentorProfiles).
	mentorsRecent strcache.Cache[recentMentor]
}

// RecentMentorFor is how old what a list of suggestions shows of a
// mentor may be: their profile, pause, thanks and count of mentees (free
// seats, and whether they are full). A request to a mentor checks all of
// it as it is, so an older read only shows a change a moment late. It is
// the age of the names in a list of people (auth.RecentFor). This
// instance forgets a mentor as soon as it changes one.
const RecentMentorFor = time.Minute

// recentMentor is a mentor as read for a list of suggestions (none: they
// have no profile) and when, or (forgot) when this instance changed them:
// a read from before that is not kept.
type recentMentor struct {
	p      match.MentorProfile
	none   bool
	read   time.Time
	forgot bool
}

// forgetMentor makes the next list of suggestions read mentorID again,
// and one read before now not be kept.
func (s *Store) forgetMentor(mentorID string) {
	s.mentorsRecent.Put(mentorID, recentMentor{read: s.now(), forgot: true})
}

// The bounds of rankings (up to about 10 KB a ranking: 200 IDs as
// strings of their own and their points; the profile and the versions
// are kept as hashes) and of recordKeys (about 70 bytes a record; a
// person has a few: mentorships are bounded by capacity, open requests
// by MaxOpenRequests, requests to a mentor by the mentor's answers).
const (
	rankedEntries = 1000
	recordEntries = 5000
)

// NewStore returns a Store whose keys all start with prefix.
func NewStore(rdb redis.UniversalClient, prefix string) *Store {
	s := &Store{rdb: rdb, prefix: prefix, SilenceLimit: DefaultSilenceLimit, MaxOpenRequests: DefaultMaxOpenRequests,
		Now: func() time.Time { return time.Now().UTC() }, rankings: strcache.Cache[ranking]{Size: rankedEntries},
		recordKeys: strcache.Cache[recordKeys]{Size: recordEntries}}
	s.notices = s.newNotices()
	return s
}

// Actor is who asks for a round action; the caller decides Organizer from
// the group's roles.
type Actor struct {
	UserID    string
	Organizer bool
}

// NoticeKind says what a Notice is about.
type NoticeKind string

// The notices the Store sends.
const (
	NoticeRequestReceived  NoticeKind = "request_received"  // to the mentor
	NoticeRequestAccepted  NoticeKind = "request_accepted"  // to the mentee
	NoticeRequestDeclined  NoticeKind = "request_declined"  // to the mentee
	NoticeQuestionAsked    NoticeKind = "question_asked"    // to the mentee
	NoticeQuestionAnswered NoticeKind = "question_answered" // to the mentor
	NoticeMentorshipEnded  NoticeKind = "mentorship_ended"  // to the other side
	NoticeMentorPaused     NoticeKind = "mentor_paused"     // to the mentor: how to come back
	NoticeRequestExpired   NoticeKind = "request_expired"   // to the mentee: look at other mentors
	NoticeRoundMatch       NoticeKind = "round_match"       // to each side of a published pair
	NoticeMeeting          NoticeKind = "meeting"           // to both: a calendar invitation, update or cancellation
	NoticeCheckIn          NoticeKind = "check_in"          // to both: how is it going? Text is the link's token
)

// Notice is one message for one person. Key is unique per event and
// recipient, for the outbox's duplicate protection.
type Notice struct {
	Kind         NoticeKind
	Key          string
	To           string // recipient user ID
	Other        string // the other person
	RequestID    string
	MentorshipID string
	RoundID      string
	GroupID      string
	Text         string        // message, question, answer, feedback or pause reason
	Reasons      match.Reasons // why a round paired them, for the introduction
	MentorID     string        // the mentor of a round pair, for the introduction
	At           time.Time     // when it happened; part of Key for repeatable events
	// A meeting's calendar notice: the meeting (its calendar UID), the
	// iTIP method (REQUEST or CANCEL), its SEQUENCE and its times in ms.
	MeetingID      string `json:",omitempty"`
	Method         string `json:",omitempty"`
	Sequence       int    `json:",omitempty"`
	StartMS, EndMS int64  `json:",omitempty"`
}

// MeetingTimes returns the start and end of a meeting's notice.
func (n Notice) MeetingTimes() (start, end time.Time) {
	return time.UnixMilli(n.StartMS).UTC(), time.UnixMilli(n.EndMS).UTC()
}

// encodeNotice is the JSON a script records; "" (no notice) for a zero
// Notice.
func encodeNotice(n Notice) string {
	if n.Kind == "" {
		return ""
	}
	b, err := json.Marshal(n)
	if err != nil {
		panic("mentors: notice cannot be encoded: " + err.Error()) // plain strings, times and reasons always encode
	}
	return string(b)
}

// newNotices is the mentors store's side of the notices relay: each
// mentor's stream holds the notices of their requests and mentorships.
func (s *Store) newNotices() *notices.Source {
	return notices.NewSource(s.rdb, "mentors", s.mentorNoticesKey, func(ctx context.Context, mentorID string, e notices.Entry) error {
		if s.Notify == nil {
			return notices.ErrNoHandler
		}
		var n Notice
		if err := json.Unmarshal([]byte(e.Values["n"]), &n); err != nil {
			s.logger().Error("mentors: unreadable notice dropped", "mentor", mentorID, "id", e.ID, "err", err)
			return nil
		}
		if to := e.Values["to"]; to != "" {
			n.To = to
		}
		if other := e.Values["other"]; other != "" {
			n.Other = other
		}
		n.Key = string(n.Kind) + ":" + n.RequestID + n.MentorshipID + n.RoundID + ":" + n.To
		if !n.At.IsZero() {
			n.Key += ":" + strconv.FormatInt(ms(n.At), 10)
		}
		if n.MeetingID != "" {
			n.Key += ":" + n.MeetingID + "." + strconv.Itoa(n.Sequence) + n.Method
		}
		return s.Notify(ctx, n)
	})
}

// RegisterNotices lets r's sweep hand over this store's notices.
func (s *Store) RegisterNotices(r *notices.Relay) { s.notices.Register(r) }

func (s *Store) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Store) now() time.Time { return s.Now().UTC() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v string) time.Time {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}
