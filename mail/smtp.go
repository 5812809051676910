package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"time"
)

// defaultSendTimeout bounds a send whose context carries no deadline.
const defaultSendTimeout = 30 * time.Second

// SMTPSender delivers over SMTP. jordan-wright/email builds the message;
// the SMTP conversation runs here on a net.Conn whose deadline is set
// before every exchange, because that library sets none.
type SMTPSender struct {
	cfg SMTPConfig
}

// NewSMTPSender returns a sender for cfg.
func NewSMTPSender(cfg SMTPConfig) *SMTPSender {
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	return &SMTPSender{cfg: cfg}
}

// Open returns a session with its own connection, opened on first use and
// reused (after RSET) until it fails.
func (s *SMTPSender) Open() Session { return &smtpSession{cfg: s.cfg} }

type smtpSession struct {
	cfg    SMTPConfig
	raw    net.Conn // the TCP connection, where deadlines are set
	client *smtp.Client
}

// Send delivers m, bounded by ctx's deadline (or 30s): dialling, TLS,
// authentication and every SMTP command fail with a timeout once it passes.
func (s *smtpSession) Send(ctx context.Context, m *Rendered) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultSendTimeout)
	}
	if s.client != nil {
		_ = s.raw.SetDeadline(deadline)
		if err := s.client.Reset(); err != nil {
			s.drop()
		}
	}
	if s.client == nil {
		if err := s.connect(ctx, deadline); err != nil {
			// %v, not %w: a refusal while connecting (a 554 greeting, a
			// failed login) is about the server or our settings, not this
			// message, so it stays a temporary failure.
			return fmt.Errorf("mail: smtp %s: %v", s.cfg.Addr(), err)
		}
	}
	raw := s.raw
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Now()) })
	err := s.transact(m)
	stop()
	if err != nil {
		var tp *textproto.Error
		if !errors.As(err, &tp) {
			s.drop() // the conversation is out of step: start afresh
		}
		return fmt.Errorf("mail: smtp send to %s: %w", m.To, err)
	}
	return nil
}

func (s *smtpSession) transact(m *Rendered) error {
	if err := s.client.Mail(m.From); err != nil {
		return err
	}
	if err := s.client.Rcpt(m.To); err != nil {
		return err
	}
	w, err := s.client.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(m.Raw); err != nil {
		return err
	}
	return w.Close() // reads the server's verdict on the message
}

func (s *smtpSession) connect(ctx context.Context, deadline time.Time) error {
	d := net.Dialer{Deadline: deadline}
	raw, err := d.DialContext(ctx, "tcp", s.cfg.Addr())
	if err != nil {
		return err
	}
	_ = raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Now()) })
	defer stop()
	conn := raw
	if s.cfg.ImplicitTLS {
		tc := tls.Client(raw, s.cfg.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return err
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		raw.Close()
		return err
	}
	if err := s.setup(c); err != nil {
		c.Close()
		return err
	}
	s.raw, s.client = raw, c
	return nil
}

// setup says hello, upgrades to TLS as the policy asks and authenticates.
func (s *smtpSession) setup(c *smtp.Client) error {
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return err
	}
	if !s.cfg.ImplicitTLS && s.cfg.StartTLS != StartTLSNone {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.cfg.tlsConfig()); err != nil {
				return err
			}
		} else if s.cfg.StartTLS == StartTLSRequired {
			return errors.New("server does not offer STARTTLS, which SMTP_URL requires")
		}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("server does not offer AUTH, but SMTP_URL has credentials")
		}
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return err
		}
	}
	return nil
}

func (s *smtpSession) drop() {
	if s.client != nil {
		_ = s.client.Close()
	}
	s.raw, s.client = nil, nil
}

// Close says QUIT (within a second) and closes the connection.
func (s *smtpSession) Close() error {
	if s.client == nil {
		return nil
	}
	_ = s.raw.SetDeadline(time.Now().Add(time.Second))
	err := s.client.Quit()
	s.drop()
	return err
}
