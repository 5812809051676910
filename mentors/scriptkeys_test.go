package mentors

import (
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

// Every mentoring script declares every key it touches: asking, the
// question and answer, accepting, goals, notes, meetings and check-ins, ending with thanks, declining, pausing, and the
// sweep that pauses silent mentors.
func TestScriptsDeclareTheirKeys(t *testing.T) {
	f := newFixture(t)
	testenv.CheckScriptKeys(t, f.rdb, f.prefix, func() {
		mentor, mentee, other := f.mentor(t, nil), f.mentee(t, nil), f.mentee(t, nil)
		r, err := f.Ask(f.ctx, mentee, mentor, "I want to learn Go")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.AskQuestion(f.ctx, mentor, r.ID, "How many hours a week?"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Answer(f.ctx, mentee, r.ID, "Two"); err != nil {
			t.Fatal(err)
		}
		ship, err := f.Accept(f.ctx, mentor, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		g, err := f.AddGoal(f.ctx, mentor, ship.ID, "Ship a service")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.ChangeGoal(f.ctx, mentee, ship.ID, g.ID, GoalTick); err != nil {
			t.Fatal(err)
		}
		if _, err := f.AddNote(f.ctx, mentee, ship.ID, "Notes"); err != nil {
			t.Fatal(err)
		}
		meet, err := f.ProposeMeeting(f.ctx, mentee, ship.ID, f.Now().Add(48*time.Hour), true)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.AnswerMeeting(f.ctx, mentor, ship.ID, meet.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.CancelMeeting(f.ctx, mentor, ship.ID, meet.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCheckIns(f.ctx, mentor, ship.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := f.SendCheckIns(f.ctx, f.advance(15*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, n := range f.notices {
			if n.Kind == NoticeCheckIn {
				if err := f.AnswerCheckIn(f.ctx, n.Text, CheckInGreat); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := f.End(f.ctx, mentee, ship.ID, Ending{Reflection: "Thanks", Thanks: true}); err != nil {
			t.Fatal(err)
		}
		r2, err := f.Ask(f.ctx, other, mentor, "Me too?")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Decline(f.ctx, mentor, r2.ID, "Not now"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Ask(f.ctx, other, mentor, "Later then?"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.PauseSilentMentors(f.ctx, f.advance(60*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := f.SetPaused(f.ctx, mentor, false, ""); err != nil {
			t.Fatal(err)
		}
	})
}
