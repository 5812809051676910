package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Guard keeps webhook deliveries off the instance's own network (SSRF):
// only https to public addresses. It checks a URL when an organizer adds
// it (resolving its host, for a clear reason on the form) and every
// address the delivery client connects to, after DNS resolution, redirects
// included, so a name that later resolves elsewhere gains nothing.
type Guard struct {
	// AllowLocal (development and tests only) also lets URLs point at
	// loopback addresses, over http or https.
	AllowLocal bool
	// Resolver looks hosts up; nil is net.DefaultResolver.
	Resolver *net.Resolver
}

// ErrRefused wraps every refusal of the guard.
var ErrRefused = errors.New("refused by the webhook address guard")

// blocked are the ranges that are not the public internet beyond what
// netip's predicates cover: shared address space, benchmarking, the
// documentation ranges, IETF protocol assignments, reserved space, NAT64
// (which can reach private IPv4 through a translator) and IPv6
// documentation.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fec0::/10"),
}

// CheckIP says why a delivery may not connect to ip, or nil.
func (g Guard) CheckIP(ip netip.Addr) error {
	ip = ip.Unmap()
	if g.AllowLocal && ip.IsLoopback() {
		return nil
	}
	switch {
	case ip.IsLoopback():
		return fmt.Errorf("%w: %s is this machine (loopback)", ErrRefused, ip)
	case ip.IsPrivate():
		return fmt.Errorf("%w: %s is a private network address", ErrRefused, ip)
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return fmt.Errorf("%w: %s is a link-local address (cloud metadata lives there)", ErrRefused, ip)
	case ip.IsUnspecified(), ip.IsMulticast(), ip.IsInterfaceLocalMulticast(), !ip.IsGlobalUnicast():
		return fmt.Errorf("%w: %s is not a public unicast address", ErrRefused, ip)
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return fmt.Errorf("%w: %s is in reserved range %s", ErrRefused, ip, p)
		}
	}
	return nil
}

// CheckURL parses raw and says, in words an organizer can act on, why it
// cannot be a webhook URL: not https (http only to loopback when local
// addresses are allowed), credentials in it, no host, or a host that does
// not resolve or resolves to an address CheckIP refuses.
func (g Guard) CheckURL(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: give the whole address, starting with https://", ErrRefused)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: the address may not carry a user name or password", ErrRefused)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%w: the address may not have a #fragment", ErrRefused)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !g.AllowLocal {
			return nil, fmt.Errorf("%w: only https addresses are allowed", ErrRefused)
		}
	default:
		return nil, fmt.Errorf("%w: only https addresses are allowed", ErrRefused)
	}
	ips, err := g.resolve(ctx, u.Hostname())
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if err := g.CheckIP(ip); err != nil {
			return nil, err
		}
		if u.Scheme == "http" && !ip.IsLoopback() {
			return nil, fmt.Errorf("%w: only https addresses are allowed", ErrRefused)
		}
	}
	return u, nil
}

func (g Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{ip}, nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return nil, fmt.Errorf("%w: %s does not resolve to an address", ErrRefused, host)
	}
	return ips, nil
}

// maxRedirects is how many redirects a delivery follows.
const maxRedirects = 3

// Client is an HTTP client for deliveries: no proxy from the environment,
// every connection's address checked after resolution (Dialer.Control),
// at most three redirects, each to an address CheckURL accepts.
func (g Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Resolver: g.Resolver,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrRefused, address)
			}
			return g.CheckIP(ap.Addr())
		}}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: transport, Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("%w: more than %d redirects", ErrRefused, maxRedirects)
			}
			_, err := g.CheckURL(req.Context(), req.URL.String())
			return err
		}}
}
