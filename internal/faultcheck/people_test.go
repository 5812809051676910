//go:build faults

package faultcheck

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

// transport is shared by every simulated person: many connections to one
// host, as many browsers behind one load balancer would open.
var transport = &http.Transport{MaxIdleConns: 500, MaxIdleConnsPerHost: 500, IdleConnTimeout: time.Minute}

// person is one browser: its own cookie jar and its own client address
// (X-Forwarded-For, read by the app with TRUST_PROXY=true), so per-IP rate
// limits count each person separately. Redirects are not followed.
type person struct {
	Name, Email, IP string
	base            string
	c               *http.Client
}

func newPerson(base, name, email string, n int) *person {
	jar, _ := cookiejar.New(nil)
	return &person{
		Name: name, Email: email, IP: fmt.Sprintf("10.%d.%d.%d", n/65536%256, n/256%256, n%256+1), base: base,
		c: &http.Client{Jar: jar, Transport: transport, Timeout: 15 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// reply is one answer from the app.
type reply struct {
	Status int
	Header http.Header
	Body   string
	Err    error
}

// do sends one request as this person; form, when set, is posted.
func (p *person) do(ctx context.Context, method, path string, form url.Values) reply {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, body)
	if err != nil {
		return reply{Err: err}
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("X-Forwarded-For", p.IP)
	resp, err := p.c.Do(req)
	if err != nil {
		return reply{Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Err: err}
}

var (
	csrfRe     = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
	onceRe     = regexp.MustCompile(`name="_once" value="([^"]*)"`)
	flashRe    = regexp.MustCompile(`<div class="flash [a-z]*" role="status">([^<]*)</div>`)
	deliveryRe = regexp.MustCompile(`(?s)<p class="delivery" role="status">(.*?)</p>`)
	tagRe      = regexp.MustCompile(`<[^>]+>`)
)

// formFields are the hidden fields of the first form on page: the CSRF
// token and the one-time value, as a browser would send them back.
func formFields(page string) (url.Values, bool) {
	c, o := csrfRe.FindStringSubmatch(page), onceRe.FindStringSubmatch(page)
	if c == nil {
		return nil, false
	}
	v := url.Values{"_csrf": {html.UnescapeString(c[1])}}
	if o != nil {
		v.Set("_once", html.UnescapeString(o[1]))
	}
	return v, true
}

// text is an HTML fragment as a reader sees it.
func text(fragment string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRe.ReplaceAllString(fragment, ""))), " ")
}

// devSignIn signs the person in as a visitor would: the form, then the post.
func (p *person) devSignIn(ctx context.Context) error {
	r := p.do(ctx, http.MethodGet, "/dev/signin", nil)
	if r.Err != nil || r.Status != http.StatusOK {
		return fmt.Errorf("GET /dev/signin as %s: %d %v", p.Name, r.Status, r.Err)
	}
	form, ok := formFields(r.Body)
	if !ok {
		return fmt.Errorf("no CSRF token on /dev/signin")
	}
	form.Set("name", p.Name)
	form.Set("email", p.Email)
	r = p.do(ctx, http.MethodPost, "/dev/signin", form)
	if r.Err != nil || r.Status != http.StatusSeeOther {
		return fmt.Errorf("POST /dev/signin as %s: %d %v", p.Name, r.Status, r.Err)
	}
	return nil
}

// seeder writes people, groups and sessions straight into Redis through the
// project's own stores, under the server's prefix. Its events store has no
// Notify hook, so seeding sends no mail.
type seeder struct {
	users  *auth.Store
	groups *groups.Store
	events *events.Store
}

func newSeeder(rdb redis.UniversalClient) *seeder {
	return &seeder{users: auth.NewStore(rdb, prefix), groups: groups.NewStore(rdb, prefix), events: events.NewStore(rdb, prefix)}
}

// person creates the user that development sign-in as name finds, with
// email as a verified address.
func (s *seeder) person(ctx context.Context, name, email string) (*auth.User, error) {
	subject := auth.DevSubject(name)
	u, _, err := s.users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: subject, Login: subject, Name: name,
		Emails: []auth.Email{{Address: email, Verified: true}}})
	if err != nil {
		return nil, fmt.Errorf("seed person %s: %w", name, err)
	}
	return u, nil
}

// group creates an open public group owned by owner, with members.
func (s *seeder) group(ctx context.Context, owner *auth.User, name string, members []*auth.User) (*groups.Group, error) {
	g, err := s.groups.Create(ctx, owner.ID, groups.Input{Name: name, Slug: groups.SuggestSlug(name),
		Description: "Fault checks.", Topics: []string{"testing"}, Paths: []string{"architecture"}, Online: true,
		Visibility: groups.Public, JoinPolicy: groups.Open, Cover: "#4338ca"})
	if err != nil {
		return nil, fmt.Errorf("seed group: %w", err)
	}
	for _, m := range members {
		if err := s.groups.Join(ctx, g.ID, m.ID, m.VerifiedEmails()); err != nil {
			return nil, fmt.Errorf("seed member %s: %w", m.Name, err)
		}
	}
	return g, nil
}

// session schedules a session a week ahead (no reminders fall due during
// a run), with capacity seats ("" for no limit).
func (s *seeder) session(ctx context.Context, owner *auth.User, g *groups.Group, title, capacity string) (events.Event, error) {
	start := time.Now().UTC().AddDate(0, 0, 7).Truncate(time.Hour)
	ev, err := s.events.Create(ctx, events.Actor{UserID: owner.ID, Organizer: true}, g.ID, events.Input{
		Title: title, Description: "Fault checks.", Format: "talk",
		Start: start.Format("2006-01-02T15:04"), End: start.Add(90 * time.Minute).Format("2006-01-02T15:04"),
		TimeZone: "UTC", OnlineURL: "https://meet.example.com/faults", Capacity: capacity, Listed: true,
	})
	if err != nil {
		return events.Event{}, fmt.Errorf("seed session: %w", err)
	}
	return ev, nil
}
