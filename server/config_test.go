package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/redisconn"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func validProduction() map[string]string {
	return map[string]string{
		"APP_ENV": "production", "BASE_URL": "https://fg.example.com", "REDIS_URL": "rediss://user:pw@redis.example:6380/0",
		"SESSION_SECRET": strings.Repeat("s", 40), "SMTP_URL": "smtp://u:p@smtp.example:587", "MAIL_FROM": "fg <no@fg.example.com>",
		"GITHUB_KEY": "k", "GITHUB_SECRET": "s",
	}
}

func TestProductionConfigNamesEveryProblem(t *testing.T) {
	if _, err := LoadConfig(env(validProduction())); err != nil {
		t.Fatalf("valid production config refused: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(map[string]string)
		names []string
	}{
		{"nothing set", func(m map[string]string) { clear(m) }, []string{"BASE_URL", "REDIS_URL", "SESSION_SECRET", "SMTP_URL", "MAIL_FROM", "GITHUB_KEY"}},
		{"http base url", func(m map[string]string) { m["BASE_URL"] = "http://fg.example.com" }, []string{"BASE_URL must use https"}},
		{"base url with path", func(m map[string]string) { m["BASE_URL"] = "https://fg.example.com/app" }, []string{"BASE_URL"}},
		{"redis url scheme", func(m map[string]string) { m["REDIS_URL"] = "http://redis" }, []string{"REDIS_URL"}},
		{"short secret", func(m map[string]string) { m["SESSION_SECRET"] = "short" }, []string{"SESSION_SECRET must be at least 32"}},
		{"bad port", func(m map[string]string) { m["PORT"] = "eighty" }, []string{"PORT"}},
		{"bad env", func(m map[string]string) { m["APP_ENV"] = "staging" }, []string{"APP_ENV"}},
		{"smtp scheme", func(m map[string]string) { m["SMTP_URL"] = "mailto:x" }, []string{"SMTP_URL"}},
		{"half a provider", func(m map[string]string) { delete(m, "GITHUB_SECRET") }, []string{"GITHUB_SECRET is required when GITHUB_KEY"}},
		{"oidc without client", func(m map[string]string) { m["OIDC_ISSUER"] = "https://sso.example" }, []string{"OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"}},
		{"bad enterprise url", func(m map[string]string) { m["GITHUB_ENTERPRISE_URL"] = "ghe.example" }, []string{"GITHUB_ENTERPRISE_URL"}},
		{"seed in production", func(m map[string]string) { m["SEED"] = "true" }, []string{"SEED"}},
		{"retry period not a duration", func(m map[string]string) { m["MAIL_RETRY_FOR"] = "a day" }, []string{"MAIL_RETRY_FOR"}},
		{"retry period too short", func(m map[string]string) { m["MAIL_RETRY_FOR"] = "30s" }, []string{"MAIL_RETRY_FOR"}},
		{"retry period negative", func(m map[string]string) { m["MAIL_RETRY_FOR"] = "-24h" }, []string{"MAIL_RETRY_FOR"}},
		{"retry period past the records", func(m map[string]string) { m["MAIL_RETRY_FOR"] = "169h" }, []string{"MAIL_RETRY_FOR"}},
		{"dead letters zero", func(m map[string]string) { m["MAIL_DEAD_LETTERS"] = "0" }, []string{"MAIL_DEAD_LETTERS"}},
		{"dead letters not a number", func(m map[string]string) { m["MAIL_DEAD_LETTERS"] = "lots" }, []string{"MAIL_DEAD_LETTERS"}},
		{"redis read timeout not a duration", func(m map[string]string) { m["REDIS_READ_TIMEOUT"] = "soon" }, []string{"REDIS_READ_TIMEOUT must be a duration"}},
		{"redis timeouts out of range", func(m map[string]string) {
			m["REDIS_DIAL_TIMEOUT"], m["REDIS_WRITE_TIMEOUT"], m["REDIS_POOL_TIMEOUT"] = "2h", "0s", "-1s"
		}, []string{"REDIS_DIAL_TIMEOUT", "REDIS_WRITE_TIMEOUT", "REDIS_POOL_TIMEOUT"}},
		{"redis pool size", func(m map[string]string) { m["REDIS_POOL_SIZE"] = "0" }, []string{"REDIS_POOL_SIZE"}},
		{"shared pipelines", func(m map[string]string) { m["REDIS_SHARED_PIPELINES"] = "yes" }, []string{"REDIS_SHARED_PIPELINES must be true or false"}},
		{"cluster", func(m map[string]string) { m["REDIS_CLUSTER"] = "1" }, []string{"REDIS_CLUSTER must be true or false"}},
		{"proxy", func(m map[string]string) { m["TRUST_PROXY"] = "yes" }, []string{"TRUST_PROXY must be true or false"}},
		{"read timeout past the request's", func(m map[string]string) { m["REDIS_READ_TIMEOUT"], m["REQUEST_TIMEOUT"] = "5s", "5s" },
			[]string{"REDIS_READ_TIMEOUT must be shorter than REQUEST_TIMEOUT while REDIS_SHARED_PIPELINES is true"}},
		{"request timeout", func(m map[string]string) { m["REQUEST_TIMEOUT"] = "5" }, []string{"REQUEST_TIMEOUT"}},
		{"retention not a number", func(m map[string]string) { m["SESSION_RETENTION_DAYS"] = "a year" }, []string{"SESSION_RETENTION_DAYS"}},
		{"retention too short", func(m map[string]string) { m["SESSION_RETENTION_DAYS"] = "1" }, []string{"SESSION_RETENTION_DAYS must be a number of days from 7"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := validProduction()
			tc.edit(m)
			_, err := LoadConfig(env(m))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, n := range tc.names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error does not mention %q: %v", n, err)
				}
			}
			if strings.Contains(err.Error(), "pw@") || strings.Contains(err.Error(), strings.Repeat("s", 40)) {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestDevelopmentConfigNeedsNothing(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{"APP_ENV": "development"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Dev() || c.BaseURL != "http://localhost:8080" || c.RedisURL == "" || c.SessionSecret == "" || len(c.Providers) != 0 ||
		c.SessionRetention != 365*24*time.Hour {
		t.Fatalf("development defaults: %+v", c)
	}
}

func TestProvidersFromEnvironment(t *testing.T) {
	m := validProduction()
	m["GITHUB_ENTERPRISE_URL"] = "https://ghe.corp.example/"
	m["LINKEDIN_KEY"], m["LINKEDIN_SECRET"] = "lk", "ls"
	m["OIDC_ISSUER"], m["OIDC_CLIENT_ID"], m["OIDC_CLIENT_SECRET"], m["OIDC_NAME"] = "https://sso.corp.example", "cid", "cs", "Corp SSO"
	c, err := LoadConfig(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Providers) != 3 {
		t.Fatalf("providers: %+v", c.Providers)
	}
	gh, li, sso := c.Providers[0], c.Providers[1], c.Providers[2]
	if gh.AuthURL != "https://ghe.corp.example/login/oauth/authorize" || gh.ProfileURL != "https://ghe.corp.example/api/v3/user" {
		t.Errorf("GitHub Enterprise URLs: %+v", gh)
	}
	if li.Kind != "oidc" || li.DiscoveryURL != "https://www.linkedin.com/oauth/.well-known/openid-configuration" {
		t.Errorf("LinkedIn: %+v", li)
	}
	if sso.Name != "sso" || sso.Label != "Corp SSO" || sso.DiscoveryURL != "https://sso.corp.example/.well-known/openid-configuration" {
		t.Errorf("SSO: %+v", sso)
	}
}

func TestMailRetryPeriodAndDeadLetterCap(t *testing.T) {
	c, err := LoadConfig(env(validProduction()))
	if err != nil {
		t.Fatal(err)
	}
	if c.MailRetryFor != 24*time.Hour || c.MailDeadMax != 10000 {
		t.Fatalf("defaults: retry for %v, keep %d dead letters", c.MailRetryFor, c.MailDeadMax)
	}
	m := validProduction()
	m["MAIL_RETRY_FOR"], m["MAIL_DEAD_LETTERS"] = "72h30m", "500"
	if c, err = LoadConfig(env(m)); err != nil {
		t.Fatal(err)
	}
	if c.MailRetryFor != 72*time.Hour+30*time.Minute || c.MailDeadMax != 500 {
		t.Fatalf("set: retry for %v, keep %d dead letters", c.MailRetryFor, c.MailDeadMax)
	}
}

func TestRedisLimitsAndRequestDeadlineAreExplicit(t *testing.T) {
	c, err := LoadConfig(env(validProduction()))
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisDialTimeout != 2*time.Second || c.RedisReadTimeout != 2*time.Second || c.RedisWriteTimeout != 2*time.Second ||
		c.RedisPoolSize != 32 || c.RedisPoolTimeout != 2*time.Second || c.RequestTimeout != 5*time.Second || !c.RedisSharedPipes {
		t.Fatalf("defaults: %+v", c)
	}

	m := validProduction()
	m["REDIS_URL"] = "redis://127.0.0.1:6379/0"
	m["REDIS_DIAL_TIMEOUT"], m["REDIS_READ_TIMEOUT"], m["REDIS_WRITE_TIMEOUT"] = "750ms", "1.5s", "250ms"
	m["REDIS_POOL_SIZE"], m["REDIS_POOL_TIMEOUT"], m["REQUEST_TIMEOUT"] = "64", "3s", "8s"
	c, err = LoadConfig(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if c.RequestTimeout != 8*time.Second {
		t.Errorf("REQUEST_TIMEOUT: %v", c.RequestTimeout)
	}
	rdb, near, err := newRedis(c)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	o := rdb.(*redisconn.SharedPipes).Options()
	if o.DialTimeout != 750*time.Millisecond || o.ReadTimeout != 1500*time.Millisecond || o.WriteTimeout != 250*time.Millisecond ||
		o.PoolSize != 64 || o.PoolTimeout != 3*time.Second || !o.ContextTimeoutEnabled {
		t.Fatalf("single-server client options: %+v", o)
	}
	// The read timeout need not be shorter without shared pipelines, and a
	// request timeout that is no duration is not compared with it.
	m["REDIS_SHARED_PIPELINES"], m["REDIS_READ_TIMEOUT"], m["REQUEST_TIMEOUT"] = "false", "8s", "8s"
	if _, err := LoadConfig(env(m)); err != nil {
		t.Fatalf("pooled pipelines with a read timeout as long as the request's: %v", err)
	}
	m["REDIS_SHARED_PIPELINES"], m["REQUEST_TIMEOUT"] = "true", "5"
	if _, err := LoadConfig(env(m)); err == nil || strings.Contains(err.Error(), "must be shorter") {
		t.Fatalf("REQUEST_TIMEOUT=5: %v; want its own error alone", err)
	}
	m["REDIS_READ_TIMEOUT"], m["REQUEST_TIMEOUT"] = "1.5s", "8s"
	c.RedisSharedPipes = false
	pooled, _, err := newRedis(c)
	if err != nil {
		t.Fatal(err)
	}
	defer pooled.Close()
	if _, ok := pooled.(*redis.Client); !ok {
		t.Fatalf("REDIS_SHARED_PIPELINES=false: %T, want a plain client", pooled)
	}
	if near == nil {
		t.Fatal("one server's client has no near cache")
	}

	c.RedisCluster = true
	c.RedisURL = "redis://127.0.0.1:7000?addr=127.0.0.1:7001"
	cl, clusterNear, err := newRedis(c)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	co := cl.(*redis.ClusterClient).Options()
	if co.DialTimeout != 750*time.Millisecond || co.ReadTimeout != 1500*time.Millisecond || co.WriteTimeout != 250*time.Millisecond ||
		co.PoolSize != 64 || co.PoolTimeout != 3*time.Second || !co.ContextTimeoutEnabled {
		t.Fatalf("cluster client options: %+v", co)
	}
	if clusterNear != nil {
		t.Fatal("a cluster's client has a near cache: tracking is per node, which it does not follow")
	}
	m["REDIS_NEAR_CACHE"] = "false"
	if c, err = LoadConfig(env(m)); err != nil || c.RedisNearCache {
		t.Fatalf("REDIS_NEAR_CACHE=false: %v, %v", c.RedisNearCache, err)
	}
	off, near, err := newRedis(c)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if near != nil {
		t.Fatal("REDIS_NEAR_CACHE=false still made a near cache")
	}
	m["REDIS_NEAR_CACHE"] = "yes"
	if _, err = LoadConfig(env(m)); err == nil || !strings.Contains(err.Error(), "REDIS_NEAR_CACHE must be true or false") {
		t.Fatalf("REDIS_NEAR_CACHE=yes: %v", err)
	}
}

func TestProfilerOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:6060", "localhost:6060", "[::1]:6060"} {
		m := validProduction()
		m["PPROF_ADDR"] = addr
		c, err := LoadConfig(env(m))
		if err != nil || c.PprofAddr != addr {
			t.Fatalf("PPROF_ADDR=%s: %v, %q", addr, err, c.PprofAddr)
		}
	}
	for _, addr := range []string{":6060", "0.0.0.0:6060", "10.0.0.5:6060", "localhost"} {
		m := validProduction()
		m["PPROF_ADDR"] = addr
		if _, err := LoadConfig(env(m)); err == nil || !strings.Contains(err.Error(), "PPROF_ADDR") {
			t.Fatalf("PPROF_ADDR=%s was accepted (%v)", addr, err)
		}
	}
}

func TestLogLevel(t *testing.T) {
	c, err := LoadConfig(env(validProduction()))
	if err != nil || c.LogLevel != slog.LevelInfo {
		t.Fatalf("default: %v, %v", c.LogLevel, err)
	}
	m := validProduction()
	m["LOG_LEVEL"] = "debug"
	if c, err = LoadConfig(env(m)); err != nil || c.LogLevel != slog.LevelDebug {
		t.Fatalf("debug: %v, %v", c.LogLevel, err)
	}
	m["LOG_LEVEL"] = "loud"
	if _, err := LoadConfig(env(m)); err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") {
		t.Fatalf("LOG_LEVEL=loud was accepted (%v)", err)
	}
}
