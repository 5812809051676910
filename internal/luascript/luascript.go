// Package luascript queues a Lua script on a pipeline by its SHA, so it
// can share a page's round trip, and loads it when Redis answers NOSCRIPT
// (after a restart, a failover or a SCRIPT FLUSH): a pipeline cannot
// retry one of its commands, so the answer's reader does, once.
package luascript

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Queue queues s on p (EVALSHA, or EVALSHA_RO when readOnly: a script
// that only reads runs as read-only, reaching neither the AOF nor the
// replication stream). The returned function gives the script's answer
// once p has been executed, sending s in full on rdb first (EVAL, one
// round trip, which also loads it) when Redis had not loaded it.
func Queue(ctx context.Context, p redis.Pipeliner, rdb redis.Scripter, s *redis.Script, readOnly bool, keys []string, args ...any) func() *redis.Cmd {
	evalSha, run := s.EvalSha, s.Eval
	if readOnly {
		evalSha, run = s.EvalShaRO, s.EvalRO
	}
	cmd := evalSha(ctx, p, keys, args...)
	return func() *redis.Cmd {
		if err := cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			cmd = run(ctx, rdb, keys, args...)
		}
		return cmd
	}
}
