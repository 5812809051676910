package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/webhooks"
)

// Issue 15's journey through the running app: a member makes a token and
// takes the last seat through the API; when they give it back through the
// API, the group's signed JSON endpoint hears that a seat is free, and its
// Slack endpoint, failing at first, gets the message once it recovers.
func TestAPIAndWebhooksJourney(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "integrated", nil)
	page := "/g/" + g.Slug + "/webhooks"
	jsonRcv, slackRcv := newHookReceiver(t, 0), newHookReceiver(t, 2)
	for _, ep := range []struct{ kind, addr string }{{"json", jsonRcv.srv.URL}, {"slack", slackRcv.srv.URL + "/services/T/B/x"}} {
		if r := org.PostForm(page, page, url.Values{"kind": {ep.kind}, "url": {ep.addr}, "events": {"session.seats_freed"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %s endpoint: %d\n%s", ep.kind, r.StatusCode, r.Body)
		}
	}
	form := sesForm("One seat left")
	form.Set("capacity", "1")
	id := sesCreate(t, org, g, form)

	mia := sesSignIn(t, app, "Mia Member", "mia@example.com")
	sesJoin(t, app, g, mia)
	api := newAPICaller(t, app, makeToken(t, mia, "my script", "rsvp", ""))
	listed := api.get("/api/v1/groups/" + g.Slug).JSON(t)["upcoming_sessions"].([]any)
	if len(listed) != 1 || listed[0].(map[string]any)["id"] != id {
		t.Fatalf("the group's sessions through the API: %v", listed)
	}
	if r := api.do(http.MethodPut, "/api/v1/sessions/"+id+"/rsvp", []byte(`{"going": true}`), nil); r.Status != http.StatusOK ||
		r.JSON(t)["seats_left"] != 0.0 {
		t.Fatalf("taking the last seat: %d %s", r.Status, r.Body)
	}
	if r := api.do(http.MethodPut, "/api/v1/sessions/"+id+"/rsvp", []byte(`{"going": false}`), nil); r.Status != http.StatusOK {
		t.Fatalf("giving it back: %d %s", r.Status, r.Body)
	}

	eps, err := app.Hooks.List(t.Context(), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := jsonRcv.next(t)
	if err := webhooks.Verify(eps[0].Secret, d.header.Get(webhooks.SignatureHeader), d.body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var ev webhooks.Event
	if err := json.Unmarshal(d.body, &ev); err != nil || ev.Type != webhooks.SeatsFreed || ev.Session.ID != id || ev.Session.SeatsLeft != 1 {
		t.Fatalf("seats freed: %s %v", d.body, err)
	}
	for range 3 {
		d = slackRcv.next(t)
	}
	sesContains(t, "the Slack message that got through", string(d.body), `"blocks"`, "Seats free again in Group integrated", "1 of 1 seats left")
}
