package events

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The counts an organizer reads on the dashboard follow the answers:
// seats taken, the waitlist behind them, and those awaiting approval.
func TestQueueCountsCountsGoingWaitingAndPending(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	small := f.create(t, func(in *Input) { in.Capacity = "2" })
	asked := f.create(t, func(in *Input) { in.ApprovalRequired = true; in.Start, in.End = "2026-01-18T18:30", "2026-01-18T20:30" })
	f.create(t, func(in *Input) { in.Start, in.End = "2026-01-19T18:30", "2026-01-19T20:30" })
	for _, u := range users(5) {
		if _, err := f.s.RSVP(ctx, small.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	asker := users(1)[0]
	if _, err := f.s.RSVP(ctx, asked.ID, asker, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RSVP(ctx, small.ID, asker, false); err != nil {
		t.Fatal(err)
	}

	p := f.s.rdb.Pipeline()
	l := f.s.QueueGroupSessions(ctx, p, f.group, 10, 0)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	p = f.s.rdb.Pipeline()
	read := l.QueueCounts(ctx, p)
	readSessions, err := l.QueueEvents(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, _, standings, err := readSessions()
	if err != nil {
		t.Fatal(err)
	}
	got, err := read(standings)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("counts for %d sessions, want the 3 upcoming: %v", len(got), got)
	}
	if c := got[small.ID]; c != (Counts{Going: 2, Waitlist: 3}) {
		t.Errorf("a full session: %+v, want 2 going and 3 waiting", c)
	}
	if c := got[asked.ID]; c != (Counts{Pending: 1}) {
		t.Errorf("a session needing approval: %+v, want 1 pending", c)
	}
}

// Counts of a list with nothing on it are empty, not an error.
func TestQueueCountsOfAnEmptyList(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.s.rdb.Pipeline()
	l := f.s.QueueGroupSessions(ctx, p, "nothing-here", 10, 0)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := l.QueueCounts(ctx, f.s.rdb.Pipeline())(nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("counts of an empty list: %v, %v", got, err)
	}
}

// A session on both the person's own list and a group's list is read once
// when the group's list shares the person's reads, and both lists still
// give it with the person's standing.
func TestSharedReadsReadASessionOnBothListsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mine := f.create(t, nil)
	other := f.create(t, func(in *Input) { in.Start, in.End = "2026-01-19T18:30", "2026-01-19T20:30" })
	u := users(1)[0]
	if _, err := f.s.RSVP(ctx, mine.ID, u, true); err != nil {
		t.Fatal(err)
	}
	p := f.s.rdb.Pipeline()
	own := f.s.QueueUserSessions(ctx, p, u, testNow, time.Time{}, 10)
	shared := f.s.QueueGroupSessions(ctx, p, f.group, 10, 0)
	alone := f.s.QueueGroupSessions(ctx, p, f.group, 10, 0)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	p = f.s.rdb.Pipeline()
	readOwn, err := own.QueueEvents(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	before := p.Len()
	if _, err := alone.QueueEvents(ctx, p, u); err != nil {
		t.Fatal(err)
	}
	unshared := p.Len() - before
	before = p.Len()
	shared.Share(own)
	readShared, err := shared.QueueEvents(ctx, p, u)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Len() - before; 2*n != unshared {
		t.Errorf("the shared list queued %d commands, the list alone %d: want half, the other session's only", n, unshared)
	}
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		t.Fatal(err)
	}
	going, _, err := readOwn()
	if err != nil || len(going) != 1 || going[0].Event.ID != mine.ID {
		t.Fatalf("the person's own list: %+v, %v; want the session they go to", going, err)
	}
	upcoming, _, standings, err := readShared()
	if err != nil {
		t.Fatal(err)
	}
	if len(upcoming) != 2 || upcoming[0].ID != mine.ID || upcoming[1].ID != other.ID {
		t.Fatalf("the shared group list: %v, want both sessions in start order", upcoming)
	}
	if st := standings[mine.ID]; st.Status != RSVPGoing || st.Going != 1 {
		t.Errorf("the standing read once for both lists: %+v, want going, one seat taken", st)
	}
	if st := standings[other.ID]; st.Status != "" || st.Going != 0 {
		t.Errorf("the other session's standing: %+v, want none", st)
	}
}
