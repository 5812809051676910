package events

import (
	"context"
	"testing"
)

// The zone of a group's last session is that of the one starting last,
// whatever order they were scheduled in; a group without sessions has
// none.
func TestGroupLastZoneIsTheLatestSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if zone, err := f.s.GroupLastZone(ctx, f.group); err != nil || zone != "" {
		t.Fatalf("a group without sessions: %q, %v", zone, err)
	}
	f.create(t, func(in *Input) {
		in.TimeZone, in.Start, in.End = "Asia/Tokyo", "2026-01-20T19:00", "2026-01-20T20:00"
	})
	f.create(t, nil) // Berlin, three days earlier
	if zone, err := f.s.GroupLastZone(ctx, f.group); err != nil || zone != "Asia/Tokyo" {
		t.Fatalf("last zone %q, %v; want Asia/Tokyo", zone, err)
	}
}
