package events

import (
	"context"
	"testing"
)

// Everyone who may see a session learns how many are going, signed out
// too: the waitlist and those who said no do not count.
func TestStandingCountsPeopleGoingForAnyone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, func(in *Input) { in.Capacity = "2" })
	if st, err := f.s.StatusOf(ctx, ev.ID, ""); err != nil || st.Going != 0 {
		t.Fatalf("nobody going yet: %+v %v", st, err)
	}
	p := users(4)
	for _, u := range p[:3] {
		if _, err := f.s.RSVP(ctx, ev.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.RSVP(ctx, ev.ID, p[3], false); err != nil {
		t.Fatal(err)
	}
	for _, viewer := range []string{"", p[2], p[3]} {
		st, err := f.s.StatusOf(ctx, ev.ID, viewer)
		if err != nil || st.Going != 2 {
			t.Fatalf("viewer %q: %+v %v, want 2 going (the third waits)", viewer, st, err)
		}
	}
	if _, err := f.s.RSVP(ctx, ev.ID, p[0], false); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.s.StatusOf(ctx, ev.ID, ""); st.Going != 2 {
		t.Fatalf("after a drop-out the waitlist fills the seat: %+v", st)
	}
}
