package mentors

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// ship starts a mentorship between a new mentor and a new mentee.
func (f *fixture) ship(t *testing.T) (mentor, mentee string, ship Mentorship) {
	t.Helper()
	mentor, mentee = f.mentor(t, nil), f.mentee(t, nil)
	r, err := f.Ask(f.ctx, mentee, mentor, "Please mentor me")
	if err != nil {
		t.Fatal(err)
	}
	if ship, err = f.Accept(f.ctx, mentor, r.ID); err != nil {
		t.Fatal(err)
	}
	return mentor, mentee, ship
}

// page reads a mentorship's page as its parties see it.
func (f *fixture) page(t *testing.T, shipID string) MentorshipPage {
	t.Helper()
	who, err := f.MentorshipParties(f.ctx, shipID)
	if err != nil {
		t.Fatal(err)
	}
	p := f.rdb.Pipeline()
	get := f.QueueMentorshipPage(f.ctx, p, who, shipID)
	if _, err := p.Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	pg, err := get()
	if err != nil {
		t.Fatal(err)
	}
	return pg
}

// Both people add goals, tick, untick and remove them; the list keeps
// the order they were added in.
func TestGoalsAreSharedByBothPeople(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.ship(t)
	a, err := f.AddGoal(f.ctx, mentee, ship.ID, "  Run a cluster upgrade  ")
	if err != nil {
		t.Fatal(err)
	}
	f.advance(time.Millisecond)
	b, err := f.AddGoal(f.ctx, mentor, ship.ID, "Give a talk")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ChangeGoal(f.ctx, mentor, ship.ID, a.ID, GoalTick); err != nil {
		t.Fatal(err)
	}
	pg := f.page(t, ship.ID)
	if len(pg.Goals) != 2 || pg.Goals[0].Text != "Run a cluster upgrade" || !pg.Goals[0].Done || pg.Goals[0].By != mentee ||
		pg.Goals[1].ID != b.ID || pg.Goals[1].Done {
		t.Fatalf("goals %+v", pg.Goals)
	}
	if err := f.ChangeGoal(f.ctx, mentee, ship.ID, a.ID, GoalUntick); err != nil {
		t.Fatal(err)
	}
	if err := f.ChangeGoal(f.ctx, mentee, ship.ID, b.ID, GoalRemove); err != nil {
		t.Fatal(err)
	}
	pg = f.page(t, ship.ID)
	if len(pg.Goals) != 1 || pg.Goals[0].ID != a.ID || pg.Goals[0].Done {
		t.Fatalf("goals after untick and remove %+v", pg.Goals)
	}
	if err := f.ChangeGoal(f.ctx, mentee, ship.ID, b.ID, GoalTick); !errors.Is(err, ErrNoGoal) {
		t.Fatalf("ticking a removed goal: %v", err)
	}
	if n, _ := f.rdb.SCard(f.ctx, f.shipDoneKey(mentor, ship.ID)).Result(); n != 0 {
		t.Fatalf("%d ticks left behind", n)
	}
}

// Many goroutines adding goals at once never get past MaxGoals; each one
// refused is told why.
func TestGoalsStayWithinTheLimitUnderRace(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.ship(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	added, refused := 0, 0
	for k := range 2 * MaxGoals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := mentor
			if k%2 == 0 {
				who = mentee
			}
			_, err := f.AddGoal(f.ctx, who, ship.ID, fmt.Sprintf("Goal %d", k))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				added++
			case errors.Is(err, ErrTooManyGoals):
				refused++
			default:
				t.Errorf("goal %d: %v", k, err)
			}
		}()
	}
	wg.Wait()
	if added != MaxGoals || refused != MaxGoals {
		t.Fatalf("added %d, refused %d; want %d each", added, refused, MaxGoals)
	}
	if got := len(f.page(t, ship.ID).Goals); got != MaxGoals {
		t.Fatalf("%d goals stored", got)
	}
}

// Notes are kept newest first with their author and time.
func TestNotesAreAppendedNewestFirst(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.ship(t)
	if _, err := f.AddNote(f.ctx, mentee, ship.ID, "Read *the* SRE book\nchapter 3"); err != nil {
		t.Fatal(err)
	}
	at := f.advance(time.Hour)
	if _, err := f.AddNote(f.ctx, mentor, ship.ID, "Next: pairing on Friday"); err != nil {
		t.Fatal(err)
	}
	pg := f.page(t, ship.ID)
	if len(pg.Notes) != 2 || pg.Notes[0].By != mentor || !pg.Notes[0].Posted.Equal(at) || pg.Notes[1].Text != "Read *the* SRE book\nchapter 3" {
		t.Fatalf("notes %+v", pg.Notes)
	}
}

// Outsiders, ended mentorships, unknown IDs, bad text and full lists are
// refused, and nothing is written.
func TestGoalsAndNotesRefuseBadInput(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.ship(t)
	stranger := f.mentee(t, nil)
	g, err := f.AddGoal(f.ctx, mentee, ship.ID, "A goal")
	if err != nil {
		t.Fatal(err)
	}
	fieldErr := func(field string) func(error) bool {
		return func(err error) bool {
			var ve valid.Errors
			return errors.As(err, &ve) && ve[field] != ""
		}
	}
	is := func(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }
	cases := []struct {
		name string
		do   func() error
		want func(error) bool
	}{
		{"empty goal", func() error { _, err := f.AddGoal(f.ctx, mentee, ship.ID, "   "); return err }, fieldErr("goal")},
		{"long goal", func() error {
			_, err := f.AddGoal(f.ctx, mentee, ship.ID, strings.Repeat("é", MaxGoalText+1))
			return err
		}, fieldErr("goal")},
		{"goal on two lines", func() error { _, err := f.AddGoal(f.ctx, mentee, ship.ID, "a\nb"); return err }, fieldErr("goal")},
		{"goal not UTF-8", func() error { _, err := f.AddGoal(f.ctx, mentee, ship.ID, "a\xff"); return err }, fieldErr("goal")},
		{"empty note", func() error { _, err := f.AddNote(f.ctx, mentee, ship.ID, ""); return err }, fieldErr("note")},
		{"long note", func() error {
			_, err := f.AddNote(f.ctx, mentee, ship.ID, strings.Repeat("n", MaxNoteText+1))
			return err
		}, fieldErr("note")},
		{"note with a control character", func() error { _, err := f.AddNote(f.ctx, mentee, ship.ID, "a\x00b"); return err }, fieldErr("note")},
		{"stranger adds a goal", func() error { _, err := f.AddGoal(f.ctx, stranger, ship.ID, "Mine"); return err }, is(ErrNotFound)},
		{"stranger ticks a goal", func() error { return f.ChangeGoal(f.ctx, stranger, ship.ID, g.ID, GoalTick) }, is(ErrNotFound)},
		{"stranger adds a note", func() error { _, err := f.AddNote(f.ctx, stranger, ship.ID, "Hi"); return err }, is(ErrNotFound)},
		{"unknown mentorship", func() error { _, err := f.AddGoal(f.ctx, mentee, ids.New(), "Goal"); return err }, is(ErrNotFound)},
		{"malformed mentorship", func() error { _, err := f.AddNote(f.ctx, mentee, "../x", "Note"); return err }, is(ErrNotFound)},
		{"unknown goal", func() error { return f.ChangeGoal(f.ctx, mentee, ship.ID, ids.New(), GoalTick) }, is(ErrNoGoal)},
		{"malformed goal", func() error { return f.ChangeGoal(f.ctx, mentee, ship.ID, "x y", GoalTick) }, is(ErrNoGoal)},
		{"unknown action", func() error { return f.ChangeGoal(f.ctx, mentee, ship.ID, g.ID, "delete") }, is(ErrWrongState)},
	}
	before := f.page(t, ship.ID)
	for _, c := range cases {
		if err := c.do(); !c.want(err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	after := f.page(t, ship.ID)
	if len(after.Goals) != len(before.Goals) || after.Goals[0].Done || len(after.Notes) != 0 {
		t.Fatalf("refused writes changed the page: %+v", after)
	}
	for k := range MaxNotes {
		if _, err := f.AddNote(f.ctx, mentor, ship.ID, fmt.Sprint("note ", k)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.AddNote(f.ctx, mentee, ship.ID, "one more"); !errors.Is(err, ErrTooManyNotes) {
		t.Fatalf("note past the limit: %v", err)
	}
	if _, err := f.EndMentorship(f.ctx, mentor, ship.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddGoal(f.ctx, mentee, ship.ID, "After the end"); !errors.Is(err, ErrEnded) {
		t.Fatalf("goal after the end: %v", err)
	}
	if err := f.ChangeGoal(f.ctx, mentee, ship.ID, g.ID, GoalTick); !errors.Is(err, ErrEnded) {
		t.Fatalf("tick after the end: %v", err)
	}
}

// A mentee who ends with a thank-you is counted on the mentor's profile,
// once; a mentor's "thanks" counts for nothing, and the seat is free.
func TestEndingWithThanksCountsOnTheMentor(t *testing.T) {
	f := newFixture(t)
	mentor, mentee, ship := f.ship(t)
	m, err := f.End(f.ctx, mentee, ship.ID, Ending{Reflection: " It helped. ", Thanks: true})
	if err != nil || !m.Thanked || m.MenteeFeedback != "It helped." {
		t.Fatalf("end: %v %+v", err, m)
	}
	if _, err := f.End(f.ctx, mentee, ship.ID, Ending{Thanks: true}); !errors.Is(err, ErrEnded) {
		t.Fatalf("second end: %v", err)
	}
	other := f.mentee(t, nil)
	r, err := f.Ask(f.ctx, other, mentor, "Me next")
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.Accept(f.ctx, mentor, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.End(f.ctx, mentor, second.ID, Ending{Thanks: true}); err != nil {
		t.Fatal(err)
	}
	if p, err := f.MentorProfile(f.ctx, mentor); err != nil || p.Thanks != 1 || p.Active != 0 {
		t.Fatalf("mentor after both ended: %d thanks, %d seats taken, %v", p.Thanks, p.Active, err)
	}
}
