package mentors

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func TestAskRefusesWhatTheRulesForbid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentee := f.mentee(t, nil)
	paused := f.mentor(t, nil)
	if err := f.SetPaused(f.ctx, paused, true, "busy"); err != nil {
		t.Fatal(err)
	}
	notMentoring := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 0 })
	full := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 1 })
	r, _ := f.Ask(f.ctx, f.mentee(t, nil), full, "please mentor me")
	if _, err := f.Accept(f.ctx, full, r.ID); err != nil {
		t.Fatal(err)
	}
	mine := f.mentor(t, nil)
	r, _ = f.Ask(f.ctx, mentee, mine, "please mentor me")
	if _, err := f.Accept(f.ctx, mine, r.ID); err != nil {
		t.Fatal(err)
	}
	asked := f.mentor(t, nil)
	if _, err := f.Ask(f.ctx, mentee, asked, "first request"); err != nil {
		t.Fatal(err)
	}
	limited := f.mentee(t, nil)
	for k := 0; k < DefaultMaxOpenRequests; k++ {
		if _, err := f.Ask(f.ctx, limited, f.mentor(t, nil), "one of my requests"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name           string
		mentee, mentor string
		message        string
		want           error
	}{
		{"to oneself", mentee, mentee, "hi", ErrSelf},
		{"to a paused mentor", mentee, paused, "hi", ErrPaused},
		{"to someone not mentoring", mentee, notMentoring, "hi", ErrNotMentoring},
		{"to a full mentor", mentee, full, "hi", ErrFull},
		{"to one's own mentor", mentee, mine, "hi", ErrAlreadyMentor},
		{"a second request to the same mentor", mentee, asked, "hi again", ErrDuplicateRequest},
		{"beyond the open-request limit", limited, f.mentor(t, nil), "hi", ErrTooManyRequests},
		{"to someone without a mentor profile", mentee, ids.New(), "hi", ErrNotFound},
		{"without a mentee profile", ids.New(), asked, "hi", ErrNoProfile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.PendingOut(f.ctx, tc.mentee)
			if _, err := f.Ask(f.ctx, tc.mentee, tc.mentor, tc.message); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after, _ := f.PendingOut(f.ctx, tc.mentee); len(after) != len(before) {
				t.Fatalf("open requests went from %d to %d", len(before), len(after))
			}
		})
	}
	var ve valid.Errors
	for _, msg := range []string{"   ", strings.Repeat("x", MaxText+1)} {
		if _, err := f.Ask(f.ctx, mentee, f.mentor(t, nil), msg); !errors.As(err, &ve) || ve["message"] == "" {
			t.Fatalf("message %.5q: %v", msg, err)
		}
	}
}

func TestRequestConversationAndDashboard(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.mentor(t, nil)
	mentee := f.mentee(t, nil)
	r, err := f.Ask(f.ctx, mentee, mentor, "I want to learn Go")
	if err != nil {
		t.Fatal(err)
	}
	if in, _ := f.PendingIn(f.ctx, mentor); len(in) != 1 || in[0].ID != r.ID || in[0].Message != "I want to learn Go" {
		t.Fatalf("pending in %+v", in)
	}
	stranger := f.mentee(t, nil)
	for _, try := range []func() error{
		func() error { _, err := f.Accept(f.ctx, stranger, r.ID); return err },
		func() error { _, err := f.Decline(f.ctx, mentee, r.ID, ""); return err },
		func() error { _, err := f.AskQuestion(f.ctx, stranger, r.ID, "who are you?"); return err },
		func() error { _, err := f.Withdraw(f.ctx, mentor, r.ID); return err },
		func() error { _, err := f.Request(f.ctx, stranger, r.ID); return err },
	} {
		if err := try(); !errors.Is(err, ErrForbidden) {
			t.Fatalf("someone else acted on the request: %v", err)
		}
	}
	if _, err := f.Answer(f.ctx, mentee, r.ID, "nobody asked"); !errors.Is(err, ErrWrongState) {
		t.Fatalf("answer without question: %v", err)
	}
	if q, err := f.AskQuestion(f.ctx, mentor, r.ID, "How many hours a week?"); err != nil || q.State != RequestQuestion {
		t.Fatalf("question: %v %+v", err, q)
	}
	if a, err := f.Answer(f.ctx, mentee, r.ID, "Two hours"); err != nil || a.State != RequestOpen || a.Answer != "Two hours" {
		t.Fatalf("answer: %v %+v", err, a)
	}
	ship, err := f.Accept(f.ctx, mentor, r.ID)
	if err != nil || ship.MentorID != mentor || ship.MenteeID != mentee {
		t.Fatalf("accept: %v %+v", err, ship)
	}
	if _, err := f.Accept(f.ctx, mentor, r.ID); !errors.Is(err, ErrClosed) {
		t.Fatalf("second accept: %v", err)
	}
	if got := f.noticesTo(mentee); !slices.Equal(got, []NoticeKind{NoticeQuestionAsked, NoticeRequestAccepted}) {
		t.Fatalf("mentee notices %v", got)
	}
	if got := f.noticesTo(mentor); !slices.Equal(got, []NoticeKind{NoticeRequestReceived, NoticeQuestionAnswered}) {
		t.Fatalf("mentor notices %v", got)
	}
	if in, _ := f.PendingIn(f.ctx, mentor); len(in) != 0 {
		t.Fatalf("still pending in: %+v", in)
	}
	if out, _ := f.PendingOut(f.ctx, mentee); len(out) != 0 {
		t.Fatalf("still pending out: %+v", out)
	}
	mine, _ := f.MyMentors(f.ctx, mentee)
	theirs, _ := f.MyMentees(f.ctx, mentor)
	if len(mine) != 1 || mine[0].ID != ship.ID || len(theirs) != 1 || theirs[0].ID != ship.ID {
		t.Fatalf("dashboard: mentors %+v, mentees %+v", mine, theirs)
	}
	if p, _ := f.MentorProfile(f.ctx, mentor); p.Active != 1 {
		t.Fatalf("active %d", p.Active)
	}
	if _, err := f.EndMentorship(f.ctx, stranger, ship.ID, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("stranger ended it: %v", err)
	}
	ended, err := f.EndMentorship(f.ctx, mentee, ship.ID, "Thank you, it helped a lot.")
	if err != nil || ended.EndedBy != mentee || ended.MenteeFeedback != "Thank you, it helped a lot." || ended.Ended.IsZero() {
		t.Fatalf("end: %v %+v", err, ended)
	}
	if _, err := f.EndMentorship(f.ctx, mentor, ship.ID, ""); !errors.Is(err, ErrEnded) {
		t.Fatalf("ended twice: %v", err)
	}
	if got := f.noticesTo(mentor); got[len(got)-1] != NoticeMentorshipEnded {
		t.Fatalf("mentor not told of the end: %v", got)
	}
	mine, _ = f.MyMentors(f.ctx, mentee)
	theirs, _ = f.MyMentees(f.ctx, mentor)
	if len(mine) != 0 || len(theirs) != 0 {
		t.Fatalf("after end: %+v %+v", mine, theirs)
	}
	// The seat is free again and the pair may start over.
	r2, err := f.Ask(f.ctx, mentee, mentor, "Could we continue?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accept(f.ctx, mentor, r2.ID); err != nil {
		t.Fatal(err)
	}
}

func TestAcceptingAWithdrawnOrDeclinedRequestFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.mentor(t, nil)
	mentee := f.mentee(t, nil)
	r, _ := f.Ask(f.ctx, mentee, mentor, "hello there")
	if w, err := f.Withdraw(f.ctx, mentee, r.ID); err != nil || w.State != RequestWithdrawn {
		t.Fatalf("withdraw: %v %+v", err, w)
	}
	if _, err := f.Accept(f.ctx, mentor, r.ID); !errors.Is(err, ErrWithdrawn) {
		t.Fatalf("accept withdrawn: %v", err)
	}
	if _, err := f.Decline(f.ctx, mentor, r.ID, ""); !errors.Is(err, ErrWithdrawn) {
		t.Fatalf("decline withdrawn: %v", err)
	}
	r, _ = f.Ask(f.ctx, mentee, mentor, "hello again")
	if d, err := f.Decline(f.ctx, mentor, r.ID, "I am too busy"); err != nil || d.Reply != "I am too busy" {
		t.Fatalf("decline: %v %+v", err, d)
	}
	if _, err := f.Accept(f.ctx, mentor, r.ID); !errors.Is(err, ErrClosed) {
		t.Fatalf("accept declined: %v", err)
	}
	if got := f.noticesTo(mentee); !slices.Equal(got, []NoticeKind{NoticeRequestDeclined}) {
		t.Fatalf("mentee notices %v", got)
	}
	if _, err := f.Accept(f.ctx, mentor, ids.New()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown request: %v", err)
	}
	if n, _ := f.rdb.HLen(f.ctx, f.mentorMenteesKey(mentor)).Result(); n != 0 {
		t.Fatalf("%d mentees after refused accepts", n)
	}
}

func TestConcurrentAcceptsNeverExceedCapacity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 3 })
	var reqs []Request
	for k := 0; k < 50; k++ {
		r, err := f.Ask(f.ctx, f.mentee(t, nil), mentor, "please take me on")
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, r)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted, full := 0, 0
	for _, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.Accept(f.ctx, mentor, r.ID)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				accepted++
			case errors.Is(err, ErrFull):
				full++
			default:
				t.Errorf("accept: %v", err)
			}
		}()
	}
	wg.Wait()
	if accepted != 3 || full != 47 {
		t.Fatalf("%d accepted, %d full; want 3 and 47", accepted, full)
	}
	if mine, _ := f.MyMentees(f.ctx, mentor); len(mine) != 3 {
		t.Fatalf("%d mentorships", len(mine))
	}
	if _, err := f.Ask(f.ctx, f.mentee(t, nil), mentor, "one more?"); !errors.Is(err, ErrFull) {
		t.Fatalf("ask a full mentor: %v", err)
	}
}

func TestConcurrentAsksKeepTheLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentee := f.mentee(t, nil)
	var mentors []string
	for k := 0; k < 12; k++ {
		mentors = append(mentors, f.mentor(t, nil))
	}
	same := f.mentor(t, nil)
	other := f.mentee(t, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, okSame := 0, 0
	for k := 0; k < 12; k++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := f.Ask(f.ctx, mentee, mentors[k], "many at once"); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if !errors.Is(err, ErrTooManyRequests) {
				t.Errorf("ask: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := f.Ask(f.ctx, other, same, "the same mentor"); err == nil {
				mu.Lock()
				okSame++
				mu.Unlock()
			} else if !errors.Is(err, ErrDuplicateRequest) && !errors.Is(err, ErrTooManyRequests) {
				t.Errorf("ask same: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != DefaultMaxOpenRequests || okSame != 1 {
		t.Fatalf("%d open requests (want %d), %d to the same mentor (want 1)", ok, DefaultMaxOpenRequests, okSame)
	}
	if out, _ := f.PendingOut(f.ctx, other); len(out) != 1 {
		t.Fatalf("reservations leaked: %d open", len(out))
	}
}

func TestRequestTextsAreChecked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.mentor(t, nil)
	mentee := f.mentee(t, nil)
	r, err := f.Ask(f.ctx, mentee, mentor, "hello")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("y", MaxText+1)
	tests := []struct {
		name  string
		field string
		try   func() error
	}{
		{"empty question", "question", func() error { _, err := f.AskQuestion(f.ctx, mentor, r.ID, " "); return err }},
		{"long question", "question", func() error { _, err := f.AskQuestion(f.ctx, mentor, r.ID, long); return err }},
		{"empty answer", "answer", func() error { _, err := f.Answer(f.ctx, mentee, r.ID, ""); return err }},
		{"long decline note", "reply", func() error { _, err := f.Decline(f.ctx, mentor, r.ID, long); return err }},
		{"long feedback", "feedback", func() error { _, err := f.EndMentorship(f.ctx, mentee, ids.New(), long); return err }},
	}
	for _, tc := range tests {
		var ve valid.Errors
		if err := tc.try(); !errors.As(err, &ve) || ve[tc.field] == "" {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if got, _ := f.Request(f.ctx, mentor, r.ID); got.State != RequestOpen || got.Question != "" || got.Reply != "" {
		t.Fatalf("bad input changed the request: %+v", got)
	}
}

func TestALostSlotReleaseIsRepaired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.mentor(t, nil)
	mentee := f.mentee(t, nil)
	r, err := f.Ask(f.ctx, mentee, mentor, "hello there")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Decline(f.ctx, mentor, r.ID, ""); err != nil {
		t.Fatal(err)
	}
	// The follow-up that frees the mentee's slot was lost (a crash).
	f.rdb.ZAdd(f.ctx, f.menteeOpenKey(mentee), redis.Z{Score: float64(time.Now().UnixMilli()), Member: mentor + "/" + r.ID})
	if open, err := f.PendingOut(f.ctx, mentee); err != nil || len(open) != 0 {
		t.Fatalf("pending out = %v, %v", open, err)
	}
	if n, _ := f.rdb.ZCard(f.ctx, f.menteeOpenKey(mentee)).Result(); n != 0 {
		t.Fatalf("the declined request still holds a slot (%d)", n)
	}
}

// A request's page reads it with the session once this Store has read it
// before: the request and its mentee's profile are queued then, and the
// same checks hold on that path (a stranger is refused, the mentee's own
// view has no profile, a request gone is not found).
func TestRequestReadQueuesAKnownRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor, mentee, stranger := f.mentor(t, nil), f.mentee(t, nil), ids.New()
	r, err := f.Ask(f.ctx, mentee, mentor, "Please mentor me")
	if err != nil {
		t.Fatal(err)
	}
	read := func(actor string) (Request, *match.MenteeProfile, int, error) {
		t.Helper()
		p := f.rdb.Pipeline()
		rr := f.QueueRequest(f.ctx, p, r.ID)
		queued := p.Len()
		if _, err := p.Exec(f.ctx); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		got, profile, err := rr.Result(f.ctx, actor)
		return got, profile, queued, err
	}
	got, profile, queued, err := read(mentor)
	if err != nil || queued != 0 || got.ID != r.ID || profile == nil || profile.UserID != mentee {
		t.Fatalf("first read by the mentor: %+v, profile %v, %d queued, %v", got, profile, queued, err)
	}
	got, profile, queued, err = read(mentor)
	if err != nil || queued != 2 || got.ID != r.ID || profile == nil || profile.UserID != mentee {
		t.Fatalf("second read by the mentor: %+v, profile %v, %d queued, %v; want the request and the profile queued", got, profile, queued, err)
	}
	if got, profile, _, err := read(mentee); err != nil || got.ID != r.ID || profile != nil {
		t.Fatalf("the mentee's read: %+v, %v, %v", got, profile, err)
	}
	if _, _, queued, err := read(stranger); queued != 2 || !errors.Is(err, ErrForbidden) {
		t.Fatalf("a stranger, from the queued reads: %d queued, %v; want ErrForbidden", queued, err)
	}
	if err := f.rdb.Del(f.ctx, f.requestKey(mentor, r.ID)).Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := read(mentor); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a request gone: %v, want ErrNotFound", err)
	}
}
