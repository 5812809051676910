package replies

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Every kind keeps a copy its command's caller may change, gives it back
// to a command of its kind only, and a command it makes is of that kind.
func TestEveryKindKeepsACopyAndGivesItToItsOwnKind(t *testing.T) {
	ctx := context.Background()
	for i := range kinds {
		k := Kind(i)
		src := New(ctx, k, []any{"read", "key"})
		if got, ok := Of(src); !ok || got != k {
			t.Fatalf("kind %d: a command it made is of kind %d (%v)", k, got, ok)
		}
		kept := Take(src, k)
		dst := New(ctx, k, []any{"read", "key"})
		dst.SetErr(redis.Nil)
		if !Give(dst, k, kept) || dst.Err() != nil {
			t.Fatalf("kind %d: Give refused its own value or left the error: %v", k, dst.Err())
		}
		other := Kind((i + 1) % len(kinds))
		if Give(New(ctx, other, nil), other, kept) || Give(New(ctx, other, nil), k, kept) {
			t.Fatalf("kind %d's value given to a command of kind %d", k, other)
		}
		if !Is(dst, k) || Is(dst, other) {
			t.Fatalf("kind %d: Is says otherwise", k)
		}
	}
	s := redis.NewStringSliceCmd(ctx, "lrange", "key", 0, -1)
	s.SetVal([]string{"a"})
	list, _ := Of(s)
	kept := Take(s, list)
	s.Val()[0] = "changed by the caller"
	d := redis.NewStringSliceCmd(ctx, "lrange", "key", 0, -1)
	Give(d, list, kept)
	d.Val()[0] = "changed by the next caller"
	again := redis.NewStringSliceCmd(ctx, "lrange", "key", 0, -1)
	if Give(again, list, kept); again.Val()[0] != "a" {
		t.Fatalf("the kept list was changed through a caller: %v", again.Val())
	}
}
