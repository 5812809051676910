package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// apiSpec is the OpenAPI document the app serves, loaded once per app,
// with a router that finds each response's operation in it.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	specOnce   sync.Once
	specLoaded *apiSpec
	specErr    error
)

// loadSpec fetches /api/v1/openapi.json from app and loads it with
// kin-openapi (OpenAPI 3.1), once for the test binary: every app serves
// the same embedded document.
func loadSpec(t *testing.T, app *apptest.App) *apiSpec {
	t.Helper()
	specOnce.Do(func() {
		resp, err := http.Get(app.URL + "/api/v1/openapi.json")
		if err != nil {
			specErr = err
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(raw)
		if err != nil {
			specErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = err
			return
		}
		// Route on paths alone: the servers entry is relative.
		doc.Servers = openapi3.Servers{{URL: "/api/v1"}}
		r, err := gorillamux.NewRouter(doc)
		specLoaded, specErr = &apiSpec{doc: doc, router: r}, err
	})
	if specErr != nil {
		t.Fatalf("load the OpenAPI document: %v", specErr)
	}
	return specLoaded
}

// apiResp is one API answer, already checked against the document.
type apiResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r apiResp) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// apiCaller calls the API with a token (or none), and checks every
// response it gets against the OpenAPI document.
type apiCaller struct {
	t     *testing.T
	app   *apptest.App
	spec  *apiSpec
	token string
	// Client sends the requests; a signed-in person's client sends
	// their cookies too.
	Client *http.Client
}

func newAPICaller(t *testing.T, app *apptest.App, token string) *apiCaller {
	return &apiCaller{t: t, app: app, spec: loadSpec(t, app), token: token, Client: http.DefaultClient}
}

// do sends one request, header adding or replacing headers, and checks
// the response against the document.
func (a *apiCaller) do(method, path string, body []byte, header map[string]string) apiResp {
	a.t.Helper()
	req, out, err := a.fetch(method, path, body, header)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	a.validate(req, body, out)
	return out
}

// fetch sends one request without checking anything, so that other
// goroutines than the test's may send; validate checks the answer later.
func (a *apiCaller) fetch(method, path string, body []byte, header map[string]string) (*http.Request, apiResp, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, a.app.URL+path, rd)
	if err != nil {
		return nil, apiResp{}, err
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := a.Client.Do(req)
	if err != nil {
		return nil, apiResp{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return req, apiResp{Status: resp.StatusCode, Header: resp.Header, Body: raw}, err
}

func (a *apiCaller) get(path string) apiResp {
	a.t.Helper()
	return a.do(http.MethodGet, path, nil, nil)
}

// validate checks one response against the document: the operation's
// declared status, headers and body schema. A path the document does not
// have must get a problem document that fits the Problem schema.
func (a *apiCaller) validate(req *http.Request, body []byte, r apiResp) {
	a.t.Helper()
	route, params, err := a.spec.router.FindRoute(req)
	if err != nil {
		if r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
			a.t.Fatalf("%s %s: no operation in the document (%v), yet status %d", req.Method, req.URL.Path, err, r.Status)
		}
		a.checkProblem(req, r)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		a.t.Fatalf("%s %s: response %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, r.Status, err, r.Body)
	}
	if r.Status >= 400 {
		a.checkProblem(req, r)
	}
}

// checkProblem checks that an error is an RFC 9457 problem document.
func (a *apiCaller) checkProblem(req *http.Request, r apiResp) {
	a.t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		a.t.Fatalf("%s %s: status %d with Content-Type %q, want application/problem+json", req.Method, req.URL.Path, r.Status, ct)
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		a.t.Fatalf("%s %s: problem is not JSON: %s", req.Method, req.URL.Path, r.Body)
	}
	if err := a.spec.doc.Components.Schemas["Problem"].Value.VisitJSON(v); err != nil {
		a.t.Fatalf("%s %s: problem does not fit the Problem schema: %v", req.Method, req.URL.Path, err)
	}
	if got := int(v.(map[string]any)["status"].(float64)); got != r.Status {
		a.t.Fatalf("%s %s: problem says status %d, response %d", req.Method, req.URL.Path, got, r.Status)
	}
}

var newTokenRE = regexp.MustCompile(`<code class="token" id="new-token">(fg_[a-z2-7_]+)</code>`)

// makeToken makes a token on p's profile page and returns its text.
func makeToken(t *testing.T, p sesPerson, name, scope, expires string) string {
	t.Helper()
	r := p.PostForm("/profile", "/profile/tokens", url.Values{"token_name": {name}, "token_scope": {scope}, "token_expires": {expires}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("make token %q: status %d: %s", name, r.StatusCode, truncateForLog(r.Body))
	}
	m := newTokenRE.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("make token %q: no token shown once on the page", name)
	}
	if strings.Count(p.Get("/profile").Body, m[1]) != 0 {
		t.Fatalf("make token %q: the token is shown again on the next visit", name)
	}
	return m[1]
}
