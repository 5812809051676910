//go:build faults

package faultcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

// prefix is the server's default REDIS_PREFIX; the harness seeds under it.
const prefix = "fg:"

// mailWorkers is the server's MAIL_WORKERS (its default): how many mails
// can be in flight at once.
const mailWorkers = 4

// quiet drops go-redis's own log lines ("failed to dial"): the harness
// makes Redis unreachable on purpose and reports what it sees itself.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quiet{}) }

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// serverBinary builds bin/server once per run, as `make build` does.
func serverBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		root := testenv.ModuleRoot(t)
		binPath = filepath.Join(root, "bin", "server")
		cmd := exec.Command("go", "build", "-o", binPath, "./server")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./server: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// workDir is where a scenario keeps Redis's AOF and the server's log:
// removed at the end, or kept (and named) with -keep.
func workDir(t *testing.T) string {
	t.Helper()
	if !*keep {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "fg-faults-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("work directory (kept): %s", dir)
	return dir
}

// redisServer is a redis-server child with AOF (appendfsync everysec) in
// its own directory, on a fixed port so that it can be stopped and started
// again where the app expects it.
type redisServer struct {
	t    *testing.T
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

func startRedis(t *testing.T, dir string) *redisServer {
	t.Helper()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	r := &redisServer{t: t, dir: dir, port: port}
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.cmd != nil {
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// URL is the REDIS_URL of the server.
func (r *redisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// start runs redis-server on the same port and directory (so it replays
// its AOF) and waits until it answers PING.
func (r *redisServer) start() error {
	if r.cmd != nil { // after shutdown: the old process must be gone first
		select {
		case <-r.done:
			r.cmd = nil
		case <-time.After(20 * time.Second):
			return errors.New("redis-server did not exit within 20s of SHUTDOWN")
		}
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return errors.New("redis-server not found: apt-get install redis-server (make faults installs it)")
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--dir", r.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
		"--logfile", filepath.Join(r.dir, "redis.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r.cmd, r.done = cmd, done
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c.Ping(context.Background()).Err() == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server exited at start; see %s", filepath.Join(r.dir, "redis.log"))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("redis-server on port %d did not answer within 20s", r.port)
}

// shutdown stops the server with SHUTDOWN, which flushes the AOF: nothing
// acknowledged is lost, the server is simply gone until start. It returns
// once the server has closed the connection; the process may take a moment
// more to exit, which start waits for.
func (r *redisServer) shutdown() error {
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port), MaxRetries: -1})
	defer c.Close()
	if err := c.Shutdown(context.Background()).Err(); err != nil && err.Error() != "OK" {
		return nil // the server closed the connection without a reply: it is going
	}
	// go-redis may report the closed connection as success: ask again.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		probe := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port), MaxRetries: -1})
		err := probe.Ping(context.Background()).Err()
		_ = probe.Close()
		if err != nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("redis-server answered SHUTDOWN and stayed up")
}

// pause freezes the server (SIGSTOP): connections stay open, nothing
// answers. resume thaws it.
func (r *redisServer) pause() error  { return r.cmd.Process.Signal(syscall.SIGSTOP) }
func (r *redisServer) resume() error { return r.cmd.Process.Signal(syscall.SIGCONT) }

// client is a go-redis client on the server, for seeding and checks.
func (r *redisServer) client(t *testing.T) redis.UniversalClient {
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// appProcess is bin/server running as a child process, as in production.
type appProcess struct {
	t    *testing.T
	bin  string
	env  []string
	log  string
	Base string
	cmd  *exec.Cmd
	done chan struct{}
}

func newApp(t *testing.T, dir string, r *redisServer, s *sink) *appProcess {
	t.Helper()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	a := &appProcess{
		t: t, bin: serverBinary(t), log: filepath.Join(dir, "server.log"), Base: base,
		env: []string{
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + os.Getenv("HOME"),
			"APP_ENV=development",
			"PORT=" + strconv.Itoa(port),
			"BASE_URL=" + base,
			"REDIS_URL=" + r.URL(),
			"REDIS_PREFIX=" + prefix,
			"SMTP_URL=" + s.URL(),
			"MAIL_FROM=focusgroups <noreply@faults.test>",
			"TRUST_PROXY=true",
			"MAIL_WORKERS=" + strconv.Itoa(mailWorkers),
		},
	}
	t.Cleanup(func() { a.kill() })
	return a
}

// start runs the binary (its log appended to server.log) and waits until
// /readyz answers 200.
func (a *appProcess) start() error {
	logf, err := os.OpenFile(a.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(a.bin)
	cmd.Env = a.env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", a.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	a.cmd, a.done = cmd, done
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := hc.Get(a.Base + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("server exited at start; see %s", a.log)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("server not ready within 30s; see %s", a.log)
}

// kill sends SIGKILL and waits for the process to be gone.
func (a *appProcess) kill() {
	if a.cmd == nil {
		return
	}
	_ = a.cmd.Process.Kill()
	<-a.done
	a.cmd = nil
}

// waitReady polls /readyz until it answers 200, for up to d.
func (a *appProcess) waitReady(d time.Duration) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if resp, err := hc.Get(a.Base + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("/readyz not 200 within %s", d)
}

// env is one scenario's world: Redis, the SMTP sink, the app process.
type env struct {
	Dir   string
	Redis *redisServer
	RDB   redis.UniversalClient
	SMTP  *sink
	App   *appProcess
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := workDir(t)
	r := startRedis(t, dir)
	s := startSink(t)
	a := newApp(t, dir, r, s)
	if err := a.start(); err != nil {
		t.Fatal(err)
	}
	return &env{Dir: dir, Redis: r, RDB: r.client(t), SMTP: s, App: a}
}
