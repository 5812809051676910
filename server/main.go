// Command server runs focusgroups: `server` serves the web app (with the
// background workers inside, unless MAIL_WORKERS=0); `server worker` runs
// only the workers, for deployments that scale them separately; `server
// mail dead` lists undeliverable mail and `server mail retry ID|all`
// queues it again.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // time zones work on hosts without tzdata

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/redisconn"
	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/speculate"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/web"
)

// shutdownTimeout bounds how long in-flight requests get after SIGTERM.
const shutdownTimeout = 10 * time.Second

// noticeSweepEvery is how often each instance looks for notices that no
// request relayed (see internal/notices).
const noticeSweepEvery = 30 * time.Second

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "focusgroups:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	mode := "web"
	if len(args) > 0 {
		mode = args[0]
	}
	if mode != "web" && mode != "worker" && mode != "mail" {
		return fmt.Errorf("unknown command %q: use no argument for the web app, \"worker\", or \"mail\"", mode)
	}
	cfg, err := LoadConfig(envGetenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Dev(), cfg.LogLevel)
	slog.SetDefault(logger)
	if _, ok := tuneGC(envGetenv); ok {
		logger.Debug("garbage collector paced by the live heap", "heap_goal_mib", gcHeapGoal>>20)
	}

	rdb, near, err := newRedis(cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if mode == "mail" {
		ob := mail.NewOutbox(rdb, cfg.RedisPrefix, mail.Options{DeadMax: cfg.MailDeadMax})
		return mailCommand(ctx, ob, args[1:], os.Stdout)
	}

	st, err := newStores(cfg, rdb, logger)
	if err != nil {
		return err
	}
	if cfg.Seed && mode == "web" {
		if err := seedDemo(ctx, st, rdb, cfg.RedisPrefix, logger); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}

	if n, err := st.mentors.IndexDirectory(ctx); err != nil {
		logger.Error("mentor directory index", "err", err)
	} else if n > 0 {
		logger.Info("mentor directory indexed", "mentors", n)
	}

	workCtx, stopWork := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	// Every instance sweeps the notices a crashed one left behind.
	workers.Go(func() { st.notices.Run(workCtx, noticeSweepEvery) })
	// Every instance takes joins' member counts into the discovery index.
	workers.Go(func() { st.groups.RunRecount(workCtx) })
	if mode == "worker" || cfg.MailWorkers > 0 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			runWorkers(workCtx, st, logger)
		}()
	}
	defer func() {
		stopWork()
		workers.Wait()
	}()

	if mode == "worker" {
		logger.Info("workers running", "env", cfg.Env)
		<-ctx.Done()
		logger.Info("shutting down")
		return nil
	}

	app, err := newApp(cfg, rdb, near, st, logger)
	if err != nil {
		return err
	}
	if near != nil {
		near.Logger = logger
		workers.Go(func() { near.Run(workCtx) })
	}
	errc := make(chan error, 1)
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, logger)
	}
	go func() {
		logger.Info("listening", "addr", fmt.Sprintf(":%d", cfg.Port), "base_url", cfg.BaseURL, "env", cfg.Env)
		errc <- app.Listen(fmt.Sprintf(":%d", cfg.Port))
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	if err := app.ShutdownWithTimeout(shutdownTimeout); err != nil {
		logger.Error("shutdown", "err", err)
	}
	return nil
}

func newLogger(dev bool, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if dev {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// newRedis connects to one server (REDIS_URL, redis:// or rediss:// for
// TLS) or, with REDIS_CLUSTER=true, to a cluster whose further nodes are
// addr= parameters of the same URL. Both are a UniversalClient. Timeouts
// and the pool size come from the config, and a request's context
// deadline reaches every command. One server's client also gets the
// near cache of its reads (nil when off, or on a cluster), which the web
// app's process runs.
func newRedis(cfg *Config) (redis.UniversalClient, *nearcache.Cache, error) {
	if cfg.RedisCluster {
		opts, err := redis.ParseClusterURL(cfg.RedisURL)
		if err != nil {
			return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = cfg.RedisDialTimeout, cfg.RedisReadTimeout, cfg.RedisWriteTimeout
		opts.PoolSize, opts.PoolTimeout = cfg.RedisPoolSize, cfg.RedisPoolTimeout
		opts.ContextTimeoutEnabled = true
		redisconn.Cluster(opts)
		rdb := redis.NewClusterClient(opts)
		rdb.AddHook(speculate.Hook{}) // before the counter: a guessed read is no round trip
		rdb.AddHook(roundtrips.Hook{})
		return rdb, nil, nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = cfg.RedisDialTimeout, cfg.RedisReadTimeout, cfg.RedisWriteTimeout
	opts.PoolSize, opts.PoolTimeout = cfg.RedisPoolSize, cfg.RedisPoolTimeout
	opts.ContextTimeoutEnabled = true
	redisconn.Client(opts)
	var rdb redis.UniversalClient
	var one *redis.Client
	if cfg.RedisSharedPipes {
		shared := redisconn.NewShared(opts)
		rdb, one = shared, shared.Client
	} else {
		one = redis.NewClient(opts)
		rdb = one
	}
	var near *nearcache.Cache
	if cfg.RedisNearCache {
		near = nearcache.New(one, nearcache.Prefixes(cfg.RedisPrefix, web.CachedKeyFamilies))
		near.NoNil = nearcache.Prefixes(cfg.RedisPrefix, web.UnkeptNilFamilies)
		near.Broadcast = []string{cfg.RedisPrefix}
	}
	rdb.AddHook(speculate.Hook{})
	rdb.AddHook(near.Hook()) // after the guesses, which it answers too, and before the counter
	rdb.AddHook(roundtrips.Hook{})
	return rdb, near, nil
}

// runWorkers runs the mail and webhook workers and the periodic sweeps
// until ctx ends.
func runWorkers(ctx context.Context, st *stores, logger *slog.Logger) {
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		if err := st.mail.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("mail workers stopped", "err", err)
		}
	}()
	wg.Go(func() { st.hooks.Run(ctx) })
	go func() {
		defer wg.Done()
		sweepMentors(ctx, st, logger)
	}()
	go func() {
		defer wg.Done()
		sweepSessions(ctx, st, logger)
	}()
	wg.Wait()
}

// sweepMentors pauses mentors who leave requests unanswered and sends the
// mentorships' check-ins that are due, every hour.
func sweepMentors(ctx context.Context, st *stores, logger *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := st.mentors.PauseSilentMentors(ctx, time.Now()); err != nil && ctx.Err() == nil {
			logger.Error("mentor sweep", "err", err)
		} else if n > 0 {
			logger.Info("mentor sweep", "paused", n)
		}
		if n, err := st.mentors.SendCheckIns(ctx, time.Now()); err != nil && ctx.Err() == nil {
			logger.Error("check-in sweep", "err", err)
		} else if n > 0 {
			logger.Info("check-in sweep", "mentorships", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
