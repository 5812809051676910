package timefmt

import (
	"testing"
	"time"
	"unsafe"
)

func TestLocalNamesTheZone(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC)
	cases := []struct {
		loc  *time.Location
		want string
	}{
		{berlin, "Tue 1 Dec 2026, 18:30 CET (Europe/Berlin)"},
		{ny, "Tue 1 Dec 2026, 12:30 EST (America/New_York)"},
		{time.UTC, "Tue 1 Dec 2026, 17:30 UTC"},
		{nil, "Tue 1 Dec 2026, 17:30 UTC"},
	}
	for _, c := range cases {
		if got := Local(at, c.loc); got != c.want {
			t.Errorf("Local in %v = %q, want %q", c.loc, got, c.want)
		}
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	cases := map[time.Duration]string{
		30 * time.Second: "now", 5 * time.Minute: "in 5 minutes", time.Hour: "in 1 hour",
		-2 * time.Hour: "2 hours ago", 72 * time.Hour: "in 3 days", 60 * 24 * time.Hour: "in 2 months",
		-400 * 24 * time.Hour: "1 year ago",
	}
	for d, want := range cases {
		if got := Relative(now.Add(d), now); got != want {
			t.Errorf("Relative(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRangeAndZone(t *testing.T) {
	berlin := Zone("Europe/Berlin")
	if berlin.String() != "Europe/Berlin" || Zone("Mars/Base") != time.UTC || Zone("") != time.UTC {
		t.Fatal("Zone does not load names or fall back to UTC")
	}
	start := time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC)
	if got, want := Range(start, start.Add(90*time.Minute), berlin), "Tue 1 Dec 2026, 18:30–20:00 CET (Europe/Berlin)"; got != want {
		t.Errorf("Range = %q, want %q", got, want)
	}
	if got, want := Range(start, start.Add(8*time.Hour), berlin), "Tue 1 Dec 2026, 18:30 – Wed 2 Dec 2026, 02:30 CET (Europe/Berlin)"; got != want {
		t.Errorf("Range across midnight = %q, want %q", got, want)
	}
	cases := []struct {
		start, end time.Time
		loc        *time.Location
		want       string
	}{
		// A zone whose abbreviation is its offset, and one that ends in
		// another year in the reader's zone while both are one day in UTC.
		{start, start.Add(time.Hour), Zone("America/Sao_Paulo"), "Tue 1 Dec 2026, 14:30–15:30 -03 (America/Sao_Paulo)"},
		{time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), Zone("Asia/Tokyo"),
			"Fri 1 Jan 2027, 07:00–08:30 JST (Asia/Tokyo)"},
		{time.Date(2026, 12, 31, 13, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 15, 30, 0, 0, time.UTC), Zone("Asia/Tokyo"),
			"Thu 31 Dec 2026, 22:00 – Fri 1 Jan 2027, 00:30 JST (Asia/Tokyo)"},
		{start, start.Add(time.Hour), nil, "Tue 1 Dec 2026, 17:30–18:30 UTC"},
		// The same day of the year in two years is two days.
		{start, start.AddDate(1, 0, 0), time.UTC, "Tue 1 Dec 2026, 17:30 – Wed 1 Dec 2027, 17:30 UTC"},
		// Across a change of offset the zone is named as at the start
		// when the range is one day, as at the end when it spans two.
		{time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), berlin,
			"Sun 29 Mar 2026, 01:30–03:30 CET (Europe/Berlin)"},
		{time.Date(2026, 10, 24, 21, 30, 0, 0, time.UTC), time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC), berlin,
			"Sat 24 Oct 2026, 23:30 – Sun 25 Oct 2026, 03:00 CET (Europe/Berlin)"},
		{time.Date(2026, 3, 28, 22, 30, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), berlin,
			"Sat 28 Mar 2026, 23:30 – Sun 29 Mar 2026, 03:30 CEST (Europe/Berlin)"},
	}
	for _, c := range cases {
		if got := Range(c.start, c.end, c.loc); got != c.want {
			t.Errorf("Range in %v = %q, want %q", c.loc, got, c.want)
		}
	}
	if got, want := ZoneLabel(start, berlin), "CET (Europe/Berlin)"; got != want {
		t.Errorf("ZoneLabel = %q, want %q", got, want)
	}
	// Every card of a page formats a range: it is written straight into
	// the one string it returns.
	if n := testing.AllocsPerRun(100, func() { Range(start, start.Add(time.Hour), berlin) }); n != 1 {
		t.Errorf("Range allocates %v times, want 1", n)
	}
}

func TestLoadKnowsWhichNamesAreZones(t *testing.T) {
	for name, want := range map[string]bool{"Europe/Berlin": true, "UTC": true, "": false, "Mars/Olympus": false, "../etc/passwd": false} {
		for range 2 { // the second time from the cache
			loc, ok := Load(name)
			if ok != want || ok && loc.String() != name {
				t.Fatalf("Load(%q) = %v, %v; want a zone: %v", name, loc, ok, want)
			}
		}
	}
}

// A name read from a request may alias a buffer the server reuses after
// the request: the cache keeps its own copy, so a later request's bytes
// in that buffer never change what a name loads.
func TestLoadKeepsItsOwnCopyOfTheName(t *testing.T) {
	buf := []byte("Asia/Dubai")
	if _, ok := Load(unsafe.String(&buf[0], len(buf))); !ok {
		t.Fatal("Asia/Dubai does not load")
	}
	copy(buf, "Asia/Kabul")
	if loc, ok := Load("Asia/Kabul"); !ok || loc.String() != "Asia/Kabul" {
		t.Fatalf("Load(Asia/Kabul) = %v, %v after the buffer changed", loc, ok)
	}
	if loc, ok := Load("Asia/Dubai"); !ok || loc.String() != "Asia/Dubai" {
		t.Fatalf("Load(Asia/Dubai) = %v, %v after the buffer changed", loc, ok)
	}
}
