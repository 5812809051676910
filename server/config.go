package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/focusgroups/focusgroups/auth"
)

// Config is everything the app reads from the environment, parsed once.
type Config struct {
	Port         int
	BaseURL      string
	Env          string
	RedisURL     string
	RedisCluster bool
	RedisPrefix  string
	// RedisNearCache keeps pages' reads in memory, dropped when Redis
	// says their keys changed (internal/nearcache); one server only.
	RedisNearCache bool
	// RedisSharedPipes sends the pipelines of all requests together, in
	// batches on one connection (REDIS_SHARED_PIPELINES, one server
	// only; see redisconn.SharedPipes).
	RedisSharedPipes bool
	SessionSecret    string
	SMTPURL          string
	MailFrom         string
	TrustProxy       bool
	MetricsToken     string
	// AdminEmails (ADMIN_EMAILS, comma-separated) are the verified
	// addresses of the instance admins, who handle reports about groups
	// and their organizers and may suspend accounts.
	AdminEmails []string
	Providers   []auth.ProviderConfig
	Seed        bool
	MailWorkers int
	// MailRetryFor is how long a mail that the SMTP server keeps refusing
	// for now (4xx, unreachable) is retried before it is dead-lettered.
	MailRetryFor time.Duration
	// MailDeadMax is how many dead letters are kept for `server mail`.
	MailDeadMax int
	// Redis client limits: how long to wait for a connection to open
	// (REDIS_DIAL_TIMEOUT), for a reply (REDIS_READ_TIMEOUT), for a
	// command to be written (REDIS_WRITE_TIMEOUT), and for a free
	// connection when all REDIS_POOL_SIZE are busy (REDIS_POOL_TIMEOUT).
	RedisDialTimeout  time.Duration
	RedisReadTimeout  time.Duration
	RedisWriteTimeout time.Duration
	RedisPoolSize     int
	RedisPoolTimeout  time.Duration
	// RequestTimeout bounds one HTTP request, Redis calls included
	// (REQUEST_TIMEOUT); past it the visitor gets the 503 page.
	RequestTimeout time.Duration
	// SessionRetention is how long a session is kept after it ends
	// (SESSION_RETENTION_DAYS); then the sweep deletes it.
	SessionRetention time.Duration
	// PprofAddr, when set (PPROF_ADDR), serves Go's profiler on that
	// loopback address for an operator or the HTTP benchmark.
	PprofAddr string
	// LogLevel is the least severe level logged (LOG_LEVEL: debug, info,
	// warn or error); debug adds a line for every request.
	LogLevel slog.Level
}

// Dev reports whether the app runs in development mode.
func (c *Config) Dev() bool { return c.Env == "development" }

// maxMailRetryFor bounds MAIL_RETRY_FOR well inside the 30 days the
// outbox keeps the idempotency marker that stops a double send (it is not
// renewed by retries); an operator can requeue what outlives it.
const maxMailRetryFor = 7 * 24 * time.Hour

// defaultDevSecret is only ever used in development mode.
const defaultDevSecret = "development-only-secret-do-not-use-in-production"

// LoadConfig reads the configuration from getenv (os.Getenv in the binary).
// In production it refuses to start without what it needs, naming every
// missing or malformed variable.
func LoadConfig(getenv func(string) string) (*Config, error) {
	var errs []error
	bad := func(name, why string) { errs = append(errs, fmt.Errorf("%s %s", name, why)) }
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}

	c := &Config{Env: get("APP_ENV", "production")}
	if c.Env != "development" && c.Env != "production" {
		bad("APP_ENV", "must be development or production")
	}
	dev := c.Dev()

	port, err := strconv.Atoi(get("PORT", "8080"))
	if err != nil || port < 1 || port > 65535 {
		bad("PORT", "must be a port number (1-65535)")
	}
	c.Port = port

	c.BaseURL = strings.TrimRight(get("BASE_URL", ""), "/")
	switch {
	case c.BaseURL == "" && dev:
		c.BaseURL = fmt.Sprintf("http://localhost:%d", port)
	case c.BaseURL == "":
		bad("BASE_URL", "is required in production (the public https URL, e.g. https://focusgroups.example.com)")
	default:
		u, err := url.Parse(c.BaseURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Path != "" {
			bad("BASE_URL", "must be an absolute URL without a path, e.g. https://focusgroups.example.com")
		} else if !dev && u.Scheme != "https" {
			bad("BASE_URL", "must use https in production")
		}
	}

	// flag reads a setting that is true or false.
	flag := func(name, def string) bool {
		switch get(name, def) {
		case "true":
			return true
		case "false":
		default:
			bad(name, "must be true or false")
		}
		return false
	}

	c.RedisURL = get("REDIS_URL", "")
	c.RedisCluster = flag("REDIS_CLUSTER", "false")
	switch {
	case c.RedisURL == "" && dev:
		c.RedisURL = "redis://127.0.0.1:6379/0"
	case c.RedisURL == "":
		bad("REDIS_URL", "is required in production (redis:// or rediss://)")
	default:
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("REDIS_URL", "must be a redis:// or rediss:// URL")
		}
	}
	c.RedisPrefix = get("REDIS_PREFIX", "fg:")
	c.RedisNearCache = flag("REDIS_NEAR_CACHE", "true") && !c.RedisCluster
	c.RedisSharedPipes = flag("REDIS_SHARED_PIPELINES", "true") && !c.RedisCluster
	duration := func(name, def string, lo, hi time.Duration) time.Duration {
		d, err := time.ParseDuration(get(name, def))
		if err != nil || d < lo || d > hi {
			bad(name, fmt.Sprintf("must be a duration from %v to %v, e.g. %s", lo, hi, def))
		}
		return d
	}
	c.RedisDialTimeout = duration("REDIS_DIAL_TIMEOUT", "2s", 10*time.Millisecond, time.Minute)
	c.RedisReadTimeout = duration("REDIS_READ_TIMEOUT", "2s", 10*time.Millisecond, time.Minute)
	c.RedisWriteTimeout = duration("REDIS_WRITE_TIMEOUT", "2s", 10*time.Millisecond, time.Minute)
	c.RedisPoolTimeout = duration("REDIS_POOL_TIMEOUT", "2s", 10*time.Millisecond, time.Minute)
	pool, err := strconv.Atoi(get("REDIS_POOL_SIZE", "32"))
	if err != nil || pool < 1 || pool > 10000 {
		bad("REDIS_POOL_SIZE", "must be a number of connections from 1 to 10000")
	}
	c.RedisPoolSize = pool
	c.RequestTimeout = duration("REQUEST_TIMEOUT", "5s", 100*time.Millisecond, 5*time.Minute)
	if c.RedisSharedPipes && len(errs) == 0 && c.RedisReadTimeout >= c.RequestTimeout {
		// A pipeline in a batch on the wire waits for its reply up to the
		// read timeout, whatever the request's deadline.
		bad("REDIS_READ_TIMEOUT", "must be shorter than REQUEST_TIMEOUT while REDIS_SHARED_PIPELINES is true")
	}

	c.SessionSecret = get("SESSION_SECRET", "")
	switch {
	case c.SessionSecret == "" && dev:
		c.SessionSecret = defaultDevSecret
	case c.SessionSecret == "":
		bad("SESSION_SECRET", "is required in production (at least 32 random characters, e.g. `openssl rand -hex 32`)")
	case len(c.SessionSecret) < 32:
		bad("SESSION_SECRET", "must be at least 32 characters long")
	case !dev && c.SessionSecret == defaultDevSecret:
		bad("SESSION_SECRET", "must not be the development default")
	}

	c.SMTPURL = get("SMTP_URL", "")
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("SMTP_URL", "must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
		}
	} else if !dev {
		bad("SMTP_URL", "is required in production, or nobody gets invites")
	}
	c.MailFrom = get("MAIL_FROM", "focusgroups <noreply@localhost>")
	if !dev && getenv("MAIL_FROM") == "" {
		bad("MAIL_FROM", "is required in production, e.g. \"focusgroups <noreply@example.com>\"")
	}

	workers, err := strconv.Atoi(get("MAIL_WORKERS", "4"))
	if err != nil || workers < 0 || workers > 64 {
		bad("MAIL_WORKERS", "must be a number from 0 to 64")
	}
	c.MailWorkers = workers
	retryFor, err := time.ParseDuration(get("MAIL_RETRY_FOR", "24h"))
	if err != nil || retryFor < time.Minute || retryFor > maxMailRetryFor {
		bad("MAIL_RETRY_FOR", "must be a duration from 1m to 168h (7 days), e.g. 24h or 72h")
	}
	c.MailRetryFor = retryFor
	deadMax, err := strconv.Atoi(get("MAIL_DEAD_LETTERS", "10000"))
	if err != nil || deadMax < 1 || deadMax > 1000000 {
		bad("MAIL_DEAD_LETTERS", "must be a number from 1 to 1000000")
	}
	c.MailDeadMax = deadMax
	days, err := strconv.Atoi(get("SESSION_RETENTION_DAYS", "365"))
	if err != nil || days < 7 || days > 3650 {
		bad("SESSION_RETENTION_DAYS", "must be a number of days from 7 to 3650")
	}
	c.SessionRetention = time.Duration(days) * 24 * time.Hour
	c.TrustProxy = flag("TRUST_PROXY", "false")
	c.MetricsToken = get("METRICS_TOKEN", "")
	for _, a := range strings.Split(get("ADMIN_EMAILS", ""), ",") {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			if !strings.Contains(a, "@") {
				bad("ADMIN_EMAILS", "must be a comma-separated list of email addresses")
			}
			c.AdminEmails = append(c.AdminEmails, a)
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		bad("LOG_LEVEL", "must be debug, info, warn or error")
	}
	c.PprofAddr = get("PPROF_ADDR", "")
	if c.PprofAddr != "" && !loopback(c.PprofAddr) {
		bad("PPROF_ADDR", "must be a loopback address such as 127.0.0.1:6060: the profiler must never face the network")
	}
	c.Seed = get("SEED", "") == "true"
	if c.Seed && !dev {
		bad("SEED", "loads demo data and is refused in production")
	}

	c.Providers = providersFromEnv(get, bad)
	if !dev && len(c.Providers) == 0 {
		bad("GITHUB_KEY", "(or LINKEDIN_KEY, or OIDC_ISSUER) is required in production: nobody could sign in")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

func providersFromEnv(get func(string, string) string, bad func(string, string)) []auth.ProviderConfig {
	var out []auth.ProviderConfig
	pair := func(keyVar, secretVar string) (string, string, bool) {
		k, s := get(keyVar, ""), get(secretVar, "")
		switch {
		case k == "" && s == "":
			return "", "", false
		case k == "":
			bad(keyVar, "is required when "+secretVar+" is set")
		case s == "":
			bad(secretVar, "is required when "+keyVar+" is set")
		}
		return k, s, k != "" && s != ""
	}
	if k, s, ok := pair("GITHUB_KEY", "GITHUB_SECRET"); ok {
		ent := get("GITHUB_ENTERPRISE_URL", "")
		if ent != "" && !isHTTPURL(ent) {
			bad("GITHUB_ENTERPRISE_URL", "must be an http(s) URL such as https://github.example.com")
		}
		gh := auth.GitHubConfig(k, s, ent)
		for _, o := range []struct {
			name string
			dst  *string
		}{{"GITHUB_AUTH_URL", &gh.AuthURL}, {"GITHUB_TOKEN_URL", &gh.TokenURL}, {"GITHUB_API_USER_URL", &gh.ProfileURL}, {"GITHUB_API_EMAILS_URL", &gh.EmailsURL}} {
			if v := get(o.name, ""); v != "" {
				if !isHTTPURL(v) {
					bad(o.name, "must be an http(s) URL")
				}
				*o.dst = v
			}
		}
		out = append(out, gh)
	}
	if k, s, ok := pair("LINKEDIN_KEY", "LINKEDIN_SECRET"); ok {
		disc := get("LINKEDIN_DISCOVERY_URL", auth.LinkedInDiscoveryURL)
		if !isHTTPURL(disc) {
			bad("LINKEDIN_DISCOVERY_URL", "must be an http(s) URL")
		}
		out = append(out, auth.ProviderConfig{Name: "linkedin", Label: "LinkedIn", Kind: auth.KindOIDC,
			ClientID: k, Secret: s, DiscoveryURL: disc})
	}
	if issuer := get("OIDC_ISSUER", ""); issuer != "" {
		if !isHTTPURL(issuer) {
			bad("OIDC_ISSUER", "must be the issuer's http(s) URL")
		}
		disc := get("OIDC_DISCOVERY_URL", strings.TrimRight(issuer, "/")+"/.well-known/openid-configuration")
		id, secret := get("OIDC_CLIENT_ID", ""), get("OIDC_CLIENT_SECRET", "")
		if id == "" {
			bad("OIDC_CLIENT_ID", "is required when OIDC_ISSUER is set")
		}
		if secret == "" {
			bad("OIDC_CLIENT_SECRET", "is required when OIDC_ISSUER is set")
		}
		out = append(out, auth.ProviderConfig{Name: "sso", Label: get("OIDC_NAME", "Company SSO"), Kind: auth.KindOIDC,
			ClientID: id, Secret: secret, DiscoveryURL: disc})
	}
	return out
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// envGetenv is os.Getenv, named for the call site in main.
var envGetenv = os.Getenv

// loopback reports whether addr (host:port) names a loopback host.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
