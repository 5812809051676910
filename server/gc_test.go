package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// An operator's GOGC or GOMEMLIMIT is left to the runtime.
func TestTuneGCLeavesOperatorSettingsAlone(t *testing.T) {
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		if _, ok := tuneGC(env(map[string]string{name: "150"})); ok {
			t.Errorf("with %s set, the pace was tuned", name)
		}
	}
}

func TestGCPercentForLiveHeap(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 200}, {4 << 20, 200}, {gcHeapGoal / 3, 200}, {gcHeapGoal * 2 / 5, 150},
		{gcHeapGoal / 2, 100}, {gcHeapGoal * 3 / 4, 100}, {gcHeapGoal, 100}, {4 * gcHeapGoal, 100},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("live %d MiB: GOGC %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// Without them, a small heap is collected at GOGC=200, a heap past half
// the goal at Go's default pace, and at 200 again once it shrinks.
func TestTuneGCPacesByLiveHeap(t *testing.T) {
	stop, ok := tuneGC(env(nil))
	if !ok {
		t.Fatal("not tuned without GOGC or GOMEMLIMIT")
	}
	t.Cleanup(func() {
		stop()
		debug.SetGCPercent(100)
	})
	gogc := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	settles := func(want uint64) {
		t.Helper()
		// The pace is set after a collection, by a finalizer that runs
		// on its own goroutine: collect until it shows.
		for range 200 {
			runtime.GC()
			runtime.Gosched()
			if metrics.Read(gogc); gogc[0].Value.Uint64() == want {
				return
			}
		}
		t.Fatalf("GOGC %d, want %d", gogc[0].Value.Uint64(), want)
	}
	settles(200)
	func() {
		live := make([]byte, gcHeapGoal*3/4)
		settles(100)
		runtime.KeepAlive(live)
	}()
	settles(200)
}
