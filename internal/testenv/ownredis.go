package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// OwnRedis is a redis-server that belongs to one test, which can stop it,
// pause it and start it again on the same port to see what the app does
// while Redis is away. Its data survives a stop: it writes every command
// to an append-only file in a temporary directory before answering.
type OwnRedis struct {
	// Addr is host:port, the same across restarts.
	Addr string

	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// StartOwnRedis starts a redis-server for this test alone; it is killed
// when the test ends. A missing redis-server fails the test.
func StartOwnRedis(t testing.TB) *OwnRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("testenv: redis-server not found: run `make test` (it installs it) or `apt-get install redis-server`")
	}
	r := &OwnRedis{t: t, bin: bin, dir: t.TempDir()}
	t.Cleanup(func() {
		if r.cmd != nil {
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	// A free port can be taken again before the server binds it: try another.
	for range 3 {
		if r.port, err = FreePort(); err != nil {
			t.Fatal(err)
		}
		r.Addr = fmt.Sprintf("127.0.0.1:%d", r.port)
		if err = r.launch(); err == nil {
			return r
		}
	}
	t.Fatal(err)
	return nil
}

// Start restarts the server on its port with the data it had, and
// returns once it answers PING.
func (r *OwnRedis) Start() {
	r.t.Helper()
	if r.cmd != nil {
		r.t.Fatal("testenv: own redis is already running")
	}
	if err := r.launch(); err != nil {
		r.t.Fatal(err)
	}
}

func (r *OwnRedis) launch() error {
	cmd := exec.Command(r.bin,
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--databases", "1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("testenv: start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()

	probe := redis.NewClient(&redis.Options{Addr: r.Addr, MaxRetries: -1})
	defer probe.Close()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
		// The answer must come from this process, not from another server
		// that took the port first.
		info, err := probe.Info(context.Background(), "server").Result()
		if err == nil && strings.Contains(info, "process_id:"+strconv.Itoa(cmd.Process.Pid)+"\r\n") {
			r.cmd, r.done = cmd, done
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("testenv: redis-server on %s exited at start:\n%s", r.Addr, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	_ = cmd.Process.Kill()
	<-done
	return fmt.Errorf("testenv: redis-server on %s did not answer within 10s", r.Addr)
}

// Stop shuts the server down (its data is on disk) and returns once the
// process has exited: connections to Addr are refused until Start.
func (r *OwnRedis) Stop() {
	r.t.Helper()
	if r.cmd == nil {
		r.t.Fatal("testenv: own redis is not running")
	}
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		r.t.Fatalf("testenv: stop redis-server: %v", err)
	}
	<-r.done
	r.cmd = nil
}

// Pause freezes the server (SIGSTOP): connections are accepted by the
// kernel but nothing is answered, as with a Redis that hangs.
func (r *OwnRedis) Pause() {
	r.t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		r.t.Fatalf("testenv: pause redis-server: %v", err)
	}
}

// Resume lets a paused server go on (SIGCONT).
func (r *OwnRedis) Resume() {
	r.t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		r.t.Fatalf("testenv: resume redis-server: %v", err)
	}
}
