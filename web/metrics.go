package web

import (
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// requestMetrics are observe's Prometheus metrics, with the series of
// each route, method and status looked up once: a WithLabelValues hashes
// its labels and takes the vector's lock on every call, four times a
// request.
type requestMetrics struct {
	requests       *prometheus.CounterVec
	latency, trips *prometheus.HistogramVec
	writes         *prometheus.CounterVec
	mu             sync.RWMutex
	routes         map[routeMethod]*routeSeries
}

type routeMethod struct{ route, method string }

// routeSeries are one route and method's series; requests by status.
type routeSeries struct {
	latency, trips prometheus.Observer
	writes         prometheus.Counter
	requests       map[int]prometheus.Counter // under requestMetrics.mu
}

func newRequestMetrics(reg prometheus.Registerer) *requestMetrics {
	m := &requestMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		trips: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_redis_roundtrips", Help: "Redis round trips per request by route (a pipeline counts one).",
			Buckets: []float64{0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32},
		}, []string{"route", "method"}),
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_request_redis_writes_total", Help: "Redis commands that may write (scripts included) sent by requests, by route.",
		}, []string{"route", "method"}),
		routes: map[routeMethod]*routeSeries{},
	}
	reg.MustRegister(m.requests, m.latency, m.trips, m.writes)
	return m
}

// series returns the series of route and method, and the request counter
// of status among them. method may point into a buffer that is reused
// (fasthttp's request): a series kept for later holds its own copy.
func (m *requestMetrics) series(route, method string, status int) (*routeSeries, prometheus.Counter) {
	m.mu.RLock()
	s, ok := m.routes[routeMethod{route, method}]
	var count prometheus.Counter
	if ok {
		count = s.requests[status]
	}
	m.mu.RUnlock()
	if count != nil {
		return s, count
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok = m.routes[routeMethod{route, method}]; !ok {
		method = strings.Clone(method)
		s = &routeSeries{latency: m.latency.WithLabelValues(route, method), trips: m.trips.WithLabelValues(route, method),
			writes: m.writes.WithLabelValues(route, method), requests: map[int]prometheus.Counter{}}
		m.routes[routeMethod{route, method}] = s
	}
	if count = s.requests[status]; count == nil {
		count = m.requests.WithLabelValues(route, strings.Clone(method), strconv.Itoa(status))
		s.requests[status] = count
	}
	return s, count
}
