package clustertest

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
)

// TestClusterIsReal proves the scenarios run where cross-slot access
// fails: three masters, and a script over two hash tags is refused.
func TestClusterIsReal(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	var masters atomic.Int32
	err := rdb.(*redis.ClusterClient).ForEachMaster(ctx, func(context.Context, *redis.Client) error {
		masters.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := masters.Load(); n != 3 {
		t.Fatalf("masters = %d, want 3", n)
	}
	a, b := prefix+"x:{a}", prefix+"x:{b}"
	sa, _ := rdb.ClusterKeySlot(ctx, a).Result()
	sb, _ := rdb.ClusterKeySlot(ctx, b).Result()
	if sa == sb {
		t.Fatalf("test keys share slot %d", sa)
	}
	err = rdb.Eval(ctx, `redis.call('SET', KEYS[1], 1) return redis.call('SET', KEYS[2], 1)`, []string{a, b}).Err()
	if err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Fatalf("a script over two slots answered %v, want CROSSSLOT", err)
	}
	if err := rdb.Do(ctx, "SELECT", 1).Err(); err == nil {
		t.Fatal("SELECT 1 worked on the cluster")
	}
}

// TestClusterURL connects the way server.newRedis does with
// REDIS_CLUSTER=true: one REDIS_URL naming a node, the others as addr=
// parameters (the form docs/cluster.md and the README give).
func TestClusterURL(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	var mu sync.Mutex
	var addrs []string
	err := rdb.(*redis.ClusterClient).ForEachMaster(ctx, func(_ context.Context, node *redis.Client) error {
		mu.Lock()
		defer mu.Unlock()
		addrs = append(addrs, node.Options().Addr)
		return nil
	})
	if err != nil || len(addrs) != 3 {
		t.Fatalf("masters %v: %v", addrs, err)
	}
	url := "redis://" + addrs[0] + "?addr=" + addrs[1] + "&addr=" + addrs[2]
	opts, err := redis.ParseClusterURL(url)
	if err != nil {
		t.Fatalf("ParseClusterURL(%s): %v", url, err)
	}
	byURL := redis.NewClusterClient(opts)
	defer byURL.Close()
	s := auth.NewStore(byURL, prefix)
	u, _, err := s.SignIn(ctx, auth.Profile{Provider: "github", Subject: "url", Emails: []auth.Email{{Address: "url@example.com", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := auth.NewStore(rdb, prefix).FindByEmail(ctx, "url@example.com"); err != nil || got.ID != u.ID {
		t.Fatalf("the other client reads %v %v", got, err)
	}
}
