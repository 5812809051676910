package apptest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// GitHubUser is an account on the fake GitHub.
type GitHubUser struct {
	ID     int64
	Login  string
	Name   string
	Avatar string
	Emails []GitHubEmail
}

// GitHubEmail is one address on a fake GitHub account.
type GitHubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

// FakeGitHub is an OAuth server on 127.0.0.1 that speaks enough of
// GitHub's (Enterprise Server) API for the whole sign-in exchange.
type FakeGitHub struct {
	*httptest.Server
	ClientID, Secret string

	mu     sync.Mutex
	next   *GitHubUser
	codes  map[string]*GitHubUser
	tokens map[string]*GitHubUser
	// TokenDelay makes the token endpoint slow, to test timeouts.
	TokenDelay time.Duration
	// TokenStatus, when set, makes the token endpoint fail with it.
	TokenStatus int
}

// StartGitHub runs a fake GitHub until the test ends.
func StartGitHub(t testing.TB) *FakeGitHub {
	f := &FakeGitHub{ClientID: "gh-client", Secret: "gh-secret", codes: map[string]*GitHubUser{}, tokens: map[string]*GitHubUser{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/login/oauth/authorize", f.authorize)
	mux.HandleFunc("/login/oauth/access_token", f.token)
	mux.HandleFunc("/api/v3/user", f.user)
	mux.HandleFunc("/api/v3/user/emails", f.emails)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// Config is the provider configuration pointing at this server, built the
// same way as for a GitHub Enterprise Server.
func (f *FakeGitHub) Config() auth.ProviderConfig {
	return auth.GitHubConfig(f.ClientID, f.Secret, f.URL)
}

// SignInAs makes the next authorization sign in as u.
func (f *FakeGitHub) SignInAs(u GitHubUser) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = &u
}

func (f *FakeGitHub) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != f.ClientID {
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	u := f.next
	f.mu.Unlock()
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	if u == nil {
		back.Set("error", "access_denied")
	} else {
		code := ids.New()
		f.mu.Lock()
		f.codes[code] = u
		f.mu.Unlock()
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (f *FakeGitHub) token(w http.ResponseWriter, r *http.Request) {
	time.Sleep(f.TokenDelay)
	if f.TokenStatus != 0 {
		http.Error(w, "token endpoint broken", f.TokenStatus)
		return
	}
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	f.mu.Lock()
	u := f.codes[r.PostForm.Get("code")]
	delete(f.codes, r.PostForm.Get("code"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if id != f.ClientID || secret != f.Secret || u == nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "bad_verification_code"})
		return
	}
	tok := ids.Secret()
	f.mu.Lock()
	f.tokens[tok] = u
	f.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]string{"access_token": tok, "token_type": "bearer", "scope": "read:user,user:email"})
}

func (f *FakeGitHub) bearer(r *http.Request) *GitHubUser {
	f.mu.Lock()
	defer f.mu.Unlock()
	const p = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) <= len(p) {
		return nil
	}
	return f.tokens[h[len(p):]]
}

func (f *FakeGitHub) user(w http.ResponseWriter, r *http.Request) {
	u := f.bearer(r)
	if u == nil {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": u.ID, "login": u.Login, "name": u.Name, "avatar_url": u.Avatar, "email": nil})
}

func (f *FakeGitHub) emails(w http.ResponseWriter, r *http.Request) {
	u := f.bearer(r)
	if u == nil {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	list := u.Emails
	if list == nil {
		list = []GitHubEmail{}
	}
	_ = json.NewEncoder(w).Encode(list)
}
