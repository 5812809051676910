package auth_test

import (
	"context"
	"testing"

	"github.com/focusgroups/focusgroups/auth"
)

// The browser's zone, reported at sign-in, is saved for someone who has
// none: at the first sign-in, at a later one, and when a second provider
// joins through a verified address. A zone the person saved is never
// overwritten, and a name that is no zone is ignored.
func TestSignInSavesTheBrowserZoneOnlyWhenNoneIsSaved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	withZone := func(p auth.Profile, tz string) auth.Profile { p.TimeZone = tz; return p }

	u, _, err := s.SignIn(ctx, withZone(profile("github", "ada", "ada@example.com", true), "Europe/Berlin"))
	if err != nil {
		t.Fatal(err)
	}
	if u.TimeZone != "Europe/Berlin" {
		t.Fatalf("first sign-in saved zone %q, want Europe/Berlin", u.TimeZone)
	}
	if got, _ := s.Get(ctx, u.ID); got.TimeZone != "Europe/Berlin" {
		t.Fatalf("stored zone %q, want Europe/Berlin", got.TimeZone)
	}
	u, _, err = s.SignIn(ctx, withZone(profile("github", "ada", "ada@example.com", true), "America/Los_Angeles"))
	if err != nil {
		t.Fatal(err)
	}
	if u.TimeZone != "Europe/Berlin" {
		t.Fatalf("a later sign-in from elsewhere changed the saved zone to %q", u.TimeZone)
	}

	for _, bad := range []string{"Mars/Olympus", "CET", "../../etc/passwd", "Europe/Berlin\n"} {
		u, _, err := s.SignIn(ctx, withZone(profile("github", "bad", "bad@example.com", true), bad))
		if err != nil {
			t.Fatal(err)
		}
		if u.TimeZone != "" {
			t.Fatalf("browser zone %q saved as %q, want nothing", bad, u.TimeZone)
		}
	}
	u, _, err = s.SignIn(ctx, withZone(profile("github", "bad", "bad@example.com", true), "Asia/Tokyo"))
	if err != nil {
		t.Fatal(err)
	}
	if u.TimeZone != "Asia/Tokyo" {
		t.Fatalf("sign-in of someone with no zone saved %q, want Asia/Tokyo", u.TimeZone)
	}

	nz, _, err := s.SignIn(ctx, profile("github", "noz", "noz@example.com", true))
	if err != nil || nz.TimeZone != "" {
		t.Fatalf("sign-in without a browser zone: zone %q, err %v", nz.TimeZone, err)
	}
	linked, _, err := s.SignIn(ctx, withZone(profile("oidc", "noz-sso", "noz@example.com", true), "America/Sao_Paulo"))
	if err != nil {
		t.Fatal(err)
	}
	if linked.ID != nz.ID || linked.TimeZone != "America/Sao_Paulo" {
		t.Fatalf("linking sign-in: user %s zone %q, want %s with America/Sao_Paulo", linked.ID, linked.TimeZone, nz.ID)
	}
}

func TestValidZone(t *testing.T) {
	for name, want := range map[string]bool{
		"Europe/Berlin": true, "America/Argentina/Buenos_Aires": true, "UTC": true,
		"America/Port-au-Prince": true, "Etc/GMT+5": true, "America/North_Dakota/New_Salem": true,
		"": false, "CET": false, "Local": false, "Mars/Olympus": false, "Europe/../Berlin": false,
		"Europe//Berlin": false, "Europe/./Berlin": false, "/Europe/Berlin": false, "europe/berlin": false,
	} {
		if got := auth.ValidZone(name); got != want {
			t.Errorf("ValidZone(%q) = %v, want %v", name, got, want)
		}
	}
}
