// Package roundtrips counts the Redis round trips made on behalf of one
// context (one HTTP request): a command counts one, a pipeline or a
// transaction counts one however many commands it carries. Round trips are
// the cost of this stack, so pages are measured and tested by them. It
// also counts the commands among them that may write, so a page that
// should only read can be held to it.
package roundtrips

import (
	"context"
	"net"
	"strings"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

type counterKey struct{}

// Counter holds the counts of one context.
type Counter struct{ n, writes atomic.Int64 }

// Count returns the round trips made so far.
func (c *Counter) Count() int { return int(c.n.Load()) }

// Writes returns how many of the commands sent so far may write: writing
// commands, and scripts run with EVAL or EVALSHA (a script that only
// reads runs with EVAL_RO or EVALSHA_RO).
func (c *Counter) Writes() int { return int(c.writes.Load()) }

// With returns a context whose Redis round trips are counted in the
// returned Counter (on a client that has the Hook).
func With(ctx context.Context) (context.Context, *Counter) {
	c := &Counter{}
	return context.WithValue(ctx, counterKey{}, c), c
}

// From returns the Counter of ctx (see With), or nil.
func From(ctx context.Context) *Counter {
	c, _ := ctx.Value(counterKey{}).(*Counter)
	return c
}

// add counts one round trip carrying cmds.
func add(ctx context.Context, cmds ...redis.Cmder) {
	c, ok := ctx.Value(counterKey{}).(*Counter)
	if !ok {
		return
	}
	c.n.Add(1)
	for _, cmd := range cmds {
		if writes[cmd.Name()] {
			c.writes.Add(1)
		}
	}
}

// writes are the commands that may change data: those the app sends, and
// their neighbours. A command missing here counts as a read, so one that
// writes must be added when the app starts to send it.
var writes = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`set setex psetex setnx getset getdel getex del unlink expire pexpire
		expireat pexpireat persist incr incrby decr decrby incrbyfloat append rename renamenx copy
		hset hsetnx hmset hdel hincrby hincrbyfloat sadd srem spop smove sinterstore sunionstore sdiffstore
		zadd zrem zincrby zpopmin zpopmax zremrangebyscore zremrangebyrank zremrangebylex zunionstore zinterstore zrangestore
		lpush rpush lpop rpop lset ltrim lrem linsert lmove xadd xack xdel xtrim xclaim xautoclaim xgroup
		setrange pfadd pfmerge rpoplpush blmove lmpop zmpop hgetdel hgetex xreadgroup xsetid
		eval evalsha fcall publish flushdb flushall`) {
		writes[name] = true
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
		if !Handshake(cmd) {
			add(ctx, cmd)
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook counts one pipeline or transaction.
func (Hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) == 0 || !Handshake(cmds[0]) {
			add(ctx, cmds...)
		}
		return next(ctx, cmds)
	}
}

// Handshake reports whether cmd is part of opening a pooled connection
// (HELLO, AUTH, SELECT, CLIENT ...), which the app never sends itself:
// those round trips belong to the pool, not to the request that happened
// to open the connection.
func Handshake(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "hello", "auth", "select", "client":
		return true
	}
	return false
}
