package events

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
)

func benchFixture(b *testing.B, capacity string) (fixture, Event, []string) {
	f := newFixture(b)
	f.s.Notify = nil
	f.s.Now = func() time.Time { return testNow }
	ev := f.create(b, func(in *Input) { in.Capacity = capacity })
	people := make([]string, b.N)
	for i := range people {
		people[i] = ids.New()
	}
	return f, ev, people
}

// BenchmarkRSVPUncontended is one person at a time answering "going".
func BenchmarkRSVPUncontended(b *testing.B) {
	f, ev, people := benchFixture(b, "")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := f.s.RSVP(ctx, ev.ID, people[i], true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRSVPThousandGoroutines is 1,000 goroutines answering for one
// 50-seat session at once (most end up on the waitlist).
func BenchmarkRSVPThousandGoroutines(b *testing.B) {
	f, ev, people := benchFixture(b, "50")
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(max(1, 1000/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			u := people[next.Add(1)-1]
			if _, err := f.s.RSVP(ctx, ev.ID, u, true); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkICS renders the calendar of one session with its VTIMEZONE.
func BenchmarkICS(b *testing.B) {
	_, ev, _ := benchFixture(b, "")
	b.ReportAllocs()
	for range b.N {
		_ = ICS(MethodPublish, ev)
	}
}
