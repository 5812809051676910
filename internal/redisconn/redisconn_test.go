package redisconn_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/redisconn"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// A pooled connection idle past AnsweredWithin is probed before use, so
// one the server closed is replaced; one that answered just now is taken
// without the probe's system call.
func TestPoolProbesOnlyConnectionsIdleAWhile(t *testing.T) {
	admin, _ := testenv.Redis(t)
	opts := *admin.(*redis.Client).Options()
	opts.PoolSize, opts.MinIdleConns, opts.MaxRetries = 1, 0, -1 // one connection; a failure shows, not retried
	clock := testenv.NewClock(time.Now())
	opts.Dialer = redisconn.Dialer(redis.NewDialer(&opts), clock.Now)
	rdb := redis.NewClient(&opts)
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := context.Background()
	kill := func() int64 {
		t.Helper()
		id, err := rdb.ClientID(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		if err := admin.ClientKillByFilter(ctx, "ID", strconv.FormatInt(id, 10)).Err(); err != nil {
			t.Fatal(err)
		}
		return id
	}

	closed := kill()
	clock.Advance(redisconn.AnsweredWithin + time.Millisecond)
	id, err := rdb.ClientID(ctx).Result()
	if err != nil {
		t.Fatalf("a connection idle for %v and closed by the server was used: %v", redisconn.AnsweredWithin, err)
	}
	if id == closed {
		t.Fatalf("still on connection %d, which the server closed", id)
	}

	kill()
	if err := rdb.Ping(ctx).Err(); err == nil {
		t.Fatal("a connection that answered just now was probed (the command found a fresh one)")
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("the connection after the closed one: %v", err)
	}
}
