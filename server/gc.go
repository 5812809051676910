package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// gcHeapGoal is the heap the collector may let grow to before Go's
// default pace applies. A live heap under a third of it is collected at
// GOGC=200; a larger one may grow to about it; from half of it on the
// pace is Go's default, never below, so a large heap takes no more
// memory than Go's default would give it. 48 MiB keeps the benchmark's
// peak RSS where Go's default has it; 64 MiB raised it by 13 MB
// (docs/performance.md).
const gcHeapGoal = 48 << 20

// GC percents the pacer keeps between.
const (
	gcPercentMin = 100 // Go's default
	gcPercentMax = 200
)

// tuneGC paces the collector by the live heap each collection found (see
// gcHeapGoal), unless the operator set GOGC or GOMEMLIMIT, which then
// apply as Go defines them; ok reports whether it does. stop ends the
// pacing (after the next collection), leaving the pace where it is.
//
// bytedance/gopkg's gctuner does this by the heap in use, which right
// after a collection still holds the garbage not swept yet: measured
// under load, 31 MB in use for 17 MB live, which held the pace at GOGC
// 105-108 and gained nothing. The live heap is what Go's own pacer goes
// by, and runtime/metrics gives it without stopping the world.
func tuneGC(getenv func(string) string) (stop func(), ok bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}, false
	}
	p := &gcPacer{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}}
	p.arm()
	return func() { p.stopped.Store(true) }, true
}

// gcPacer sets the GC percent from a finalizer on an object only it
// references: the collector queues the finalizer once a cycle finds the
// object unreachable, and the finalizer arms a new one. Finalizers run
// one at a time, so a busy heap may be paced every other cycle.
type gcPacer struct {
	sample  []metrics.Sample
	stopped atomic.Bool
}

type gcSentinel struct{ p *gcPacer }

func (p *gcPacer) arm() {
	runtime.SetFinalizer(&gcSentinel{p: p}, func(s *gcSentinel) {
		if s.p.stopped.Load() {
			return
		}
		metrics.Read(s.p.sample)
		if pct := gcPercentFor(s.p.sample[0].Value.Uint64()); uint64(pct) != s.p.sample[1].Value.Uint64() {
			debug.SetGCPercent(pct)
		}
		s.p.arm()
	})
}

// gcPercentFor is the GC percent that lets a heap of live bytes grow to
// gcHeapGoal, between gcPercentMin and gcPercentMax.
func gcPercentFor(live uint64) int {
	switch {
	case live == 0: // no collection has finished yet
		return gcPercentMax
	case live >= gcHeapGoal:
		return gcPercentMin
	}
	return min(gcPercentMax, max(gcPercentMin, int((gcHeapGoal-live)*100/live)))
}
