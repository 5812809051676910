package clustertest

import (
	"errors"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/mentors"
)

// A mentorship's goals, notes, meetings, check-ins and ending each run in
// one hash slot on a cluster: no CROSSSLOT, and the page reads them in
// one pipeline.
func TestMentorshipWorkOnCluster(t *testing.T) {
	f := newMentorsFixture(t)
	s, ctx := f.s, f.ctx
	mentor, mentee := f.mentor(nil), f.mentee(nil)
	ship, err := s.Accept(ctx, mentor, f.ask(mentee, mentor).ID)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.AddGoal(ctx, mentee, ship.ID, "Run a cluster upgrade")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeGoal(ctx, mentor, ship.ID, g.ID, mentors.GoalTick); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, mentor, ship.ID, "Read chapter 3"); err != nil {
		t.Fatal(err)
	}
	m, err := s.ProposeMeeting(ctx, mentee, ship.ID, f.clk.Now().Add(48*time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AnswerMeeting(ctx, mentor, ship.ID, m.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCheckIns(ctx, mentor, ship.ID, 2); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(15 * 24 * time.Hour)
	if n, err := s.SendCheckIns(ctx, f.clk.Now()); err != nil || n != 1 {
		t.Fatalf("check-ins: %d, %v", n, err)
	}
	f.mu.Lock()
	var token string
	for _, n := range f.notices {
		if n.Kind == mentors.NoticeCheckIn && n.To == mentee {
			token = n.Text
		}
	}
	f.mu.Unlock()
	if err := s.AnswerCheckIn(ctx, token, mentors.CheckInGreat); err != nil {
		t.Fatal(err)
	}
	who, err := s.MentorshipParties(ctx, ship.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := f.rdb.Pipeline()
	get := s.QueueMentorshipPage(ctx, p, who, ship.ID)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	pg, err := get()
	if err != nil || len(pg.Goals) != 1 || !pg.Goals[0].Done || len(pg.Notes) != 1 || len(pg.Meetings) != 1 || len(pg.CheckIns) != 1 {
		t.Fatalf("page: %+v, %v", pg, err)
	}
	if _, err := s.End(ctx, mentee, ship.ID, mentors.Ending{Thanks: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddGoal(ctx, mentee, ship.ID, "After"); !errors.Is(err, mentors.ErrEnded) {
		t.Fatalf("goal after the end: %v", err)
	}
	if prof, err := s.MentorProfile(ctx, mentor); err != nil || prof.Thanks != 1 {
		t.Fatalf("thanks: %d, %v", prof.Thanks, err)
	}
}
