// Package speculate lets a page that reads Redis in several round trips,
// each naming what the one before found, read in one on a repeat view:
// the reads its later round trips made on the last view of the same page
// (its key: the address and the viewer, say) ride with its first one,
// and a later read that was among them is answered without a round trip.
// When nothing the page reads changed what it names, a view costs one
// round trip; a guess that no longer holds costs only reads made for
// nothing, never a wrong page, since every reply comes from the same
// view's first round trip.
//
// A page's view travels in its context (With); Hook, on the client, does
// the rest for every command and pipeline run with that context, whatever
// package runs it. Only plain reads are guessed (see readOnly): once a
// view sends a command that may write (a script, a transaction), nothing
// after it is guessed or remembered, since it may read what was written.
package speculate

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/replies"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/strcache"
)

// Memory remembers, per key (a page and its viewer), the reads the later
// round trips of the key's last view made. Safe for concurrent use.
// Keys are kept hashed: an address may hold a token, and a hash is short;
// two keys with one hash only cost reads made for nothing.
type Memory struct {
	plans strcache.Cache[[]guess]
	seed  maphash.Seed
	// guessed and used count the guesses views sent and those a later
	// read took (see Collector).
	guessed, used atomic.Uint64
}

// NewMemory remembers up to size keys and up to reads reads in all (see
// strcache.Cache; a read takes about 200 bytes).
func NewMemory(size, reads int) *Memory {
	return &Memory{seed: maphash.MakeSeed(), plans: strcache.Cache[[]guess]{Size: size,
		Weigh: func(p []guess) int { return len(p) }, MaxWeight: reads}}
}

// MaxGuesses bounds the reads a view remembers for the next: a page that
// reads more after its first round trip is guessed up to there.
const MaxGuesses = 512

// guess is a read to make with a view's first round trip: its reply kind
// (internal/replies) and its arguments (strings and numbers, owned by
// the Memory and never changed).
type guess struct {
	kind replies.Kind
	args []any
}

// View is one page view: its guesses, queued with its first pipeline,
// and what it read after that, for Remember. One request's goroutine
// uses it.
type View struct {
	m *Memory
	// page and who name the view's key (the Memory keeps its hash); they
	// may point into the request's buffers, so the view lives no longer
	// than its request.
	page, who string
	last      []guess
	cmds      []redis.Cmder // last's commands, once queued
	used      []bool        // whether a later command took cmds[i]'s reply
	next      int           // where the next later command is looked for first
	asked     []redis.Cmder // what the later round trips read, in order
	// started is set once the view's first round trip was sent.
	started bool
	// wrote is set once the view sent a command that may write: what
	// follows may read what it wrote, so it is neither guessed nor
	// remembered.
	wrote bool
}

// View returns the view of a page (its address, say) seen by who (""
// for anyone), for a page about to read (see With).
func (m *Memory) View(page, who string) *View {
	v := &View{m: m, page: page, who: who}
	v.lookUp()
	return v
}

// Rekey makes the view one of page for anyone instead, before its first
// round trip (after it, Rekey does nothing): for a page whose later
// reads are the same for every viewer.
func (v *View) Rekey(page string) {
	if v.started || (page == v.page && v.who == "") {
		return
	}
	v.page, v.who = page, ""
	v.lookUp()
}

// lookUp finds what the last view of the same key read later.
func (v *View) lookUp() {
	if v.m == nil {
		return
	}
	var buf [8]byte
	v.last, _ = v.m.plans.GetBytes(v.key(buf[:0]))
}

// key appends the hash of the view's key to b.
func (v *View) key(b []byte) []byte {
	var h maphash.Hash
	h.SetSeed(v.m.seed)
	h.WriteString(v.page)
	h.WriteByte(0)
	h.WriteString(v.who)
	return binary.LittleEndian.AppendUint64(b, h.Sum64())
}

type viewKey struct{}

// With returns a context whose commands and pipelines belong to v (on a
// client with the Hook).
func With(ctx context.Context, v *View) context.Context {
	return context.WithValue(ctx, viewKey{}, v)
}

// From returns the view ctx carries, or nil.
func From(ctx context.Context) *View {
	v, _ := ctx.Value(viewKey{}).(*View)
	return v
}

// Hook is the go-redis hook that runs a view's commands: add it to the
// client before a hook that counts round trips, so that a read answered
// by a guess counts none.
type Hook struct{}

// DialHook leaves dialing alone.
func (Hook) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook answers a read of a view's later round trips from a guess
// when it can.
func (Hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		v := From(ctx)
		if v == nil || roundtrips.Handshake(cmd) {
			return next(ctx, cmd) // a connection's opening belongs to the pool
		}
		switch {
		case !v.started: // a first round trip of one command carries no guesses
			v.started = true
			v.wrote = v.wrote || !readOnly[cmd.Name()]
		case v.later(cmd):
			return cmd.Err()
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook sends a view's guesses after the commands of its
// first pipeline, and in a later one sends only what was not guessed.
func (Hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		v := From(ctx)
		if v == nil || len(cmds) == 0 || roundtrips.Handshake(cmds[0]) {
			return next(ctx, cmds)
		}
		if !v.started {
			if cmds[0].Name() == "multi" {
				// A transaction takes no guesses: its commands between
				// MULTI and EXEC are all it may carry.
				v.started, v.wrote = true, true
				return next(ctx, cmds)
			}
			return v.first(ctx, cmds, next)
		}
		var rest []redis.Cmder // made at the first command a guess answered
		for i, cmd := range cmds {
			switch {
			case v.later(cmd):
				if rest == nil {
					rest = append(make([]redis.Cmder, 0, len(cmds)), cmds[:i]...)
				}
			case rest != nil:
				rest = append(rest, cmd)
			}
		}
		switch {
		case rest == nil:
			return next(ctx, cmds) // nothing was guessed
		case len(rest) == 0:
			return firstErr(cmds, nil)
		}
		if err := next(ctx, rest); err != nil && !replyErr(err) {
			return err // a failed connection, not a guessed nil, is the pipeline's error
		}
		return firstErr(cmds, nil)
	}
}

// first sends cmds, the view's first pipeline, with the guesses after
// them, so after any write among them, as the guessed reads came last
// time. It returns what the pipeline alone would: a guess that failed
// fails no page.
func (v *View) first(ctx context.Context, cmds []redis.Cmder, next redis.ProcessPipelineHook) error {
	v.started = true
	if len(v.last) == 0 {
		return next(ctx, cmds)
	}
	v.m.guessed.Add(uint64(len(v.last)))
	v.cmds = make([]redis.Cmder, len(v.last))
	v.used = make([]bool, len(v.last))
	v.asked = make([]redis.Cmder, 0, len(v.last))
	for i, g := range v.last {
		v.cmds[i] = replies.New(ctx, g.kind, g.args)
	}
	all := append(slices.Clip(cmds), v.cmds...)
	err := next(ctx, all)
	if e := firstErr(cmds, nil); e != nil {
		return e
	}
	if err != nil && !slices.ContainsFunc(v.cmds, func(g redis.Cmder) bool { return g.Err() == err }) {
		// Not a guess's own reply (a connection that failed, say): no
		// guess is known to hold a reply, and the page hears of it.
		v.cmds = nil
		return err
	}
	return nil
}

// later notes cmd, a command after the view's first round trip, and
// reports whether a guess answered it.
func (v *View) later(cmd redis.Cmder) bool {
	if v.wrote = v.wrote || !readOnly[cmd.Name()]; v.wrote {
		return false
	}
	v.asked = append(v.asked, cmd)
	return v.fill(cmd)
}

// replyErr reports whether err is a reply of Redis's (redis.Nil among
// them) rather than a failure to reach it.
func replyErr(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}

// firstErr is the error of the first of cmds that failed, as go-redis
// reports a pipeline's, or err when none did.
func firstErr(cmds []redis.Cmder, err error) error {
	for _, cmd := range cmds {
		if e := cmd.Err(); e != nil {
			return e
		}
	}
	return err
}

// fill gives cmd the reply of a guess it matches that no other command
// took (so no two commands share a slice or a map, which a page may
// change), looked for where the last match left off first (later reads
// come in the order they came last time), and reports whether there was
// one that succeeded.
func (v *View) fill(cmd redis.Cmder) bool {
	kind, ok := kindOf(cmd)
	if !ok {
		return false
	}
	args := cmd.Args()
	for k := range v.cmds {
		i := (v.next + k) % len(v.cmds)
		if g := v.last[i]; v.used[i] || g.kind != kind || !sameArgs(g.args, args) {
			continue
		}
		v.next = i + 1
		if !copyReply(cmd, v.cmds[i], kind) {
			return false
		}
		v.used[i] = true
		v.m.used.Add(1)
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

// Remember keeps what the view's later round trips read (up to its
// first write) for the key's next view, when it differs from what this
// one guessed. A page calls it once it succeeded.
func (v *View) Remember() {
	if v.m == nil {
		return
	}
	n := 0 // the guesses that were asked for again, in order
	var plan []guess
	for _, cmd := range v.asked {
		k, ok := kindOf(cmd)
		if !ok || !guessable(cmd.Args()) {
			continue
		}
		if size := max(n, len(plan)); size >= MaxGuesses {
			break
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
		v.m.plans.PutBytes(v.key(nil), plan)
	case n < len(v.last):
		v.m.plans.PutBytes(v.key(nil), v.last[:n])
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

// readOnly are the commands that only read: a view guesses those of them
// whose reply kind it knows (internal/replies), and any command not here
// may write, which stops its guessing.
var readOnly = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`ping type ttl pttl eval_ro evalsha_ro xrange xrevrange xlen get mget strlen exists hget hmget hgetall hlen hexists
		zcard zscore zmscore zrank zrevrank zrange zrevrange zrangebyscore zrevrangebyscore zcount
		zinter zunion zdiff sinter sunion sdiff sismember smismember smembers scard lrange llen`) {
		readOnly[name] = true
	}
}

// ReadOnly reports whether the command named name only reads (a command
// it does not know may write).
func ReadOnly(name string) bool { return readOnly[name] }

// kindOf gives the kind of cmd's reply, when cmd is a read this package
// guesses.
func kindOf(cmd redis.Cmder) (replies.Kind, bool) {
	if len(cmd.Args()) == 0 || !readOnly[cmd.Name()] {
		return 0, false
	}
	return replies.Of(cmd)
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
// sent).
func copyReply(dst, g redis.Cmder, k replies.Kind) bool {
	if err := g.Err(); err != nil && !errors.Is(err, redis.Nil) {
		return false
	}
	replies.Copy(dst, g, k)
	return true
}
