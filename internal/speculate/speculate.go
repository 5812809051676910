// Package speculate lets a page that reads Redis in several round trips,
// each naming what the one before found, read in one on a repeat view:
// the reads its later round trips made on the viewer's last view ride
// with its first one, and a later round trip sends only what is not
// among them. When nothing the page reads changed what it names, a view
// costs one round trip; a guess that no longer holds costs only reads
// made for nothing, never a wrong page, since every reply comes from the
// same view's first round trip.
//
// Only plain reads are guessed (see readOnly): a write, a script or a
// command whose reply type this package does not copy is always sent in
// its own round trip, in the order the page asked for it.
package speculate

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/strcache"
)

// Memory remembers, per key (a page and its viewer), the reads the later
// round trips of the key's last view made. Safe for concurrent use.
type Memory struct{ plans strcache.Cache[[]guess] }

// NewMemory remembers up to size keys (see strcache.Cache).
func NewMemory(size int) *Memory {
	return &Memory{plans: strcache.Cache[[]guess]{Size: size}}
}

// guess is a read to make with a view's first round trip: its reply kind
// (its index in kinds) and its arguments (strings and numbers, owned by the Memory and never
// changed).
type guess struct {
	kind byte
	args []any
}

// View is one page view's guesses: queued with its first round trip by
// Queue, used by Exec, remembered for the next view by Remember.
type View struct {
	m     *Memory
	key   string
	last  []guess
	cmds  []redis.Cmder // last's commands, queued on the first pipeline
	used  []bool        // whether a later command took cmds[i]'s reply
	next  int           // where the next later command is looked for first
	asked []redis.Cmder // what the later round trips read, in order
	// wrote is set once a later round trip carried a command that may
	// write: what follows may read what it wrote, so it is not guessed.
	wrote bool
}

// Queue queues on p, the page's first pipeline, the reads that the later
// round trips of key's last view made, and returns the view that
// ExecFirst, Exec and Remember use. The page queues its own first reads
// before, so that none of the guesses comes before a write of the first
// round trip that its read followed last time. A nil Memory guesses
// nothing.
func (m *Memory) Queue(ctx context.Context, p redis.Pipeliner, key string) *View {
	v := &View{m: m, key: key}
	if m == nil {
		return v
	}
	v.last, _ = m.plans.Get(key)
	if len(v.last) == 0 {
		return v
	}
	v.cmds = make([]redis.Cmder, len(v.last))
	v.used = make([]bool, len(v.last))
	v.asked = make([]redis.Cmder, 0, len(v.last))
	for i, g := range v.last {
		v.cmds[i] = kinds[g.kind].make(ctx, g.args)
	}
	_ = p.BatchProcess(ctx, v.cmds...)
	return v
}

// ExecFirst runs p, the first pipeline, on which Queue queued the
// guesses, and returns the page's own commands and the first error among
// them, as redis.Pipeliner.Exec does: a guess that failed fails no page
// (the read it guessed is sent later).
func (v *View) ExecFirst(ctx context.Context, p redis.Pipeliner) ([]redis.Cmder, error) {
	cmds, err := p.Exec(ctx)
	if err == nil || len(v.cmds) == 0 {
		return cmds, err
	}
	own := slices.DeleteFunc(cmds, func(c redis.Cmder) bool { return slices.Contains(v.cmds, c) })
	for _, c := range own {
		if err := c.Err(); err != nil {
			return own, err
		}
	}
	return own, nil
}

// Exec runs p, a later pipeline of the view, once the first has run:
// each command on it that was guessed gets the guess's reply, and the
// others are sent in one round trip (none when all were guessed). It
// returns the commands it sent and the first error among them, as
// redis.Pipeliner.Exec does; a guessed command holds no error but
// redis.Nil.
func (v *View) Exec(ctx context.Context, p redis.Pipeliner) ([]redis.Cmder, error) {
	cmds := p.Cmds()
	if v.m != nil {
		v.asked = append(v.asked, cmds...)
	}
	if len(v.cmds) == 0 {
		return p.Exec(ctx)
	}
	n := 0 // the commands not guessed, moved to the front
	for _, cmd := range cmds {
		v.wrote = v.wrote || !readOnly[cmd.Name()]
		if v.wrote || !v.fill(cmd) {
			cmds[n] = cmd
			n++
		}
	}
	if n < len(cmds) {
		rest := slices.Clone(cmds[:n])
		p.Discard()
		_ = p.BatchProcess(ctx, rest...)
	}
	return p.Exec(ctx)
}

// fill gives cmd the reply of the guess it matches, looked for where the
// last match left off first (later reads come in the order they came
// last time), and reports whether there was one that succeeded.
func (v *View) fill(cmd redis.Cmder) bool {
	kind, ok := kindOf(cmd)
	if !ok {
		return false
	}
	args := cmd.Args()
	for k := range v.cmds {
		i := (v.next + k) % len(v.cmds)
		if g := v.last[i]; g.kind != kind || !sameArgs(g.args, args) {
			continue
		}
		v.next = i + 1
		if !copyReply(cmd, v.cmds[i], kind, v.used[i]) {
			return false
		}
		v.used[i] = true
		return true
	}
	return false
}

// sameArgs reports whether a guess's arguments are args. Arguments of
// different types differ (a []byte never equals a string, and comparing
// them does not panic: their dynamic types differ).
func sameArgs(guess, args []any) bool {
	if len(guess) != len(args) {
		return false
	}
	for i := range guess {
		if guess[i] != args[i] {
			return false
		}
	}
	return true
}

// Remember keeps what the view's later round trips read for the key's
// next view, when it differs from what this one guessed. A page calls it
// once its reads all succeeded.
func (v *View) Remember() {
	if v.m == nil {
		return
	}
	n := 0 // the guesses that were asked for again, in order
	var plan []guess
	for _, cmd := range v.asked {
		if !readOnly[cmd.Name()] {
			break // what follows is not guessed (see wrote)
		}
		k, ok := kindOf(cmd)
		if !ok || !guessable(cmd.Args()) {
			continue
		}
		if plan == nil && n < len(v.last) && v.last[n].kind == k && sameArgs(v.last[n].args, cmd.Args()) {
			n++
			continue
		}
		if plan == nil {
			plan = append(make([]guess, 0, len(v.asked)), v.last[:n]...)
		}
		plan = append(plan, guess{kind: k, args: owned(cmd.Args())})
	}
	switch {
	case plan != nil:
		v.m.plans.Put(v.key, plan)
	case n < len(v.last):
		v.m.plans.Put(v.key, v.last[:n])
	}
}

// owned is a copy of args that the Memory can keep: a string argument
// may point into the request's buffer, which the server reuses.
func owned(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok {
			a = strings.Clone(s)
		}
		out[i] = a
	}
	return out
}

// kind is the type of a command's reply that a guess can stand for: how
// to tell it, make it and copy a reply between two of it.
type kind struct {
	is   func(redis.Cmder) bool
	make func(context.Context, []any) redis.Cmder
	copy func(dst, g redis.Cmder, taken bool)
}

// kinds are the reply types guessed; a guess keeps its index.
var kinds = []kind{
	of(redis.NewStringCmd, same[string]),
	of(redis.NewIntCmd, same[int64]),
	of(redis.NewBoolCmd, same[bool]),
	of(redis.NewFloatCmd, same[float64]),
	of(redis.NewSliceCmd, slices.Clone[[]any]),
	of(redis.NewStringSliceCmd, slices.Clone[[]string]),
	of(redis.NewZSliceCmd, slices.Clone[[]redis.Z]),
	of(redis.NewMapStringStringCmd, maps.Clone[map[string]string]),
}

// of is the kind of the commands newCmd makes, whose replies clone
// copies.
func of[T any, C interface {
	redis.Cmder
	Val() T
	SetVal(T)
}](newCmd func(context.Context, ...any) C, clone func(T) T) kind {
	return kind{
		is:   func(c redis.Cmder) bool { _, ok := c.(C); return ok },
		make: func(ctx context.Context, args []any) redis.Cmder { return newCmd(ctx, args...) },
		copy: func(dst, g redis.Cmder, taken bool) {
			v := g.(C).Val()
			if taken {
				v = clone(v)
			}
			dst.(C).SetVal(v)
		},
	}
}

// same is a reply that needs no copy.
func same[T any](v T) T { return v }

// readOnly are the commands that are guessed: plain reads, whose reply
// is the same whichever round trip of a view carries them.
var readOnly = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`get mget strlen exists hget hmget hgetall hlen hexists
		zcard zscore zmscore zrank zrevrank zrange zrevrange zrangebyscore zrevrangebyscore zcount
		sismember smismember smembers scard lrange llen`) {
		readOnly[name] = true
	}
}

// kindOf gives the index in kinds of cmd's reply type, when cmd is a
// read this package guesses.
func kindOf(cmd redis.Cmder) (byte, bool) {
	if len(cmd.Args()) == 0 || !readOnly[cmd.Name()] {
		return 0, false
	}
	for i, k := range kinds {
		if k.is(cmd) {
			return byte(i), true
		}
	}
	return 0, false
}

// guessable reports whether args can be kept and compared: strings and
// numbers only.
func guessable(args []any) bool {
	for _, a := range args {
		switch a.(type) {
		case string, int, int64, float64:
		default:
			return false
		}
	}
	return true
}

// copyReply gives dst the reply of g, a guess of the same kind and
// arguments, unless g failed other than by finding nothing (then dst is
// sent). A reply holding a slice or a map that another command took
// already (two reads of a view may be the same) is copied, since a page
// may change what it is given.
func copyReply(dst, g redis.Cmder, k byte, taken bool) bool {
	if err := g.Err(); err != nil && !errors.Is(err, redis.Nil) {
		return false
	}
	kinds[k].copy(dst, g, taken)
	dst.SetErr(g.Err())
	return true
}
