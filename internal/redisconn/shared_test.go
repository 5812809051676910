package redisconn_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/redisconn"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// pipeCounter is a hook that counts the pipelines that begin with a SET
// and the lone GETs it sees (not the connections' own set-up).
type pipeCounter struct{ pipelines, gets atomic.Int64 }

func (*pipeCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *pipeCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "get" {
			h.gets.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h *pipeCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && cmds[0].Name() == "set" {
			h.pipelines.Add(1)
		}
		return next(ctx, cmds)
	}
}

// Many requests' pipelines at once ride one connection, each whole and in
// order, and answer each its own; hooks see every pipeline and every lone
// command.
func TestPipelinesShareOneConnection(t *testing.T) {
	plain, prefix := testenv.Redis(t)
	opts := *plain.(*redis.Client).Options()
	opts.ClientName = "shared-" + strings.TrimSuffix(prefix, ":")
	s := redisconn.NewShared(&opts)
	t.Cleanup(func() { _ = s.Close() })
	hook := &pipeCounter{}
	s.AddHook(hook)
	ctx := context.Background()
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			key := prefix + "k:" + strconv.Itoa(i)
			p := s.Pipeline()
			set := p.Set(ctx, key, i, 0)
			incr := p.Incr(ctx, key)
			get := p.Get(ctx, key)
			if _, err := p.Exec(ctx); err != nil {
				errs <- err
				return
			}
			if set.Err() != nil || incr.Val() != int64(i+1) || get.Val() != strconv.Itoa(i+1) {
				errs <- errors.New(key + ": " + incr.String() + ", " + get.String())
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, err := plain.ClientList(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(list, " name="+opts.ClientName+" "); got != 1 {
		t.Errorf("the pipelines took %d connections, want the one shared", got)
	}
	if v, err := s.Get(ctx, prefix+"k:7").Result(); err != nil || v != "8" {
		t.Fatalf("a lone GET: %q, %v", v, err)
	}
	if p, c := hook.pipelines.Load(), hook.gets.Load(); p != n || c != 1 {
		t.Errorf("the hook saw %d pipelines and %d lone GETs, want %d and 1", p, c, n)
	}
	m := metrics(t, s)
	if m["redis_shared_pipelines_total"] != n || m["redis_shared_batches_total"] < 1 || m["redis_shared_batches_total"] > n ||
		m["redis_shared_pipelines_dropped_total"] != 0 {
		t.Errorf("metrics %v, want %d pipelines in 1 to %d batches, none dropped", m, n, n)
	}
}

// metrics gathers the shared client's counters by name.
func metrics(t *testing.T, s *redisconn.SharedPipes) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(s.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		out[f.GetName()] = f.GetMetric()[0].GetCounter().GetValue()
	}
	return out
}

// A request past its deadline writes nothing on the shared connection.
func TestASharedPipelinePastItsDeadlineWritesNothing(t *testing.T) {
	plain, prefix := testenv.Redis(t)
	s := redisconn.NewShared(plain.(*redis.Client).Options())
	t.Cleanup(func() { _ = s.Close() })
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	p := s.Pipeline()
	p.Set(ctx, prefix+"late", "v", 0)
	if _, err := p.Exec(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Exec past the deadline: %v, want the deadline's error", err)
	}
	if n, _ := plain.Exists(context.Background(), prefix+"late").Result(); n != 0 {
		t.Fatal("a pipeline past its deadline was written")
	}
}

// A pipeline waiting for the next batch while one is on the wire (here
// held by a blocking command) gives up at its request's deadline and is
// never sent; the batch on the wire is not disturbed.
func TestAQueuedPipelineLeavesAtItsDeadlineUnsent(t *testing.T) {
	plain, prefix := testenv.Redis(t)
	opts := *plain.(*redis.Client).Options()
	opts.ClientName = "queued-" + strings.TrimSuffix(prefix, ":")
	s := redisconn.NewShared(&opts)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	held := make(chan *redis.StringSliceCmd, 1)
	go func() {
		p := s.Pipeline()
		pop := p.BLPop(ctx, 0, prefix+"list")
		_, _ = p.Exec(ctx)
		held <- pop
	}()
	waitBlocked(t, plain, opts.ClientName)
	late, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	p := s.Pipeline()
	set := p.Set(late, prefix+"late", "v", 0)
	if _, err := p.Exec(late); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(set.Err(), context.DeadlineExceeded) {
		t.Fatalf("a pipeline queued past its deadline: %v (its SET: %v), want the deadline's error", err, set.Err())
	}
	if m := metrics(t, s); m["redis_shared_pipelines_dropped_total"] != 1 {
		t.Errorf("metrics %v, want the late pipeline counted as dropped", m)
	}
	if err := plain.RPush(ctx, prefix+"list", "x").Err(); err != nil {
		t.Fatal(err)
	}
	if pop := <-held; pop.Err() != nil || len(pop.Val()) != 2 || pop.Val()[1] != "x" {
		t.Fatalf("the batch on the wire: %v", pop)
	}
	// A later pipeline runs after it: the late one is not among them.
	if v, err := s.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Exists(ctx, prefix+"late")
		return nil
	}); err != nil || v[0].(*redis.IntCmd).Val() != 0 {
		t.Fatalf("after the batch: %v, %v; want the late SET never sent", v, err)
	}
}

// A closed client's pipelines fail at once.
func TestAClosedSharedClientRefusesPipelines(t *testing.T) {
	plain, prefix := testenv.Redis(t)
	s := redisconn.NewShared(plain.(*redis.Client).Options())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	p := s.Pipeline()
	p.Set(context.Background(), prefix+"closed", "v", 0)
	if _, err := p.Exec(context.Background()); err == nil {
		t.Fatal("a pipeline ran on a closed client")
	}
}

// waitBlocked waits until the connection named name is blocked in
// BLPOP: its batch is on the wire.
func waitBlocked(t *testing.T, plain redis.UniversalClient, name string) {
	t.Helper()
	give := time.Now().Add(10 * time.Second)
	for {
		list, err := plain.ClientList(context.Background()).Result()
		if err != nil {
			t.Fatal(err)
		}
		if line := lineOf(list, " name="+name+" "); strings.Contains(line, " cmd=blpop ") {
			return
		}
		if time.Now().After(give) {
			t.Fatalf("no connection named %s blocked in BLPOP:\n%s", name, list)
		}
		runtime.Gosched()
	}
}

// When Redis goes away under a batch, its pipelines and the ones queued
// behind it all fail, none hangs, and the next pipeline after Redis is
// back runs.
func TestALostConnectionFailsTheBatchAndTheQueue(t *testing.T) {
	srv := testenv.StartOwnRedis(t)
	s := redisconn.NewShared(&redis.Options{Addr: srv.Addr, ClientName: "lost",
		DialTimeout: time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: time.Second, PoolTimeout: time.Second})
	t.Cleanup(func() { _ = s.Close() })
	plain := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = plain.Close() })
	ctx := context.Background()
	errs := make(chan error, 9)
	go func() {
		p := s.Pipeline()
		p.BLPop(ctx, 0, "list")
		_, err := p.Exec(ctx)
		errs <- err
	}()
	waitBlocked(t, plain, "lost")
	var queued sync.WaitGroup
	for i := range 8 {
		queued.Go(func() {
			p := s.Pipeline()
			p.Set(ctx, "k"+strconv.Itoa(i), "v", 0)
			_, err := p.Exec(ctx)
			errs <- err
		})
	}
	srv.Stop()
	queued.Wait()
	for range 9 {
		if err := <-errs; err == nil {
			t.Error("a pipeline succeeded while Redis was gone")
		}
	}
	srv.Start()
	if _, err := s.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "after", "v", 0)
		return nil
	}); err != nil {
		t.Fatalf("a pipeline once Redis is back: %v", err)
	}
}

func lineOf(list, part string) string {
	for line := range strings.Lines(list) {
		if strings.Contains(line, part) {
			return line
		}
	}
	return ""
}
