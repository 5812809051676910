//go:build faults

package faultcheck

import (
	"io"
	"log"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server in the harness process, listening on TCP.
// It records every mail it accepts and, while refusing, answers MAIL FROM
// with 421 (service not available, try again later).
type sink struct {
	addr     string
	refusing atomic.Bool
	refused  atomic.Int64

	mu    sync.Mutex
	mails []delivered
}

// delivered is one accepted mail: who it went to and its subject.
type delivered struct {
	To      string
	Subject string
	At      time.Time
}

func startSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{addr: ln.Addr().String()}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "sink.faults.test"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.MaxRecipients = 1
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the SMTP_URL for the app: plain SMTP, no STARTTLS.
func (s *sink) URL() string { return "smtp://" + s.addr + "?starttls=none" }

// refuse switches the 421 answer on or off.
func (s *sink) refuse(on bool) { s.refusing.Store(on) }

// received returns, per recipient, how many mails whose subject starts
// with subjectPrefix arrived.
func (s *sink) received(subjectPrefix string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, m := range s.mails {
		if strings.HasPrefix(m.Subject, subjectPrefix) {
			out[strings.ToLower(m.To)]++
		}
	}
	return out
}

// mailsWith returns the mails whose subject starts with subjectPrefix.
func (s *sink) mailsWith(subjectPrefix string) []delivered {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []delivered
	for _, m := range s.mails {
		if strings.HasPrefix(m.Subject, subjectPrefix) {
			out = append(out, m)
		}
	}
	return out
}

type sinkSession struct {
	s  *sink
	to string
}

var errUnavailable = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2},
	Message: "Service not available, try again later"}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error {
	if ss.s.refusing.Load() {
		ss.s.refused.Add(1)
		return errUnavailable
	}
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = to
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, msg.Body)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, delivered{To: ss.to, Subject: subject, At: time.Now()})
	ss.s.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset()        { ss.to = "" }
func (ss *sinkSession) Logout() error { return nil }
