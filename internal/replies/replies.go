// Package replies knows the go-redis reply types that the app's read
// memories hold (internal/speculate's guesses, internal/nearcache's
// replies): how to tell a command's kind, make a command of a kind, and
// move a reply from one command to another or in and out of memory.
package replies

import (
	"context"
	"maps"
	"slices"

	"github.com/redis/go-redis/v9"
)

// Kind is the index of a reply type among those this package knows; a
// memory may keep it (it stays the same while the program runs).
type Kind byte

// kind is how to handle one reply type.
type kind struct {
	is   func(redis.Cmder) bool
	make func(context.Context, []any) redis.Cmder
	copy func(dst, src redis.Cmder)  // shares src's slice or map
	take func(redis.Cmder) any       // a copy to keep
	give func(redis.Cmder, any) bool // a copy of what was kept, when of the type
}

var kinds = []kind{
	of(redis.NewStringCmd, same[string]),
	of(redis.NewIntCmd, same[int64]),
	of(redis.NewBoolCmd, same[bool]),
	of(redis.NewFloatCmd, same[float64]),
	of(redis.NewSliceCmd, slices.Clone[[]any]),
	of(redis.NewStringSliceCmd, slices.Clone[[]string]),
	of(redis.NewZSliceCmd, slices.Clone[[]redis.Z]),
	of(redis.NewMapStringStringCmd, maps.Clone[map[string]string]),
	of(redis.NewBoolSliceCmd, slices.Clone[[]bool]),
	of(redis.NewFloatSliceCmd, slices.Clone[[]float64]),
}

func same[T any](v T) T { return v }

// of is the kind of the commands newCmd makes, whose values clone copies.
func of[T any, C interface {
	redis.Cmder
	Val() T
	SetVal(T)
}](newCmd func(context.Context, ...any) C, clone func(T) T) kind {
	return kind{
		is:   func(c redis.Cmder) bool { _, ok := c.(C); return ok },
		make: func(ctx context.Context, args []any) redis.Cmder { return newCmd(ctx, args...) },
		copy: func(dst, src redis.Cmder) { dst.(C).SetVal(src.(C).Val()) },
		take: func(c redis.Cmder) any { return clone(c.(C).Val()) },
		give: func(c redis.Cmder, v any) bool {
			cmd, ok := c.(C)
			t, of := v.(T)
			if ok && of {
				cmd.SetVal(clone(t))
			}
			return ok && of
		},
	}
}

// Of gives the kind of cmd's reply, when this package knows it.
func Of(cmd redis.Cmder) (Kind, bool) {
	for i, k := range kinds {
		if k.is(cmd) {
			return Kind(i), true
		}
	}
	return 0, false
}

// Is reports whether cmd's reply is of kind k.
func Is(cmd redis.Cmder, k Kind) bool { return kinds[k].is(cmd) }

// New makes a command of kind k with args.
func New(ctx context.Context, k Kind, args []any) redis.Cmder { return kinds[k].make(ctx, args) }

// Copy gives dst, a command of kind k, the reply of src (of the same
// kind), error included; they share a reply's slice or map.
func Copy(dst, src redis.Cmder, k Kind) {
	kinds[k].copy(dst, src)
	dst.SetErr(src.Err())
}

// Take is a copy of cmd's value (of kind k), to keep.
func Take(cmd redis.Cmder, k Kind) any { return kinds[k].take(cmd) }

// Give answers cmd with a copy of v (from Take on a command of kind k)
// and no error; false when cmd or v is of another kind.
func Give(cmd redis.Cmder, k Kind, v any) bool {
	if !kinds[k].give(cmd, v) {
		return false
	}
	cmd.SetErr(nil)
	return true
}
