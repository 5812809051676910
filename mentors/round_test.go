package mentors

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

var organizer = Actor{UserID: ids.New(), Organizer: true}

// roundWith opens a round and signs up the given mentors and mentees.
func roundWith(t *testing.T, f *fixture, exclude bool, group string, mentors, mentees []string) string {
	t.Helper()
	r, err := f.OpenRound(f.ctx, organizer, group, f.Now().Add(48*time.Hour), exclude)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mentors {
		if err := f.SignUp(f.ctx, r.ID, m, match.RoleMentor, 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range mentees {
		if err := f.SignUp(f.ctx, r.ID, e, match.RoleMentee, 0); err != nil {
			t.Fatal(err)
		}
	}
	return r.ID
}

func TestRoundRunsOnceThenPublishesMentorships(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m1 := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 1; p.Skills = []match.Skill{{Name: "go", Level: 5}} })
	m2 := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 2; p.Skills = []match.Skill{{Name: "go", Level: 2}} })
	spanish := f.mentor(t, func(p *match.MentorProfile) { p.Languages = []string{"es"} })
	e1, e2, e3 := f.mentee(t, nil), f.mentee(t, nil), f.mentee(t, nil)
	lonely := f.mentee(t, func(p *match.MenteeProfile) { p.Languages = []string{"ja"} })
	group := ids.New()
	round := roundWith(t, f, false, group, []string{m1, m2, spanish}, []string{e1, e2, e3, lonely})

	member := Actor{UserID: e1}
	if _, err := f.RunRound(f.ctx, member, round); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member ran the round: %v", err)
	}
	if _, err := f.PublishRound(f.ctx, organizer, round); !errors.Is(err, ErrNotRun) {
		t.Fatalf("published before running: %v", err)
	}
	res, err := f.RunRound(f.ctx, organizer, round)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 3 {
		t.Fatalf("pairs %+v", res.Pairs)
	}
	for _, p := range res.Pairs {
		if p.Reasons.String() == "" || p.MentorID == spanish {
			t.Fatalf("pair %+v", p)
		}
	}
	codes := map[string]string{}
	for _, u := range res.Unmatched {
		codes[u.UserID] = u.Code
	}
	if codes[lonely] != match.UnmatchedNoLanguage || codes[spanish] != match.UnmatchedNoLanguage || len(codes) != 2 {
		t.Fatalf("unmatched %+v", res.Unmatched)
	}
	if _, err := f.RunRound(f.ctx, organizer, round); !errors.Is(err, ErrAlreadyRun) {
		t.Fatalf("second run: %v", err)
	}
	if err := f.SignUp(f.ctx, round, f.mentee(t, nil), match.RoleMentee, 0); !errors.Is(err, ErrSignupClosed) {
		t.Fatalf("sign-up after matching: %v", err)
	}
	if err := f.ResetRound(f.ctx, member, round); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member reset: %v", err)
	}
	if err := f.ResetRound(f.ctx, organizer, round); err != nil {
		t.Fatal(err)
	}
	again, err := f.RunRound(f.ctx, organizer, round)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(again.Pairs, res.Pairs, func(a, b match.Pair) bool { return a.MenteeID == b.MenteeID && a.MentorID == b.MentorID }) {
		t.Fatalf("rerun gave other pairs: %+v vs %+v", again.Pairs, res.Pairs)
	}
	if _, err := f.PublishRound(f.ctx, member, round); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member published: %v", err)
	}
	rep, err := f.PublishRound(f.ctx, organizer, round)
	if err != nil || len(rep.Started) != 3 || len(rep.Skipped) != 0 {
		t.Fatalf("publish: %v %+v", err, rep)
	}
	for _, p := range res.Pairs {
		mine, _ := f.MyMentors(f.ctx, p.MenteeID)
		if len(mine) != 1 || mine[0].MentorID != p.MentorID || mine[0].RoundID != round {
			t.Fatalf("mentee %s mentorships %+v", p.MenteeID, mine)
		}
		if got := f.noticesTo(p.MenteeID); !slices.Contains(got, NoticeRoundMatch) {
			t.Fatalf("mentee %s not introduced: %v", p.MenteeID, got)
		}
	}
	if got := f.noticesTo(m2); len(got) != 2 {
		t.Fatalf("mentor with two mentees got notices %v", got)
	}
	if _, err := f.PublishRound(f.ctx, organizer, round); !errors.Is(err, ErrPublished) {
		t.Fatalf("second publish: %v", err)
	}
	if err := f.ResetRound(f.ctx, organizer, round); !errors.Is(err, ErrPublished) {
		t.Fatalf("reset after publish: %v", err)
	}

	// A later round that excludes earlier pairs matches everyone elsewhere.
	next := roundWith(t, f, true, group, []string{m1, m2}, []string{e1, e2, e3})
	prev := map[[2]string]bool{}
	for _, p := range res.Pairs {
		prev[[2]string{p.MenteeID, p.MentorID}] = true
	}
	// m1 and m2 are full with this round's mentees now; end the mentorships.
	for _, p := range rep.Started {
		ship, _ := f.MyMentors(f.ctx, p.MenteeID)
		if _, err := f.EndMentorship(f.ctx, p.MenteeID, ship[0].ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	res2, err := f.RunRound(f.ctx, organizer, next)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res2.Pairs {
		if prev[[2]string{p.MenteeID, p.MentorID}] {
			t.Fatalf("earlier pair matched again: %+v", p)
		}
	}
	for _, u := range res2.Unmatched {
		if u.Role == match.RoleMentee && u.Code != match.UnmatchedExcluded && u.Code != match.UnmatchedOutranked {
			t.Fatalf("unexpected reason %+v", u)
		}
	}
}

func TestRoundSignUpAndOpeningRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	group := ids.New()
	if _, err := f.OpenRound(f.ctx, Actor{UserID: ids.New()}, group, f.Now().Add(time.Hour), false); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member opened a round: %v", err)
	}
	var ve valid.Errors
	if _, err := f.OpenRound(f.ctx, organizer, group, f.Now().Add(-time.Hour), false); !errors.As(err, &ve) || ve["deadline"] == "" {
		t.Fatalf("past deadline: %v", err)
	}
	r, err := f.OpenRound(f.ctx, organizer, group, f.Now().Add(time.Hour), false)
	if err != nil {
		t.Fatal(err)
	}
	mentor := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 2 })
	mentee := f.mentee(t, nil)
	tests := []struct {
		name     string
		user     string
		role     match.Role
		capacity int
		want     error
		field    string
	}{
		{"unknown role", mentee, match.Role("boss"), 0, nil, "role"},
		{"negative capacity", mentor, match.RoleMentor, -1, nil, "capacity"},
		{"more than the profile offers", mentor, match.RoleMentor, 3, nil, "capacity"},
		{"mentor without a mentor profile", mentee, match.RoleMentor, 0, ErrNoProfile, ""},
		{"mentee without a mentee profile", mentor, match.RoleMentee, 0, ErrNoProfile, ""},
	}
	for _, tc := range tests {
		err := f.SignUp(f.ctx, r.ID, tc.user, tc.role, tc.capacity)
		if tc.field != "" {
			if !errors.As(err, &ve) || ve[tc.field] == "" {
				t.Errorf("%s: %v", tc.name, err)
			}
		} else if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	both := f.mentor(t, nil)
	if _, err := f.SaveMenteeProfile(f.ctx, match.MenteeProfile{UserID: both, Goals: "learn leadership", Path: "leadership",
		Languages: []string{"en"}, TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SignUp(f.ctx, r.ID, both, match.RoleMentor, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.SignUp(f.ctx, r.ID, both, match.RoleMentee, 0); !errors.Is(err, ErrOtherRole) {
		t.Fatalf("both roles: %v", err)
	}
	if err := f.SignUp(f.ctx, r.ID, mentor, match.RoleMentor, 1); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Round(f.ctx, r.ID)
	if got.Mentors[mentor] != 1 || got.Mentors[both] != 1 || len(got.Mentees) != 0 {
		t.Fatalf("sign-ups %+v", got)
	}
	if err := f.LeaveRound(f.ctx, r.ID, both); err != nil {
		t.Fatal(err)
	}
	f.advance(2 * time.Hour)
	if err := f.SignUp(f.ctx, r.ID, mentee, match.RoleMentee, 0); !errors.Is(err, ErrSignupClosed) {
		t.Fatalf("after the deadline: %v", err)
	}
	if err := f.SignUp(f.ctx, ids.New(), mentee, match.RoleMentee, 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown round: %v", err)
	}
}

func TestOrganizerFixesPairsByHand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 1; p.Languages = []string{"en", "de"} })
	b := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 1 })
	german := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 1; p.Languages = []string{"de"} })
	e1 := f.mentee(t, nil)
	e2 := f.mentee(t, func(p *match.MenteeProfile) { p.Languages = []string{"en", "de"} })
	e3 := f.mentee(t, func(p *match.MenteeProfile) { p.Languages = []string{"fr"} })
	round := roundWith(t, f, false, ids.New(), []string{a, b, german}, []string{e1, e2, e3})
	if _, err := f.SetPair(f.ctx, organizer, round, e1, a); !errors.Is(err, ErrNotRun) {
		t.Fatalf("edit before run: %v", err)
	}
	res, err := f.RunRound(f.ctx, organizer, round)
	if err != nil {
		t.Fatal(err)
	}
	mentorOf := func(res match.Result, mentee string) string {
		for _, p := range res.Pairs {
			if p.MenteeID == mentee {
				return p.MentorID
			}
		}
		return ""
	}
	member := Actor{UserID: e1}
	if _, err := f.SetPair(f.ctx, member, round, e1, b); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member edited: %v", err)
	}
	if _, err := f.SwapMentors(f.ctx, member, round, e1, e2); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member swapped: %v", err)
	}
	var ve valid.Errors
	if _, err := f.SetPair(f.ctx, organizer, round, e1, german); !errors.As(err, &ve) || ve["mentor"] == "" {
		t.Fatalf("pair without a shared language: %v", err)
	}
	if _, err := f.SetPair(f.ctx, organizer, round, e3, a); !errors.As(err, &ve) || ve["mentor"] == "" {
		t.Fatalf("french mentee with english/german mentor: %v", err)
	}
	// Every mentor has one seat, so moving e2 to e1's mentor overfills them.
	if _, err := f.SetPair(f.ctx, organizer, round, e2, mentorOf(res, e1)); !errors.As(err, &ve) || ve["mentor"] == "" {
		t.Fatalf("over capacity: %v", err)
	}
	if _, err := f.SetPair(f.ctx, organizer, round, ids.New(), a); !errors.As(err, &ve) || ve["mentee"] == "" {
		t.Fatalf("unknown mentee: %v", err)
	}
	// Move e2 to the German mentor, then swap e1 and e2.
	res, err = f.SetPair(f.ctx, organizer, round, e2, german)
	if err != nil {
		t.Fatal(err)
	}
	if mentorOf(res, e2) != german {
		t.Fatalf("e2 not with german mentor: %+v", res.Pairs)
	}
	if _, err := f.SwapMentors(f.ctx, organizer, round, e1, e2); !errors.As(err, &ve) {
		t.Fatalf("swap giving e1 a German-only mentor: %v", err)
	}
	res, err = f.SetPair(f.ctx, organizer, round, e1, "")
	if err != nil {
		t.Fatal(err)
	}
	if mentorOf(res, e1) != "" || !slices.ContainsFunc(res.Unmatched, func(u match.Unmatched) bool {
		return u.UserID == e1 && u.Code == UnmatchedOrganizer
	}) {
		t.Fatalf("e1 not listed unmatched: %+v", res)
	}
	res, err = f.SetPair(f.ctx, organizer, round, e1, b)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(res.Unmatched, func(u match.Unmatched) bool { return u.UserID == e1 || u.UserID == b }) {
		t.Fatalf("paired people still listed unmatched: %+v", res.Unmatched)
	}
	stored, _ := f.Round(f.ctx, round)
	if mentorOf(*stored.Result, e1) != b || mentorOf(*stored.Result, e2) != german {
		t.Fatalf("edits not stored: %+v", stored.Result.Pairs)
	}
	rep, err := f.PublishRound(f.ctx, organizer, round)
	if err != nil || len(rep.Started) != len(stored.Result.Pairs) {
		t.Fatalf("publish: %v %+v", err, rep)
	}
}

func TestPublishNeverExceedsCapacityTakenSinceMatching(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 1 })
	mentee := f.mentee(t, nil)
	round := roundWith(t, f, false, ids.New(), []string{mentor}, []string{mentee})
	if res, err := f.RunRound(f.ctx, organizer, round); err != nil || len(res.Pairs) != 1 {
		t.Fatalf("run: %v %+v", err, res)
	}
	r, _ := f.Ask(f.ctx, f.mentee(t, nil), mentor, "outside the round")
	if _, err := f.Accept(f.ctx, mentor, r.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := f.PublishRound(f.ctx, organizer, round)
	if err != nil || len(rep.Started) != 0 || len(rep.Skipped) != 1 {
		t.Fatalf("publish: %v %+v", err, rep)
	}
	if mine, _ := f.MyMentees(f.ctx, mentor); len(mine) != 1 {
		t.Fatalf("mentor has %d mentees", len(mine))
	}
}

func TestConcurrentRunsMatchARoundOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	round := roundWith(t, f, false, ids.New(), []string{f.mentor(t, nil)}, []string{f.mentee(t, nil), f.mentee(t, nil)})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, already := 0, 0
	for k := 0; k < 10; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.RunRound(f.ctx, organizer, round)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrAlreadyRun):
				already++
			default:
				t.Errorf("run: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || already != 9 {
		t.Fatalf("%d runs stored, %d refused; want 1 and 9", ok, already)
	}
}

// A mentee and mentor of a round who already mentor each other (from a
// request) are not paired again, the round says so, and the mentee goes
// to the other mentor.
func TestRoundKeepsExistingPairsApart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	busy := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 3; p.Skills = []match.Skill{{Name: "go", Level: 5}} })
	other := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 3; p.Skills = []match.Skill{{Name: "go", Level: 1}} })
	e := f.mentee(t, nil)
	req, err := f.Ask(f.ctx, e, busy, "Could you help me with Go?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accept(f.ctx, busy, req.ID); err != nil {
		t.Fatal(err)
	}
	round := roundWith(t, f, false, ids.New(), []string{busy, other}, []string{e})
	res, err := f.RunRound(f.ctx, organizer, round)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Existing) != 1 || res.Existing[0] != (match.PairKey{MenteeID: e, MentorID: busy}) {
		t.Fatalf("existing pairs %+v", res.Existing)
	}
	if len(res.Pairs) != 1 || res.Pairs[0].MentorID != other {
		t.Fatalf("pairs %+v: the mentee was paired with the mentor they already have", res.Pairs)
	}
}
