package mentors

import (
	"errors"
	"slices"
	"testing"

	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// The directory lists every mentor with a free seat, narrowed by skill,
// path and language in Redis and by distance and availability after, in
// pages that neither skip nor repeat; paused and full mentors are left
// out.
func TestDirectoryFiltersAndPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var goBerlin []string
	for range 25 {
		goBerlin = append(goBerlin, f.mentor(t, nil))
	}
	rust := f.mentor(t, func(p *match.MentorProfile) {
		p.Skills, p.Paths, p.Languages = []match.Skill{{Name: "rust", Level: 5}}, []string{"architecture"}, []string{"es"}
		p.TimeZone, p.AvailableNow = "America/New_York", true
	})
	paused := f.mentor(t, nil)
	if err := f.SetPaused(f.ctx, paused, true, "holiday"); err != nil {
		t.Fatal(err)
	}
	f.mentor(t, func(p *match.MentorProfile) { p.Capacity = 0 })

	var seen []string
	after := 0
	for pages := 0; ; pages++ {
		page, err := f.Directory(f.ctx, match.Filter{}, "Europe/Berlin", after, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Mentors {
			seen = append(seen, m.UserID)
		}
		if page.Next == 0 {
			break
		}
		after = page.Next
		if pages > 5 {
			t.Fatal("the pages never end")
		}
	}
	want := append(slices.Clone(goBerlin), rust)
	slices.Sort(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("the pages listed %d mentors, want the %d with a free seat, once each in order", len(seen), len(want))
	}

	one := func(filter match.Filter, zone string) []string {
		t.Helper()
		page, err := f.Directory(f.ctx, filter, zone, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range page.Mentors {
			out = append(out, m.UserID)
		}
		return out
	}
	for name, tc := range map[string]struct {
		filter match.Filter
		zone   string
		want   []string
	}{
		"skill":         {match.Filter{Skill: "Rust"}, "", []string{rust}},
		"path":          {match.Filter{Path: "architecture"}, "", []string{rust}},
		"language":      {match.Filter{Language: "Spanish"}, "", []string{rust}},
		"available now": {match.Filter{AvailableNow: true}, "", []string{rust}},
		"near Berlin":   {match.Filter{Skill: "rust", MaxTZHours: 3}, "Europe/Berlin", nil},
		"near New York": {match.Filter{Skill: "rust", MaxTZHours: 3}, "America/Chicago", []string{rust}},
	} {
		if got := one(tc.filter, tc.zone); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
	if _, err := f.Directory(f.ctx, match.Filter{Skill: "underwater basket weaving!"}, "", 0, 10); !errors.As(err, new(valid.Errors)) {
		t.Errorf("an unknown skill: %v", err)
	}
}

// Mentors saved before the directory existed are indexed once at start:
// after the directory's sets are gone, IndexDirectory brings them back,
// and a second run does nothing.
func TestIndexDirectoryBackfillsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.mentor(t, nil), f.mentor(t, func(p *match.MentorProfile) { p.Languages = []string{"de"} })
	if err := f.rdb.Del(f.ctx, f.allMentorsKey(), f.languageKey("en"), f.languageKey("de")).Err(); err != nil {
		t.Fatal(err)
	}
	n, err := f.IndexDirectory(f.ctx)
	if err != nil || n != 2 {
		t.Fatalf("indexed %d: %v", n, err)
	}
	page, err := f.Directory(f.ctx, match.Filter{Language: "German"}, "", 0, 10)
	if err != nil || len(page.Mentors) != 1 || page.Mentors[0].UserID != b {
		t.Fatalf("after the backfill: %+v %v", page.Mentors, err)
	}
	if page, _ := f.Directory(f.ctx, match.Filter{}, "", 0, 10); len(page.Mentors) != 2 {
		t.Fatalf("all mentors after the backfill: %d (want %s and %s)", len(page.Mentors), a, b)
	}
	if n, err := f.IndexDirectory(f.ctx); err != nil || n != 0 {
		t.Fatalf("second run indexed %d: %v", n, err)
	}
}
