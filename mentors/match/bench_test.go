package match

import (
	"fmt"
	"math/rand"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// peakHeap samples HeapAlloc while f runs and returns the highest value
// seen, in bytes, above the heap in use before f started.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			if s.HeapAlloc > peak.Load() {
				peak.Store(s.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-stopped
	runtime.ReadMemStats(&ms)
	p := max(peak.Load(), ms.HeapAlloc)
	if p < base {
		return 0
	}
	return p - base
}

// BenchmarkRound10kMentees2kMentors is a full round with scoring: 10,000
// mentees, 2,000 mentors of capacity 1–5. Run with GOMAXPROCS=1.
func BenchmarkRound10kMentees2kMentors(b *testing.B) {
	r := rand.New(rand.NewSource(2026))
	in := genRound(r, 10000, 2000, 5)
	for k := range in.Mentors {
		in.Mentors[k].Capacity = 1 + r.Intn(5)
	}
	for k := 0; k < 2000; k++ {
		in.Exclude = append(in.Exclude, PairKey{pick(r, in.Mentees).UserID, pick(r, in.Mentors).UserID})
	}
	b.ReportAllocs()
	b.ResetTimer()
	var peak uint64
	var pairs int
	for b.Loop() {
		peak = max(peak, peakHeap(func() { pairs = len(Round(in).Pairs) }))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(pairs), "pairs")
}

// BenchmarkSuggest50kMentors ranks mentors for one mentee among 50,000.
func BenchmarkSuggest50kMentors(b *testing.B) {
	r := rand.New(rand.NewSource(2027))
	mentors := make([]MentorProfile, 50000)
	for k := range mentors {
		mentors[k] = genMentor(r, fmt.Sprintf("m%06d", k), 5)
	}
	mentee := genMentee(r, "e")
	mentee.WantSkills = []string{"go", "kubernetes", "terraform"}
	mentee.Path = "devops"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Suggest(&mentee, mentors, Filter{}, DefaultSuggestions, testAt); err != nil {
			b.Fatal(err)
		}
	}
}
