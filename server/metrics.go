package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/focusgroups/focusgroups/mail"
)

// mailCollector reports the outbox's backlog and dead letters, read from
// Redis at each scrape. When Redis does not answer, the mail metrics are
// left out of that scrape (and the failure logged) so that /metrics still
// serves the rest.
type mailCollector struct {
	outbox                 *mail.Outbox
	logger                 *slog.Logger
	queued, retrying, dead *prometheus.Desc
}

func newMailCollector(ob *mail.Outbox, logger *slog.Logger) *mailCollector {
	return &mailCollector{
		outbox: ob, logger: logger,
		queued:   prometheus.NewDesc("mail_outbox_queued", "Mails waiting for a worker.", nil, nil),
		retrying: prometheus.NewDesc("mail_outbox_retrying", "Mails waiting to be retried after a temporary failure.", nil, nil),
		dead:     prometheus.NewDesc("mail_dead_letters", "Dead letters kept for an operator (server mail dead / retry).", nil, nil),
	}
}

// Describe sends the descriptors of the mail metrics.
func (m *mailCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.queued
	ch <- m.retrying
	ch <- m.dead
}

// Collect reads the counts from Redis.
func (m *mailCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if q, r, err := m.outbox.Backlog(ctx); err != nil {
		m.logger.Warn("metrics: mail backlog left out", "err", err)
	} else {
		ch <- prometheus.MustNewConstMetric(m.queued, prometheus.GaugeValue, float64(q))
		ch <- prometheus.MustNewConstMetric(m.retrying, prometheus.GaugeValue, float64(r))
	}
	if d, err := m.outbox.DeadCount(ctx); err != nil {
		m.logger.Warn("metrics: dead-letter count left out", "err", err)
	} else {
		ch <- prometheus.MustNewConstMetric(m.dead, prometheus.GaugeValue, float64(d))
	}
}
