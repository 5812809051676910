package web_test

import (
	"context"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// armedHook is a go-redis hook that, once armed, acts on the first
// pipeline carrying a command match accepts (given its arguments): before
// runs ahead of that pipeline, as a change landing between a request's
// reads and its writes, and after once it has run. Either may be nil.
type armedHook struct {
	armed  atomic.Bool
	match  func(args []any) bool
	before func(args []any) error
	after  func(ctx context.Context)
}

func (h *armedHook) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *armedHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *armedHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		var hit []any
		for _, c := range cmds {
			if a := c.Args(); h.match(a) && h.armed.CompareAndSwap(true, false) {
				hit = a
				break
			}
		}
		if hit == nil {
			return next(ctx, cmds)
		}
		if h.before != nil {
			if err := h.before(hit); err != nil {
				return err
			}
		}
		err := next(ctx, cmds)
		if h.after != nil {
			h.after(ctx)
		}
		return err
	}
}
