package webhooks

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestGuardRefusesAddressesOffThePublicInternet(t *testing.T) {
	g := Guard{}
	for _, ip := range []string{
		"127.0.0.1", "127.8.8.8", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "fe80::1",
		"fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1",
		"255.255.255.255", "198.18.0.1", "192.0.2.10", "64:ff9b::a00:1", "2001:db8::1",
	} {
		if err := g.CheckIP(netip.MustParseAddr(ip)); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want a refusal", ip, err)
		}
	}
	for _, ip := range []string{"8.8.8.8", "93.184.216.34", "2606:4700::1111", "1.1.1.1"} {
		if err := g.CheckIP(netip.MustParseAddr(ip)); err != nil {
			t.Errorf("%s: %v, want it allowed", ip, err)
		}
	}
	local := Guard{AllowLocal: true}
	if err := local.CheckIP(netip.MustParseAddr("127.0.0.1")); err != nil {
		t.Errorf("loopback in development: %v", err)
	}
	if err := local.CheckIP(netip.MustParseAddr("10.0.0.1")); err == nil {
		t.Error("development still refuses private addresses")
	}
}

func TestGuardExplainsRefusedURLs(t *testing.T) {
	ctx := context.Background()
	cases := map[string]string{
		"http://93.184.216.34/hook":            "only https",
		"ftp://93.184.216.34/hook":             "only https",
		"https://user:pw@93.184.216.34/hook":   "user name or password",
		"https://93.184.216.34/hook#frag":      "fragment",
		"hooks.slack.com/services/x":           "whole address",
		"https://127.0.0.1/hook":               "loopback",
		"https://[::1]:8443/hook":              "loopback",
		"https://169.254.169.254/latest/meta":  "link-local",
		"https://10.0.0.8/hook":                "private",
		"https://localhost/hook":               "loopback",
		"https://no-such-host.invalid/webhook": "does not resolve",
	}
	for raw, want := range cases {
		_, err := Guard{}.CheckURL(ctx, raw)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a refusal saying %q", raw, err, want)
		}
	}
	if _, err := (Guard{}).CheckURL(ctx, "https://93.184.216.34/hook"); err != nil {
		t.Errorf("a public https address: %v", err)
	}
	if _, err := (Guard{AllowLocal: true}).CheckURL(ctx, "http://127.0.0.1:9/hook"); err != nil {
		t.Errorf("http to loopback in development: %v", err)
	}
	if _, err := (Guard{AllowLocal: true}).CheckURL(ctx, "http://93.184.216.34/hook"); err == nil {
		t.Error("development allows http to a public address")
	}
}

// The delivery client checks the address it connects to, not only the
// one the URL named: a loopback server is refused unless local addresses
// are allowed, and so is a redirect to a private address.
func TestGuardedClientChecksEveryConnectionAndRedirect(t *testing.T) {
	hit := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hit <- r.URL.Path
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://10.0.0.1/inside", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	_, err := Guard{}.Client(time.Second).Post(srv.URL+"/direct", "application/json", nil)
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("posting to a loopback server: %v, want a refusal", err)
	}
	select {
	case p := <-hit:
		t.Fatalf("the server was reached at %s", p)
	default:
	}

	local := Guard{AllowLocal: true}.Client(time.Second)
	resp, err := local.Post(srv.URL+"/direct", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("development, loopback: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if _, err := local.Post(srv.URL+"/redirect", "application/json", nil); !errors.Is(err, ErrRefused) {
		t.Fatalf("a redirect to a private address: %v, want a refusal", err)
	}
}
