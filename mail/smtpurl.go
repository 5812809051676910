package mail

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
)

// StartTLS is the policy for upgrading a plain smtp:// connection.
type StartTLS string

// STARTTLS policies, chosen with ?starttls= in SMTP_URL.
const (
	StartTLSOpportunistic StartTLS = "opportunistic" // upgrade when the server offers it (default)
	StartTLSRequired      StartTLS = "required"      // refuse to send unless the server offers it
	StartTLSNone          StartTLS = "none"          // never upgrade
)

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     string
	Username string
	Password string
	// ImplicitTLS is set for smtps:// (TLS from the first byte).
	ImplicitTLS bool
	StartTLS    StartTLS
	// TLS overrides the TLS settings (tests use it to trust their own
	// certificate); ServerName defaults to Host.
	TLS *tls.Config
	// HelloName is the name sent with EHLO (default "localhost").
	HelloName string
}

// Addr is host:port.
func (c SMTPConfig) Addr() string { return net.JoinHostPort(c.Host, c.Port) }

func (c SMTPConfig) tlsConfig() *tls.Config {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLS != nil {
		t = c.TLS.Clone()
	}
	if t.ServerName == "" {
		t.ServerName = c.Host
	}
	return t
}

// ParseSMTPURL reads SMTP_URL: smtp://user:pass@host:port (STARTTLS when
// offered; ?starttls=required|opportunistic|none) or smtps://user:pass@host:port
// (implicit TLS). Ports default to 587 and 465. Errors never contain the
// password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("mail: SMTP_URL is not a URL")
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.Port = "587"
		c.StartTLS = StartTLSOpportunistic
	case "smtps":
		c.Port = "465"
		c.ImplicitTLS = true
		c.StartTLS = StartTLSNone
	default:
		return SMTPConfig{}, fmt.Errorf("mail: SMTP_URL must start with smtp:// or smtps://")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, fmt.Errorf("mail: SMTP_URL names no host")
	}
	if p := u.Port(); p != "" {
		c.Port = p
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		if k != "starttls" {
			return SMTPConfig{}, fmt.Errorf("mail: SMTP_URL has an unknown option %q", k)
		}
	}
	if s := q.Get("starttls"); s != "" {
		switch StartTLS(s) {
		case StartTLSOpportunistic, StartTLSRequired, StartTLSNone:
			if c.ImplicitTLS {
				return SMTPConfig{}, fmt.Errorf("mail: SMTP_URL: smtps:// is TLS already; drop ?starttls=")
			}
			c.StartTLS = StartTLS(s)
		default:
			return SMTPConfig{}, fmt.Errorf("mail: SMTP_URL: starttls must be required, opportunistic or none")
		}
	}
	return c, nil
}
