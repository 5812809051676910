package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url     string
		want    SMTPConfig
		wantErr string
	}{
		{url: "smtp://mail.example.com", want: SMTPConfig{Host: "mail.example.com", Port: "587", StartTLS: StartTLSOpportunistic}},
		{url: "smtp://u%40x:p%3Ass@mail.example.com:2525?starttls=required",
			want: SMTPConfig{Host: "mail.example.com", Port: "2525", Username: "u@x", Password: "p:ss", StartTLS: StartTLSRequired}},
		{url: "smtp://localhost:1025?starttls=none", want: SMTPConfig{Host: "localhost", Port: "1025", StartTLS: StartTLSNone}},
		{url: "smtps://u:p@smtp.example.com", want: SMTPConfig{Host: "smtp.example.com", Port: "465", Username: "u", Password: "p", ImplicitTLS: true, StartTLS: StartTLSNone}},
		{url: "http://mail.example.com", wantErr: "smtp://"},
		{url: "smtp://", wantErr: "no host"},
		{url: "smtp://h?starttls=maybe", wantErr: "starttls must be"},
		{url: "smtps://h?starttls=required", wantErr: "TLS already"},
		{url: "smtp://h?tls=yes", wantErr: "unknown option"},
		{url: "smtp://user:hunter2@h?bogus=1", wantErr: "unknown option"},
		{url: "::nonsense", wantErr: "not a URL"},
	}
	for _, c := range cases {
		got, err := ParseSMTPURL(c.url)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want %q", c.url, err, c.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: the error shows the password", c.url)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}

// selfSigned returns a server certificate for 127.0.0.1 and a client TLS
// config that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sink.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

func TestSMTPTransportSecurityAndAuth(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSigned(t)
	cases := []struct {
		name      string
		implicit  bool
		serverTLS bool
		url       func(addr string) string
		delivered bool
	}{
		{"STARTTLS required and offered, with login", false, true,
			func(a string) string { return "smtp://ada:pw@" + a + "?starttls=required" }, true},
		{"STARTTLS opportunistic, offered", false, true,
			func(a string) string { return "smtp://ada:pw@" + a }, true},
		{"implicit TLS (smtps)", true, true,
			func(a string) string { return "smtps://ada:pw@" + a }, true},
		{"STARTTLS required but not offered", false, false,
			func(a string) string { return "smtp://ada:pw@" + a + "?starttls=required" }, false},
		{"wrong password", false, true,
			func(a string) string { return "smtp://ada:wrong@" + a + "?starttls=required" }, false},
		{"untrusted certificate", false, true,
			func(a string) string { return "smtp://ada:pw@" + a + "?starttls=required" }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newSink(t)
			s.user, s.pass = "ada", "pw"
			s.implicit = c.implicit
			if c.serverTLS {
				s.tls = serverTLS
			}
			s.start()
			cfg, err := ParseSMTPURL(c.url(s.addr))
			if err != nil {
				t.Fatal(err)
			}
			if c.name != "untrusted certificate" {
				cfg.TLS = clientTLS
			}
			sess := NewSMTPSender(cfg).Open()
			defer sess.Close()
			comp, _ := newComposer(testFrom)
			r, _ := comp.compose("id1", invite("ada@example.com"), "Hello", "text", "<p>html</p>", time.Now())
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			err = sess.Send(ctx, r)
			if c.delivered != (err == nil) || len(s.received()) != map[bool]int{true: 1}[c.delivered] {
				t.Fatalf("Send = %v, %d mails received; want delivered=%v", err, len(s.received()), c.delivered)
			}
			if err != nil && IsPermanent(err) {
				t.Errorf("a connection-level failure must stay temporary, got permanent: %v", err)
			}
		})
	}
}

func TestIsPermanent(t *testing.T) {
	t.Parallel()
	s := newSink(t)
	s.rcpt = func(to string, _ int) error {
		if strings.HasPrefix(to, "perm") {
			return permFail()
		}
		return tempFail()
	}
	s.start()
	cfg, _ := ParseSMTPURL(s.url())
	sess := NewSMTPSender(cfg).Open()
	defer sess.Close()
	comp, _ := newComposer(testFrom)
	for to, want := range map[string]bool{"perm@example.com": true, "temp@example.com": false} {
		r, _ := comp.compose("id", invite(to), "S", "t", "<p>h</p>", time.Now())
		err := sess.Send(context.Background(), r)
		if err == nil || IsPermanent(err) != want {
			t.Errorf("%s: err %v, permanent = %v, want %v", to, err, IsPermanent(err), want)
		}
	}
	if !IsPermanent(Permanent(context.Canceled)) || IsPermanent(context.DeadlineExceeded) {
		t.Error("Permanent marking is not recognised")
	}
}
