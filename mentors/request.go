package mentors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// MaxText is the longest message, question, answer, reply or feedback.
const MaxText = 2000

// RequestState is where a request stands.
type RequestState string

// The states of a request; open and question count as open requests.
const (
	RequestOpen      RequestState = "open"     // waiting for the mentor
	RequestQuestion  RequestState = "question" // the mentor asked, waiting for the mentee
	RequestAccepted  RequestState = "accepted"
	RequestDeclined  RequestState = "declined"
	RequestWithdrawn RequestState = "withdrawn"
	RequestExpired   RequestState = "expired" // the mentor left it unanswered
)

// Request is a mentee asking a mentor to mentor them.
type Request struct {
	ID           string
	MentorID     string
	MenteeID     string
	State        RequestState
	Message      string
	Question     string // the mentor's question, if any
	Answer       string // the mentee's answer
	Reply        string // the mentor's note on declining, or the mentee's on withdrawing
	MentorshipID string // set once accepted
	Created      time.Time
	Updated      time.Time
	// WaitingSince is when the mentor's turn began; zero when it is not
	// their turn.
	WaitingSince time.Time
}

func textError(field, label, text string, required bool) valid.Errors {
	errs := valid.Errors{}
	n := utf8.RuneCountInString(strings.TrimSpace(text))
	switch {
	case required && n == 0:
		errs.Add(field, "write "+label)
	case n > MaxText:
		errs.Add(field, fmt.Sprintf("%s can be at most %d characters", label, MaxText))
	}
	errs.Add(field, valid.MultiLine("The text", text))
	return errs
}

// Ask files a request from a mentee to a mentor with a message. It refuses
// requests to oneself, to a paused, full or non-mentoring mentor, to one's
// current mentor, a second open request to the same mentor, and more than
// MaxOpenRequests open requests; the mentee needs a profile.
func (s *Store) Ask(ctx context.Context, menteeID, mentorID, message string) (Request, error) {
	if err := textError("message", "a message to the mentor", message, true).Err(); err != nil {
		return Request{}, err
	}
	if menteeID == mentorID {
		return Request{}, fmt.Errorf("mentors: ask: %w", ErrSelf)
	}
	if !ids.Valid(menteeID) || !ids.Valid(mentorID) {
		return Request{}, fmt.Errorf("mentors: ask %s: %w", mentorID, ErrNotFound)
	}
	if n, err := s.rdb.Exists(ctx, s.menteeKey(menteeID)).Result(); err != nil {
		return Request{}, fmt.Errorf("mentors: ask %s: %w", mentorID, err)
	} else if n == 0 {
		return Request{}, fmt.Errorf("mentors: ask %s: %w", mentorID, ErrNoProfile)
	}
	now := s.now()
	id := ids.New()
	member := openMember(mentorID, id)
	if err := s.rdb.Set(ctx, s.requestRefKey(id), mentorID, 0).Err(); err != nil {
		return Request{}, fmt.Errorf("mentors: ask %s: %w", mentorID, err)
	}
	undo := func() {
		pipe := s.rdb.Pipeline()
		pipe.ZRem(ctx, s.menteeOpenKey(menteeID), member)
		pipe.Del(ctx, s.requestRefKey(id))
		if _, err := pipe.Exec(ctx); err != nil {
			slog.WarnContext(ctx, "mentors: clean-up failed", "left", "an open-request slot and a reference of a request that was not made (freed on a later read)",
				"mentee", menteeID, "request", id, "err", err)
		}
	}
	res, err := reserveScript.Run(ctx, s.rdb, []string{s.menteeOpenKey(menteeID)}, member, ms(now), s.MaxOpenRequests).Text()
	if err == nil && res == "LIMIT" {
		err = ErrTooManyRequests
	}
	if err == nil {
		err = s.notices.Mark(ctx, mentorID)
	}
	run := ids.New()
	if err == nil {
		note := Notice{Kind: NoticeRequestReceived, To: mentorID, Other: menteeID, RequestID: id,
			Text: strings.TrimSpace(message), At: time.UnixMilli(ms(now)).UTC()}
		res, err = askScript.Run(ctx, s.rdb, []string{
			s.mentorKey(mentorID), s.mentorMenteesKey(mentorID), s.mentorPairsKey(mentorID),
			s.mentorPendingKey(mentorID), s.requestKey(mentorID, id), s.mentorNoticesKey(mentorID),
		}, id, mentorID, menteeID, strings.TrimSpace(message), ms(now), run, encodeNotice(note)).Text()
		if err == nil {
			err = scriptError(res)
		}
	}
	if err != nil {
		undo()
		return Request{}, fmt.Errorf("mentors: ask %s: %w", mentorID, err)
	}
	if err := s.rdb.ZAdd(ctx, s.waitingKey(), redis.Z{Score: float64(ms(now)), Member: member}).Err(); err != nil {
		return Request{}, fmt.Errorf("mentors: ask %s: track silence: %w", mentorID, err)
	}
	s.notices.Relay(ctx, mentorID, run, s.logger())
	r, err := s.request(ctx, mentorID, id)
	if err != nil {
		return Request{}, fmt.Errorf("mentors: ask %s: %w", mentorID, err)
	}
	return r, nil
}

// scriptError maps a script's refusal code to its sentinel error.
func scriptError(code string) error {
	switch {
	case code == "OK":
		return nil
	case code == "NOTFOUND":
		return ErrNotFound
	case code == "FORBIDDEN":
		return ErrForbidden
	case code == "PAUSED":
		return ErrPaused
	case code == "NOTMENTORING":
		return ErrNotMentoring
	case code == "ALREADY":
		return ErrAlreadyMentor
	case code == "FULL":
		return ErrFull
	case code == "DUPLICATE":
		return ErrDuplicateRequest
	case code == "WITHDRAWN":
		return ErrWithdrawn
	case code == "EXPIRED":
		return ErrExpired
	case code == "CLOSED":
		return ErrClosed
	case code == "ENDED":
		return ErrEnded
	case code == "STATE":
		return ErrWrongState
	}
	return fmt.Errorf("unexpected answer %q from Redis", code)
}

// ClosedRequestKeep is how long a request stays readable once it is
// accepted, declined, withdrawn or expired: its page is linked from the
// mails about it, and no list shows it any more. The mentorship an
// accepted request started is kept.
const ClosedRequestKeep = 180 * 24 * time.Hour

// keepClosed queues, on pipe, the expiry of a closed request and of the
// reference that finds its mentor.
func (s *Store) keepClosed(ctx context.Context, pipe redis.Pipeliner, mentor, id string) {
	pipe.Expire(ctx, s.requestKey(mentor, id), ClosedRequestKeep)
	pipe.Expire(ctx, s.requestRefKey(id), ClosedRequestKeep)
}

// requestMentor finds the mentor a request was addressed to.
func (s *Store) requestMentor(ctx context.Context, id string) (string, error) {
	if !ids.Valid(id) {
		return "", ErrNotFound
	}
	m, err := s.rdb.Get(ctx, s.requestRefKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	return m, err
}

// Request returns a request to its mentor or its mentee (see
// RequestRead).
func (s *Store) Request(ctx context.Context, actorID, id string) (Request, error) {
	p := s.rdb.Pipeline()
	read := s.QueueRequest(ctx, p, id)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Request{}, fmt.Errorf("mentors: request %s: %w", id, err)
	}
	r, _, err := read.Result(ctx, actorID)
	return r, err
}

func (s *Store) request(ctx context.Context, mentor, id string) (Request, error) {
	h, err := s.rdb.HGetAll(ctx, s.requestKey(mentor, id)).Result()
	if err != nil {
		return Request{}, err
	}
	if len(h) == 0 {
		return Request{}, ErrNotFound
	}
	return requestFromHash(h), nil
}

func requestFromHash(h map[string]string) Request {
	return Request{
		ID: h["id"], MentorID: h["mentor"], MenteeID: h["mentee"], State: RequestState(h["state"]),
		Message: h["message"], Question: h["question"], Answer: h["answer"], Reply: h["reply"],
		MentorshipID: h["mentorship"], Created: fromMS(h["created"]), Updated: fromMS(h["updated"]),
		WaitingSince: fromMS(h["waiting"]),
	}
}

// Accept lets a mentor accept a request, starting the mentorship. Accepts
// running at the same moment never take the mentor beyond capacity; a
// withdrawn request returns ErrWithdrawn.
func (s *Store) Accept(ctx context.Context, mentorID, requestID string) (Mentorship, error) {
	mentor, err := s.requestMentor(ctx, requestID)
	if err != nil {
		return Mentorship{}, fmt.Errorf("mentors: accept %s: %w", requestID, err)
	}
	if mentor != mentorID {
		return Mentorship{}, fmt.Errorf("mentors: accept %s: %w", requestID, ErrForbidden)
	}
	now := s.now()
	shipID := ids.New()
	if err := s.rdb.Set(ctx, s.mentorshipRefKey(shipID), mentorID, 0).Err(); err != nil {
		return Mentorship{}, fmt.Errorf("mentors: accept %s: %w", requestID, err)
	}
	if err := s.notices.Mark(ctx, mentorID); err != nil {
		return Mentorship{}, fmt.Errorf("mentors: accept %s: %w", requestID, err)
	}
	run := ids.New()
	note := Notice{Kind: NoticeRequestAccepted, Other: mentorID, RequestID: requestID, MentorshipID: shipID, At: time.UnixMilli(ms(now)).UTC()}
	res, err := acceptScript.Run(ctx, s.rdb, []string{
		s.mentorKey(mentorID), s.mentorMenteesKey(mentorID), s.mentorPairsKey(mentorID),
		s.mentorPendingKey(mentorID), s.requestKey(mentorID, requestID),
		s.mentorshipKey(mentorID, shipID), s.mentorHistoryKey(mentorID), s.mentorNoticesKey(mentorID),
	}, shipID, ms(now), requestID, run, encodeNotice(note)).StringSlice()
	if err == nil {
		err = scriptError(res[0])
	}
	if err != nil {
		if derr := s.rdb.Del(context.WithoutCancel(ctx), s.mentorshipRefKey(shipID)).Err(); derr != nil {
			slog.WarnContext(ctx, "mentors: clean-up failed", "left", "a reference to a mentorship that was not started",
				"mentorship", shipID, "err", derr)
		}
		return Mentorship{}, fmt.Errorf("mentors: accept %s: %w", requestID, err)
	}
	menteeID := res[1]
	s.forgetMentor(mentorID)
	s.notices.Relay(ctx, mentorID, run, s.logger())
	if err := s.linkMentee(ctx, mentorID, menteeID, shipID, now); err != nil {
		return Mentorship{}, fmt.Errorf("mentors: accept %s: %w", requestID, err)
	}
	pipe := s.rdb.Pipeline()
	pipe.ZRem(ctx, s.menteeOpenKey(menteeID), openMember(mentorID, requestID))
	pipe.ZRem(ctx, s.waitingKey(), openMember(mentorID, requestID))
	s.keepClosed(ctx, pipe, mentorID, requestID)
	if _, err := pipe.Exec(ctx); err != nil {
		return Mentorship{}, fmt.Errorf("mentors: accept %s: %w", requestID, err)
	}
	return s.mentorship(ctx, mentorID, shipID)
}

// linkMentee records a started mentorship on the mentee's side.
func (s *Store) linkMentee(ctx context.Context, mentorID, menteeID, shipID string, now time.Time) error {
	pipe := s.rdb.Pipeline()
	pipe.HSet(ctx, s.menteeMentorsKey(menteeID), mentorID, shipID)
	pipe.ZAdd(ctx, s.menteeHistoryKey(menteeID), redis.Z{Score: float64(ms(now)), Member: openMember(mentorID, shipID)})
	_, err := pipe.Exec(ctx)
	return err
}

// Decline lets a mentor turn a request down, with an optional note.
func (s *Store) Decline(ctx context.Context, mentorID, requestID, note string) (Request, error) {
	return s.step(ctx, "decline", mentorID, requestID, note, false)
}

// AskQuestion lets a mentor ask the mentee something before deciding; the
// request then waits for the mentee's answer.
func (s *Store) AskQuestion(ctx context.Context, mentorID, requestID, question string) (Request, error) {
	return s.step(ctx, "question", mentorID, requestID, question, true)
}

// Answer lets a mentee answer the mentor's question; the request then
// waits for the mentor again.
func (s *Store) Answer(ctx context.Context, menteeID, requestID, answer string) (Request, error) {
	return s.step(ctx, "answer", menteeID, requestID, answer, true)
}

// Withdraw lets a mentee take back an open request.
func (s *Store) Withdraw(ctx context.Context, menteeID, requestID string) (Request, error) {
	return s.step(ctx, "withdraw", menteeID, requestID, "", false)
}

// stepNotices is what the other side hears of each step; a withdrawal
// tells nobody.
var stepNotices = map[string]NoticeKind{
	"decline": NoticeRequestDeclined, "question": NoticeQuestionAsked, "answer": NoticeQuestionAnswered,
}

var stepFields = map[string][2]string{
	"decline": {"reply", "a note"}, "question": {"question", "a question"},
	"answer": {"answer", "an answer"}, "withdraw": {"reply", "a note"},
}

func (s *Store) step(ctx context.Context, action, actorID, requestID, text string, required bool) (Request, error) {
	f := stepFields[action]
	if err := textError(f[0], f[1], text, required).Err(); err != nil {
		return Request{}, err
	}
	mentor, err := s.requestMentor(ctx, requestID)
	if err != nil {
		return Request{}, fmt.Errorf("mentors: %s %s: %w", action, requestID, err)
	}
	now := s.now()
	if err := s.notices.Mark(ctx, mentor); err != nil {
		return Request{}, fmt.Errorf("mentors: %s %s: %w", action, requestID, err)
	}
	run := ids.New()
	note := Notice{RequestID: requestID, Text: strings.TrimSpace(text), At: time.UnixMilli(ms(now)).UTC(),
		Kind: stepNotices[action]}
	res, err := stepScript.Run(ctx, s.rdb, []string{
		s.requestKey(mentor, requestID), s.mentorPairsKey(mentor), s.mentorPendingKey(mentor), s.mentorNoticesKey(mentor),
	}, action, actorID, strings.TrimSpace(text), ms(now), requestID, run, encodeNotice(note)).Text()
	if err == nil {
		err = scriptError(res)
	}
	if err != nil {
		return Request{}, fmt.Errorf("mentors: %s %s: %w", action, requestID, err)
	}
	s.notices.Relay(ctx, mentor, run, s.logger())
	r, err := s.request(ctx, mentor, requestID)
	if err != nil {
		return Request{}, fmt.Errorf("mentors: %s %s: %w", action, requestID, err)
	}
	member := openMember(mentor, requestID)
	pipe := s.rdb.Pipeline()
	switch action {
	case "decline", "withdraw":
		pipe.ZRem(ctx, s.menteeOpenKey(r.MenteeID), member)
		pipe.ZRem(ctx, s.waitingKey(), member)
		s.keepClosed(ctx, pipe, mentor, requestID)
	case "question":
		pipe.ZRem(ctx, s.waitingKey(), member)
	case "answer":
		pipe.ZAdd(ctx, s.waitingKey(), redis.Z{Score: float64(ms(now)), Member: member})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return Request{}, fmt.Errorf("mentors: %s %s: %w", action, requestID, err)
	}
	return r, nil
}

// RequestRead reads a request for its page with the page's other reads:
// once this Store has read the request before (its mentor and mentee
// never change), QueueRequest queues the request and its mentee's
// profile on the page's pipeline; the first read of it takes a round
// trip for the mentor's name, one for the request and one for the
// profile.
type RequestRead struct {
	s       *Store
	id      string
	parties Parties
	known   bool
	hash    *redis.MapStringStringCmd
	profile func() (match.MenteeProfile, error)
}

// QueueRequest queues on p the reads of request id and its mentee's
// profile when this Store knows the request's two people.
func (s *Store) QueueRequest(ctx context.Context, p redis.Pipeliner, id string) *RequestRead {
	r := &RequestRead{s: s, id: id}
	if r.parties, r.known = s.requestParties.Get(id); r.known {
		r.hash = p.HGetAll(ctx, s.requestKey(r.parties.Mentor, id))
		r.profile = s.queueMenteeProfile(ctx, p, r.parties.Mentee)
	}
	return r
}

// People names the request's mentor and mentee when QueueRequest knew
// them (nil otherwise), so a page can read them with the request.
func (r *RequestRead) People() []string {
	if !r.known {
		return nil
	}
	return []string{r.parties.Mentor, r.parties.Mentee}
}

// Result gives, once the queued reads have run, the request as actorID
// (its mentor or mentee, else ErrForbidden) may see it, and for its
// mentor the mentee's profile (nil for the mentee, or when there is none
// or it could not be read: the page does without), reading what was not
// queued.
func (r *RequestRead) Result(ctx context.Context, actorID string) (Request, *match.MenteeProfile, error) {
	s := r.s
	var req Request
	var profile match.MenteeProfile
	var profileErr error
	if r.known {
		h, err := r.hash.Result()
		if err != nil {
			return Request{}, nil, fmt.Errorf("mentors: request %s: %w", r.id, err)
		}
		if len(h) == 0 {
			s.requestParties.Forget(r.id)
			return Request{}, nil, fmt.Errorf("mentors: request %s: %w", r.id, ErrNotFound)
		}
		req = requestFromHash(h)
		profile, profileErr = r.profile()
	} else {
		mentor, err := s.requestMentor(ctx, r.id)
		if err != nil {
			return Request{}, nil, fmt.Errorf("mentors: request %s: %w", r.id, err)
		}
		if req, err = s.request(ctx, mentor, r.id); err != nil {
			return Request{}, nil, fmt.Errorf("mentors: request %s: %w", r.id, err)
		}
		if actorID == req.MentorID {
			profile, profileErr = s.MenteeProfile(ctx, req.MenteeID)
		}
	}
	s.requestParties.Put(r.id, Parties{Mentor: req.MentorID, Mentee: req.MenteeID})
	if actorID != req.MentorID && actorID != req.MenteeID {
		return Request{}, nil, fmt.Errorf("mentors: request %s: %w", r.id, ErrForbidden)
	}
	if actorID != req.MentorID || profileErr != nil {
		return req, nil, nil
	}
	return req, &profile, nil
}
