package outage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/outage"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// replyError has Redis answer with an error reply of its own choosing, so
// the test sees exactly what go-redis makes of it.
func replyError(t *testing.T, rdb redis.UniversalClient, reply string) error {
	t.Helper()
	err := rdb.Eval(context.Background(), "return redis.error_reply(ARGV[1])", nil, reply).Err()
	if err == nil {
		t.Fatalf("no error for reply %q", reply)
	}
	return err
}

func TestServerRepliesThatMeanTryAgain(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	if err := rdb.Set(ctx, prefix+"s", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	wrongType := rdb.LPush(ctx, prefix+"s", "y").Err()
	_, missing := rdb.Get(ctx, prefix+"none").Result()

	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"loading", replyError(t, rdb, "LOADING Redis is loading the dataset in memory"), true},
		{"cluster down", replyError(t, rdb, "CLUSTERDOWN The cluster is down"), true},
		{"try again", replyError(t, rdb, "TRYAGAIN Multiple keys request during rehashing of slot"), true},
		{"master down", replyError(t, rdb, "MASTERDOWN Link with MASTER is down"), true},
		{"read only replica", replyError(t, rdb, "READONLY You can't write against a read only replica."), true},
		{"wrapped loading", fmt.Errorf("events: rsvp e1: %w", replyError(t, rdb, "LOADING x")), true},
		{"wrong type", wrongType, false},
		{"no such key", missing, false},
		{"script's own error", replyError(t, rdb, "FULL no seats"), false},
		{"caller gave up", context.Canceled, false},
		{"plain error", errors.New("groups: not a member"), false},
		{"nil", nil, false},
	}
	for _, tc := range cases {
		if got := outage.Is(tc.err); got != tc.want {
			t.Errorf("%s: Is(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestUnreachableAndSlowRedisIsAnOutage(t *testing.T) {
	t.Parallel()
	srv := testenv.StartOwnRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, PoolSize: 1,
		PoolTimeout: 200 * time.Millisecond, MaxRetries: -1, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}

	srv.Pause()
	slow := rdb.Get(ctx, "k").Err()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	deadline := rdb.Get(short, "k").Err()
	cancel()
	srv.Resume()
	if !outage.Is(slow) {
		t.Errorf("a read from a frozen server: Is(%v) = false", slow)
	}
	if !outage.Is(deadline) {
		t.Errorf("a request deadline passing: Is(%v) = false", deadline)
	}

	srv.Stop()
	refused := rdb.Get(ctx, "k").Err()
	if !outage.Is(refused) {
		t.Errorf("a stopped server: Is(%v) = false", refused)
	}
	srv.Start()
	// go-redis fails fast with the last dial error until its own probe
	// (once a second) reaches the server again.
	var v string
	var err error
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if v, err = rdb.Get(ctx, "k").Result(); !outage.Is(err) {
			break
		}
	}
	if err != nil || v != "v" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
}
