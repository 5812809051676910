package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// gcHeapFloor is the heap the collector may let grow before Go's default
// pace applies. A live heap under a third of it is collected at GOGC=200
// (5-9 % less CPU per page view than Go's default, docs/performance.md);
// a larger one may grow to it, and from half of it on the pace is Go's
// default and never below, so a large heap takes no more memory than
// Go's default would give it. 48 MiB keeps the benchmark's peak RSS
// where Go's default has it (84 MB); 64 MiB took it to 98 MB.
const gcHeapFloor = 48 << 20

// GC percents the pacer keeps between.
const (
	gcPercentMin = 100 // Go's default
	gcPercentMax = 200
)

// tuneGC paces the collector after each collection by the live heap it
// found (see gcHeapFloor), unless the operator set GOGC or GOMEMLIMIT,
// which then apply as Go defines them. It reports whether it did.
//
// Libraries that do this (bytedance/gopkg's gctuner) pace by the heap in
// use, which right after a collection still holds the garbage not swept
// yet: measured here under load, 31 MB in use for 17 MB live, which kept
// the pace at GOGC 105-108 and gained nothing. The live heap is what Go's
// own pacer goes by, and runtime/metrics gives it without stopping the
// world.
func tuneGC(getenv func(string) string) bool {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return false
	}
	p := &gcPacer{live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, percent: gcPercentMin}
	p.arm()
	return true
}

// gcPacer sets the GC percent once per collection, from a finalizer on
// an object that only it references: the collector runs the finalizer
// after each cycle that found the object unreachable, and the finalizer
// sets itself again.
type gcPacer struct {
	live    []metrics.Sample
	percent int
}

type gcSentinel struct{ p *gcPacer }

func (p *gcPacer) arm() {
	runtime.SetFinalizer(&gcSentinel{p: p}, func(s *gcSentinel) {
		metrics.Read(s.p.live)
		if pct := gcPercentFor(s.p.live[0].Value.Uint64()); pct != s.p.percent {
			s.p.percent = pct
			debug.SetGCPercent(pct)
		}
		s.p.arm()
	})
}

// gcPercentFor is the GC percent that lets a heap of live bytes grow to
// gcHeapFloor, between gcPercentMin and gcPercentMax.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcPercentMax
	}
	if live >= gcHeapFloor {
		return gcPercentMin
	}
	return min(gcPercentMax, max(gcPercentMin, int((gcHeapFloor-live)*100/live)))
}
