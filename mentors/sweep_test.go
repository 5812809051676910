package mentors

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSilentMentorsArePausedAndTheirRequestsExpire(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	silent := f.mentor(t, nil)
	asking := f.mentor(t, nil)    // asked a question: waiting for the mentee, not silent
	answering := f.mentor(t, nil) // will accept in time
	mentee := f.mentee(t, nil)
	r1, _ := f.Ask(f.ctx, mentee, silent, "hello, are you there?")
	r2, _ := f.Ask(f.ctx, mentee, asking, "hello")
	r3, _ := f.Ask(f.ctx, mentee, answering, "hello")
	if _, err := f.AskQuestion(f.ctx, asking, r2.ID, "what are your goals?"); err != nil {
		t.Fatal(err)
	}
	f.advance(6 * 24 * time.Hour)
	if n, err := f.PauseSilentMentors(f.ctx, f.Now()); err != nil || n != 0 {
		t.Fatalf("after 6 days: %d expired, %v", n, err)
	}
	if _, err := f.Accept(f.ctx, answering, r3.ID); err != nil {
		t.Fatal(err)
	}
	now := f.advance(24*time.Hour + time.Second)
	n, err := f.PauseSilentMentors(f.ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("after 7 days: %d expired, %v", n, err)
	}
	if r, _ := f.Request(f.ctx, mentee, r1.ID); r.State != RequestExpired {
		t.Fatalf("request state %s", r.State)
	}
	p, _ := f.MentorProfile(f.ctx, silent)
	if !p.Paused || !p.PausedAuto || p.PauseReason != PauseReasonSilent {
		t.Fatalf("silent mentor %+v", p)
	}
	for _, id := range []string{asking, answering} {
		if p, _ := f.MentorProfile(f.ctx, id); p.Paused {
			t.Fatalf("mentor %s paused", id)
		}
	}
	if got := f.noticesTo(silent); !slices.Equal(got, []NoticeKind{NoticeRequestReceived, NoticeMentorPaused}) {
		t.Fatalf("silent mentor notices %v", got)
	}
	if got := f.noticesTo(mentee); got[len(got)-1] != NoticeRequestExpired {
		t.Fatalf("mentee notices %v", got)
	}
	if _, err := f.Accept(f.ctx, silent, r1.ID); !errors.Is(err, ErrExpired) {
		t.Fatalf("accept expired: %v", err)
	}
	if out, _ := f.PendingOut(f.ctx, mentee); len(out) != 1 || out[0].ID != r2.ID {
		t.Fatalf("open requests %+v", out)
	}
	if n, _ := f.PauseSilentMentors(f.ctx, now); n != 0 {
		t.Fatalf("second sweep expired %d", n)
	}
	if _, err := f.Ask(f.ctx, f.mentee(t, nil), silent, "hi"); !errors.Is(err, ErrPaused) {
		t.Fatalf("ask paused mentor: %v", err)
	}
	// An answer starts the mentor's clock again.
	if _, err := f.Answer(f.ctx, mentee, r2.ID, "to lead a team"); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.PauseSilentMentors(f.ctx, f.advance(6*24*time.Hour)); n != 0 {
		t.Fatalf("answered request expired early")
	}
	if n, _ := f.PauseSilentMentors(f.ctx, f.advance(2*24*time.Hour)); n != 1 {
		t.Fatalf("answered request never expired")
	}
}

func TestSilenceLimitIsConfigurable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.SilenceLimit = time.Hour
	mentor := f.mentor(t, nil)
	if _, err := f.Ask(f.ctx, f.mentee(t, nil), mentor, "hello"); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.PauseSilentMentors(f.ctx, f.advance(61*time.Minute)); n != 1 {
		t.Fatalf("expired %d", n)
	}
}
