// Command httpbench measures focusgroups' pages against a bare Fiber+Redis
// floor (./floor), the way issue 12 asks: one run, interleaved (floor,
// page, floor, page), at 64 connections, with the servers and Redis on one
// core and wrk on the other. It builds both binaries, starts its own
// Redis, seeds the data through the app's own stores, signs a member in
// through development sign-in, and prints one table:
//
//	page | req/s | p50 | p99 | floor req/s | floor p99 | ratio | CPU per request | Redis's part | Redis round trips | Redis commands | KB
//
// The floor's own p99 is in the table because at a fixed number of
// connections a server's latency follows its throughput: a page at half
// the floor's req/s has about twice the floor's p99.
//
// The round trips come from the app's own /metrics histogram (the go-redis
// hook in internal/roundtrips). Run it with `make bench` or
// `go run ./scripts/httpbench`.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "httpbench:", err)
		os.Exit(1)
	}
}

type options struct {
	duration time.Duration
	conns    int
	rounds   int
	only     string
	profile  string
	appEnv   string
	baseline string
	paired   bool
}

func run() error {
	var o options
	flag.DurationVar(&o.duration, "duration", 8*time.Second, "length of each wrk run")
	flag.IntVar(&o.conns, "conns", 64, "connections wrk keeps open")
	flag.IntVar(&o.rounds, "rounds", 2, "floor/page pairs per page")
	flag.StringVar(&o.only, "pages", "", "comma-separated page keys to run (session-member, session-anon, home, group, discovery, dashboard, suggestions, rsvp; default all)")
	flag.StringVar(&o.profile, "profile", "", "directory to write a CPU and an allocation profile of the app per page into (during its last run)")
	flag.StringVar(&o.appEnv, "app-env", "", "space-separated NAME=value settings for the app only (e.g. \"GOGC=200\"), to compare runtime settings")
	flag.StringVar(&o.baseline, "baseline", "", "a git revision whose app is built too and measured in the same rounds (floor, page, page at the revision) for the GET pages, to tell a change from the machine's noise")
	flag.BoolVar(&o.paired, "paired", false, "with -baseline: run the page and the baseline at the same time, each with its own wrk, and compare the app's own CPU per request, so both meet the same neighbours on the machine")
	loadgen := flag.String("loadgen", "", "internal: post the RSVP of each cookie/token line of this file once (see rsvp.go)")
	target := flag.String("target", "", "internal: the URL -loadgen posts to")
	flag.Parse()
	if *loadgen != "" {
		return runLoadgen(*loadgen, *target, o.conns)
	}
	if o.paired && o.baseline == "" {
		return fmt.Errorf("-paired compares the page with a baseline: name one with -baseline")
	}
	for _, tool := range []string{"wrk", "redis-server"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed (scripts/ensure-pkg.sh installs it)", tool)
		}
	}
	tmp, err := os.MkdirTemp("", "httpbench")
	if err != nil {
		return err
	}
	defer func() {
		if err := os.RemoveAll(tmp); err != nil {
			fmt.Fprintln(os.Stderr, "httpbench: left behind:", err)
		}
	}()

	b := &bench{tmp: tmp, pin: runtime.NumCPU() >= 2, secret: newSecret()}
	defer b.stop()
	if err := b.build(o.baseline); err != nil {
		return err
	}
	if err := b.startRedis(); err != nil {
		return err
	}
	data, err := seed(context.Background(), b.rdb)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := b.startServers(o.profile != "", strings.Fields(o.appEnv)); err != nil {
		return err
	}
	if o.baseline != "" {
		if err := b.startBaseline(); err != nil {
			return err
		}
	}
	cookie, err := b.devSignIn(viewerName)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	pages := []page{
		{"session-member", "session, member going", "/s/:id", "/s/" + data.session, cookie},
		{"session-anon", "session, anonymous", "/s/:id", "/s/" + data.session, ""},
		{"home", "home, signed in", "/", "/", cookie},
		{"group", "group, signed in", "/g/:slug", "/g/" + data.slug, cookie},
		{"discovery", "discovery search, signed in", "/groups", "/groups?q=go", cookie},
		{"dashboard", "dashboard", "/dashboard", "/dashboard", cookie},
		{"suggestions", "mentor suggestions", "/mentors/suggestions", "/mentors/suggestions", cookie},
	}
	fmt.Printf("cores: %d (servers and Redis on core 0, wrk on core 1: %v); %d connections, %s per run, %d rounds\n\n",
		runtime.NumCPU(), b.pin, o.conns, o.duration, o.rounds)
	fmt.Println("| page | req/s | p50 | p99 | floor req/s | floor p99 | ratio | CPU per request, page / floor (floor's share) | Redis's part, page / floor | Redis round trips | Redis commands | KB |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	var baseRows []string
	for _, p := range pages {
		if o.only != "" && !strings.Contains(","+o.only+",", ","+p.key+",") {
			continue
		}
		row, baseRow, err := b.measure(p, o)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		fmt.Println(row)
		baseRows = append(baseRows, baseRow)
	}
	var checks []string
	if o.only == "" || strings.Contains(","+o.only+",", ",rsvp,") {
		row, c, err := b.measureRSVP(context.Background(), o)
		if err != nil {
			return fmt.Errorf("RSVP POST: %w", err)
		}
		fmt.Println(row)
		checks = c
	}
	if o.baseline != "" {
		if o.paired {
			fmt.Printf("\nAgainst %s, each round's page and baseline run at the same time on the same core (the app's own CPU, Redis left out):\n\n", o.baseline)
			fmt.Println("| page | app CPU per request now | at baseline | change (median of rounds) | change by round |")
			fmt.Println("|---|---|---|---|---|")
		} else {
			fmt.Printf("\nAgainst %s, measured in the same rounds:\n\n", o.baseline)
			fmt.Println("| page | req/s now | req/s at baseline | CPU per request now | at baseline | change | change by round |")
			fmt.Println("|---|---|---|---|---|---|---|")
		}
		for _, r := range baseRows {
			fmt.Println(r)
		}
	}
	for _, c := range checks {
		fmt.Println("\nRSVP " + c)
	}
	if rss, err := peakRSS(b.appPid); err == nil {
		fmt.Printf("\napp server peak RSS: %s\n", rss)
	}
	return nil
}

// cpuTime is the user and system CPU time the processes pids have used
// so far (/proc/pid/stat, in clock ticks of 10 ms: Linux reports them in
// USER_HZ, which is 100 on every architecture).
func cpuTime(pids ...int) (time.Duration, error) {
	var total time.Duration
	for _, pid := range pids {
		raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return 0, err
		}
		end := strings.LastIndexByte(string(raw), ')') // the command name may hold spaces and parentheses
		f := strings.Fields(string(raw)[end+1:])
		if end < 0 || len(f) < 13 {
			return 0, fmt.Errorf("/proc/%d/stat: too short", pid)
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return total, nil
}

// peakRSS reads a process's peak resident set size (VmHWM) from /proc.
func peakRSS(pid int) (string, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("no VmHWM")
}

// page is one row of the table; key is its name for -pages.
type page struct {
	key, name, route, path, cookie string
}

type bench struct {
	tmp                string
	pin                bool
	procs              []*exec.Cmd
	rdb                *redis.Client
	redisURL           string
	appURL, floorURL   string
	pprofURL           string // the app's profiler, with -profile
	appPid, floorPid   int
	redisPid           int
	baseBin, baseURL   string // the app at -baseline
	basePid            int
	serverBin, floorBn string
	secret             string // the app's SESSION_SECRET
}

// build builds the app and the floor, and the app at revision baseline
// when one is given (from a worktree of the repository, removed after).
func (b *bench) build(baseline string) error {
	b.serverBin, b.floorBn = filepath.Join(b.tmp, "server"), filepath.Join(b.tmp, "floor")
	for out, pkg := range map[string]string{b.serverBin: "./server", b.floorBn: "./scripts/httpbench/floor"} {
		if err := goBuild("", out, pkg); err != nil {
			return err
		}
	}
	if baseline == "" {
		return nil
	}
	tree := filepath.Join(b.tmp, "baseline-src")
	if out, err := exec.Command("git", "worktree", "add", "--detach", tree, baseline).CombinedOutput(); err != nil {
		return fmt.Errorf("baseline %s: %w\n%s", baseline, err, out)
	}
	defer func() { _ = exec.Command("git", "worktree", "remove", "--force", tree).Run() }()
	b.baseBin = filepath.Join(b.tmp, "server-baseline")
	return goBuild(tree, b.baseBin, "./server")
}

func goBuild(dir, out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s: %w", pkg, err)
	}
	return nil
}

// start runs name with args, on core 0 when pinning.
func (b *bench) start(env []string, name string, args ...string) error {
	if b.pin {
		args = append([]string{"-c", "0", name}, args...)
		name = "taskset"
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	logf, err := os.Create(filepath.Join(b.tmp, filepath.Base(args[len(args)-1])+strconv.Itoa(len(b.procs))+".log"))
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	b.procs = append(b.procs, cmd)
	return nil
}

func (b *bench) stop() {
	for _, p := range b.procs {
		_ = p.Process.Kill()
		_, _ = p.Process.Wait()
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (b *bench) startRedis() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	if err := b.start(nil, "redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", b.tmp); err != nil {
		return err
	}
	b.redisPid = b.procs[len(b.procs)-1].Process.Pid
	b.redisURL = "redis://127.0.0.1:" + strconv.Itoa(port) + "/0"
	opts, _ := redis.ParseURL(b.redisURL)
	b.rdb = redis.NewClient(opts)
	return waitFor(func() error { return b.rdb.Ping(context.Background()).Err() })
}

func (b *bench) startServers(profile bool, appEnv []string) error {
	appPort, err := freePort()
	if err != nil {
		return err
	}
	floorPort, err := freePort()
	if err != nil {
		return err
	}
	b.appURL = "http://127.0.0.1:" + strconv.Itoa(appPort)
	b.floorURL = "http://127.0.0.1:" + strconv.Itoa(floorPort)
	common := []string{"REDIS_URL=" + b.redisURL, "GOMAXPROCS=1"}
	app := append(b.appEnv(appPort, b.appURL), appEnv...)
	if profile {
		pprofPort, err := freePort()
		if err != nil {
			return err
		}
		b.pprofURL = "http://127.0.0.1:" + strconv.Itoa(pprofPort)
		app = append(app, "PPROF_ADDR=127.0.0.1:"+strconv.Itoa(pprofPort))
	}
	if err := b.start(app, b.serverBin); err != nil {
		return err
	}
	b.appPid = b.procs[len(b.procs)-1].Process.Pid // taskset execs the server in place
	if err := b.start(append(common, "PORT="+strconv.Itoa(floorPort)), b.floorBn); err != nil {
		return err
	}
	b.floorPid = b.procs[len(b.procs)-1].Process.Pid
	for _, u := range []string{b.appURL + "/healthz", b.floorURL + "/"} {
		if err := waitFor(func() error { _, err := getWith(u, ""); return err }); err != nil {
			return fmt.Errorf("%s did not come up: %w", u, err)
		}
	}
	return nil
}

// appEnv is the environment of an app server on port.
func (b *bench) appEnv(port int, baseURL string) []string {
	return []string{"REDIS_URL=" + b.redisURL, "GOMAXPROCS=1", "PORT=" + strconv.Itoa(port), "APP_ENV=development",
		"MAIL_WORKERS=0", "BASE_URL=" + baseURL, "SESSION_SECRET=" + b.secret}
}

// startBaseline starts the app at -baseline beside the others, on the
// same Redis and data, so the same signed-in cookie serves both.
func (b *bench) startBaseline() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	b.baseURL = "http://127.0.0.1:" + strconv.Itoa(port)
	if err := b.start(b.appEnv(port, b.baseURL), b.baseBin); err != nil {
		return err
	}
	b.basePid = b.procs[len(b.procs)-1].Process.Pid
	return waitFor(func() error { _, err := getWith(b.baseURL+"/healthz", ""); return err })
}

// waitFor polls ready until it succeeds, for up to 20 seconds.
func waitFor(ready func() error) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := ready()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// devSignIn signs name in through the development sign-in form and
// returns the Cookie header of the signed-in session.
func (b *bench) devSignIn(name string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.Get(b.appURL + "/dev/signin")
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return "", errors.New("no CSRF token on the sign-in page")
	}
	r, err = c.PostForm(b.appURL+"/dev/signin", url.Values{"_csrf": {string(m[1])}, "name": {name}})
	if err != nil {
		return "", err
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("sign-in answered %d", r.StatusCode)
	}
	// The page it leads to shows the welcome and clears its flash cookie,
	// as in a browser; a Cookie header that kept it would show the flash
	// on every view, and no view would be kept.
	if r, err = c.Get(b.appURL + r.Header.Get("Location")); err != nil {
		return "", err
	}
	r.Body.Close()
	u, _ := url.Parse(b.appURL)
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; "), nil
}

// result is one wrk run.
type result struct {
	rps      float64
	p50, p99 time.Duration
	cpu      float64 // CPU µs per request of the server and Redis together
	redisCPU float64 // the part of cpu that Redis used
}

// appCPU is the server's own CPU µs per request. In a paired run the
// two servers share Redis, so only this part is the page's.
func (r result) appCPU() float64 { return r.cpu - r.redisCPU }

var (
	rpsLine = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	pctLine = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	non2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	reqLine = regexp.MustCompile(`(\d+) requests in`)
)

// wrk loads target for one run; server is the pid of the process that
// serves it, whose CPU time (with Redis's) over the run is divided by the
// requests served.
func (b *bench) wrk(target, cookie string, server int, o options) (result, error) {
	cpuBefore, err := cpuTime(server, b.redisPid)
	if err != nil {
		return result{}, err
	}
	redisBefore, err := cpuTime(b.redisPid)
	if err != nil {
		return result{}, err
	}
	args := []string{"-t1", "-c" + strconv.Itoa(o.conns), "-d" + o.duration.String(), "--latency"}
	if cookie != "" {
		args = append(args, "-H", "Cookie: "+cookie)
	}
	args = append(args, target)
	name := "wrk"
	if b.pin {
		args = append([]string{"-c", "1", "wrk"}, args...)
		name = "taskset"
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	if m := non2xx.FindSubmatch(out); m != nil {
		return result{}, fmt.Errorf("%s: %s responses were not 2xx or 3xx", target, m[1])
	}
	m := rpsLine.FindSubmatch(out)
	if m == nil {
		return result{}, fmt.Errorf("no Requests/sec in wrk's output:\n%s", out)
	}
	cpuAfter, err := cpuTime(server, b.redisPid)
	if err != nil {
		return result{}, err
	}
	redisAfter, err := cpuTime(b.redisPid)
	if err != nil {
		return result{}, err
	}
	var r result
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	n := reqLine.FindSubmatch(out)
	if n == nil {
		return result{}, fmt.Errorf("no request count in wrk's output:\n%s", out)
	}
	reqs, _ := strconv.ParseFloat(string(n[1]), 64)
	if reqs == 0 {
		return result{}, fmt.Errorf("%s: wrk made no requests", target)
	}
	r.cpu = float64((cpuAfter - cpuBefore).Microseconds()) / reqs
	r.redisCPU = float64((redisAfter - redisBefore).Microseconds()) / reqs
	for _, p := range pctLine.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(p[2]), 64)
		d := time.Duration(v * float64(map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(p[3])]))
		if string(p[1]) == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	return r, nil
}

// measure runs floor and page in turn, rounds times, and formats the row
// with the medians.
func (b *bench) measure(p page, o options) (string, string, error) {
	size, err := getWith(b.appURL+p.path, p.cookie)
	if err != nil {
		return "", "", err
	}
	// A first run of a page warms its caches and the Go heap; it is not
	// counted.
	warm := o
	warm.duration = min(time.Second, o.duration)
	for _, srv := range []struct {
		url string
		pid int
	}{{b.appURL, b.appPid}, {b.baseURL, b.basePid}} {
		if srv.url == "" {
			continue
		}
		if _, err := b.wrk(srv.url+p.path, p.cookie, srv.pid, warm); err != nil {
			return "", "", fmt.Errorf("warm-up: %w", err)
		}
	}
	before, beforeN, err := b.trips(http.MethodGet, p.route)
	if err != nil {
		return "", "", err
	}
	var floors, pages, bases []result
	// Redis commands run while the page alone was measured, and the
	// requests it served meanwhile (with -paired it serves more beside
	// the baseline, while the baseline's commands run too).
	var cmds, cmdReqs int64
	// The baseline runs after the page in even rounds and before it in
	// odd ones, so neither always follows the other; with -paired, the
	// page runs beside it as well.
	var paired []result // the page's runs beside the baseline's, with -paired
	runBase := func() error {
		if b.baseURL == "" {
			return nil
		}
		if !o.paired {
			base, err := b.wrk(b.baseURL+p.path, p.cookie, b.basePid, o)
			if err != nil {
				return fmt.Errorf("baseline: %w", err)
			}
			bases = append(bases, base)
			return nil
		}
		var base result
		var baseErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			base, baseErr = b.wrk(b.baseURL+p.path, p.cookie, b.basePid, o)
		}()
		pg, err := b.wrk(b.appURL+p.path, p.cookie, b.appPid, o)
		<-done
		if err := errors.Join(err, baseErr); err != nil {
			return fmt.Errorf("paired with the baseline: %w", err)
		}
		paired, bases = append(paired, pg), append(bases, base)
		return nil
	}
	for i := range o.rounds {
		f, err := b.wrk(b.floorURL+"/", "", b.floorPid, o)
		if err != nil {
			return "", "", err
		}
		if i%2 == 1 {
			if err := runBase(); err != nil {
				return "", "", err
			}
		}
		var profiled chan error
		if o.profile != "" && i == o.rounds-1 {
			profiled = make(chan error, 1)
			go func() { profiled <- b.profiles(filepath.Join(o.profile, p.key+".pprof"), o.duration) }()
		}
		cmdsBefore, reqsBefore, err := b.served(p.route)
		if err != nil {
			return "", "", err
		}
		pg, err := b.wrk(b.appURL+p.path, p.cookie, b.appPid, o)
		if err != nil {
			return "", "", err
		}
		cmdsAfter, reqsAfter, err := b.served(p.route)
		if err != nil {
			return "", "", err
		}
		cmds, cmdReqs = cmds+cmdsAfter-cmdsBefore, cmdReqs+reqsAfter-reqsBefore
		if profiled != nil {
			if err := <-profiled; err != nil {
				return "", "", err
			}
		}
		floors, pages = append(floors, f), append(pages, pg)
		if i%2 == 0 {
			if err := runBase(); err != nil {
				return "", "", err
			}
		}
	}
	after, afterN, err := b.trips(http.MethodGet, p.route)
	if err != nil {
		return "", "", err
	}
	trips, perRequest := "?", "?"
	if afterN > beforeN {
		trips = strconv.FormatFloat((after-before)/float64(afterN-beforeN), 'f', 1, 64)
	}
	if cmdReqs > 0 {
		perRequest = strconv.FormatFloat(float64(cmds)/float64(cmdReqs), 'f', 1, 64)
	}
	fl, pg := median(floors), median(pages)
	var baseRow string
	switch {
	case len(paired) > 0:
		// Each round ran the page and the baseline at once, on the same
		// core, so the change of each round is free of what the
		// machine's neighbours did between runs.
		changes := make([]float64, len(paired))
		for i := range paired {
			changes[i] = 100 * (paired[i].appCPU() - bases[i].appCPU()) / bases[i].appCPU()
		}
		now, base := medianOf(paired, result.appCPU), medianOf(bases, result.appCPU)
		baseRow = fmt.Sprintf("| %s | %.0f µs | %.0f µs | %+.1f %% | %+.1f … %+.1f %% |", p.name, now, base, medianFloat(changes), slices.Min(changes), slices.Max(changes))
	case len(bases) > 0:
		bs := median(bases)
		// Each round's page and baseline ran next to each other: the
		// spread of their changes shows how much of the median change is
		// the machine.
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range min(len(pages), len(bases)) {
			ch := 100 * (pages[i].cpu - bases[i].cpu) / bases[i].cpu
			lo, hi = math.Min(lo, ch), math.Max(hi, ch)
		}
		baseRow = fmt.Sprintf("| %s | %.0f | %.0f | %.0f µs | %.0f µs | %+.0f %% | %+.0f … %+.0f %% |", p.name, pg.rps, bs.rps, pg.cpu, bs.cpu, 100*(pg.cpu-bs.cpu)/bs.cpu, lo, hi)
	}
	return fmt.Sprintf("| %s | %.0f | %s | %s | %.0f | %s | %.0f %% | %.0f / %.0f µs (%.0f %%) | %.0f / %.0f µs | %s | %s | %.1f |", p.name, pg.rps, ms(pg.p50), ms(pg.p99),
		fl.rps, ms(fl.p99), 100*pg.rps/fl.rps, pg.cpu, fl.cpu, 100*fl.cpu/pg.cpu, pg.redisCPU, fl.redisCPU, trips, perRequest, float64(size)/1000), baseRow, nil
}

// served is how many commands the benchmark's Redis has run so far and
// how many GET requests of route the app has served.
func (b *bench) served(route string) (cmds, reqs int64, err error) {
	if cmds, err = b.commands(); err != nil {
		return 0, 0, err
	}
	_, n, err := b.trips(http.MethodGet, route)
	return cmds, int64(n), err
}

// commands is how many commands the benchmark's Redis has run so far
// (INFO stats); the difference over a page's runs, divided by its
// requests, is what each view costs Redis, which shares the app's core.
func (b *bench) commands() (int64, error) {
	info, err := b.rdb.Info(context.Background(), "stats").Result()
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "total_commands_processed:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("INFO stats has no total_commands_processed")
}

// getWith fetches u with cookie and returns the body's size.
func getWith(u, cookie string) (int64, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer r.Body.Close()
	n, _ := io.Copy(io.Discard, r.Body)
	if r.StatusCode != http.StatusOK {
		return n, fmt.Errorf("GET %s: %d", u, r.StatusCode)
	}
	return n, nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

// median takes each figure's median across runs.
func median(rs []result) result {
	return result{
		rps:      medianOf(rs, func(r result) float64 { return r.rps }),
		p50:      time.Duration(medianOf(rs, func(r result) float64 { return float64(r.p50) })),
		p99:      time.Duration(medianOf(rs, func(r result) float64 { return float64(r.p99) })),
		cpu:      medianOf(rs, func(r result) float64 { return r.cpu }),
		redisCPU: medianOf(rs, func(r result) float64 { return r.redisCPU }),
	}
}

// medianOf is the median of f over rs.
func medianOf(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return medianFloat(v)
}

// medianFloat is the median of v, which it sorts.
func medianFloat(v []float64) float64 {
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// profiles saves a CPU profile of the app taken over most of a run of
// length d into path, and the allocations made meanwhile into path with
// ".allocs" before its extension (both are taken at once).
func (b *bench) profiles(path string, d time.Duration) error {
	secs := strconv.Itoa(max(1, int(d.Seconds())-1))
	allocs := make(chan error, 1)
	go func() {
		allocs <- b.saveProfile(strings.TrimSuffix(path, ".pprof")+".allocs.pprof", "/debug/pprof/allocs?seconds="+secs)
	}()
	return errors.Join(b.saveProfile(path, "/debug/pprof/profile?seconds="+secs), <-allocs)
}

// saveProfile saves the profile the app's profiler serves at route into
// path.
func (b *bench) saveProfile(path, route string) error {
	resp, err := http.Get(b.pprofURL + route)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile %s: %s", route, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, resp.Body)
	return errors.Join(err, f.Close())
}

// trips reads the app's round-trip histogram for method and route: sum
// and count.
func (b *bench) trips(method, route string) (float64, float64, error) {
	r, err := http.Get(b.appURL + "/metrics")
	if err != nil {
		return 0, 0, err
	}
	defer r.Body.Close()
	var sum, count float64
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	labels := `{method="` + method + `",route="` + route + `"}`
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "http_request_redis_roundtrips_sum"+labels+" "); ok {
			sum, _ = strconv.ParseFloat(v, 64)
		}
		if v, ok := strings.CutPrefix(line, "http_request_redis_roundtrips_count"+labels+" "); ok {
			count, _ = strconv.ParseFloat(v, 64)
		}
	}
	return sum, count, sc.Err()
}

// viewerName is the member the signed-in pages are measured for.
const viewerName = "Bench Viewer"

type seeded struct {
	session, slug string
}

// seed writes what the pages show: six groups with a session each, the
// measured session with 40 people going and the viewer among them, and
// 30 mentors for the viewer's suggestions.
func seed(ctx context.Context, rdb redis.UniversalClient) (seeded, error) {
	const prefix = "fg:"
	users, gs, es, ms := auth.NewStore(rdb, prefix), groups.NewStore(rdb, prefix), events.NewStore(rdb, prefix), mentors.NewStore(rdb, prefix)
	person := func(name string) (*auth.User, error) {
		sub := auth.DevSubject(name)
		u, _, err := users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: sub, Login: sub, Name: name,
			Emails: []auth.Email{{Address: sub + "@bench.example", Verified: true}}})
		return u, err
	}
	viewer, err := person(viewerName)
	if err != nil {
		return seeded{}, err
	}
	if _, err := users.UpdateProfile(ctx, viewer.ID, auth.ProfileUpdate{Name: viewerName, TimeZone: "Europe/Berlin"}); err != nil {
		return seeded{}, err
	}
	organizer, err := person("Bench Organizer")
	if err != nil {
		return seeded{}, err
	}
	start := time.Now().UTC().AddDate(0, 0, 7).Truncate(time.Hour)
	var out seeded
	for i, topic := range []string{"go", "kubernetes", "system-design", "devops", "leadership", "rust"} {
		g, err := gs.Create(ctx, organizer.ID, groups.Input{Name: "Bench " + topic + " circle", Slug: "bench-" + topic,
			Description: "We meet to learn **" + topic + "** together.\n\n- talks\n- pairing", Topics: []string{topic, "go"},
			Paths: []string{"architecture"}, City: "Berlin", Online: true})
		if err != nil {
			return seeded{}, err
		}
		if err := gs.Join(ctx, g.ID, viewer.ID, viewer.VerifiedEmails()); err != nil {
			return seeded{}, err
		}
		at := start.Add(time.Duration(i) * 24 * time.Hour)
		ev, err := es.Create(ctx, events.Actor{UserID: organizer.ID, Organizer: true}, g.ID, events.Input{
			Title: "Benchmarking " + topic, Description: "Measure **first**.\n\n- pprof\n- benchstat", Format: "workshop",
			Start: at.Format("2006-01-02T15:04"), End: at.Add(2 * time.Hour).Format("2006-01-02T15:04"), TimeZone: "Europe/Berlin",
			Venue: "Betahaus, Berlin", OnlineURL: "https://meet.example/bench", Capacity: "50", Listed: true})
		if err != nil {
			return seeded{}, err
		}
		if i == 0 {
			out = seeded{session: ev.ID, slug: g.Slug}
			for j := range 40 {
				fan, err := person(fmt.Sprintf("Bench Fan %02d", j))
				if err != nil {
					return seeded{}, err
				}
				if err := gs.Join(ctx, g.ID, fan.ID, fan.VerifiedEmails()); err != nil {
					return seeded{}, err
				}
				if _, err := es.RSVP(ctx, ev.ID, fan.ID, true); err != nil {
					return seeded{}, err
				}
			}
			if _, err := es.RSVP(ctx, ev.ID, viewer.ID, true); err != nil {
				return seeded{}, err
			}
		}
	}
	for j := range 30 {
		m, err := person(fmt.Sprintf("Bench Mentor %02d", j))
		if err != nil {
			return seeded{}, err
		}
		if _, err := ms.SaveMentorProfile(ctx, match.MentorProfile{UserID: m.ID, Skills: []match.Skill{{Name: "go", Level: 4}, {Name: "kubernetes", Level: 3}},
			Paths: []string{"architecture"}, Years: 5 + j%10, Languages: []string{"en"}, TimeZone: "Europe/Berlin", Capacity: 3,
			Availability: match.Availability{HoursPerWeek: 2}}); err != nil {
			return seeded{}, err
		}
	}
	if _, err := ms.SaveMenteeProfile(ctx, match.MenteeProfile{UserID: viewer.ID, Goals: "grow into an architect", Path: "architecture",
		WantSkills: []string{"go", "kubernetes"}, Languages: []string{"en"}, TimeZone: "Europe/Berlin"}); err != nil {
		return seeded{}, err
	}
	return out, nil
}
