package web

import "testing"

func TestInitials(t *testing.T) {
	for in, want := range map[string]string{
		"Ada Lovelace": "AL", "DevRel & Community Builders": "DC", "go": "G", "": "?", "& -": "?", "élan vital": "ÉV",
	} {
		if got := initials(in); got != want {
			t.Errorf("initials(%q) = %q, want %q", in, got, want)
		}
	}
}
