// Package redisconn dials the app's connections to Redis.
package redisconn

import (
	"context"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// AnsweredWithin is how recently a connection must have read a reply for
// go-redis's pool to take it without probing its socket.
const AnsweredWithin = time.Second

// Dialer wraps dial (go-redis's own) so that a pooled connection that
// read a reply within AnsweredWithin is taken as alive.
//
// go-redis checks every connection it takes from the pool with a
// non-blocking peek at its socket (a recvfrom system call), to find one
// the server closed or that holds unexpected data. Under load a
// connection comes back to the pool and out again within microseconds,
// and that call was 4 % of the session page's CPU. One idle longer is
// probed as before, so after a Redis restart or outage the stale
// connections are found before use. One that the server closed within
// AnsweredWithin of its last reply is found by the command that uses
// it, which go-redis retries on another connection: what happens to
// every connection over TLS, whose socket go-redis never peeks at, and
// to any whose peer vanished without closing.
func Dialer(dial func(ctx context.Context, network, addr string) (net.Conn, error), now func() time.Time) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		sys, ok := conn.(syscall.Conn)
		if !ok {
			return conn, nil
		}
		return &recentConn{Conn: conn, sys: sys, now: now}, nil
	}
}

// Client sets o's dialer to go-redis's own, wrapped by Dialer.
func Client(o *redis.Options) {
	o.Dialer = Dialer(redis.NewDialer(o), time.Now)
}

// Cluster sets o's dialer to go-redis's own for each node, wrapped by
// Dialer. It reads o's dial timeout and TLS settings when it dials, once
// the cluster client has set its defaults.
func Cluster(o *redis.ClusterOptions) {
	o.Dialer = Dialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
		return redis.NewDialer(&redis.Options{DialTimeout: o.DialTimeout, TLSConfig: o.TLSConfig})(ctx, network, addr)
	}, time.Now)
}

// recentConn is a connection that remembers when it last read a reply.
type recentConn struct {
	net.Conn
	sys  syscall.Conn
	now  func() time.Time
	read atomic.Int64 // Unix nanoseconds of the last read that returned bytes
}

func (c *recentConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.read.Store(c.now().UnixNano())
	}
	return n, err
}

// SyscallConn is what the pool's probe reaches the socket through: the
// real one, unless a reply came within AnsweredWithin.
func (c *recentConn) SyscallConn() (syscall.RawConn, error) {
	if c.now().UnixNano()-c.read.Load() < int64(AnsweredWithin) {
		return answered{}, nil
	}
	return c.sys.SyscallConn()
}

// answered is a socket the probe finds alive with nothing unread: its
// Read runs no system call.
type answered struct{}

func (answered) Control(func(fd uintptr)) error           { return nil }
func (answered) Read(func(fd uintptr) (done bool)) error  { return nil }
func (answered) Write(func(fd uintptr) (done bool)) error { return nil }
