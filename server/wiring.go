package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/notices"
	"github.com/focusgroups/focusgroups/internal/redisconn"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/moderation"
	"github.com/focusgroups/focusgroups/notify"
	"github.com/focusgroups/focusgroups/skills"
	"github.com/focusgroups/focusgroups/web"
	"github.com/focusgroups/focusgroups/webhooks"
)

// stores are the domain stores and services, built once on one client.
type stores struct {
	users   *auth.Store
	groups  *groups.Store
	events  *events.Store
	mentors *mentors.Store
	mail    *mail.Service
	notify  *notify.Notifier
	hooks   *webhooks.Store
	// moderation keeps codes of conduct, reports and blocks.
	moderation *moderation.Store
	skills     *skills.Store
	sync       *skills.Sync
	// notices relays the mail that state changes recorded (see
	// internal/notices); its sweep runs in every instance.
	notices *notices.Relay
}

func newStores(cfg *Config, rdb redis.UniversalClient, logger *slog.Logger) (*stores, error) {
	p := cfg.RedisPrefix
	mailSvc, err := mail.New(rdb, p, mail.Config{SMTPURL: cfg.SMTPURL, From: cfg.MailFrom,
		Secret: []byte(cfg.SessionSecret), Workers: max(cfg.MailWorkers, 1), RetryFor: cfg.MailRetryFor,
		Options: mail.Options{DeadMax: cfg.MailDeadMax}, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	st := &stores{
		users:   auth.NewStore(rdb, p),
		groups:  groups.NewStore(rdb, p),
		events:  events.NewStore(rdb, p),
		mentors: mentors.NewStore(rdb, p),
		mail:    mailSvc,
	}
	if cfg.SessionRetention > 0 {
		st.events.Retention = cfg.SessionRetention
	}
	st.moderation = moderation.NewStore(rdb, p)
	st.notify = &notify.Notifier{Users: st.users, Groups: st.groups, Events: st.events, Mail: mailSvc,
		BaseURL: cfg.BaseURL, Logger: logger}
	st.notify.Blocked = st.moderation.EitherBlocked
	mailSvc.Reminders.Wanted = st.notify.RemindersWanted
	mailSvc.Reminders.Compose = st.notify.ComposeReminders
	st.events.Notify = st.notify.EventNotice
	st.hooks = webhooks.NewStore(rdb, p, webhooks.Guard{AllowLocal: cfg.Dev()})
	st.hooks.Logger = logger
	st.events.Changed = (&webhooks.Emitter{Hooks: st.hooks, Events: st.events, Groups: st.groups, BaseURL: cfg.BaseURL}).Changed
	st.events.Logger = logger
	st.mentors.Notify = st.notify.MentorNotice
	st.notices = notices.New(rdb, p)
	st.notices.Logger = logger
	st.events.RegisterNotices(st.notices)
	st.mentors.Logger = logger
	st.mentors.RegisterNotices(st.notices)
	st.groups.Notify = st.notify.GroupNotice
	st.skills = skills.NewStore(rdb, p)
	st.sync = &skills.Sync{Skills: st.skills, Mentors: st.mentors, Groups: st.groups, Logger: logger}
	st.groups.MembersChanged = st.sync.MemberChanged
	st.groups.Deleted = groups.DropAll(logger, st.skills.DropGroup, st.hooks.DropGroup, st.moderation.DropGroup)
	st.groups.MemberJoined = st.sync.MemberJoined
	st.groups.Logger = logger
	st.groups.RegisterNotices(st.notices)
	return st, nil
}

// newApp builds the web app on the stores.
func newApp(cfg *Config, rdb redis.UniversalClient, near *nearcache.Cache, st *stores, logger *slog.Logger) (appServer, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newMailCollector(st.mail.Outbox, logger))
	if near != nil {
		reg.MustRegister(near.Collector())
	}
	if shared, ok := rdb.(*redisconn.SharedPipes); ok {
		reg.MustRegister(shared.Collector())
	}
	app, err := web.New(web.Deps{
		Dev:            cfg.Dev(),
		BaseURL:        cfg.BaseURL,
		Redis:          rdb,
		Prefix:         cfg.RedisPrefix,
		Users:          st.users,
		Groups:         st.groups,
		Events:         st.events,
		Mentors:        st.mentors,
		Mail:           st.mail,
		Notify:         st.notify,
		Hooks:          st.hooks,
		Moderation:     st.moderation,
		AdminEmails:    cfg.AdminEmails,
		Skills:         st.skills,
		SkillSync:      st.sync,
		Providers:      auth.NewProviders(cfg.BaseURL, cfg.Providers, &http.Client{Timeout: 10 * time.Second}),
		Sessions:       auth.NewSessions(st.users, !cfg.Dev(), []byte(cfg.SessionSecret)),
		Tokens:         auth.NewTokens(rdb, cfg.RedisPrefix),
		Logger:         logger,
		Metrics:        reg,
		MetricsToken:   cfg.MetricsToken,
		TrustProxy:     cfg.TrustProxy,
		RequestTimeout: cfg.RequestTimeout,
		NearCache:      near,
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
