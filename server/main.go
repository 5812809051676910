// Command server runs focusgroups: the web app, and the background workers.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // time zones work on hosts without tzdata

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/web"
)

// shutdownTimeout bounds how long in-flight requests get after SIGTERM.
const shutdownTimeout = 10 * time.Second

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "focusgroups:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := LoadConfig(envGetenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Dev())
	slog.SetDefault(logger)

	rdb, err := newRedis(cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	app, err := newApp(cfg, rdb, logger)
	if err != nil {
		return err
	}
	if cfg.Seed {
		err := seedDemo(ctx, seedStores{rdb: rdb, prefix: cfg.RedisPrefix, users: auth.NewStore(rdb, cfg.RedisPrefix),
			groups: groups.NewStore(rdb, cfg.RedisPrefix), events: events.NewStore(rdb, cfg.RedisPrefix)}, logger)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}

	errc := make(chan error, 1)
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

func newLogger(dev bool) *slog.Logger {
	if dev {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, nil))
}

// newRedis connects to one server (REDIS_URL, redis:// or rediss:// for
// TLS) or, with REDIS_CLUSTER=true, to a cluster whose further nodes are
// addr= parameters of the same URL. Both are a UniversalClient.
func newRedis(cfg *Config) (redis.UniversalClient, error) {
	if cfg.RedisCluster {
		opts, err := redis.ParseClusterURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		return redis.NewClusterClient(opts), nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	return redis.NewClient(opts), nil
}

// newApp builds the stores and the web app on one Redis client.
func newApp(cfg *Config, rdb redis.UniversalClient, logger *slog.Logger) (appServer, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	users := auth.NewStore(rdb, cfg.RedisPrefix)
	providers := auth.NewProviders(cfg.BaseURL, cfg.Providers, &http.Client{Timeout: 10 * time.Second})
	app, err := web.New(web.Deps{
		Dev:          cfg.Dev(),
		BaseURL:      cfg.BaseURL,
		Redis:        rdb,
		Prefix:       cfg.RedisPrefix,
		Users:        users,
		Groups:       groups.NewStore(rdb, cfg.RedisPrefix),
		Events:       events.NewStore(rdb, cfg.RedisPrefix),
		Mentors:      mentors.NewStore(rdb, cfg.RedisPrefix),
		Providers:    providers,
		Sessions:     auth.NewSessions(rdb, cfg.RedisPrefix, !cfg.Dev()),
		Logger:       logger,
		Metrics:      reg,
		MetricsToken: cfg.MetricsToken,
		TrustProxy:   cfg.TrustProxy,
	})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return app, nil
}

// appServer is the part of *fiber.App that main uses.
type appServer interface {
	Listen(addr string) error
	ShutdownWithTimeout(time.Duration) error
}
