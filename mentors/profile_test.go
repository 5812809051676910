package mentors

import (
	"errors"
	"testing"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func TestMentorProfileRoundTripKeepsPauseState(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.mentor(t, func(p *match.MentorProfile) {
		p.Skills = []match.Skill{{Name: "K8s", Level: 5}}
		p.Languages = []string{"English", "es"}
	})
	got, err := f.MentorProfile(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Skills[0].Name != "kubernetes" || got.Languages[1] != "es" || got.Paused || got.Active != 0 {
		t.Fatalf("stored %+v", got)
	}
	if err := f.SetPaused(f.ctx, id, true, "on holiday"); err != nil {
		t.Fatal(err)
	}
	got.Bio = "Platform engineer."
	got.Paused = false // the form cannot lift a pause
	saved, err := f.SaveMentorProfile(f.ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Paused || saved.PauseReason != "on holiday" || saved.Bio != "Platform engineer." {
		t.Fatalf("after save %+v", saved)
	}
	if err := f.SetPaused(f.ctx, id, false, ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.MentorProfile(f.ctx, id); p.Paused || p.PauseReason != "" {
		t.Fatalf("after resume %+v", p)
	}
	if err := f.SetPaused(f.ctx, ids.New(), true, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("pause without profile: %v", err)
	}
}

func TestBadProfilesAreRefusedAndNothingIsStored(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.SaveMentorProfile(f.ctx, match.MentorProfile{UserID: ids.New(), Capacity: 11, TimeZone: "Nowhere/Land",
		Skills: []match.Skill{{Name: "go", Level: 3}}, Paths: []string{"alchemy"}})
	var ve valid.Errors
	if !errors.As(err, &ve) || ve["capacity"] == "" || ve["time_zone"] == "" || ve["paths"] == "" || ve["languages"] == "" {
		t.Fatalf("mentor errors %v", err)
	}
	_, err = f.SaveMenteeProfile(f.ctx, match.MenteeProfile{UserID: ids.New(), Goals: "", Path: "devops",
		Languages: []string{"en"}, TimeZone: "UTC"})
	if !errors.As(err, &ve) || ve["goals"] == "" {
		t.Fatalf("mentee errors %v", err)
	}
	if _, err := f.SaveMentorProfile(f.ctx, match.MentorProfile{UserID: "not-an-id"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("junk id: %v", err)
	}
	if n := f.keyCount(t); n != 0 {
		t.Fatalf("%d keys stored for bad input", n)
	}
	if _, err := f.MenteeProfile(f.ctx, ids.New()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing mentee: %v", err)
	}
}

func TestMentoringTextRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.mentor(t, nil)
	var ve valid.Errors
	if err := f.SetPaused(f.ctx, id, true, "on\x00holiday"); !errors.As(err, &ve) || ve["reason"] == "" {
		t.Fatalf("pause reason with NUL: %v", err)
	}
	if err := f.SetPaused(f.ctx, id, true, "two\nlines"); !errors.As(err, &ve) || ve["reason"] == "" {
		t.Fatalf("pause reason with a line break: %v", err)
	}
	if p, _ := f.MentorProfile(f.ctx, id); p.Paused {
		t.Fatal("a refused pause was stored")
	}
	for _, c := range []struct {
		text string
		ok   bool
	}{{"Hello,\r\nI would like to learn Go.\n\tThanks", true}, {"Hello\x00", false}, {"caf\xe9", false}, {"bell\a", false}} {
		errs := textError("message", "a message", c.text, true)
		if got := errs["message"] == ""; got != c.ok {
			t.Errorf("textError(%q) = %v, want ok=%v", c.text, errs, c.ok)
		}
	}
}
