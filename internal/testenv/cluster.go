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
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs})
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
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := exec.Command(cli, "-h", "127.0.0.1", "-p", strings.Split(clusterAddrs[0], ":")[1], "cluster", "info").Output()
		if strings.Contains(string(out), "cluster_state:ok") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	clusterErr = fmt.Errorf("the cluster did not reach cluster_state:ok in 20s")
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
