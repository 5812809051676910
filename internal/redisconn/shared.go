package redisconn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// SharedPipes is a client for one Redis server whose pipelines, from
// every request at once, go out together: while one batch is on the
// wire, the pipelines that arrive meanwhile wait, and the next batch
// takes them all, one write and one read for many requests on both
// sides, where each took a connection, a write and a read of its own
// (group commit). Each pipeline's commands stay together and in order,
// and its hooks run around it as before. Under load the RSVP post, two
// pipelines, costs about a third less CPU than with a connection per
// pipeline (docs/performance.md, "sixth stop"). A blocking command
// (BLPOP, XREAD with BLOCK) must not go in a pipeline: it would hold
// every request's batch.
//
// Everything else (single commands, transactions, scripts run alone,
// pub/sub) goes to a pooled client as before (Client), so hooks that
// answer a command without sending it (internal/nearcache,
// internal/speculate) keep doing so; AddHook adds a hook to both, and
// must come before the first pipeline.
//
// A batch ends by the latest deadline of its requests (a connection it
// must make included) and each read and write by the timeouts; a
// request whose pipeline is on the wire waits for the batch, as commands
// already sent cannot be taken back. A pipeline whose request is past
// its deadline when its batch is taken is not sent, and one still
// queued leaves at its deadline; the server requires the read timeout
// to be shorter than the request's. A batch is not sent again after the
// connection fails (it may have run): a frozen Redis fails it after one
// read timeout, and a lost connection fails the pipelines in flight,
// whose requests answer 503 as in any outage.
type SharedPipes struct {
	*redis.Client
	opts  redis.Options // of pipes
	hooks []redis.Hook  // added to pipes before the batcher
	pipes *redis.Client // the batches' client: hooks, then the batcher
	b     *batcher
	used  atomic.Bool // a pipeline was made: no more hooks
}

// NewShared returns a client for opts whose pipelines share batches (see
// SharedPipes). opts may be another client's Options: each of the two
// clients gets a copy without the push notification processor, which
// go-redis makes for each client.
func NewShared(opts *redis.Options) *SharedPipes {
	one, pipeOpts := *opts, *opts
	one.PushNotificationProcessor, pipeOpts.PushNotificationProcessor = nil, nil
	// A batch carries many requests' commands: no one request's
	// deadline may cut its reads and writes, which the timeouts bound.
	pipeOpts.ContextTimeoutEnabled = false
	pipeOpts.MaxRetries = -1 // see SharedPipes
	pipeOpts.MinIdleConns = 0
	s := &SharedPipes{Client: redis.NewClient(&one), opts: pipeOpts, b: newBatcher()}
	s.pipes = s.newPipes()
	return s
}

// newPipes makes the batches' client: the hooks, then the batcher, so
// that each request's pipeline passes its hooks alone before it joins a
// batch.
func (s *SharedPipes) newPipes() *redis.Client {
	opts := s.opts
	c := redis.NewClient(&opts)
	for _, h := range s.hooks {
		c.AddHook(h)
	}
	c.AddHook(s.b)
	return c
}

// Pipeline returns a pipeline that goes out in a shared batch.
func (s *SharedPipes) Pipeline() redis.Pipeliner {
	s.used.Store(true)
	return s.pipes.Pipeline()
}

// Pipelined runs fn's commands as one pipeline in a shared batch.
func (s *SharedPipes) Pipelined(ctx context.Context, fn func(redis.Pipeliner) error) ([]redis.Cmder, error) {
	s.used.Store(true)
	return s.pipes.Pipelined(ctx, fn)
}

// AddHook adds hook to the pipelines and to everything else. It panics
// after the first pipeline: the batches' client is made anew.
func (s *SharedPipes) AddHook(hook redis.Hook) {
	if s.used.Load() {
		panic("redisconn: AddHook after the first pipeline")
	}
	s.Client.AddHook(hook)
	s.hooks = append(s.hooks, hook)
	old := s.pipes
	s.pipes = s.newPipes()
	_ = old.Close()
}

// Close stops the batches, then closes the clients.
func (s *SharedPipes) Close() error {
	s.b.close()
	return errors.Join(s.pipes.Close(), s.Client.Close())
}

// batcher is the innermost pipeline hook of the batches' client: it
// queues each pipeline, and its one flusher sends what is queued as one
// pipeline, then the next, until the queue is empty.
type batcher struct {
	// batches and pipelines count what went out; dropped counts the
	// pipelines that left the queue at their deadline, unsent.
	batches, pipelines, dropped atomic.Int64

	mu      sync.Mutex
	queue   []*waiting
	running bool // the flusher has work: no need to wake it
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

// flushing marks the context of a batch: go-redis runs a new
// connection's set-up as a pipeline through the same hooks.
type flushing struct{}

// waiting is one request's pipeline in the queue.
type waiting struct {
	ctx  context.Context
	cmds []redis.Cmder
	next redis.ProcessPipelineHook
	sent chan struct{} // closed once cmds have their replies or errors
}

func newBatcher() *batcher {
	b := &batcher{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go b.flush()
	return b
}

func (*batcher) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (*batcher) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (b *batcher) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		switch {
		case len(cmds) == 0:
			return nil
		case ctx.Value(flushing{}) != nil || cmds[0].Name() == "multi":
			// A batch's own connection set-up (HELLO), or a
			// transaction (go-redis runs both through this hook): it
			// goes at once, alone.
			return next(ctx, cmds)
		}
		if err := ctx.Err(); err != nil {
			setErr(cmds, err)
			return err
		}
		w := &waiting{ctx: ctx, cmds: cmds, next: next, sent: make(chan struct{})}
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			setErr(cmds, redis.ErrClosed)
			return redis.ErrClosed
		}
		b.queue = append(b.queue, w)
		if !b.running {
			b.running = true
			b.wake <- struct{}{} // never blocks: one wake at a time
		}
		b.mu.Unlock()
		select {
		case <-w.sent:
		case <-ctx.Done():
			if b.drop(w) {
				b.dropped.Add(1)
				setErr(cmds, ctx.Err())
				return ctx.Err()
			}
			<-w.sent // on the wire: the batch ends by its deadline and timeouts
		}
		for _, c := range cmds {
			if err := c.Err(); err != nil {
				return err
			}
		}
		return nil
	}
}

// flush sends the queue's pipelines in batches until closed: each batch
// takes every pipeline queued while the one before was on the wire.
func (b *batcher) flush() {
	defer close(b.done)
	var batch []*waiting
	var cmds []redis.Cmder
	for range b.wake {
		for {
			b.mu.Lock()
			batch, b.queue = b.queue, batch[:0]
			if len(batch) == 0 {
				b.running = false
				b.mu.Unlock()
				break
			}
			b.mu.Unlock()
			cmds = b.send(batch, cmds[:0])
		}
	}
}

// send sends, as one pipeline, the batch's pipelines whose requests
// still have time, within the latest of their deadlines (a connection
// it must make included), and tells every waiter it is done. A panic in
// go-redis fails the batch's commands instead of the process. It gives
// back cmds, emptied, for the next batch.
func (b *batcher) send(batch []*waiting, cmds []redis.Cmder) []redis.Cmder {
	var next redis.ProcessPipelineHook
	var latest time.Time
	bounded := true
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			setErr(w.cmds, err) // past its deadline: not sent
			continue
		}
		cmds = append(cmds, w.cmds...)
		next = w.next // the same for every plain pipeline of the client
		b.pipelines.Add(1)
		if d, ok := w.ctx.Deadline(); !ok {
			bounded = false
		} else if d.After(latest) {
			latest = d
		}
	}
	defer func() {
		if p := recover(); p != nil {
			setErr(cmds, fmt.Errorf("redisconn: a batch of pipelines failed: %v", p))
		}
		for i, w := range batch {
			close(w.sent)
			batch[i] = nil
		}
		clear(cmds)
	}()
	if next != nil {
		b.batches.Add(1)
		ctx := context.WithValue(context.Background(), flushing{}, true)
		if bounded {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, latest)
			defer cancel()
		}
		_ = next(ctx, cmds) // each command has its own error
	}
	return cmds[:0]
}

// drop takes w out of the queue, unless a batch has taken it already.
func (b *batcher) drop(w *waiting) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i := slices.Index(b.queue, w); i >= 0 {
		b.queue = slices.Delete(b.queue, i, i+1)
		return true
	}
	return false
}

// close stops the flusher once the queue is empty; later pipelines fail.
func (b *batcher) close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	close(b.wake)
	<-b.done
}

func setErr(cmds []redis.Cmder, err error) {
	for _, c := range cmds {
		c.SetErr(err)
	}
}

var (
	batchesDesc = prometheus.NewDesc("redis_shared_batches_total",
		"Batches of pipelines sent (REDIS_SHARED_PIPELINES); pipelines over batches is how many requests a write carries.", nil, nil)
	pipelinesDesc = prometheus.NewDesc("redis_shared_pipelines_total",
		"Pipelines sent in shared batches.", nil, nil)
	droppedDesc = prometheus.NewDesc("redis_shared_pipelines_dropped_total",
		"Pipelines whose request's deadline passed while they waited for a batch: not sent.", nil, nil)
)

// Collector exports what the batches carry, for /metrics.
func (s *SharedPipes) Collector() prometheus.Collector { return sharedCollector{s.b} }

type sharedCollector struct{ b *batcher }

func (sharedCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- batchesDesc
	ch <- pipelinesDesc
	ch <- droppedDesc
}

func (m sharedCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(batchesDesc, prometheus.CounterValue, float64(m.b.batches.Load()))
	ch <- prometheus.MustNewConstMetric(pipelinesDesc, prometheus.CounterValue, float64(m.b.pipelines.Load()))
	ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.CounterValue, float64(m.b.dropped.Load()))
}
