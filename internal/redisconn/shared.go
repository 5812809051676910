package redisconn

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// SharedPipes is a client for one Redis server whose pipelines, from
// every request at once, share one connection: go-redis's full-duplex
// autopipelining writes the pipelines queued meanwhile in one system call
// and reads their replies as they come, where the pool took a connection,
// a write and a read for each. Each pipeline's commands stay together and
// in order on the wire, and its hooks run around it as before. Under load
// that is one system call for many requests on both sides: the RSVP post,
// two pipelines, costs about a tenth less CPU (docs/performance.md,
// "fifth stop").
//
// Everything else (single commands, transactions, scripts run alone,
// pub/sub) goes to a pooled client as before (Client), so hooks that
// answer a command without sending it (internal/nearcache,
// internal/speculate) keep doing so; AddHook adds a hook to both.
//
// The shared connection's waits are bounded by the read and write
// timeouts, not by the caller's context: a pipeline, once queued, cannot
// be taken back from a connection others share. A request already past
// its deadline is refused before its pipeline is queued; the server
// requires the read timeout to be shorter than the request's. A pipeline
// is not sent again after the connection fails (it may have run): a
// frozen Redis fails it after one read timeout, where go-redis's retries
// would hold it three times as long, and a lost connection fails the
// pipelines in flight, whose requests answer 503 as in any outage.
type SharedPipes struct {
	*redis.Client
	pipes  *redis.Client // the autopipeliner's, without context timeouts
	shared *redis.AutoPipeliner
}

// NewShared returns a client for opts with its pipelines on a shared
// connection (see SharedPipes). opts may be another client's Options:
// each of the two clients gets a copy without the push notification
// processor, which go-redis makes for each client.
func NewShared(opts *redis.Options) (*SharedPipes, error) {
	one, pipeOpts := *opts, *opts
	one.PushNotificationProcessor, pipeOpts.PushNotificationProcessor = nil, nil
	// go-redis keeps a pipeline on the pooled path when contexts bound
	// socket I/O; on the shared connection the timeouts bound it.
	pipeOpts.ContextTimeoutEnabled = false
	pipeOpts.MaxRetries = -1  // see SharedPipes
	pipeOpts.MinIdleConns = 0 // one connection shared; the pool is for the pipelines it cannot take
	pipes := redis.NewClient(&pipeOpts)
	shared, err := pipes.AutoPipelineWithOptions(&redis.AutoPipelineOptions{FullDuplex: true})
	if err != nil {
		_ = pipes.Close()
		return nil, fmt.Errorf("redisconn: shared pipelines: %w", err)
	}
	return &SharedPipes{Client: redis.NewClient(&one), pipes: pipes, shared: shared}, nil
}

// Pipeline returns a pipeline that runs on the shared connection.
func (s *SharedPipes) Pipeline() redis.Pipeliner { return s.shared.Pipeline() }

// Pipelined runs fn's commands as one pipeline on the shared connection.
func (s *SharedPipes) Pipelined(ctx context.Context, fn func(redis.Pipeliner) error) ([]redis.Cmder, error) {
	return s.shared.Pipelined(ctx, fn)
}

// AddHook adds hook to the pipelines and to everything else.
func (s *SharedPipes) AddHook(hook redis.Hook) {
	s.Client.AddHook(hook)
	s.pipes.AddHook(hook)
}

// Close closes the shared connection, then the wrapped client.
func (s *SharedPipes) Close() error {
	return errors.Join(s.shared.Close(), s.pipes.Close(), s.Client.Close())
}
