package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/webhooks"
)

// hookReceiver is a local endpoint: it fails the first failures requests
// with 500, then answers 200, and hands every body over.
type hookReceiver struct {
	srv      *httptest.Server
	got      chan hookDelivery
	failures int32
	n        atomic.Int32
}

type hookDelivery struct {
	header http.Header
	body   []byte
}

func newHookReceiver(t *testing.T, failures int32) *hookReceiver {
	r := &hookReceiver{got: make(chan hookDelivery, 32), failures: failures}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.got <- hookDelivery{header: req.Header.Clone(), body: body}
		if r.n.Add(1) <= r.failures {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) next(t *testing.T) hookDelivery {
	t.Helper()
	select {
	case d := <-r.got:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivery arrived")
		return hookDelivery{}
	}
}

// An organizer adds a signed JSON endpoint and a Slack endpoint on the
// integrations page; scheduling a session reaches both (the Slack one
// after it recovers from failures), the JSON one verifiably signed, and
// the page's log shows the failed and the delivered tries.
func TestWebhooksFromTheIntegrationsPage(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "hooked", nil)
	page := "/g/" + g.Slug + "/webhooks"
	if r := org.Get("/g/" + g.Slug); !strings.Contains(r.Body, `href="`+page+`"`) {
		t.Fatal("the group page does not link organizers to its integrations")
	}
	jsonRcv, slackRcv := newHookReceiver(t, 0), newHookReceiver(t, 2)
	add := func(kind, addr string) *apptest.Response {
		return org.PostForm(page, page, url.Values{"kind": {kind}, "url": {addr},
			"events": {"session.scheduled", "session.cancelled"}})
	}
	if r := add("json", jsonRcv.srv.URL+"/hook"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add json: %d\n%s", r.StatusCode, r.Body)
	}
	if r := add("slack", slackRcv.srv.URL+"/services/T0/B0/secretpart"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add slack: %d\n%s", r.StatusCode, r.Body)
	}
	body := org.Get(page).Body
	sesContains(t, "integrations page", body, "Slack", "JSON", "…part", "whsec_", "A session is scheduled")
	sesLacks(t, "integrations page", body, "secretpart", "/services/T0/B0/")
	eps, err := app.Hooks.List(t.Context(), g.ID)
	if err != nil || len(eps) != 2 {
		t.Fatalf("%d endpoints: %v", len(eps), err)
	}
	secret := eps[0].Secret

	id := sesCreate(t, org, g, sesForm("Webhooks in practice"))
	d := jsonRcv.next(t)
	if err := webhooks.Verify(secret, d.header.Get(webhooks.SignatureHeader), d.body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("the JSON delivery does not verify: %v", err)
	}
	var ev webhooks.Event
	if err := json.Unmarshal(d.body, &ev); err != nil || ev.Type != webhooks.SessionScheduled || ev.Session.ID != id ||
		ev.Session.URL != app.URL+"/s/"+id {
		t.Fatalf("JSON delivery %s: %v", d.body, err)
	}
	for range 3 {
		d = slackRcv.next(t)
	}
	if !strings.Contains(string(d.body), `"blocks"`) || !strings.Contains(string(d.body), "Webhooks in practice") {
		t.Fatalf("slack body %s", d.body)
	}
	// Both deliveries are logged once the page says so twice.
	for deadline := time.Now().Add(10 * time.Second); strings.Count(body, "Delivered (200") < 2; body = org.Get(page).Body {
		if time.Now().After(deadline) {
			t.Fatalf("the log never showed both deliveries:\n%s", body)
		}
	}
	sesContains(t, "delivery log", body, "Try 1 failed: the endpoint answered 500", "Try 2 failed", "Trying again at")

	// The test button pings one endpoint.
	if r := org.PostForm(page, page+"/"+eps[0].ID+"/test", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("test event: %d", r.StatusCode)
	}
	if d := jsonRcv.next(t); d.header.Get("X-Focusgroups-Event") != "ping" {
		t.Fatalf("test event type %q", d.header.Get("X-Focusgroups-Event"))
	}
	// Deleting stops deliveries to it.
	if r := org.PostForm(page, page+"/"+eps[1].ID+"/delete", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if r := org.PostForm("/s/"+id, "/s/"+id+"/cancel", url.Values{"confirm": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", r.StatusCode, r.Body)
	}
	if d := jsonRcv.next(t); !strings.Contains(string(d.body), `"type":"session.cancelled"`) {
		t.Fatalf("cancel delivery %s", d.body)
	}
	waitForPage(t, org.Client, page, "A session is cancelled")
	if n := slackRcv.n.Load(); n != 3 {
		t.Errorf("the deleted Slack endpoint got %d deliveries, want 3", n)
	}
}

// Refused addresses and choices re-show the form with the reason; members
// and outsiders cannot see or change a group's integrations; forged posts
// are refused.
func TestWebhookBadInputAndAccess(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	member := sesSignIn(t, app, "Mia Member", "mia@example.com")
	g := sesGroup(t, app, org, "guarded", nil)
	sesJoin(t, app, g, member)
	page := "/g/" + g.Slug + "/webhooks"
	cases := []struct {
		form url.Values
		want string
	}{
		{url.Values{"kind": {"json"}, "url": {"https://10.1.2.3/hook"}, "events": {"session.scheduled"}}, "private network address"},
		{url.Values{"kind": {"json"}, "url": {"https://169.254.169.254/latest"}, "events": {"session.scheduled"}}, "link-local"},
		{url.Values{"kind": {"json"}, "url": {"ftp://93.184.216.34/x"}, "events": {"session.scheduled"}}, "Only https addresses"},
		{url.Values{"kind": {"slack"}, "url": {"https://93.184.216.34/services/x"}, "events": {"session.scheduled"}}, "hooks.slack.com"},
		{url.Values{"kind": {"json"}, "url": {"https://93.184.216.34/x"}}, "Choose at least one event"},
		{url.Values{"kind": {"pager"}, "url": {"https://93.184.216.34/x"}, "events": {"session.scheduled"}}, "Choose Slack, Discord or JSON"},
	}
	for _, tc := range cases {
		r := org.PostForm(page, page, tc.form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.want) || !strings.Contains(r.Body, "aria-invalid") {
			t.Errorf("%v: %d, want 422 saying %q", tc.form, r.StatusCode, tc.want)
		}
	}
	if eps, _ := app.Hooks.List(t.Context(), g.ID); len(eps) != 0 {
		t.Fatalf("refused endpoints were stored: %v", eps)
	}
	if r := member.Get(page); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member opens the integrations page: %d", r.StatusCode)
	}
	if r := member.PostForm("/g/"+g.Slug, page, url.Values{"kind": {"json"}, "url": {"https://93.184.216.34/x"},
		"events": {"session.scheduled"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member adds an endpoint: %d", r.StatusCode)
	}
	if r := app.NewClient(t).Get(page); r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusFound {
		t.Errorf("a visitor signed out opens the page: %d", r.StatusCode)
	}
	forged := org.Post(page, url.Values{"_csrf": {"forged"}, "kind": {"json"}, "url": {"https://93.184.216.34/x"}, "events": {"session.scheduled"}})
	if forged.StatusCode != http.StatusForbidden {
		t.Errorf("a forged post: %d", forged.StatusCode)
	}
	if r := org.PostForm(page, page+"/nope/test", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("testing an unknown endpoint: %d", r.StatusCode)
	}
	if r := org.PostForm(page, page+"/nope/delete", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("deleting an unknown endpoint: %d", r.StatusCode)
	}
}
