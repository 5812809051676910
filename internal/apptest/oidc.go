package apptest

import (
	"encoding/json"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/focusgroups/focusgroups/auth"
)

// OIDCUser is a person at the OpenID Connect test server, with the claims
// LinkedIn's "Sign In with LinkedIn using OpenID Connect" sends.
type OIDCUser struct {
	Subject       string `json:"sub"`
	Name          string `json:"name,omitempty"`
	GivenName     string `json:"given_name,omitempty"`
	FamilyName    string `json:"family_name,omitempty"`
	Picture       string `json:"picture,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified"`
	Locale        string `json:"locale,omitempty"`
}

// ID is the subject claim.
func (u *OIDCUser) ID() string { return u.Subject }

// Userinfo is the userinfo endpoint's answer (it must repeat sub).
func (u *OIDCUser) Userinfo([]string) ([]byte, error) { return json.Marshal(u) }

// Claims are the ID token's claims.
func (u *OIDCUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &oidcClaims{IDTokenClaims: base, OIDCUser: u}, nil
}

type oidcClaims struct {
	*mockoidc.IDTokenClaims
	*OIDCUser
}

// OIDC is a real OpenID Connect server on 127.0.0.1 (mockoidc).
type OIDC struct {
	*mockoidc.MockOIDC
}

// StartOIDC runs an OpenID Connect server until the test ends.
func StartOIDC(t testing.TB) *OIDC {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("apptest: start OIDC server: %v", err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return &OIDC{m}
}

// Config returns a provider configuration for this server under name.
func (o *OIDC) Config(name, label string) auth.ProviderConfig {
	cfg := o.MockOIDC.Config()
	return auth.ProviderConfig{Name: name, Label: label, Kind: auth.KindOIDC,
		ClientID: cfg.ClientID, Secret: cfg.ClientSecret, DiscoveryURL: o.DiscoveryEndpoint()}
}

// SignInAs makes the next authorization sign in as u.
func (o *OIDC) SignInAs(u *OIDCUser) { o.QueueUser(u) }
