package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

// hit sends one GET from ip (through X-Forwarded-For, for apps that trust
// it) and returns the status, the Retry-After header and the body.
func hit(app *apptest.App, path, ip, accept string) (int, string, string, error) {
	req, err := http.NewRequest(http.MethodGet, app.URL+path, nil)
	if err != nil {
		return 0, "", "", err
	}
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	req.Header.Set("Accept", accept)
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(body), err
}

// Two app instances on one Redis, many requests at once through both: no
// more requests get through than the limit allows, and none fewer.
func TestLimitsAreExactAcrossInstances(t *testing.T) {
	t.Parallel()
	gh := apptest.StartGitHub(t)
	const limit, requests = 25, 120
	lim := ratelimit.Limit{Max: limit, Per: time.Hour}
	opts := apptest.Options{Production: true, Providers: []auth.ProviderConfig{gh.Config()},
		AuthRateLimit: lim, LinkTokenLimit: lim, LinkIPLimit: ratelimit.Limit{Max: 10 * requests, Per: time.Hour}}
	first := apptest.Start(t, opts)
	opts.Share = first
	second := apptest.Start(t, opts)

	token := strings.Repeat("a", 52)
	for _, tc := range []struct{ name, path string }{
		{"sign-in per IP", "/auth/github"},
		{"emailed link per token", "/rsvp/" + token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			statuses := make([]int, requests)
			errs := make([]error, requests)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range requests {
				app := first
				if i%2 == 1 {
					app = second
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					statuses[i], _, _, errs[i] = hit(app, tc.path, "", "text/html")
				}()
			}
			close(start)
			wg.Wait()
			limited := 0
			for i, s := range statuses {
				if errs[i] != nil {
					t.Fatalf("request %d: %v", i, errs[i])
				}
				if s == http.StatusTooManyRequests {
					limited++
				}
			}
			if passed := requests - limited; passed != limit {
				t.Fatalf("%d of %d requests passed a limit of %d", passed, requests, limit)
			}
		})
	}
}

// Each emailed link has its own strict limit and each IP a looser one
// across links: a mail scanner or an office NAT that used up one link does
// not lock colleagues out of theirs.
func TestEmailedLinksAreLimitedPerTokenAndPerIP(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{TrustProxy: true,
		LinkTokenLimit: ratelimit.Limit{Max: 3, Per: time.Hour}, LinkIPLimit: ratelimit.Limit{Max: 10, Per: time.Hour}})
	office, home := "198.51.100.7", "203.0.113.20"
	tok := func() string { return testenv.RandomHex(26) }
	get := func(path, ip string) (int, string, string) {
		t.Helper()
		s, retry, body, err := hit(app, path, ip, "text/html")
		if err != nil {
			t.Fatal(err)
		}
		return s, retry, body
	}

	mine := tok()
	for i := range 3 {
		if s, _, _ := get("/rsvp/"+mine, office); s == http.StatusTooManyRequests {
			t.Fatalf("request %d on a fresh link limited", i+1)
		}
	}
	s, retry, body := get("/rsvp/"+mine+"/calendar.ics", office)
	if s != http.StatusTooManyRequests || !strings.Contains(body, "This link was opened many times") || !strings.Contains(body, "<html") {
		t.Fatalf("4th request on one link: %d\n%s", s, body)
	}
	if n, err := strconv.Atoi(retry); err != nil || n < 19*60 || n > 20*60 {
		t.Fatalf("Retry-After %q, want about 20 minutes", retry)
	}
	if s, _, _ := get("/rsvp/"+mine, home); s != http.StatusTooManyRequests {
		t.Fatalf("the same link from another network: %d, want the link's limit to hold", s)
	}

	// A colleague behind the same NAT still gets through on their links.
	for _, path := range []string{"/rsvp/" + tok(), "/unsubscribe/" + tok(), "/verify-email/" + tok()} {
		if s, _, _ := get(path, office); s == http.StatusTooManyRequests {
			t.Fatalf("colleague's %s limited: %d", path, s)
		}
	}
	// The IP's allowance (10) counts every link that passed the link's own
	// limit: 3 + 3 so far, then 4 more fresh links, then the network is
	// done. Requests on a used-up link do not count against it.
	for range 5 {
		if s, _, _ := get("/rsvp/"+mine, office); s != http.StatusTooManyRequests {
			t.Fatalf("the used-up link again: %d", s)
		}
	}
	for i := range 4 {
		if s, _, _ := get("/rsvp/"+tok(), office); s == http.StatusTooManyRequests {
			t.Fatalf("fresh link %d from the office limited early", i+1)
		}
	}
	s, _, body = get("/rsvp/"+tok(), office)
	if s != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts from your network") {
		t.Fatalf("11th link request from one IP: %d\n%s", s, body)
	}
	if s, _, _ := get("/unsubscribe/"+tok(), home); s == http.StatusTooManyRequests {
		t.Fatalf("another network limited by the office's use: %d", s)
	}

	// API clients get the same answer as JSON.
	st, retry, body, err := hit(app, "/rsvp/"+mine, home, "application/json")
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		Status int    `json:"status"`
		Error  string `json:"error"`
	}
	if jerr := json.Unmarshal([]byte(body), &answer); st != http.StatusTooManyRequests || retry == "" || jerr != nil ||
		answer.Status != http.StatusTooManyRequests || !strings.Contains(answer.Error, "Wait") {
		t.Fatalf("JSON answer: %d Retry-After %q %s (%v)", st, retry, body, jerr)
	}
}

func TestSignedInMailActionsAreLimitedPerPerson(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{VerifyLimit: ratelimit.Limit{Max: 10, Per: time.Hour}})
	ann, bob := app.NewClient(t), app.NewClient(t)
	ann.DevSignIn("Ann", "ann@example.com")
	bob.DevSignIn("Bob", "bob@example.com")
	add := func(c *apptest.Client, i int) int {
		t.Helper()
		return c.PostForm("/profile", "/profile/emails", map[string][]string{"email": {fmt.Sprintf("x%d@example.org", i)}}).StatusCode
	}
	for i := range 10 {
		if s := add(ann, i); s == http.StatusTooManyRequests {
			t.Fatalf("address %d limited", i+1)
		}
	}
	if s := add(ann, 10); s != http.StatusTooManyRequests {
		t.Fatalf("11th address within the limit's period: %d", s)
	}
	// Bob shares Ann's IP (both on 127.0.0.1) but not her limit.
	if s := add(bob, 0); s == http.StatusTooManyRequests {
		t.Fatalf("another person on the same IP limited: %d", s)
	}
}
