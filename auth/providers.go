package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/openidConnect"
)

// Kinds of sign-in provider.
const (
	KindGitHub = "github"
	KindOIDC   = "oidc"
)

// LinkedInDiscoveryURL is LinkedIn's OpenID Connect discovery document
// ("Sign In with LinkedIn using OpenID Connect").
const LinkedInDiscoveryURL = "https://www.linkedin.com/oauth/.well-known/openid-configuration"

// ProviderConfig describes one configured sign-in provider.
type ProviderConfig struct {
	// Name is the URL segment: /auth/{Name}.
	Name string
	// Label is what the sign-in button says.
	Label string
	// Kind is KindGitHub or KindOIDC.
	Kind     string
	ClientID string
	Secret   string
	// GitHub (and GitHub Enterprise Server) endpoints.
	AuthURL, TokenURL, ProfileURL, EmailsURL string
	// DiscoveryURL is an OpenID Connect provider's discovery document.
	DiscoveryURL string
	Scopes       []string
}

// GitHubConfig returns the configuration for github.com, or for a GitHub
// Enterprise Server when enterpriseURL (e.g. https://ghe.example.com) is set.
func GitHubConfig(clientID, secret, enterpriseURL string) ProviderConfig {
	c := ProviderConfig{Name: "github", Label: "GitHub", Kind: KindGitHub, ClientID: clientID, Secret: secret,
		AuthURL: github.AuthURL, TokenURL: github.TokenURL, ProfileURL: github.ProfileURL, EmailsURL: github.EmailURL}
	if base := strings.TrimRight(enterpriseURL, "/"); base != "" {
		c.AuthURL = base + "/login/oauth/authorize"
		c.TokenURL = base + "/login/oauth/access_token"
		c.ProfileURL = base + "/api/v3/user"
		c.EmailsURL = base + "/api/v3/user/emails"
	}
	return c
}

// ProviderInfo is what the sign-in page needs to show a provider.
type ProviderInfo struct {
	Name  string
	Label string
}

// ErrUnknownProvider is returned for a provider name that is not configured.
var ErrUnknownProvider = errors.New("auth: unknown sign-in provider")

// Providers holds the configured sign-in providers.
type Providers struct {
	list   []*provider
	client *http.Client
}

type provider struct {
	cfg      ProviderConfig
	callback string
	client   *http.Client

	mu    sync.Mutex
	built goth.Provider
}

// NewProviders prepares the providers; OpenID Connect discovery happens on
// first use, so a provider that is down does not stop the app from starting.
// client must have a timeout: goth uses it for every call to the provider.
func NewProviders(baseURL string, cfgs []ProviderConfig, client *http.Client) *Providers {
	ps := &Providers{client: client}
	for _, c := range cfgs {
		ps.list = append(ps.list, &provider{
			cfg:      c,
			callback: strings.TrimRight(baseURL, "/") + "/auth/" + c.Name + "/callback",
			client:   client,
		})
	}
	return ps
}

// List returns the configured providers in order, for the sign-in page.
func (ps *Providers) List() []ProviderInfo {
	out := make([]ProviderInfo, 0, len(ps.list))
	for _, p := range ps.list {
		out = append(out, ProviderInfo{Name: p.cfg.Name, Label: p.cfg.Label})
	}
	return out
}

// Label returns the display name of a provider, or the name itself.
func (ps *Providers) Label(name string) string {
	if p := ps.find(name); p != nil {
		return p.cfg.Label
	}
	return name
}

func (ps *Providers) find(name string) *provider {
	for _, p := range ps.list {
		if p.cfg.Name == name {
			return p
		}
	}
	return nil
}

func (p *provider) goth(ctx context.Context) (goth.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.built != nil {
		return p.built, nil
	}
	c := p.cfg
	scopes := c.Scopes
	switch c.Kind {
	case KindGitHub:
		if len(scopes) == 0 {
			scopes = []string{"read:user", "user:email"}
		}
		g := github.NewCustomisedURL(c.ClientID, c.Secret, p.callback, c.AuthURL, c.TokenURL, c.ProfileURL, c.EmailsURL, scopes...)
		g.HTTPClient = p.client
		g.SetName(c.Name)
		p.built = g
	case KindOIDC:
		if len(scopes) == 0 {
			scopes = []string{"openid", "profile", "email"}
		}
		d, err := discover(ctx, p.client, c.DiscoveryURL)
		if err != nil {
			return nil, err
		}
		o, err := openidConnect.NewCustomisedURL(c.ClientID, c.Secret, p.callback, d.AuthEndpoint, d.TokenEndpoint, d.Issuer, d.UserInfoEndpoint, d.EndSessionEndpoint, scopes...)
		if err != nil {
			return nil, fmt.Errorf("auth: %s: %w", c.Name, err)
		}
		o.HTTPClient = p.client
		o.SetName(c.Name)
		p.built = o
	default:
		return nil, fmt.Errorf("auth: %s: unknown provider kind %q", c.Name, c.Kind)
	}
	return p.built, nil
}

type discovery struct {
	Issuer             string `json:"issuer"`
	AuthEndpoint       string `json:"authorization_endpoint"`
	TokenEndpoint      string `json:"token_endpoint"`
	UserInfoEndpoint   string `json:"userinfo_endpoint"`
	EndSessionEndpoint string `json:"end_session_endpoint"`
}

func discover(ctx context.Context, client *http.Client, u string) (*discovery, error) {
	var d discovery
	if err := getJSON(ctx, client, u, "", &d); err != nil {
		return nil, fmt.Errorf("auth: OpenID discovery: %w", err)
	}
	if d.Issuer == "" || d.AuthEndpoint == "" || d.TokenEndpoint == "" {
		return nil, fmt.Errorf("auth: OpenID discovery at %s is incomplete", u)
	}
	return &d, nil
}

func getJSON(ctx context.Context, client *http.Client, u, bearer string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", req.URL.Redacted(), resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into)
}

// Begin starts a sign-in: it returns the provider's authorization URL and
// the provider session to keep (in our server-side session) until the
// callback.
func (ps *Providers) Begin(ctx context.Context, name, state string) (authURL, saved string, err error) {
	p := ps.find(name)
	if p == nil {
		return "", "", ErrUnknownProvider
	}
	g, err := p.goth(ctx)
	if err != nil {
		return "", "", &ProviderError{Provider: p.cfg.Label, Err: err}
	}
	sess, err := g.BeginAuth(state)
	if err != nil {
		return "", "", &ProviderError{Provider: p.cfg.Label, Err: err}
	}
	authURL, err = sess.GetAuthURL()
	if err != nil {
		return "", "", &ProviderError{Provider: p.cfg.Label, Err: err}
	}
	return authURL, sess.Marshal(), nil
}

// ProviderError says that a provider failed or refused, as opposed to our
// own failure; the web layer shows it as a bad gateway with the provider's
// name.
type ProviderError struct {
	Provider string
	Err      error
}

func (e *ProviderError) Error() string { return e.Provider + ": " + e.Err.Error() }
func (e *ProviderError) Unwrap() error { return e.Err }

// Complete finishes a sign-in from the callback's query parameters: it
// exchanges the code for a token and fetches who signed in.
func (ps *Providers) Complete(ctx context.Context, name, saved string, params url.Values) (Profile, error) {
	p := ps.find(name)
	if p == nil {
		return Profile{}, ErrUnknownProvider
	}
	g, err := p.goth(ctx)
	if err != nil {
		return Profile{}, &ProviderError{Provider: p.cfg.Label, Err: err}
	}
	sess, err := g.UnmarshalSession(saved)
	if err != nil {
		return Profile{}, fmt.Errorf("auth: restore provider session: %w", err)
	}
	if _, err := sess.Authorize(g, params); err != nil {
		return Profile{}, &ProviderError{Provider: p.cfg.Label, Err: err}
	}
	gu, err := g.FetchUser(sess)
	if err != nil {
		if errors.Is(err, github.ErrNoVerifiedGitHubPrimaryEmail) {
			return Profile{}, ErrNoEmail
		}
		return Profile{}, &ProviderError{Provider: p.cfg.Label, Err: err}
	}
	prof := Profile{Provider: p.cfg.Name, Subject: gu.UserID, Login: gu.NickName, Name: gu.Name, AvatarURL: safeAvatar(gu.AvatarURL)}
	switch p.cfg.Kind {
	case KindGitHub:
		prof.Emails, err = githubEmails(ctx, p.client, p.cfg.EmailsURL, gu)
		if err != nil {
			return Profile{}, &ProviderError{Provider: p.cfg.Label, Err: err}
		}
	case KindOIDC:
		if gu.Email != "" {
			prof.Emails = []Email{{Address: gu.Email, Verified: claimTrue(gu.RawData["email_verified"])}}
		}
		if prof.Name == "" {
			prof.Name = strings.TrimSpace(gu.FirstName + " " + gu.LastName)
		}
	}
	if prof.Subject == "" {
		return Profile{}, &ProviderError{Provider: p.cfg.Label, Err: errors.New("no user id in the provider's answer")}
	}
	return prof, nil
}

// githubEmails asks GitHub for every address with its verified flag; goth
// only reports one address and not whether it is verified.
func githubEmails(ctx context.Context, client *http.Client, u string, gu goth.User) ([]Email, error) {
	var list []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := getJSON(ctx, client, u, gu.AccessToken, &list); err != nil {
		return nil, fmt.Errorf("fetch emails: %w", err)
	}
	var out []Email
	for _, e := range list {
		if e.Primary {
			out = append([]Email{{Address: e.Email, Verified: e.Verified}}, out...)
		} else {
			out = append(out, Email{Address: e.Email, Verified: e.Verified})
		}
	}
	if len(out) == 0 && gu.Email != "" {
		out = append(out, Email{Address: gu.Email})
	}
	return out, nil
}

// claimTrue reads an OpenID claim that providers send as a boolean or as
// the string "true".
func claimTrue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(b, "true")
	}
	return false
}

// safeAvatar keeps only https avatar URLs: a provider cannot make our pages
// load a javascript: or data: URL, and plain http would be blocked by the
// Content-Security-Policy anyway.
func safeAvatar(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return s
}
