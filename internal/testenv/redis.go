// Package testenv starts the real dependencies that tests need, once per test
// binary, and gives every test its own isolated slice of them.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/redisconn"
)

var (
	redisOnce sync.Once
	redisURL  string
	redisErr  error
)

// Redis returns a client for a real Redis server and a key prefix that no
// other test uses. Keys under the prefix are deleted when the test ends.
//
// The server is the one named by TEST_REDIS_URL (set by `make test`), or a
// redis-server that this package starts on a free port for the life of the
// test binary. A missing redis-server fails the test: it is never skipped.
func Redis(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	redisOnce.Do(startRedis)
	if redisErr != nil {
		t.Fatalf("testenv: %v", redisErr)
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatalf("testenv: TEST_REDIS_URL: %v", err)
	}
	redisconn.Client(opts) // as the server dials
	client := redis.NewClient(opts)
	prefix := "t" + RandomHex(6) + ":"
	t.Cleanup(func() {
		deleteKeys(client, prefix)
		_ = client.Close()
	})
	return client, prefix
}

// answers fails fast when the server TEST_REDIS_URL names is not there,
// where every test would otherwise wait out its timeouts.
func answers(url string) error {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return fmt.Errorf("TEST_REDIS_URL: %w", err)
	}
	opts.MaxRetries, opts.DialerRetries = -1, 1
	probe := redis.NewClient(opts)
	defer probe.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := probe.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("TEST_REDIS_URL %s does not answer: %w", url, err)
	}
	return nil
}

// RandomHex returns n random bytes as hex, for unique names in tests.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func deleteKeys(client *redis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			client.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		client.Unlink(ctx, batch...)
	}
}

func startRedis() {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		redisURL = u
		redisErr = answers(u)
		return
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		redisErr = fmt.Errorf("redis-server not found: run `make test` (it installs it) or `apt-get install redis-server`, or set TEST_REDIS_URL")
		return
	}
	port, err := FreePort()
	if err != nil {
		redisErr = err
		return
	}
	dir, err := os.MkdirTemp("", "fg-redis-")
	if err != nil {
		redisErr = err
		return
	}
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--databases", "1")
	// The server dies with the test binary (`make test` passes TEST_REDIS_URL
	// instead, and stops its own server itself).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		redisErr = fmt.Errorf("start redis-server: %w", err)
		return
	}
	go func() { _ = cmd.Wait(); _ = os.RemoveAll(dir) }()
	redisURL = fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	client := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	defer client.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if client.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	redisErr = fmt.Errorf("redis-server on port %d did not answer within 10s", port)
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testenv: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ModuleRoot returns the repository root, for tests that need project files.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: go.mod not found")
		}
		dir = parent
	}
}
