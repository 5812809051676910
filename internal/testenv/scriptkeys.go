package testenv

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// CheckScriptKeys runs fn and fails the test if a Lua script that ran
// meanwhile touched a key under prefix without declaring it in KEYS (Redis
// Cluster routes a script by its KEYS; an undeclared key may live on
// another node). It watches the test server with MONITOR, which logs a
// script's EVAL or EVALSHA line and then each command the script runs.
func CheckScriptKeys(t testing.TB, rdb redis.UniversalClient, prefix string, fn func()) {
	t.Helper()
	redisOnce.Do(startRedis)
	u, err := url.Parse(redisURL)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatalf("testenv: monitor: %v", err)
	}
	defer conn.Close()
	rd := bufio.NewReaderSize(conn, 1<<16)
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatalf("testenv: monitor: %v", err)
	}
	if line, err := rd.ReadString('\n'); err != nil || !strings.HasPrefix(line, "+OK") {
		t.Fatalf("testenv: monitor: %q %v", line, err)
	}
	marker := "script-keys-done-" + RandomHex(8)
	lines := make(chan []string)
	go func() {
		defer close(lines)
		var got []string
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			if strings.Contains(line, marker) {
				lines <- got
				return
			}
			got = append(got, strings.TrimRight(strings.TrimPrefix(line, "+"), "\r\n"))
		}
	}()

	fn()
	ctx := context.Background()
	if err := rdb.Echo(ctx, marker).Err(); err != nil {
		t.Fatalf("testenv: monitor marker: %v", err)
	}
	var log []string
	select {
	case log = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("testenv: MONITOR did not show the marker within 30s")
	}
	scripts := 0
	var declared []string // KEYS of the script running now; nil outside one
	for _, line := range log {
		src, args, err := parseMonitorLine(line)
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		if src == "lua" {
			if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, prefix) }) {
				continue // another test's script
			}
			for _, k := range keysOf(t, rdb, args) {
				if strings.HasPrefix(k, prefix) && !slices.Contains(declared, k) {
					t.Errorf("a script touched %s without declaring it: %q (KEYS %q)", k, args, declared)
				}
			}
			continue
		}
		declared = nil
		switch strings.ToLower(args[0]) {
		case "eval", "evalsha", "eval_ro", "evalsha_ro":
			n, _ := strconv.Atoi(args[2])
			declared = args[3 : 3+n]
			if slices.ContainsFunc(declared, func(k string) bool { return strings.HasPrefix(k, prefix) }) {
				scripts++
			}
		}
	}
	if scripts == 0 {
		t.Fatal("testenv: no script under the prefix ran: nothing was checked")
	}
}

// keysOf names the keys a command touches, as Redis sees them.
func keysOf(t testing.TB, rdb redis.UniversalClient, cmd []string) []string {
	t.Helper()
	args := make([]any, len(cmd))
	for i, a := range cmd {
		args[i] = a
	}
	keys, err := rdb.CommandGetKeys(context.Background(), args...).Result()
	if err != nil {
		if strings.Contains(err.Error(), "no key arguments") {
			return nil
		}
		t.Fatalf("testenv: keys of %q: %v", cmd, err)
	}
	return keys
}

// parseMonitorLine splits `1700000000.123456 [0 lua] "SET" "k" "v"` into
// its source ("lua" or a client address) and arguments.
func parseMonitorLine(line string) (string, []string, error) {
	open, end := strings.IndexByte(line, '['), strings.IndexByte(line, ']')
	if open < 0 || end < open {
		return "", nil, fmt.Errorf("monitor line %q", line)
	}
	src := line[open+1 : end]
	if i := strings.IndexByte(src, ' '); i >= 0 {
		src = src[i+1:]
	}
	var args []string
	rest := line[end+1:]
	for {
		i := strings.IndexByte(rest, '"')
		if i < 0 {
			break
		}
		j := i + 1
		for j < len(rest) && rest[j] != '"' {
			if rest[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(rest) {
			return "", nil, fmt.Errorf("monitor line %q: unterminated argument", line)
		}
		arg, err := strconv.Unquote(rest[i : j+1])
		if err != nil {
			return "", nil, fmt.Errorf("monitor line %q: %w", line, err)
		}
		args = append(args, arg)
		rest = rest[j+1:]
	}
	if len(args) == 0 {
		return "", nil, fmt.Errorf("monitor line %q: no command", line)
	}
	return src, args, nil
}
