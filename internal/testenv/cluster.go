package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/redisconn"
)

var (
	clusterOnce  sync.Once
	clusterAddrs []string
	clusterErr   error
)

// Cluster returns a client for a real three-node Redis Cluster that this
// package starts once per test binary, and a key prefix no other test uses.
// Tests that run the stores on it prove that every Lua script, transaction
// and multi-key command stays inside one hash slot.
func Cluster(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	clusterOnce.Do(startCluster)
	if clusterErr != nil {
		t.Fatalf("testenv: Redis Cluster: %v", clusterErr)
	}
	opts := &redis.ClusterOptions{Addrs: clusterAddrs}
	redisconn.Cluster(opts) // as the server dials
	client := redis.NewClusterClient(opts)
	prefix := "t" + RandomHex(6) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			deleteKeys(node, prefix)
			return nil
		})
		_ = client.Close()
	})
	return client, prefix
}

func startCluster() {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		clusterErr = fmt.Errorf("redis-server not found: run `make test` or `apt-get install redis-server`")
		return
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		clusterErr = fmt.Errorf("redis-cli not found (package redis-tools)")
		return
	}
	dir, err := os.MkdirTemp("", "fg-cluster-")
	if err != nil {
		clusterErr = err
		return
	}
	for i := range 3 {
		port, err := FreePort()
		if err != nil {
			clusterErr = err
			return
		}
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", fmt.Sprintf("nodes-%d.conf", i),
			"--save", "", "--appendonly", "no", "--dir", dir)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			clusterErr = fmt.Errorf("start cluster node: %w", err)
			return
		}
		go func() { _ = cmd.Wait() }()
		clusterAddrs = append(clusterAddrs, fmt.Sprintf("127.0.0.1:%d", port))
	}
	for _, a := range clusterAddrs {
		if err := waitPing(a); err != nil {
			clusterErr = err
			return
		}
	}
	args := append([]string{"--cluster", "create"}, clusterAddrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		clusterErr = fmt.Errorf("redis-cli --cluster create: %v: %s", err, out)
		return
	}
	clusterErr = waitClusterReady(clusterAddrs, 30*time.Second)
}

// waitClusterReady waits until every node says cluster_state:ok, sees all
// 16384 slots served (cluster_slots_ok) and knows every other node, so no
// test meets a CLUSTERDOWN from a node that has not caught up yet.
func waitClusterReady(addrs []string, within time.Duration) error {
	want := map[string]string{
		"cluster_state":       "ok",
		"cluster_slots_ok":    "16384",
		"cluster_known_nodes": strconv.Itoa(len(addrs)),
	}
	clients := make([]*redis.Client, len(addrs))
	for i, a := range addrs {
		clients[i] = redis.NewClient(&redis.Options{Addr: a})
		defer clients[i].Close()
	}
	var lag string
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		lag = ""
		for i, c := range clients {
			info, err := c.ClusterInfo(context.Background()).Result()
			if err != nil {
				lag = fmt.Sprintf("%s: %v", addrs[i], err)
				break
			}
			if field := clusterInfoMismatch(info, want); field != "" {
				lag = fmt.Sprintf("%s: %s", addrs[i], field)
				break
			}
		}
		if lag == "" {
			return nil
		}
	}
	return fmt.Errorf("the cluster was not ready in %s (%s)", within, lag)
}

// clusterInfoMismatch names the first field of CLUSTER INFO that differs
// from want, with the value the node reported, or returns "".
func clusterInfoMismatch(info string, want map[string]string) string {
	got := map[string]string{}
	for _, line := range strings.Split(info, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		got[k] = v
	}
	for k, v := range want {
		if got[k] != v {
			return k + ":" + got[k]
		}
	}
	return ""
}

func waitPing(addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c.Ping(context.Background()).Err() == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("redis node %s did not answer in 10s", addr)
}
