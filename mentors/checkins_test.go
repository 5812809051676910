package mentors

import (
	"errors"
	"testing"
	"time"
)

// checkInTokens returns the check-in tokens sent so far, by recipient.
func (f *fixture) checkInTokens() map[string][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]string{}
	for _, n := range f.notices {
		if n.Kind == NoticeCheckIn {
			out[n.To] = append(out[n.To], n.Text)
		}
	}
	return out
}

// The mentor sets a cadence; the sweep sends both people a check-in once
// per period, however often it runs, and the answers are recorded.
func TestCheckInsGoOutOncePerPeriod(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.ship(t)
	if err := f.SetCheckIns(f.ctx, mentee, ship.ID, 2); !errors.Is(err, ErrForbidden) {
		t.Fatalf("the mentee set the cadence: %v", err)
	}
	if err := f.SetCheckIns(f.ctx, mentor, ship.ID, 5); !errors.Is(err, ErrCheckInCadence) {
		t.Fatalf("every 5 weeks: %v", err)
	}
	if err := f.SetCheckIns(f.ctx, mentor, ship.ID, 2); err != nil {
		t.Fatal(err)
	}
	if n, err := f.SendCheckIns(f.ctx, f.advance(13*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("before two weeks: %d, %v", n, err)
	}
	now := f.advance(24 * time.Hour)
	for range 3 {
		if n, err := f.SendCheckIns(f.ctx, now); err != nil || n > 1 {
			t.Fatalf("sweep: %d, %v", n, err)
		}
	}
	toks := f.checkInTokens()
	if len(toks[mentor]) != 1 || len(toks[mentee]) != 1 {
		t.Fatalf("check-ins sent: %v", toks)
	}
	l, err := f.CheckInLink(f.ctx, toks[mentee][0])
	if err != nil || l.UserID != mentee || l.MentorshipID != ship.ID || l.Answer != "" {
		t.Fatalf("link: %+v, %v", l, err)
	}
	if err := f.AnswerCheckIn(f.ctx, toks[mentee][0], CheckInStuck); err != nil {
		t.Fatal(err)
	}
	if err := f.AnswerCheckIn(f.ctx, toks[mentor][0], CheckInGreat); err != nil {
		t.Fatal(err)
	}
	if err := f.AnswerCheckIn(f.ctx, toks[mentee][0], CheckInOK); err != nil {
		t.Fatal(err)
	}
	pg := f.page(t, ship.ID)
	if pg.CheckInWeeks != 2 || len(pg.CheckIns) != 2 {
		t.Fatalf("page: every %d weeks, %+v", pg.CheckInWeeks, pg.CheckIns)
	}
	got := map[string]CheckInAnswer{}
	for _, c := range pg.CheckIns {
		got[c.UserID] = c.Answer
	}
	if got[mentor] != CheckInGreat || got[mentee] != CheckInOK {
		t.Fatalf("answers %v", got)
	}
	// The next period sends again; turning it off stops them.
	if n, _ := f.SendCheckIns(f.ctx, f.advance(14*24*time.Hour)); n != 1 {
		t.Fatalf("second period: %d", n)
	}
	if err := f.SetCheckIns(f.ctx, mentor, ship.ID, 0); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.SendCheckIns(f.ctx, f.advance(60*24*time.Hour)); n != 0 {
		t.Fatalf("after turning it off: %d", n)
	}
	if toks := f.checkInTokens(); len(toks[mentor]) != 2 {
		t.Fatalf("check-ins sent: %v", toks)
	}
}

// Bad, tampered and foreign tokens and answers are refused and record
// nothing; an ended mentorship gets no more check-ins.
func TestCheckInLinksRefuseBadTokens(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.ship(t)
	if err := f.SetCheckIns(f.ctx, mentor, ship.ID, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := f.SendCheckIns(f.ctx, f.advance(21*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	tok := f.checkInTokens()[mentee][0]
	tampered := tok[:len(tok)-1] + "a"
	if tampered == tok {
		tampered = tok[:len(tok)-1] + "b"
	}
	for _, bad := range []string{"", "x", tampered, ship.ID + ".short", "nope." + tok[25:], tok + "x"} {
		if _, err := f.CheckInLink(f.ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("link %q: %v", bad, err)
		}
		if err := f.AnswerCheckIn(f.ctx, bad, CheckInGreat); !errors.Is(err, ErrNotFound) {
			t.Errorf("answer with %q: %v", bad, err)
		}
	}
	if err := f.AnswerCheckIn(f.ctx, tok, "meh"); !errors.Is(err, ErrWrongState) {
		t.Errorf("answer meh: %v", err)
	}
	if got := f.page(t, ship.ID).CheckIns; len(got) != 0 {
		t.Fatalf("answers recorded: %+v", got)
	}
	if _, err := f.EndMentorship(f.ctx, mentee, ship.ID, ""); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.SendCheckIns(f.ctx, f.advance(21*24*time.Hour)); n != 0 {
		t.Fatalf("check-ins after the end: %d", n)
	}
	if n, _ := f.rdb.ZCard(f.ctx, f.checkInsDueKey()).Result(); n != 0 {
		t.Fatalf("the ended mentorship is still scheduled")
	}
}
