package apptest

import (
	"bytes"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// SMTP is a real SMTP server on 127.0.0.1 in the test process: the app's
// mail workers deliver to it over TCP.
type SMTP struct {
	Addr string

	mu     sync.Mutex
	mails  []Mail
	refuse func(to string) error
}

// Mail is one delivered message, parsed.
type Mail struct {
	To      []string
	Header  mail.Header
	Subject string
	Text    string
	HTML    string
	// Calendar is the text/calendar part, with its method parameter.
	Calendar, CalendarMethod string
	Raw                      []byte
}

// StartSMTP runs an SMTP server until the test ends.
func StartSMTP(t testing.TB) *SMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTP{Addr: ln.Addr().String()}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "smtp.test"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the SMTP_URL that points the app here.
func (s *SMTP) URL() string { return "smtp://" + s.Addr + "?starttls=none" }

// Refuse makes the server answer each recipient with fn's error (an
// *smtp.SMTPError: 4xx temporary, 5xx permanent); fn returning nil, or a
// nil fn, accepts.
func (s *SMTP) Refuse(fn func(to string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = fn
}

// Mails returns what has arrived so far.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// WaitFor waits for a mail to addr whose subject contains subject.
func (s *SMTP) WaitFor(t testing.TB, addr, subject string) Mail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range s.Mails() {
			for _, to := range m.To {
				if strings.EqualFold(to, addr) && strings.Contains(m.Subject, subject) {
					return m
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("apptest: no mail to %s about %q (got %d mails)", addr, subject, len(s.Mails()))
	return Mail{}
}

type smtpSession struct {
	s  *SMTP
	to []string
}

func (ss *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	refuse := ss.s.refuse
	ss.s.mu.Unlock()
	if refuse != nil {
		if err := refuse(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}
func (ss *smtpSession) Reset()        { ss.to = nil }
func (ss *smtpSession) Logout() error { return nil }

func (ss *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(raw)
	if err != nil {
		return err
	}
	m.To = ss.to
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, m)
	ss.s.mu.Unlock()
	return nil
}

// parseMail reads the parts the product sends: text, HTML and calendar.
func parseMail(raw []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Mail{}, err
	}
	m := Mail{Header: msg.Header, Subject: subject, Raw: raw}
	err = walkParts(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &m)
	return m, err
}

func walkParts(contentType, encoding string, body io.Reader, m *Mail) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walkParts(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, m); err != nil {
				return err
			}
		}
	}
	b, err := io.ReadAll(decodeTransfer(encoding, body))
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	case "text/calendar":
		if m.Calendar == "" || params["method"] != "" {
			m.Calendar, m.CalendarMethod = string(b), params["method"]
		}
	}
	return nil
}
