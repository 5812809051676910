// Package redisconn dials the app's connections to Redis, and lets the
// pipelines of all requests share one (SharedPipes).
package redisconn

import (
	"context"
	"crypto/tls"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// AnsweredWithin is how recently a connection must have read a reply for
// go-redis's pool to take it without probing its socket. Under load a
// connection goes back out within microseconds; a restart or failover
// takes longer than this, so connections are probed again by the time
// Redis is back.
const AnsweredWithin = 100 * time.Millisecond

// Dialer wraps dial so that a pooled connection that read a reply
// within AnsweredWithin is taken as alive.
//
// go-redis checks every connection it takes from the pool with a
// non-blocking peek at its socket (a recvfrom system call), to find one
// the server closed or that holds data nobody asked for. Under load that
// call was 4 % of the session page's CPU. A connection idle longer than
// AnsweredWithin is probed as before, so after a Redis restart or outage
// the stale connections are found before use. One the server closed
// within AnsweredWithin of its last reply is found by the command that
// uses it (go-redis sends it again on another connection after a clean
// close, and fails it after a reset), as every connection is over TLS,
// whose socket go-redis never peeks at.
//
// go-redis's other peeks at the socket (for push messages and the
// client-side cache's invalidations) see a recent connection as empty
// too; push messages are still read before each reply. The app uses
// neither go-redis's client-side cache nor pub/sub on these clients: the
// near cache's tracking connection (internal/nearcache) is a client of
// its own, dialled plainly.
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
	o.Dialer = wrapOwn(func() (time.Duration, *tls.Config) { return o.DialTimeout, o.TLSConfig })
}

// Cluster sets the dialer of o's node clients to go-redis's own, wrapped
// by Dialer.
func Cluster(o *redis.ClusterOptions) {
	o.Dialer = wrapOwn(func() (time.Duration, *tls.Config) { return o.DialTimeout, o.TLSConfig })
}

// wrapOwn is go-redis's own dialer, wrapped by Dialer, with the dial
// timeout and TLS settings that settings gives when it dials (once the
// client has set its defaults on its options; go-redis's default
// timeout where they have none).
func wrapOwn(settings func() (time.Duration, *tls.Config)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return Dialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
		timeout, conf := settings()
		if timeout == 0 {
			timeout = defaultDialTimeout
		}
		return redis.NewDialer(&redis.Options{DialTimeout: timeout, TLSConfig: conf})(ctx, network, addr)
	}, time.Now)
}

// defaultDialTimeout is go-redis's default dial timeout.
const defaultDialTimeout = 5 * time.Second

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
