package speculate

import "github.com/prometheus/client_golang/prometheus"

// Collector exports, for /metrics, how many reads views guessed with
// their first round trip and how many of those a later read took: the
// rest were read for nothing.
func (m *Memory) Collector() prometheus.Collector { return collector{m} }

type collector struct{ m *Memory }

var (
	guessedDesc = prometheus.NewDesc("page_reads_guessed_total",
		"Reads pages made with their first round trip because their last view read them later.", nil, nil)
	usedDesc = prometheus.NewDesc("page_reads_guessed_used_total",
		"Guessed reads that a later read of the same view took, sparing it a round trip.", nil, nil)
)

func (collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- guessedDesc
	ch <- usedDesc
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(guessedDesc, prometheus.CounterValue, float64(c.m.guessed.Load()))
	ch <- prometheus.MustNewConstMetric(usedDesc, prometheus.CounterValue, float64(c.m.used.Load()))
}
