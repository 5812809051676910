package mail

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server in the test process, listening on TCP.
type sink struct {
	t    testing.TB
	addr string

	mu       sync.Mutex
	mails    []received
	rcptSeen map[string]int
	srv      *smtp.Server
	ln       net.Listener

	conns atomic.Int64
	// count is how many mails arrived; with discard set they are only
	// counted (benchmarks).
	count   atomic.Int64
	discard bool
	// rcpt, when set, may refuse a recipient (attempt counts from 1).
	rcpt func(to string, attempt int) error
	// user and pass, when set, are required (AUTH PLAIN).
	user, pass string
	tls        *tls.Config
	implicit   bool
	// hang, when > 0, is how many connections are accepted and then left
	// without a single byte of reply.
	hang atomic.Int64
}

type received struct {
	from string
	to   []string
	data []byte
}

// newSink reserves an address; call start to listen.
func newSink(t testing.TB) *sink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &sink{t: t, addr: addr, rcptSeen: map[string]int{}}
	t.Cleanup(s.stop)
	return s
}

func startSink(t testing.TB) *sink {
	s := newSink(t)
	s.start()
	return s
}

func (s *sink) url() string {
	if s.implicit {
		return "smtps://" + s.addr
	}
	return "smtp://" + s.addr + "?starttls=none"
}

func (s *sink) start() {
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &sinkSession{s: s}, nil
	}))
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLSConfig = s.tls
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	var ln net.Listener
	var err error
	for range 50 { // the port was just released; retry briefly if busy
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("sink listen: %v", err)
	}
	if s.implicit {
		ln = tls.NewListener(ln, s.tls)
	}
	ln = &hangListener{Listener: ln, s: s}
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(ln)
}

func (s *sink) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

func (s *sink) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mails...)
}

// byRecipient counts the mails each address received.
func (s *sink) byRecipient() map[string]int {
	out := map[string]int{}
	for _, m := range s.received() {
		for _, to := range m.to {
			out[to]++
		}
	}
	return out
}

func (s *sink) attempts(to string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rcptSeen[to]
}

// waitFor waits until n mails arrived, failing the test after timeout.
func (s *sink) waitFor(n int, timeout time.Duration) []received {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if got := s.received(); len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.t.Fatalf("sink: got %d mails, want %d within %v", len(s.received()), n, timeout)
	return nil
}

type hangListener struct {
	net.Listener
	s     *sink
	mu    sync.Mutex
	held  []net.Conn
	close sync.Once
}

func (l *hangListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.s.conns.Add(1)
		if l.s.hang.Add(-1) >= 0 {
			l.mu.Lock()
			l.held = append(l.held, c) // accepted, never answered
			l.mu.Unlock()
			continue
		}
		return c, nil
	}
}

func (l *hangListener) Close() error {
	l.close.Do(func() {
		l.mu.Lock()
		for _, c := range l.held {
			c.Close()
		}
		l.mu.Unlock()
	})
	return l.Listener.Close()
}

type sinkSession struct {
	s    *sink
	from string
	to   []string
	auth bool
}

func (ss *sinkSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	ss.s.rcptSeen[to]++
	n := ss.s.rcptSeen[to]
	ss.s.mu.Unlock()
	if ss.s.rcpt != nil {
		if err := ss.s.rcpt(to, n); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(ss.to) == 0 {
		return errors.New("no recipients")
	}
	ss.s.count.Add(1)
	if ss.s.discard {
		return nil
	}
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, received{from: ss.from, to: ss.to, data: bytes.Clone(b)})
	ss.s.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

// tempFail and permFail are SMTP replies for sink.rcpt.
func tempFail() error {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
}

func permFail() error {
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
}

// headerSection returns the top-level header bytes of a raw message.
func headerSection(raw []byte) string {
	h, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	return h
}
