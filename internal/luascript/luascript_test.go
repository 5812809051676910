package luascript_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/luascript"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

var incr = redis.NewScript(`return redis.call('INCR', KEYS[1])`)

// A queued script answers in its pipeline's round trip, and is loaded
// and run when Redis had forgotten it, in one round trip more; one queued
// as read-only may not write.
func TestQueuedScriptsAnswerAfterRedisForgetsThem(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	rdb.AddHook(roundtrips.Hook{})
	key := prefix + "counter"
	for i, flush := range []bool{true, false, true} { // a script first sent with EVAL is loaded
		ctx, trips := roundtrips.With(context.Background())
		if flush {
			if err := rdb.ScriptFlush(context.Background()).Err(); err != nil {
				t.Fatal(err)
			}
		}
		p := rdb.Pipeline()
		answer := luascript.Queue(ctx, p, rdb, incr, false, []string{key})
		_, _ = p.Exec(ctx)
		n, err := answer().Int()
		if err != nil || n != i+1 {
			t.Fatalf("run %d (flushed first: %t): %d, %v; want %d", i+1, flush, n, err, i+1)
		}
		if want := map[bool]int{false: 1, true: 2}[flush]; trips.Count() != want {
			t.Errorf("run %d (flushed first: %t): %d round trips, want %d", i+1, flush, trips.Count(), want)
		}
		if again, _ := answer().Int(); again != n {
			t.Fatalf("asked twice, the answer changed: %d then %d", n, again)
		}
	}
	ctx := context.Background()
	for _, flush := range []bool{false, true} {
		if flush {
			if err := rdb.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
		}
		p := rdb.Pipeline()
		answer := luascript.Queue(ctx, p, rdb, incr, true, []string{key})
		_, _ = p.Exec(ctx)
		if err := answer().Err(); err == nil || !strings.Contains(strings.ToLower(err.Error()), "write") {
			t.Fatalf("a read-only script that writes (flushed first: %t): %v, want refused", flush, err)
		}
	}
	if n, _ := rdb.Get(ctx, key).Int(); n != 3 {
		t.Fatalf("the counter is %d, want 3: a read-only run wrote", n)
	}
}
