package clustertest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

// cluster returns a client on the test cluster and a fresh key prefix. It
// fails the test if the client is not a cluster client, so no scenario can
// pass by accident on a single server.
func cluster(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	rdb, prefix := testenv.Cluster(t)
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("testenv.Cluster returned %T, want *redis.ClusterClient", rdb)
	}
	return rdb, prefix
}

// keysUnder lists every key under prefix on every master, sorted. SCAN on
// a cluster client sees one node only, so each master is scanned.
func keysUnder(t *testing.T, rdb redis.UniversalClient, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var out []string
	err := rdb.(*redis.ClusterClient).ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			out = append(out, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	})
	if err != nil {
		t.Fatalf("scan masters: %v", err)
	}
	slices.Sort(out)
	return out
}

// mastersHolding counts the masters that hold at least one key under
// prefix, to show that a scenario really spread over the cluster.
func mastersHolding(t *testing.T, rdb redis.UniversalClient, prefix string) int {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	n := 0
	err := rdb.(*redis.ClusterClient).ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		// The whole keyspace: one SCAN call covers only part of it, and
		// the parallel tests' keys can fill that part.
		it := node.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		if it.Next(ctx) {
			mu.Lock()
			n++
			mu.Unlock()
		}
		return it.Err()
	})
	if err != nil {
		t.Fatalf("scan masters: %v", err)
	}
	return n
}

// refsTo lists the keys under prefix, on every master, that still mention
// id: in their name, as their string value, or as a member or field of a
// set, sorted set, hash or list.
func refsTo(t *testing.T, rdb redis.UniversalClient, prefix, id string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, k := range keysUnder(t, rdb, prefix) {
		if strings.Contains(k, id) {
			out = append(out, k)
			continue
		}
		typ, err := rdb.Type(ctx, k).Result()
		if err != nil {
			t.Fatalf("type %s: %v", k, err)
		}
		var found bool
		switch typ {
		case "string":
			v, _ := rdb.Get(ctx, k).Result()
			found = strings.Contains(v, id)
		case "set":
			found, _ = rdb.SIsMember(ctx, k, id).Result()
		case "zset":
			found = rdb.ZScore(ctx, k, id).Err() == nil
		case "hash":
			found, _ = rdb.HExists(ctx, k, id).Result()
		case "list":
			found = rdb.LPos(ctx, k, id, redis.LPosArgs{}).Err() == nil
		}
		if found {
			out = append(out, k+" ("+typ+")")
		}
	}
	return out
}

// errorLog is a slog handler that keeps every warning and error, so a
// background worker's failure (which is only logged) fails the test.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }

func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, b.String())
	return nil
}

func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

// check fails the test for every record logged.
func (l *errorLog) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		t.Errorf("logged: %s", m)
	}
}

// eventually polls cond until it holds or 10 seconds pass; what describes
// the state it last saw.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not so after 10s: %s", what, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clock is a settable clock for the stores' Now fields.
type clock = testenv.Clock

func newClock(t time.Time) *clock { return testenv.NewClock(t) }
