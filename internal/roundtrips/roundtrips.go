// Package roundtrips counts the Redis round trips made on behalf of one
// context (one HTTP request): a command counts one, a pipeline or a
// transaction counts one however many commands it carries. Round trips are
// the cost of this stack, so pages are measured and tested by them.
package roundtrips

import (
	"context"
	"net"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

type counterKey struct{}

// Counter holds the count of one context.
type Counter struct{ n atomic.Int64 }

// Count returns the round trips made so far.
func (c *Counter) Count() int { return int(c.n.Load()) }

// With returns a context whose Redis round trips are counted in the
// returned Counter (on a client that has the Hook).
func With(ctx context.Context) (context.Context, *Counter) {
	c := &Counter{}
	return context.WithValue(ctx, counterKey{}, c), c
}

func add(ctx context.Context) {
	if c, ok := ctx.Value(counterKey{}).(*Counter); ok {
		c.n.Add(1)
	}
}

// Hook is the go-redis hook that does the counting: add it once to the
// client (rdb.AddHook(roundtrips.Hook{})).
type Hook struct{}

// DialHook leaves dialling alone.
func (Hook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

// ProcessHook counts one command.
func (Hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !handshake(cmd) {
			add(ctx)
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook counts one pipeline or transaction.
func (Hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) == 0 || !handshake(cmds[0]) {
			add(ctx)
		}
		return next(ctx, cmds)
	}
}

// handshake reports whether cmd is part of opening a pooled connection
// (HELLO, AUTH, SELECT, CLIENT ...), which the app never sends itself:
// those round trips belong to the pool, not to the request that happened
// to open the connection.
func handshake(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "hello", "auth", "select", "client":
		return true
	}
	return false
}
