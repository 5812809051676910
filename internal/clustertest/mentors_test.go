package clustertest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

type mentorsFixture struct {
	t      *testing.T
	ctx    context.Context
	rdb    redis.UniversalClient
	prefix string
	s      *mentors.Store
	clk    *clock

	mu      sync.Mutex
	notices []mentors.Notice
}

func newMentorsFixture(t *testing.T) *mentorsFixture {
	rdb, prefix := cluster(t)
	f := &mentorsFixture{t: t, ctx: context.Background(), rdb: rdb, prefix: prefix, s: mentors.NewStore(rdb, prefix),
		clk: newClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	f.s.Now = f.clk.Now
	f.s.Notify = func(_ context.Context, n mentors.Notice) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.notices = append(f.notices, n)
		return nil
	}
	return f
}

func (f *mentorsFixture) noticesTo(user string) []mentors.NoticeKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []mentors.NoticeKind
	for _, n := range f.notices {
		if n.To == user {
			out = append(out, n.Kind)
		}
	}
	return out
}

func (f *mentorsFixture) mentor(change func(*match.MentorProfile)) string {
	f.t.Helper()
	p := match.MentorProfile{UserID: ids.New(), Skills: []match.Skill{{Name: "go", Level: 4}, {Name: "kubernetes", Level: 3}},
		Paths: []string{"devops"}, Years: 8, Languages: []string{"en"}, TimeZone: "Europe/Berlin", Capacity: 2,
		Availability: match.Availability{HoursPerWeek: 2}}
	if change != nil {
		change(&p)
	}
	if _, err := f.s.SaveMentorProfile(f.ctx, p); err != nil {
		f.t.Fatalf("save mentor: %v", err)
	}
	return p.UserID
}

func (f *mentorsFixture) mentee(change func(*match.MenteeProfile)) string {
	f.t.Helper()
	p := match.MenteeProfile{UserID: ids.New(), Goals: "run Kubernetes clusters well", Path: "devops",
		WantSkills: []string{"go"}, Languages: []string{"en"}, TimeZone: "Europe/Lisbon"}
	if change != nil {
		change(&p)
	}
	if _, err := f.s.SaveMenteeProfile(f.ctx, p); err != nil {
		f.t.Fatalf("save mentee: %v", err)
	}
	return p.UserID
}

func (f *mentorsFixture) ask(mentee, mentor string) mentors.Request {
	f.t.Helper()
	r, err := f.s.Ask(f.ctx, mentee, mentor, "Could you help me with Go?")
	if err != nil {
		f.t.Fatalf("ask: %v", err)
	}
	return r
}

func suggested(ss []match.Suggestion) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, s.Mentor.UserID)
	}
	return out
}

func TestMentorsProfilesAndSuggestOnCluster(t *testing.T) {
	t.Parallel()
	f := newMentorsFixture(t)
	ctx, s := f.ctx, f.s

	expert := f.mentor(func(p *match.MentorProfile) { p.Skills[0].Level = 5; p.PreferPath = "devops" })
	plain := f.mentor(nil)
	german := f.mentor(func(p *match.MentorProfile) { p.Languages = []string{"de"} })
	frontend := f.mentor(func(p *match.MentorProfile) {
		p.Skills = []match.Skill{{Name: "react", Level: 5}}
		p.Paths = []string{"frontend"}
	})
	resting := f.mentor(func(p *match.MentorProfile) { p.Capacity = 0 })

	if p, err := s.MentorProfile(ctx, expert); err != nil || p.Capacity != 2 || p.Paused || p.Active != 0 {
		t.Fatalf("mentor profile: %+v %v", p, err)
	}
	mentee := f.mentee(nil)
	if p, err := s.MenteeProfile(ctx, mentee); err != nil || p.Path != "devops" {
		t.Fatalf("mentee profile: %+v %v", p, err)
	}

	got, err := s.Suggest(ctx, mentee, match.Filter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids := suggested(got); len(ids) != 2 || ids[0] != expert || ids[1] != plain {
		t.Fatalf("suggestions = %v, want expert then plain (not %v, %v, %v)", ids, german, frontend, resting)
	}
	if got[0].Score <= got[1].Score {
		t.Fatalf("scores %d <= %d", got[0].Score, got[1].Score)
	}

	// A mentee speaking two languages gets the union, each mentor once.
	bilingual := f.mentee(func(p *match.MenteeProfile) { p.Languages = []string{"en", "de"} })
	got, err = s.Suggest(ctx, bilingual, match.Filter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := suggested(got)
	if len(ids) != 3 || !slices.Contains(ids, german) || ids[0] != expert {
		t.Fatalf("bilingual suggestions = %v", ids)
	}
	got, err = s.Suggest(ctx, bilingual, match.Filter{Skill: "kubernetes", Language: "de"}, 10)
	if err != nil || !slices.Equal(suggested(got), []string{german}) {
		t.Fatalf("filtered suggestions = %v %v", suggested(got), err)
	}
	// A page's read ranks alike in one pipeline across the slots, the
	// second time with the ranking in the first round trip.
	for range 2 {
		p := f.rdb.Pipeline()
		r := s.QueueSuggest(ctx, p, bilingual, match.Filter{}, 10)
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		p = f.rdb.Pipeline()
		read, _, err := r.QueueProfiles(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := read()
		if err != nil || !slices.Equal(suggested(page), ids) {
			t.Fatalf("page suggestions = %v %v, want %v", suggested(page), err, ids)
		}
	}

	// A profile change moves the mentor between the indexes.
	if _, err := s.SaveMentorProfile(ctx, match.MentorProfile{UserID: plain, Skills: []match.Skill{{Name: "react", Level: 3}},
		Paths: []string{"frontend"}, Years: 8, Languages: []string{"en"}, TimeZone: "Europe/Berlin", Capacity: 2,
		Availability: match.Availability{HoursPerWeek: 2}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Suggest(ctx, mentee, match.Filter{}, 10); !slices.Equal(suggested(got), []string{expert}) {
		t.Fatalf("suggestions after the change = %v", suggested(got))
	}

	if err := s.SetPaused(ctx, expert, true, "holiday"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.MentorProfile(ctx, expert); !p.Paused || p.PauseReason != "holiday" {
		t.Fatalf("paused profile = %+v", p)
	}
	if _, err := s.Ask(ctx, mentee, expert, "Hi"); !errors.Is(err, mentors.ErrPaused) {
		t.Fatalf("ask a paused mentor: %v", err)
	}
	if got, _ := s.Suggest(ctx, mentee, match.Filter{}, 10); len(got) != 0 {
		t.Fatalf("paused mentor suggested: %v", suggested(got))
	}
	for _, k := range keysUnder(t, f.rdb, f.prefix) {
		if strings.Contains(k, ":tmp:") {
			t.Errorf("Suggest left a temporary key: %s", k)
		}
	}
}

func TestMentorsRequestsOnCluster(t *testing.T) {
	t.Parallel()
	f := newMentorsFixture(t)
	ctx, s := f.ctx, f.s
	busy := f.mentor(func(p *match.MentorProfile) { p.Capacity = 3 })

	// Ten mentees ask; the mentor accepts all at once: three get a seat.
	const n = 10
	reqs := make([]mentors.Request, n)
	for i := range n {
		reqs[i] = f.ask(f.mentee(nil), busy)
	}
	if in, err := s.PendingIn(ctx, busy); err != nil || len(in) != n {
		t.Fatalf("pending in: %d %v", len(in), err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = s.Accept(ctx, busy, reqs[i].ID) })
	}
	wg.Wait()
	accepted := 0
	for i, err := range errs {
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, mentors.ErrFull):
		default:
			t.Fatalf("accept %d: %v", i, err)
		}
	}
	if accepted != 3 {
		t.Fatalf("%d accepts went through for 3 seats", accepted)
	}
	if p, _ := s.MentorProfile(ctx, busy); p.Active != 3 {
		t.Fatalf("active mentees = %d", p.Active)
	}
	mine, err := s.MyMentees(ctx, busy)
	if err != nil || len(mine) != 3 {
		t.Fatalf("my mentees: %d %v", len(mine), err)
	}
	ship := mine[0]
	if ms, _ := s.MyMentors(ctx, ship.MenteeID); len(ms) != 1 || ms[0].ID != ship.ID {
		t.Fatalf("my mentors of %s = %+v", ship.MenteeID, ms)
	}
	if got := f.noticesTo(ship.MenteeID); !slices.Contains(got, mentors.NoticeRequestAccepted) {
		t.Fatalf("notices to the accepted mentee = %v", got)
	}

	// Ending frees a seat on both sides.
	ended, err := s.EndMentorship(ctx, ship.MenteeID, ship.ID, "Thanks!")
	if err != nil || ended.Ended.IsZero() || ended.MenteeFeedback != "Thanks!" {
		t.Fatalf("end: %+v %v", ended, err)
	}
	if _, err := s.EndMentorship(ctx, busy, ship.ID, ""); !errors.Is(err, mentors.ErrEnded) {
		t.Fatalf("end twice: %v", err)
	}
	if ms, _ := s.MyMentors(ctx, ship.MenteeID); len(ms) != 0 {
		t.Fatalf("mentors after the end = %+v", ms)
	}
	if p, _ := s.MentorProfile(ctx, busy); p.Active != 2 {
		t.Fatalf("active after the end = %d", p.Active)
	}
	if got := f.noticesTo(busy); !slices.Contains(got, mentors.NoticeMentorshipEnded) {
		t.Fatalf("notices to the mentor = %v", got)
	}

	// Decline and withdraw.
	other := f.mentor(nil)
	mentee := f.mentee(nil)
	r := f.ask(mentee, other)
	if _, err := s.Ask(ctx, mentee, other, "again"); !errors.Is(err, mentors.ErrDuplicateRequest) {
		t.Fatalf("second open request to one mentor: %v", err)
	}
	if out, _ := s.PendingOut(ctx, mentee); len(out) != 1 || out[0].ID != r.ID {
		t.Fatalf("pending out = %+v", out)
	}
	declined, err := s.Decline(ctx, other, r.ID, "Not this month.")
	if err != nil || declined.State != mentors.RequestDeclined || declined.Reply != "Not this month." {
		t.Fatalf("decline: %+v %v", declined, err)
	}
	if out, _ := s.PendingOut(ctx, mentee); len(out) != 0 {
		t.Fatalf("pending out after decline = %+v", out)
	}
	r = f.ask(mentee, other)
	withdrawn, err := s.Withdraw(ctx, mentee, r.ID)
	if err != nil || withdrawn.State != mentors.RequestWithdrawn {
		t.Fatalf("withdraw: %+v %v", withdrawn, err)
	}
	if _, err := s.Accept(ctx, other, r.ID); !errors.Is(err, mentors.ErrWithdrawn) {
		t.Fatalf("accept a withdrawn request: %v", err)
	}
	if got, err := s.Request(ctx, mentee, r.ID); err != nil || got.State != mentors.RequestWithdrawn {
		t.Fatalf("request: %+v %v", got, err)
	}
	if _, err := s.Request(ctx, busy, r.ID); !errors.Is(err, mentors.ErrForbidden) {
		t.Fatalf("request read by a stranger: %v", err)
	}
}

// TestMentorsSilenceSweepOnCluster: a mentor who leaves a request
// unanswered is paused by the sweep.
func TestMentorsSilenceSweepOnCluster(t *testing.T) {
	t.Parallel()
	f := newMentorsFixture(t)
	ctx, s := f.ctx, f.s
	silent := f.mentor(nil)
	waiting := f.mentee(nil)
	r := f.ask(waiting, silent)
	if n, err := s.PauseSilentMentors(ctx, f.clk.Now()); err != nil || n != 0 {
		t.Fatalf("early sweep: %d %v", n, err)
	}
	later := f.clk.Advance(mentors.DefaultSilenceLimit + time.Hour)
	if n, err := s.PauseSilentMentors(ctx, later); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if p, _ := s.MentorProfile(ctx, silent); !p.Paused || !p.PausedAuto {
		t.Fatalf("silent mentor not paused: %+v", p)
	}
	if got, _ := s.Request(ctx, waiting, r.ID); got.State != mentors.RequestExpired {
		t.Fatalf("request after the sweep: %+v", got)
	}
	if out, _ := s.PendingOut(ctx, waiting); len(out) != 0 {
		t.Fatalf("expired request still open: %+v", out)
	}
	if got := f.noticesTo(silent); !slices.Contains(got, mentors.NoticeMentorPaused) {
		t.Fatalf("notices to the silent mentor = %v", got)
	}
	if got := f.noticesTo(waiting); !slices.Contains(got, mentors.NoticeRequestExpired) {
		t.Fatalf("notices to the waiting mentee = %v", got)
	}
	if n, err := s.PauseSilentMentors(ctx, later); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
}

func TestMentorsRoundOnCluster(t *testing.T) {
	t.Parallel()
	f := newMentorsFixture(t)
	ctx, s := f.ctx, f.s
	org := mentors.Actor{UserID: ids.New(), Organizer: true}
	group := ids.New()

	if _, err := s.OpenRound(ctx, mentors.Actor{UserID: ids.New()}, group, f.clk.Now().Add(time.Hour), false); !errors.Is(err, mentors.ErrForbidden) {
		t.Fatalf("open by a member: %v", err)
	}
	r, err := s.OpenRound(ctx, org, group, f.clk.Now().Add(48*time.Hour), true)
	if err != nil || r.State != mentors.RoundOpen {
		t.Fatalf("open: %+v %v", r, err)
	}
	if rs, _ := s.GroupRounds(ctx, group); !slices.Equal(rs, []string{r.ID}) {
		t.Fatalf("group rounds = %v", rs)
	}
	m1, m2 := f.mentor(nil), f.mentor(func(p *match.MentorProfile) { p.Capacity = 1 })
	var mentees []string
	for range 3 {
		mentees = append(mentees, f.mentee(nil))
	}
	for _, m := range []string{m1, m2} {
		if err := s.SignUp(ctx, r.ID, m, match.RoleMentor, 0); err != nil {
			t.Fatalf("mentor sign-up: %v", err)
		}
	}
	for _, m := range mentees {
		if err := s.SignUp(ctx, r.ID, m, match.RoleMentee, 0); err != nil {
			t.Fatalf("mentee sign-up: %v", err)
		}
	}
	if _, err := s.SaveMenteeProfile(ctx, match.MenteeProfile{UserID: m1, Goals: "learn Rust", WantSkills: []string{"rust"},
		Languages: []string{"en"}, TimeZone: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SignUp(ctx, r.ID, m1, match.RoleMentee, 0); !errors.Is(err, mentors.ErrOtherRole) {
		t.Fatalf("sign up in the other role: %v", err)
	}
	got, _ := s.Round(ctx, r.ID)
	if len(got.Mentors) != 2 || len(got.Mentees) != 3 || got.Mentors[m2] != 1 {
		t.Fatalf("round sign-ups = %+v", got)
	}

	res, err := s.RunRound(ctx, org, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 3 {
		t.Fatalf("pairs = %+v, unmatched %+v", res.Pairs, res.Unmatched)
	}
	if _, err := s.RunRound(ctx, org, r.ID); !errors.Is(err, mentors.ErrAlreadyRun) {
		t.Fatalf("run twice: %v", err)
	}
	// Organizer edits: swap two mentees' mentors, then undo it.
	a, b := res.Pairs[0], res.Pairs[len(res.Pairs)-1]
	if a.MentorID == b.MentorID {
		t.Fatalf("first and last pair share mentor %s: %+v", a.MentorID, res.Pairs)
	}
	swapped, err := s.SwapMentors(ctx, org, r.ID, a.MenteeID, b.MenteeID)
	if err != nil || mentorOf(swapped, a.MenteeID) != b.MentorID || mentorOf(swapped, b.MenteeID) != a.MentorID {
		t.Fatalf("swap: %+v %v", swapped.Pairs, err)
	}
	if _, err := s.SwapMentors(ctx, org, r.ID, a.MenteeID, b.MenteeID); err != nil {
		t.Fatalf("swap back: %v", err)
	}
	if out, err := s.SetPair(ctx, org, r.ID, b.MenteeID, ""); err != nil || mentorOf(out, b.MenteeID) != "" {
		t.Fatalf("unpair: %+v %v", out.Pairs, err)
	}
	if _, err := s.SetPair(ctx, org, r.ID, b.MenteeID, b.MentorID); err != nil {
		t.Fatalf("pair again: %v", err)
	}
	if got, _ := s.Round(ctx, r.ID); mentorOf(*got.Result, a.MenteeID) != a.MentorID || mentorOf(*got.Result, b.MenteeID) != b.MentorID {
		t.Fatalf("pairs after the edits = %+v", got.Result.Pairs)
	}
	rep, err := s.PublishRound(ctx, org, r.ID)
	if err != nil || len(rep.Started) != 3 || len(rep.Skipped) != 0 {
		t.Fatalf("publish: %+v %v", rep, err)
	}
	if _, err := s.PublishRound(ctx, org, r.ID); !errors.Is(err, mentors.ErrPublished) {
		t.Fatalf("publish twice: %v", err)
	}
	if got, _ := s.Round(ctx, r.ID); got.State != mentors.RoundPublished {
		t.Fatalf("state after publish = %s", got.State)
	}
	for _, p := range rep.Started {
		ms, err := s.MyMentors(ctx, p.MenteeID)
		if err != nil || len(ms) != 1 || ms[0].MentorID != p.MentorID || ms[0].RoundID != r.ID {
			t.Fatalf("mentors of %s = %+v %v", p.MenteeID, ms, err)
		}
		if got := f.noticesTo(p.MenteeID); !slices.Contains(got, mentors.NoticeRoundMatch) {
			t.Fatalf("no introduction to %s: %v", p.MenteeID, got)
		}
	}
	if p, _ := s.MentorProfile(ctx, m1); p.Active != 2 {
		t.Fatalf("m1 active = %d", p.Active)
	}

	// A second round excludes the published pairs.
	r2, err := s.OpenRound(ctx, org, group, f.clk.Now().Add(48*time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	m3 := f.mentor(nil)
	for _, u := range []string{m3} {
		if err := s.SignUp(ctx, r2.ID, u, match.RoleMentor, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SignUp(ctx, r2.ID, rep.Started[0].MenteeID, match.RoleMentee, 0); err != nil {
		t.Fatal(err)
	}
	res2, err := s.RunRound(ctx, org, r2.ID)
	if err != nil || len(res2.Pairs) != 1 || res2.Pairs[0].MentorID != m3 {
		t.Fatalf("second round: %+v %v", res2, err)
	}
}

func mentorOf(res match.Result, mentee string) string {
	for _, p := range res.Pairs {
		if p.MenteeID == mentee {
			return p.MentorID
		}
	}
	return ""
}
