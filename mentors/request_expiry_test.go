package mentors

import (
	"testing"
	"time"
)

// A closed request and its reference expire after ClosedRequestKeep; an
// open one and a mentorship stay.
func TestClosedRequestsExpire(t *testing.T) {
	f := newFixture(t)
	mentor, a, b, c, d := f.mentor(t, nil), f.mentee(t, nil), f.mentee(t, nil), f.mentee(t, nil), f.mentee(t, nil)
	ask := func(mentee string) string {
		t.Helper()
		r, err := f.Ask(f.ctx, mentee, mentor, "Please?")
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	accepted, declined, withdrawn, open := ask(a), ask(b), ask(c), ask(d)
	ship, err := f.Accept(f.ctx, mentor, accepted)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Decline(f.ctx, mentor, declined, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Withdraw(f.ctx, c, withdrawn); err != nil {
		t.Fatal(err)
	}
	ttl := func(key string) time.Duration { return f.rdb.TTL(f.ctx, key).Val() }
	for _, id := range []string{accepted, declined, withdrawn} {
		for _, k := range []string{f.requestKey(mentor, id), f.requestRefKey(id)} {
			if d := ttl(k); d < ClosedRequestKeep-time.Minute || d > ClosedRequestKeep {
				t.Fatalf("closed request key %s: TTL %v", k, d)
			}
		}
	}
	for _, k := range []string{f.requestKey(mentor, open), f.requestRefKey(open), f.mentorshipKey(mentor, ship.ID), f.mentorshipRefKey(ship.ID)} {
		if d := ttl(k); d != -1 {
			t.Fatalf("%s: TTL %v, want none", k, d)
		}
	}
	if _, err := f.PauseSilentMentors(f.ctx, f.advance(60*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d := ttl(f.requestRefKey(open)); d <= 0 {
		t.Fatalf("expired request's reference: TTL %v", d)
	}
}
