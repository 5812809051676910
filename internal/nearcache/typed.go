package nearcache

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/redis/go-redis/v9"
)

// The reads below take a reply from memory without making a go-redis
// command, when the request may: the cache heard every change finished
// before the request began (the first such read waits for the request's
// PING, as its first batch would), and the request neither sent nor
// queued on the pipeline a command that may write. Otherwise, or when the
// cache lacks the reply, they queue the command on the pipeline as
// before, which the cache answers or keeps when it runs. A page skips the
// making, looking up and copying of a command for each read this way.
//
// The pipeline must be of the client the cache's Hook is on, and not a
// transaction (TxPipeline): a reply from memory is no part of one.

// held returns the reply kept for key and the signature sig (as keyOf
// writes it), when ctx's request may take it from memory for a read to
// be queued on p.
func held(ctx context.Context, p redis.Pipeliner, key string, sig []byte) (*scope, reply, uint64, bool) {
	sc := scopeOf(ctx)
	if sc == nil || sc.off.Load() || sc.cache == nil || !sc.cache.active.Load() || sc.queuedWrite(p) {
		return nil, reply{}, 0, false
	}
	if !sc.cache.syncScope(ctx, sc) {
		return nil, reply{}, 0, false
	}
	r, born, ok := sc.cache.get(key, sig)
	return sc, r, born, ok && len(r.others) == 0
}

// serve counts a reply given from memory for key, and records it for the
// request.
func (sc *scope) serve(key string, born uint64) {
	sc.cache.served.Add(1)
	sc.note(key, born, nil, 0)
}

// Reply is a reply of type T read by one of the functions below: from
// memory, or from the command queued. A zero Reply was never read: its
// Err says so, rather than passing for an empty answer.
type Reply[T string | int64 | bool | float64 | []any | []string | map[string]string] struct {
	cmd interface {
		Err() error
		Val() T
	}
	val   T
	held  bool // val (or isNil) came from memory
	isNil bool
}

// errNotRead is the error of a Reply no read made.
var errNotRead = errors.New("nearcache: reply of a read never made")

// Read reports whether a read made r (from memory or queued).
func (r Reply[T]) Read() bool { return r.cmd != nil || r.held }

// Err is the reply's error (redis.Nil for a nil reply) once the
// pipeline ran.
func (r Reply[T]) Err() error {
	switch {
	case r.cmd != nil:
		return r.cmd.Err()
	case !r.held:
		return errNotRead
	case r.isNil:
		return redis.Nil
	}
	return nil
}

// Val is the reply's value once the pipeline ran (zero on an error).
func (r Reply[T]) Val() T {
	if r.cmd != nil {
		return r.cmd.Val()
	}
	return r.val
}

// Result is Val and Err.
func (r Reply[T]) Result() (T, error) { return r.Val(), r.Err() }

// from is the Reply held for key and the command name with args, or the
// command queue makes; clone (nil for a value without slices or maps)
// copies a reply from memory for a caller that may change it.
func from[T string | int64 | bool | float64 | []any | []string | map[string]string, C interface {
	Err() error
	Val() T
}](ctx context.Context, p redis.Pipeliner, key, name string, args []string, clone func(T) T, queue func() C) Reply[T] {
	var buf [128]byte
	sig := append(buf[:0], name...)
	for _, a := range args {
		sig = appendStr(sig, a)
	}
	return fromSig(ctx, p, key, sig, clone, queue)
}

// fromSig is from with the signature written (as keyOf writes it).
func fromSig[T string | int64 | bool | float64 | []any | []string | map[string]string, C interface {
	Err() error
	Val() T
}](ctx context.Context, p redis.Pipeliner, key string, sig []byte, clone func(T) T, queue func() C) Reply[T] {
	if sc, r, born, ok := held(ctx, p, key, sig); ok {
		v, of := r.val.(T)
		if r.nil || of {
			sc.serve(key, born)
			if clone != nil {
				v = clone(v)
			}
			return Reply[T]{val: v, held: true, isNil: r.nil}
		}
	}
	return Reply[T]{cmd: queue()}
}

// Get reads the string key.
func Get(ctx context.Context, p redis.Pipeliner, key string) Reply[string] {
	return from(ctx, p, key, "get", nil, nil, func() *redis.StringCmd { return p.Get(ctx, key) })
}

// HGet reads field of the hash key.
func HGet(ctx context.Context, p redis.Pipeliner, key, field string) Reply[string] {
	return from(ctx, p, key, "hget", []string{field}, nil, func() *redis.StringCmd { return p.HGet(ctx, key, field) })
}

// HMGet reads fields of the hash key; the caller may change the reply.
func HMGet(ctx context.Context, p redis.Pipeliner, key string, fields ...string) Reply[[]any] {
	return from(ctx, p, key, "hmget", fields, slices.Clone, func() *redis.SliceCmd { return p.HMGet(ctx, key, fields...) })
}

// HGetAll reads the whole hash key; the caller may change the reply.
func HGetAll(ctx context.Context, p redis.Pipeliner, key string) Reply[map[string]string] {
	return from(ctx, p, key, "hgetall", nil, maps.Clone, func() *redis.MapStringStringCmd { return p.HGetAll(ctx, key) })
}

// HExists reads whether field is in the hash key.
func HExists(ctx context.Context, p redis.Pipeliner, key, field string) Reply[bool] {
	return from(ctx, p, key, "hexists", []string{field}, nil, func() *redis.BoolCmd { return p.HExists(ctx, key, field) })
}

// HLen reads the number of fields of the hash key.
func HLen(ctx context.Context, p redis.Pipeliner, key string) Reply[int64] {
	return from(ctx, p, key, "hlen", nil, nil, func() *redis.IntCmd { return p.HLen(ctx, key) })
}

// SMembers reads the members of the set key; the caller may change the
// reply.
func SMembers(ctx context.Context, p redis.Pipeliner, key string) Reply[[]string] {
	return from(ctx, p, key, "smembers", nil, slices.Clone, func() *redis.StringSliceCmd { return p.SMembers(ctx, key) })
}

// ZRange reads the members of the sorted set key from rank start to stop;
// the caller may change the reply.
func ZRange(ctx context.Context, p redis.Pipeliner, key string, start, stop int64) Reply[[]string] {
	return byRank(ctx, p, key, "zrange", start, stop, func() *redis.StringSliceCmd { return p.ZRange(ctx, key, start, stop) })
}

// ZRevRange reads the members of the sorted set key from rank start to
// stop, highest first; the caller may change the reply.
func ZRevRange(ctx context.Context, p redis.Pipeliner, key string, start, stop int64) Reply[[]string] {
	return byRank(ctx, p, key, "zrevrange", start, stop, func() *redis.StringSliceCmd { return p.ZRevRange(ctx, key, start, stop) })
}

// LRange reads the elements of the list key from index start to stop;
// the caller may change the reply.
func LRange(ctx context.Context, p redis.Pipeliner, key string, start, stop int64) Reply[[]string] {
	return byRank(ctx, p, key, "lrange", start, stop, func() *redis.StringSliceCmd { return p.LRange(ctx, key, start, stop) })
}

// byRank is a read of key from index start to stop (its signature
// written as keyOf writes go-redis's int64 arguments).
func byRank(ctx context.Context, p redis.Pipeliner, key, name string, start, stop int64, queue func() *redis.StringSliceCmd) Reply[[]string] {
	var buf [64]byte
	return fromSig(ctx, p, key, appendNum(appendNum(append(buf[:0], name...), start), stop), slices.Clone, queue)
}

// ZRangeWithScores reads the members of the sorted set key from rank
// start to stop with their scores, as p.ZRangeWithScores does; the caller
// may change the reply.
func ZRangeWithScores(ctx context.Context, p redis.Pipeliner, key string, start, stop int64) *redis.ZSliceCmd {
	return byRankWithScores(ctx, p, key, "zrange", start, stop, func() *redis.ZSliceCmd { return p.ZRangeWithScores(ctx, key, start, stop) })
}

// ZRevRangeWithScores reads the members of the sorted set key from rank
// start to stop, highest first, with their scores, as
// p.ZRevRangeWithScores does; the caller may change the reply.
func ZRevRangeWithScores(ctx context.Context, p redis.Pipeliner, key string, start, stop int64) *redis.ZSliceCmd {
	return byRankWithScores(ctx, p, key, "zrevrange", start, stop, func() *redis.ZSliceCmd { return p.ZRevRangeWithScores(ctx, key, start, stop) })
}

func byRankWithScores(ctx context.Context, p redis.Pipeliner, key, name string, start, stop int64, queue func() *redis.ZSliceCmd) *redis.ZSliceCmd {
	var buf [64]byte
	sig := appendStr(appendNum(appendNum(append(buf[:0], name...), start), stop), "withscores")
	return heldRange(ctx, p, key, sig, redis.NewZSliceCmd, queue)
}

// ZCard reads the size of the sorted set key.
func ZCard(ctx context.Context, p redis.Pipeliner, key string) Reply[int64] {
	return from(ctx, p, key, "zcard", nil, nil, func() *redis.IntCmd { return p.ZCard(ctx, key) })
}

// ZRank reads the rank of member in the sorted set key.
func ZRank(ctx context.Context, p redis.Pipeliner, key, member string) Reply[int64] {
	return from(ctx, p, key, "zrank", []string{member}, nil, func() *redis.IntCmd { return p.ZRank(ctx, key, member) })
}

// ZScore reads the score of member in the sorted set key.
func ZScore(ctx context.Context, p redis.Pipeliner, key, member string) Reply[float64] {
	return from(ctx, p, key, "zscore", []string{member}, nil, func() *redis.FloatCmd { return p.ZScore(ctx, key, member) })
}

// SIsMember reads whether member is in the set key.
func SIsMember(ctx context.Context, p redis.Pipeliner, key, member string) Reply[bool] {
	return from(ctx, p, key, "sismember", []string{member}, nil, func() *redis.BoolCmd { return p.SIsMember(ctx, key, member) })
}

// ZRangeByScore reads members of the sorted set key by score, as
// p.ZRangeByScore does; the caller may change the reply.
func ZRangeByScore(ctx context.Context, p redis.Pipeliner, key string, opt *redis.ZRangeBy) *redis.StringSliceCmd {
	return ranged(ctx, p, key, "zrangebyscore", opt.Min, opt.Max, false, opt, redis.NewStringSliceCmd,
		func() *redis.StringSliceCmd { return p.ZRangeByScore(ctx, key, opt) })
}

// ZRevRangeByScore reads members of the sorted set key by score, highest
// first, as p.ZRevRangeByScore does; the caller may change the reply.
func ZRevRangeByScore(ctx context.Context, p redis.Pipeliner, key string, opt *redis.ZRangeBy) *redis.StringSliceCmd {
	return ranged(ctx, p, key, "zrevrangebyscore", opt.Max, opt.Min, false, opt, redis.NewStringSliceCmd,
		func() *redis.StringSliceCmd { return p.ZRevRangeByScore(ctx, key, opt) })
}

// ZRangeByScoreWithScores reads members of the sorted set key by score,
// with their scores, as p.ZRangeByScoreWithScores does; the caller may
// change the reply.
func ZRangeByScoreWithScores(ctx context.Context, p redis.Pipeliner, key string, opt *redis.ZRangeBy) *redis.ZSliceCmd {
	return ranged(ctx, p, key, "zrangebyscore", opt.Min, opt.Max, true, opt, redis.NewZSliceCmd,
		func() *redis.ZSliceCmd { return p.ZRangeByScoreWithScores(ctx, key, opt) })
}

// ranged is a range read of key by score from lo to hi (its arguments
// written as go-redis writes them): a command newCmd makes, filled with a
// copy of the reply kept, or the one queue queues.
func ranged[E string | redis.Z, C interface{ SetVal([]E) }](ctx context.Context, p redis.Pipeliner, key, name, lo, hi string,
	scores bool, opt *redis.ZRangeBy, newCmd func(context.Context, ...any) C, queue func() C) C {
	var buf [128]byte
	sig := appendStr(appendStr(append(buf[:0], name...), lo), hi)
	if scores {
		sig = appendStr(sig, "withscores")
	}
	if opt.Offset != 0 || opt.Count != 0 {
		sig = appendNum(appendNum(appendStr(sig, "limit"), opt.Offset), opt.Count)
	}
	return heldRange(ctx, p, key, sig, newCmd, queue)
}

// heldRange is a command newCmd makes, filled with a copy of the range
// reply kept for key and sig, or the one queue queues.
func heldRange[E string | redis.Z, C interface{ SetVal([]E) }](ctx context.Context, p redis.Pipeliner, key string, sig []byte,
	newCmd func(context.Context, ...any) C, queue func() C) C {
	if sc, r, born, ok := held(ctx, p, key, sig); ok && !r.nil {
		if v, of := r.val.([]E); of {
			sc.serve(key, born)
			cmd := newCmd(ctx)
			cmd.SetVal(slices.Clone(v))
			return cmd
		}
	}
	return queue()
}
