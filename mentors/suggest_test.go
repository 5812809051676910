package mentors

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func suggestedIDs(t *testing.T, f *fixture, mentee string, filter match.Filter) []string {
	t.Helper()
	got, err := f.Suggest(f.ctx, mentee, filter, 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range got {
		if s.Reasons.String() == "" || s.Reasons.Total() != s.Score {
			t.Fatalf("suggestion %s without consistent reasons", s.Mentor.UserID)
		}
		out = append(out, s.Mentor.UserID)
	}
	return out
}

func TestSuggestLeavesOutMentorsWhoCannotTakeTheMentee(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	best := f.mentor(t, func(p *match.MentorProfile) { p.Skills = []match.Skill{{Name: "go", Level: 5}} })
	good := f.mentor(t, func(p *match.MentorProfile) { p.Skills = []match.Skill{{Name: "go", Level: 1}} })
	pathOnly := f.mentor(t, func(p *match.MentorProfile) { p.Skills = []match.Skill{{Name: "java", Level: 5}} })
	paused := f.mentor(t, nil)
	full := f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 1 })
	f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 0 })               // not mentoring
	f.mentor(t, func(p *match.MentorProfile) { p.Languages = []string{"de"} }) // no shared language
	f.mentor(t, func(p *match.MentorProfile) {
		p.Paths, p.Skills = []string{"ml"}, []match.Skill{{Name: "python", Level: 5}}
	}) // nothing in common
	if err := f.SetPaused(f.ctx, paused, true, "busy"); err != nil {
		t.Fatal(err)
	}
	other := f.mentee(t, nil)
	r, err := f.Ask(f.ctx, other, full, "hello, can you help?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accept(f.ctx, full, r.ID); err != nil {
		t.Fatal(err)
	}
	mentee := f.mentee(t, nil)
	if got, want := suggestedIDs(t, f, mentee, match.Filter{}), []string{best, good, pathOnly}; !slices.Equal(got, want) {
		t.Fatalf("suggested %v, want %v", got, want)
	}
	if got := suggestedIDs(t, f, mentee, match.Filter{Skill: "golang"}); !slices.Equal(got, []string{best, good}) {
		t.Fatalf("skill filter gave %v", got)
	}
	if got := suggestedIDs(t, f, mentee, match.Filter{Path: "leadership"}); len(got) != 0 {
		t.Fatalf("path filter gave %v", got)
	}
	// A profile change moves the mentor in the index.
	p, _ := f.MentorProfile(f.ctx, best)
	p.Languages = []string{"fr"}
	if _, err := f.SaveMentorProfile(f.ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := suggestedIDs(t, f, mentee, match.Filter{}); slices.Contains(got, best) {
		t.Fatalf("mentor who no longer speaks English still suggested: %v", got)
	}
}

func TestSuggestRefusesBadFiltersAndUnknownMentees(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentee := f.mentee(t, nil)
	var ve valid.Errors
	if _, err := f.Suggest(f.ctx, mentee, match.Filter{Language: "dothraki"}, 5); !errors.As(err, &ve) || ve["language"] == "" {
		t.Fatalf("bad language filter: %v", err)
	}
	if _, err := f.Suggest(f.ctx, "nobody", match.Filter{}, 5); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown mentee: %v", err)
	}
}

// TestStoreSuggestAgreesWithTheEngine loads random mentors into Redis and
// checks that the indexed, batched, early-stopping Suggest returns exactly
// what match.Suggest returns over every profile.
func TestStoreSuggestAgreesWithTheEngine(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := rand.New(rand.NewSource(11))
	langs := []string{"en", "en", "es", "de"}
	skills := []string{"go", "kubernetes", "python", "rust", "react"}
	paths := []string{"devops", "backend", "leadership", "data"}
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"}
	pickSome := func(from []string, n int) []string {
		var out []string
		for k := 0; k < n; k++ {
			if v := from[r.Intn(len(from))]; !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	var ids []string
	for k := 0; k < 700; k++ {
		id := f.mentor(t, func(p *match.MentorProfile) {
			p.Languages = pickSome(langs, 1+r.Intn(2))
			p.Paths = pickSome(paths, 1+r.Intn(2))
			p.PreferPath = p.Paths[0]
			p.Skills = nil
			for _, s := range pickSome(skills, 1+r.Intn(3)) {
				p.Skills = append(p.Skills, match.Skill{Name: s, Level: 1 + r.Intn(5)})
			}
			p.TimeZone = zones[r.Intn(len(zones))]
			p.Years = r.Intn(15)
			p.Capacity = r.Intn(3)
			p.AvailableNow = r.Intn(2) == 0
			p.Availability.Slots = []match.Slot{{Day: time.Weekday(r.Intn(7)), StartMin: 60 * r.Intn(20), EndMin: 60 * (20 + r.Intn(4))}}
		})
		if r.Intn(10) == 0 {
			if err := f.SetPaused(f.ctx, id, true, "away"); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, id)
	}
	filters := []match.Filter{{}, {Skill: "go"}, {Path: "backend"}, {Language: "es"}, {Language: "de"},
		{MaxTZHours: 2}, {AvailableNow: true}, {Skill: "rust", Path: "devops"}}
	for n := 0; n < 12; n++ {
		mentee := f.mentee(t, func(p *match.MenteeProfile) {
			p.Languages = pickSome(langs, 1+r.Intn(3))
			p.WantSkills = pickSome(skills, r.Intn(3))
			p.Path = paths[r.Intn(len(paths))]
			p.MinYears = r.Intn(8)
			p.TimeZone = zones[r.Intn(len(zones))]
			p.Availability.Slots = []match.Slot{{Day: time.Weekday(r.Intn(7)), StartMin: 600, EndMin: 900}}
		})
		profile, _ := f.MenteeProfile(f.ctx, mentee)
		all, err := f.mentorProfiles(f.ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, filter := range filters {
			for _, limit := range []int{3, 20} {
				want, err := match.Suggest(&profile, all, filter, limit, f.Now())
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.Suggest(f.ctx, mentee, filter, limit)
				if err != nil {
					t.Fatal(err)
				}
				sameSuggestions(t, fmt.Sprintf("filter %+v limit %d", filter, limit), got, want)
				// The page's read, first with the profile unknown to the
				// Store, then known, ranks alike and leaves no key behind.
				keys := f.keyCount(t)
				f.menteeRaw.Forget(mentee)
				for _, pass := range []string{"first", "again"} {
					got, err = pageSuggest(t, f.Store, mentee, filter, limit)
					if err != nil {
						t.Fatal(err)
					}
					sameSuggestions(t, fmt.Sprintf("page read (%s) filter %+v limit %d", pass, filter, limit), got, want)
				}
				if n := f.keyCount(t); n != keys {
					t.Fatalf("filter %+v: %d keys after the page's reads, %d before", filter, n, keys)
				}
			}
		}
	}
}

// sameSuggestions fails unless got ranks the same mentors with the same
// scores as want.
func sameSuggestions(t *testing.T, what string, got, want []match.Suggestion) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d suggestions, engine %d", what, len(got), len(want))
	}
	for k := range got {
		if got[k].Mentor.UserID != want[k].Mentor.UserID || got[k].Score != want[k].Score {
			t.Fatalf("%s: rank %d is %s (%d), engine %s (%d)", what, k,
				got[k].Mentor.UserID, got[k].Score, want[k].Mentor.UserID, want[k].Score)
		}
	}
}

// pageSuggest ranks as a page does, with QueueSuggest and QueueProfiles.
func pageSuggest(t *testing.T, s *Store, mentee string, filter match.Filter, limit int) ([]match.Suggestion, error) {
	t.Helper()
	read, err := pageSuggestRead(t, s, mentee, filter, limit)
	if err != nil {
		return nil, err
	}
	return read()
}

// pageSuggestRead is pageSuggest up to the decoding of what it read.
func pageSuggestRead(t *testing.T, s *Store, mentee string, filter match.Filter, limit int) (func() ([]match.Suggestion, error), error) {
	t.Helper()
	ctx := context.Background()
	p := s.rdb.Pipeline()
	r := s.QueueSuggest(ctx, p, mentee, filter, limit)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		t.Fatal(err)
	}
	p = s.rdb.Pipeline()
	read, _, err := r.QueueProfiles(ctx, p)
	if err != nil {
		return nil, err
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return read, nil
}

// A page ranks for the profile as stored now, even when another process
// changed it since this Store last read it; the people it names as likely
// are those it suggests.
func TestPageSuggestFollowsAProfileChangedElsewhere(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gopher := f.mentor(t, func(p *match.MentorProfile) {
		p.Skills, p.Paths = []match.Skill{{Name: "go", Level: 4}}, []string{"backend"}
	})
	rustacean := f.mentor(t, func(p *match.MentorProfile) {
		p.Skills, p.Paths = []match.Skill{{Name: "rust", Level: 4}}, []string{"data"}
	})
	mentee := f.mentee(t, func(p *match.MenteeProfile) { p.WantSkills, p.Path = []string{"go"}, "backend" })
	got, err := pageSuggest(t, f.Store, mentee, match.Filter{}, 5)
	if err != nil || len(got) != 1 || got[0].Mentor.UserID != gopher {
		t.Fatalf("before the change: %+v, %v; want only the Go mentor", got, err)
	}
	other := NewStore(f.rdb, f.prefix)
	p, err := other.MenteeProfile(f.ctx, mentee)
	if err != nil {
		t.Fatal(err)
	}
	p.WantSkills, p.Path = []string{"rust"}, "data"
	if _, err := other.SaveMenteeProfile(f.ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err = pageSuggest(t, f.Store, mentee, match.Filter{}, 5)
	if err != nil || len(got) != 1 || got[0].Mentor.UserID != rustacean {
		t.Fatalf("after the change elsewhere: %+v, %v; want only the Rust mentor", got, err)
	}
	pipe := f.rdb.Pipeline()
	r := f.QueueSuggest(f.ctx, pipe, mentee, match.Filter{}, 5)
	if _, err := pipe.Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	_, likely, err := r.QueueProfiles(f.ctx, f.rdb.Pipeline())
	if err != nil || !slices.Equal(likely, []string{rustacean}) {
		t.Fatalf("likely people: %v, %v; want the Rust mentor", likely, err)
	}
	for _, nobody := range []string{"nobody", ids.New()} {
		if _, err := pageSuggest(t, f.Store, nobody, match.Filter{}, 5); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s, without a profile: %v, want ErrNotFound", nobody, err)
		}
	}
	var ve valid.Errors
	if _, err := pageSuggest(t, f.Store, mentee, match.Filter{Language: "dothraki"}, 5); !errors.As(err, &ve) || ve["language"] == "" {
		t.Fatalf("a bad filter: %v, want a language error", err)
	}
}

// A page that ranks the same candidates for the same mentee and filter
// as last time reads their profiles with the ranking, so its second
// pipeline has nothing to read (a change this instance made shows at
// once; see TestPageSuggestShowsMentorsAMinuteOldAtMost for the others),
// and a candidate the ranking names anew, or another filter, is read in
// the second pipeline as before.
func TestPageSuggestReadsKnownCandidatesWithTheRanking(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.mentor(t, nil)
	mentee := f.mentee(t, nil)
	suggest := func(filter match.Filter) ([]match.Suggestion, int) {
		t.Helper()
		p := f.rdb.Pipeline()
		r := f.QueueSuggest(f.ctx, p, mentee, filter, 5)
		if _, err := p.Exec(f.ctx); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		p = f.rdb.Pipeline()
		read, _, err := r.QueueProfiles(f.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		queued := p.Len()
		if _, err := p.Exec(f.ctx); err != nil {
			t.Fatal(err)
		}
		got, err := read()
		if err != nil {
			t.Fatal(err)
		}
		return got, queued
	}
	named := func(got []match.Suggestion) []string {
		var out []string
		for _, s := range got {
			out = append(out, s.Mentor.UserID)
		}
		slices.Sort(out)
		return out
	}
	if _, queued := suggest(match.Filter{}); queued == 0 {
		t.Fatal("the first ranking read no profiles after it")
	}
	got, queued := suggest(match.Filter{})
	if queued != 0 || !slices.Equal(named(got), []string{first}) {
		t.Fatalf("the same candidates again: %d reads queued after the ranking, suggestions %v; want none and %s", queued, named(got), first)
	}
	if err := f.SetPaused(f.ctx, first, true, "On leave"); err != nil {
		t.Fatal(err)
	}
	if got, queued := suggest(match.Filter{}); len(got) != 0 || queued != 0 {
		t.Fatalf("a paused mentor: suggestions %v, %d reads queued after the ranking; want none and none", named(got), queued)
	}
	if err := f.SetPaused(f.ctx, first, false, ""); err != nil {
		t.Fatal(err)
	}
	second := f.mentor(t, nil)
	got, queued = suggest(match.Filter{})
	want := []string{first, second}
	slices.Sort(want)
	if queued == 0 || !slices.Equal(named(got), want) {
		t.Fatalf("with a new candidate: %d reads queued, suggestions %v; want reads and %v", queued, named(got), want)
	}
	if _, queued := suggest(match.Filter{Path: "devops"}); queued == 0 {
		t.Fatal("another filter used the candidates of the first")
	}
}

// Mentoring records the lists named on the last read are read with the
// lists; a part the lists name differently now (a new request) is read
// after them, the unchanged parts are not read again, and a person whose
// lists name nothing is not remembered at all.
func TestMentoringReadsKnownRecordsWithTheLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor, other := f.mentor(t, nil), f.mentor(t, nil)
	mentee := f.mentee(t, nil)
	read := func() (MentoringRead, int) {
		t.Helper()
		p := f.rdb.Pipeline()
		m := f.QueueMentoring(f.ctx, p, mentee)
		if _, err := p.Exec(f.ctx); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		p = f.rdb.Pipeline()
		records, err := m.QueueRecords(f.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		queued := p.Len()
		if _, err := p.Exec(f.ctx); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		r, err := records()
		if err != nil {
			t.Fatal(err)
		}
		return r, queued
	}
	if _, queued := read(); queued != 0 {
		t.Fatalf("no mentoring yet: %d records read", queued)
	}
	if _, ok := f.recordKeys.Get(mentee); ok {
		t.Fatal("a person without records is remembered")
	}
	req, err := f.Ask(f.ctx, mentee, mentor, "Please mentor me")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accept(f.ctx, mentor, req.ID); err != nil {
		t.Fatal(err)
	}
	if r, queued := read(); queued != 1 || len(r.Mentors) != 1 {
		t.Fatalf("a first mentor: %d records read after the lists, %d mentors; want 1 and 1", queued, len(r.Mentors))
	}
	if r, queued := read(); queued != 0 || len(r.Mentors) != 1 || r.Mentors[0].MentorID != mentor {
		t.Fatalf("the same again: %d records read after the lists, mentors %+v; want none and %s", queued, r.Mentors, mentor)
	}
	if _, err := f.Ask(f.ctx, mentee, other, "And you?"); err != nil {
		t.Fatal(err)
	}
	r, queued := read()
	if queued != 1 || len(r.Mentors) != 1 || len(r.PendingOut) != 1 || r.PendingOut[0].MentorID != other {
		t.Fatalf("a new request: %d records read after the lists, %d mentors, requests %+v; want 1 (the request), 1 and the one to %s", queued, len(r.Mentors), r.PendingOut, other)
	}
	if _, queued := read(); queued != 0 {
		t.Fatalf("the same again: %d records read after the lists", queued)
	}
}

// A page's remembered ranking is used only while the indexes it was built
// from are unchanged: after every change another instance makes to the
// mentors (a new one, skills, paths, languages, capacity down to none and
// back), the page's suggestions are what the engine gives over every
// profile, for several filters; and a change to indexes no ranking of the
// mentee reads leaves the remembered ranking in use (no ranking is built).
func TestRememberedRankingsFollowIndexChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	elsewhere := NewStore(f.rdb, f.prefix)
	elsewhere.Now = f.Now
	r := rand.New(rand.NewSource(7))
	skills := []string{"go", "kubernetes", "rust"}
	paths := []string{"devops", "backend"}
	profile := func(p *match.MentorProfile) {
		p.Languages = []string{[]string{"en", "de"}[r.Intn(2)]}
		p.Skills = []match.Skill{{Name: skills[r.Intn(len(skills))], Level: 1 + r.Intn(5)}}
		p.Paths = []string{paths[r.Intn(len(paths))]}
		p.Capacity = r.Intn(3)
	}
	var mentorIDs []string
	for range 30 {
		mentorIDs = append(mentorIDs, f.mentor(t, profile))
	}
	mentee := f.mentee(t, func(p *match.MenteeProfile) {
		p.WantSkills, p.Path, p.Languages = []string{"go", "rust"}, "devops", []string{"en", "de"}
	})
	me, err := f.MenteeProfile(f.ctx, mentee)
	if err != nil {
		t.Fatal(err)
	}
	filters := []match.Filter{{}, {Skill: "go"}, {Path: "backend"}, {Language: "de"}, {Language: "en", Skill: "rust"}}
	check := func(what string) {
		t.Helper()
		// Mentors as read a moment ago are TestPageSuggestShowsMentorsAMinuteOldAtMost's
		// subject; here every check reads them as they are now.
		for _, id := range mentorIDs {
			f.forgetMentor(id)
		}
		all, err := f.mentorProfiles(f.ctx, mentorIDs)
		if err != nil {
			t.Fatal(err)
		}
		for _, filter := range filters {
			want, err := match.Suggest(&me, all, filter, 20, f.Now())
			if err != nil {
				t.Fatal(err)
			}
			got, err := pageSuggest(t, f.Store, mentee, filter, 20)
			if err != nil {
				t.Fatal(err)
			}
			sameSuggestions(t, fmt.Sprintf("%s, filter %+v", what, filter), got, want)
		}
	}
	check("first")
	for step := range 40 {
		if r.Intn(4) == 0 {
			p := match.MentorProfile{UserID: ids.New(), Years: 5, TimeZone: "Europe/Berlin", Availability: match.Availability{HoursPerWeek: 2}}
			profile(&p)
			if _, err := elsewhere.SaveMentorProfile(f.ctx, p); err != nil {
				t.Fatal(err)
			}
			mentorIDs = append(mentorIDs, p.UserID)
		} else {
			p, err := elsewhere.MentorProfile(f.ctx, mentorIDs[r.Intn(len(mentorIDs))])
			if err != nil {
				t.Fatal(err)
			}
			profile(&p)
			if _, err := elsewhere.SaveMentorProfile(f.ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		check(fmt.Sprintf("after change %d", step))
	}

	// A mentor only in indexes the mentee's rankings do not read (another
	// language, skill and path): the rankings stay current, and none is
	// built. Five minutes on, they are built again whatever the versions
	// say, and then trusted again.
	f.mentor(t, func(p *match.MentorProfile) {
		p.Languages, p.Skills, p.Paths = []string{"es"}, []match.Skill{{Name: "python", Level: 3}}, []string{"data"}
	})
	// built reports whether the page built a ranking, whether it did so in
	// its first round trip, and how many reads it queued after it.
	built := func(filter match.Filter) (bool, bool, int) {
		t.Helper()
		p := f.rdb.Pipeline()
		read := f.QueueSuggest(f.ctx, p, mentee, filter, 20)
		first := read.batch != nil
		if _, err := p.Exec(f.ctx); err != nil {
			t.Fatal(err)
		}
		after := f.rdb.Pipeline()
		if _, _, err := read.QueueProfiles(f.ctx, after); err != nil {
			t.Fatal(err)
		}
		return read.batch != nil, first, after.Len()
	}
	for _, filter := range filters {
		if b, _, _ := built(filter); b {
			t.Fatalf("filter %+v: the remembered ranking was not current after a change to indexes it does not read", filter)
		}
	}
	// A ranking known to be too old is built in the first round trip; it
	// names the same candidates, so the profiles read with it serve and
	// nothing is read after it.
	f.advance(rankingMaxAge)
	for _, filter := range filters {
		if b, first, queued := built(filter); !b || !first || queued != 0 {
			t.Fatalf("filter %+v, a ranking %v old: built %t (in the first round trip: %t), %d reads after it; want built first and none after",
				filter, rankingMaxAge, b, first, queued)
		}
		if b, _, _ := built(filter); b {
			t.Fatalf("filter %+v: the ranking built again was not remembered", filter)
		}
	}
}

// goMentor stores a Go and backend mentor with two seats and moves the
// clock on a second, since a read at the instant this instance saved the
// profile is not kept.
func (f *fixture) goMentor(t *testing.T) string {
	t.Helper()
	mentor := f.mentor(t, func(p *match.MentorProfile) {
		p.Skills, p.Paths, p.Capacity = []match.Skill{{Name: "go", Level: 4}}, []string{"backend"}, 2
	})
	f.advance(time.Second)
	return mentor
}

// A list of suggestions shows a mentor (free seats, pause, profile) as
// read at most RecentMentorFor ago: a mentee taken or a pause through
// another instance shows within that time, one through this instance at
// once. A full or paused mentor is not suggested; asking one still listed
// is refused, since the request checks the mentor as they are.
func TestPageSuggestShowsMentorsAMinuteOldAtMost(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.goMentor(t)
	// want lists suggestions for viewer: the mentor with active mentees,
	// or (active < 0) no one.
	want := func(what string, viewer string, active int) {
		t.Helper()
		got, err := pageSuggest(t, f.Store, viewer, match.Filter{}, 5)
		switch {
		case err != nil:
			t.Fatalf("%s: %v", what, err)
		case active < 0 && len(got) != 0:
			t.Fatalf("%s: %+v, want no one (the mentor is full or paused)", what, got)
		case active >= 0 && (len(got) != 1 || got[0].Mentor.Active != active):
			t.Fatalf("%s: %+v, want the mentor with %d mentees", what, got, active)
		}
	}
	newMentee := func() string {
		return f.mentee(t, func(p *match.MenteeProfile) { p.WantSkills, p.Path = []string{"go"}, "backend" })
	}
	accept := func(s *Store) Mentorship {
		t.Helper()
		r, err := s.Ask(f.ctx, newMentee(), mentor, "Hello")
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Accept(f.ctx, mentor, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	viewer := newMentee()
	want("the first list", viewer, 0)

	other := NewStore(f.rdb, f.prefix) // another instance, on the same clock
	other.Now = f.Now
	first := accept(other)
	want("a list a moment after another instance took a mentee", viewer, 0)
	f.advance(RecentMentorFor)
	want("a list a minute later", viewer, 1)

	accept(f.Store)
	want("a list right after this instance took the last seat", viewer, -1)
	f.advance(time.Second) // a count read when this instance changed it is not kept
	want("a list a second later", viewer, -1)

	if _, err := other.End(f.ctx, mentor, first.ID, Ending{}); err != nil {
		t.Fatal(err)
	}
	want("a list a moment after another instance ended a mentorship", viewer, -1)
	f.advance(RecentMentorFor)
	want("a list a minute after the end", viewer, 1)

	last := accept(other)
	want("a list a moment after another instance took the last seat", viewer, 1)
	if _, err := f.Ask(f.ctx, newMentee(), mentor, "Hello"); !errors.Is(err, ErrFull) {
		t.Fatalf("asking the full mentor still listed: %v, want %v", err, ErrFull)
	}

	// This instance ends a mentorship: its lists show the seat at once,
	// and a count a list queued before the end is not kept.
	f.advance(RecentMentorFor) // the list reads the count afresh
	read, err := pageSuggestRead(t, f.Store, viewer, match.Filter{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.End(f.ctx, mentor, last.ID, Ending{}); err != nil {
		t.Fatal(err)
	}
	if _, err := read(); err != nil { // decodes the count read before the end
		t.Fatal(err)
	}
	want("a list right after this instance ended a mentorship", viewer, 1)

	// Paused through another instance: still listed for up to a minute,
	// and asking is refused meanwhile.
	f.advance(time.Second)
	want("a list before the pause", viewer, 1)
	if err := other.SetPaused(f.ctx, mentor, true, "On holiday"); err != nil {
		t.Fatal(err)
	}
	want("a list a moment after another instance paused the mentor", viewer, 1)
	if _, err := f.Ask(f.ctx, newMentee(), mentor, "Hello"); !errors.Is(err, ErrPaused) {
		t.Fatalf("asking the paused mentor still listed: %v, want %v", err, ErrPaused)
	}
	f.advance(RecentMentorFor)
	want("a list a minute after the pause", viewer, -1)
	if err := f.SetPaused(f.ctx, mentor, false, ""); err != nil {
		t.Fatal(err)
	}
	want("a list right after this instance resumed the mentor", viewer, 1)
}

// A mentor profile removed through another instance (a deleted account)
// leaves this instance's lists at once: the indexes' versions moved, so
// the list it remembered is ranked again.
func TestARemovedMentorLeavesEveryInstancesLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.goMentor(t)
	viewer := f.mentee(t, func(p *match.MenteeProfile) { p.WantSkills, p.Path = []string{"go"}, "backend" })
	if got, err := pageSuggest(t, f.Store, viewer, match.Filter{}, 5); err != nil || len(got) != 1 {
		t.Fatalf("before: %+v %v, want the mentor", got, err)
	}
	other := NewStore(f.rdb, f.prefix)
	other.Now = f.Now
	for range 2 { // the second time finds nothing to remove
		if err := other.RemoveMentorProfile(f.ctx, mentor); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := pageSuggest(t, f.Store, viewer, match.Filter{}, 5); err != nil || len(got) != 0 {
		t.Fatalf("after another instance removed the mentor: %+v %v, want no one", got, err)
	}
	if _, err := f.MentorProfile(f.ctx, mentor); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the removed profile: %v, want %v", err, ErrNotFound)
	}
}
