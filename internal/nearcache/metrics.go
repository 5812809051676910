package nearcache

import "github.com/prometheus/client_golang/prometheus"

// Collector exports what the cache does, for /metrics: how many reads it
// answered and how many went to Redis, the invalidations heard, the
// memory its replies take, and whether it is tracking.
func (c *Cache) Collector() prometheus.Collector { return collector{c} }

type collector struct{ c *Cache }

var (
	repliesDesc = prometheus.NewDesc("nearcache_replies_total",
		"Reads the near cache could keep, by where their reply came from (memory or redis).", []string{"from"}, nil)
	invalidationsDesc = prometheus.NewDesc("nearcache_invalidations_total",
		"Keys Redis said changed, whose replies the near cache dropped.", nil, nil)
	ignoredDesc = prometheus.NewDesc("nearcache_invalidations_ignored_total",
		"Keys Redis said changed under the broadcast prefix whose family the near cache does not keep (the cost of one prefix).", nil, nil)
	lossesDesc = prometheus.NewDesc("nearcache_tracking_losses_total",
		"Times the tracking connection was lost (everything kept was dropped).", nil, nil)
	trackingDesc = prometheus.NewDesc("nearcache_tracking",
		"1 while Redis tracks keys for the near cache and it serves reads, else 0.", nil, nil)
	bytesDesc = prometheus.NewDesc("nearcache_bytes",
		"About how much memory the kept replies take.", nil, nil)
	unsyncedDesc = prometheus.NewDesc("nearcache_unsynced_requests_total",
		"Requests that read everything from Redis because the tracking connection did not answer their PING in time (100 ms).", nil, nil)
)

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{repliesDesc, invalidationsDesc, ignoredDesc, lossesDesc, trackingDesc, bytesDesc, unsyncedDesc} {
		ch <- d
	}
}

func (m collector) Collect(ch chan<- prometheus.Metric) {
	c := m.c
	ch <- prometheus.MustNewConstMetric(repliesDesc, prometheus.CounterValue, float64(c.served.Load()), "memory")
	ch <- prometheus.MustNewConstMetric(repliesDesc, prometheus.CounterValue, float64(c.fetched.Load()), "redis")
	ch <- prometheus.MustNewConstMetric(invalidationsDesc, prometheus.CounterValue, float64(c.seq.Load()))
	ch <- prometheus.MustNewConstMetric(ignoredDesc, prometheus.CounterValue, float64(c.ignored.Load()))
	ch <- prometheus.MustNewConstMetric(lossesDesc, prometheus.CounterValue, float64(c.losses.Load()))
	ch <- prometheus.MustNewConstMetric(unsyncedDesc, prometheus.CounterValue, float64(c.unsynced.Load()))
	tracking := 0.0
	if c.active.Load() {
		tracking = 1
	}
	ch <- prometheus.MustNewConstMetric(trackingDesc, prometheus.GaugeValue, tracking)
	bytes := 0
	for i := range c.shard {
		s := &c.shard[i]
		s.mu.RLock()
		bytes += s.bytes
		s.mu.RUnlock()
	}
	ch <- prometheus.MustNewConstMetric(bytesDesc, prometheus.GaugeValue, float64(bytes))
}
