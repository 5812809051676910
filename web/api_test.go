package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
)

// A member makes a token on their profile page, finds a session through
// the API, RSVPs to it, sees it on their own lists, and gets 304 for
// what has not changed; revoking the token shuts the door.
func TestAPIJourney(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "api-journey", nil)
	form := sesForm("Profiling Go services")
	form.Set("capacity", "2")
	id := sesCreate(t, org, g, form)
	mia := sesSignIn(t, app, "Mia Member", "mia@example.com")
	sesJoin(t, app, g, mia)
	token := makeToken(t, mia, "calendar script", "rsvp", "")
	api := newAPICaller(t, app, token)

	found := api.get("/api/v1/groups?q=api+journey&topic=go")
	items := found.JSON(t)["items"].([]any)
	if found.Status != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["slug"] != g.Slug {
		t.Fatalf("search: %d %s", found.Status, found.Body)
	}
	detail := api.get("/api/v1/groups/" + g.Slug).JSON(t)
	if detail["my_role"] != "member" || len(detail["upcoming_sessions"].([]any)) != 1 {
		t.Fatalf("group: %v", detail)
	}
	before := api.get("/api/v1/sessions/" + id)
	s := before.JSON(t)
	if s["seats_left"] != 2.0 || s["my_rsvp"] != nil || s["online_url"] != nil {
		t.Fatalf("session before RSVP: %s", before.Body)
	}
	tag := before.Header.Get("ETag")
	if r := api.do(http.MethodGet, "/api/v1/sessions/"+id, nil, map[string]string{"If-None-Match": tag}); r.Status != http.StatusNotModified || len(r.Body) != 0 {
		t.Fatalf("If-None-Match with the current ETag: %d %q", r.Status, r.Body)
	}

	r := api.do(http.MethodPut, "/api/v1/sessions/"+id+"/rsvp", []byte(`{"going": true}`), nil)
	if res := r.JSON(t); r.Status != http.StatusOK || res["status"] != "going" || res["seats_left"] != 1.0 {
		t.Fatalf("RSVP: %d %s", r.Status, r.Body)
	}
	if st := sesStatus(t, app, id, mia.User.ID); st.Status != events.RSVPGoing {
		t.Fatalf("stored status %q", st.Status)
	}
	after := api.do(http.MethodGet, "/api/v1/sessions/"+id, nil, map[string]string{"If-None-Match": tag})
	if after.Status != http.StatusOK || after.Header.Get("ETag") == tag {
		t.Fatalf("after the RSVP the old ETag still matches: %d", after.Status)
	}
	if s := after.JSON(t); s["online_url"] != "https://meet.example/secret-room" || s["my_rsvp"].(map[string]any)["status"] != "going" {
		t.Fatalf("session after RSVP: %s", after.Body)
	}
	// The page shows the same answer: one RSVP path for both.
	sesContains(t, "session page", mia.Get("/s/"+id).Body, "You&#39;re going")
	mine := api.get("/api/v1/me/sessions").JSON(t)["items"].([]any)
	if len(mine) != 1 || mine[0].(map[string]any)["id"] != id {
		t.Fatalf("my sessions: %v", mine)
	}
	rsvps := api.get("/api/v1/me/rsvps").JSON(t)["items"].([]any)
	if len(rsvps) != 1 || rsvps[0].(map[string]any)["status"] != "going" {
		t.Fatalf("my RSVPs: %v", rsvps)
	}
	r = api.do(http.MethodPut, "/api/v1/sessions/"+id+"/rsvp", []byte(`{"going": false}`), nil)
	if r.Status != http.StatusOK || r.JSON(t)["status"] != "not-going" {
		t.Fatalf("not going: %d %s", r.Status, r.Body)
	}
	if mine := api.get("/api/v1/me/sessions").JSON(t)["items"].([]any); len(mine) != 0 {
		t.Fatalf("my sessions after dropping out: %v", mine)
	}

	profile := mia.Get("/profile").Body
	sesContains(t, "profile", profile, "calendar script", "read and RSVP", "last used", "never expires")
	sesLacks(t, "profile", profile, token)
	tokenID := strings.Split(token, "_")[2]
	if r := mia.PostForm("/profile", "/profile/tokens/"+tokenID+"/revoke", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if r := api.get("/api/v1/me/sessions"); r.Status != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", r.Status)
	}
	sesContains(t, "profile after revoking", mia.Get("/profile").Body, "No tokens yet.")
}

// A token that is missing, malformed, unknown, revoked or expired gets
// 401; a token without the scope gets 403. A cookie never stands in for
// a token, so a forged cross-site request has nothing to ride on.
func TestAPITokensThatDoNotWork(t *testing.T) {
	clock := apptest.NewClock(time.Now())
	app := apptest.Start(t, apptest.Options{TokenClock: clock})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "api-tokens", nil)
	id := sesCreate(t, org, g, sesForm("Tokens and scopes"))
	mia := sesSignIn(t, app, "Mia Member", "mia@example.com")
	sesJoin(t, app, g, mia)
	readOnly := makeToken(t, mia, "read only", "read", "")
	expiring := makeToken(t, mia, "short lived", "rsvp", clock.Now().AddDate(0, 0, 2).Format(time.DateOnly))
	revoked := makeToken(t, mia, "revoked", "rsvp", "")
	if r := mia.PostForm("/profile", "/profile/tokens/"+strings.Split(revoked, "_")[2]+"/revoke", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	clock.Advance(3 * 24 * time.Hour)
	rsvp := "/api/v1/sessions/" + id + "/rsvp"
	cases := []struct {
		name, header, method, path string
		status                     int
		problem                    string
	}{
		{"no token", "", http.MethodGet, "/api/v1/me/rsvps", 401, "token-missing"},
		{"not bearer", "Basic " + readOnly, http.MethodGet, "/api/v1/me/rsvps", 401, "token-invalid"},
		{"empty bearer", "Bearer ", http.MethodGet, "/api/v1/me/rsvps", 401, "token-invalid"},
		{"malformed", "Bearer fg_nonsense", http.MethodGet, "/api/v1/me/rsvps", 401, "token-invalid"},
		{"tampered", "Bearer " + readOnly[:len(readOnly)-4] + "aaaa", http.MethodGet, "/api/v1/me/rsvps", 401, "token-invalid"},
		{"revoked", "Bearer " + revoked, http.MethodGet, "/api/v1/me/rsvps", 401, "token-invalid"},
		{"expired", "Bearer " + expiring, http.MethodGet, "/api/v1/me/rsvps", 401, "token-expired"},
		{"expired write", "Bearer " + expiring, http.MethodPut, rsvp, 401, "token-expired"},
		{"read scope writes", "Bearer " + readOnly, http.MethodPut, rsvp, 403, "insufficient-scope"},
		{"unknown session, bad token", "Bearer fg_nonsense", http.MethodGet, "/api/v1/sessions/nope", 401, "token-invalid"},
		{"unknown group, bad token", "Bearer fg_nonsense", http.MethodGet, "/api/v1/groups/nope", 401, "token-invalid"},
	}
	api := newAPICaller(t, app, "")
	for _, c := range cases {
		var body []byte
		if c.method == http.MethodPut {
			body = []byte(`{"going": true}`)
		}
		h := map[string]string{}
		if c.header != "" {
			h["Authorization"] = c.header
		}
		r := api.do(c.method, c.path, body, h)
		if r.Status != c.status || r.JSON(t)["type"] != "urn:focusgroups:problem:"+c.problem {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.status, c.problem)
		}
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", c.name, r.Header.Get("WWW-Authenticate"))
		}
	}
	// Mia's browser, signed in, sends her cookie and no token: nothing.
	cookies := newAPICaller(t, app, "")
	cookies.Client = mia.Client.Client
	for _, m := range []string{http.MethodPut, http.MethodGet} {
		var body []byte
		if m == http.MethodPut {
			body = []byte(`{"going": true}`)
		}
		path := rsvp
		if m == http.MethodGet {
			path = "/api/v1/me/rsvps"
		}
		if r := cookies.do(m, path, body, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s %s with a session cookie and no token: %d", m, path, r.Status)
		}
	}
	if st := sesStatus(t, app, id, mia.User.ID); st.Status != events.RSVPNone {
		t.Fatalf("a refused request recorded %q", st.Status)
	}
}

// Unknown fields, bad JSON, bad cursors and parameters get 400 saying
// what was wrong; bodies over the limit get 413; unknown API paths 404,
// all as problem documents.
func TestAPIBadRequests(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "api-bad", nil)
	id := sesCreate(t, org, g, sesForm("Bad input"))
	mia := sesSignIn(t, app, "Mia Member", "mia@example.com")
	sesJoin(t, app, g, mia)
	api := newAPICaller(t, app, makeToken(t, mia, "tests", "rsvp", ""))
	sesGroup(t, app, org, "api-bad-2", nil)
	groupsCursor := api.get("/api/v1/groups?limit=1").JSON(t)["next_cursor"]
	if groupsCursor == nil {
		t.Fatal("two groups, one a page: no next cursor")
	}
	rsvp := "/api/v1/sessions/" + id + "/rsvp"
	big := `{"going": true, "x": "` + strings.Repeat("a", 20<<10) + `"}`
	huge := `{"going": true, "x": "` + strings.Repeat("a", 300<<10) + `"}`
	cases := []struct {
		name, method, path, body, ctype string
		status                          int
		field                           string
	}{
		{"unknown field", http.MethodPut, rsvp, `{"going": true, "plus_one": true}`, "", 400, "plus_one"},
		{"no going", http.MethodPut, rsvp, `{}`, "", 400, "going"},
		{"going as text", http.MethodPut, rsvp, `{"going": "yes"}`, "", 400, "going"},
		{"not JSON", http.MethodPut, rsvp, `going=yes`, "", 400, ""},
		{"two values", http.MethodPut, rsvp, `{"going": true} {"going": false}`, "", 400, ""},
		{"empty body", http.MethodPut, rsvp, ``, "", 400, ""},
		{"form body", http.MethodPut, rsvp, `going=yes`, "application/x-www-form-urlencoded", 415, ""},
		{"over the API limit", http.MethodPut, rsvp, big, "", 413, ""},
		{"over the app limit", http.MethodPut, rsvp, huge, "", 413, ""},
		{"garbage cursor", http.MethodGet, "/api/v1/groups?cursor=%%%", "", "", 400, "cursor"},
		{"not base64 JSON", http.MethodGet, "/api/v1/me/rsvps?cursor=bm90IGpzb24", "", "", 400, "cursor"},
		{"another list's cursor", http.MethodGet, "/api/v1/me/sessions?cursor=" + url.QueryEscape(groupsCursor.(string)), "", "", 400, "cursor"},
		{"limit zero", http.MethodGet, "/api/v1/groups?limit=0", "", "", 400, "limit"},
		{"limit too big", http.MethodGet, "/api/v1/me/sessions?limit=1000", "", "", 400, "limit"},
		{"bad sort", http.MethodGet, "/api/v1/groups?sort=random", "", "", 400, "sort"},
		{"bad online", http.MethodGet, "/api/v1/groups?online=yes", "", "", 400, "online"},
		{"control characters", http.MethodGet, "/api/v1/groups?q=a%00b", "", "", 400, "q"},
		{"unknown path", http.MethodGet, "/api/v1/nothing-here", "", "", 404, ""},
		{"unknown session", http.MethodGet, "/api/v1/sessions/abcdefghijklmnopqrstuvwx", "", "", 404, ""},
		{"junk session id", http.MethodGet, "/api/v1/sessions/..", "", "", 404, ""},
		{"unknown group", http.MethodGet, "/api/v1/groups/no-such-group", "", "", 404, ""},
		{"RSVP to an unknown session", http.MethodPut, "/api/v1/sessions/abcdefghijklmnopqrstuvwx/rsvp", `{"going": true}`, "", 404, ""},
	}
	for _, c := range cases {
		var body []byte
		h := map[string]string{}
		if c.method == http.MethodPut {
			body = []byte(c.body)
		}
		if c.ctype != "" {
			h["Content-Type"] = c.ctype
		}
		r := api.do(c.method, c.path, body, h)
		if r.Status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.Status, truncateForLog(string(r.Body)), c.status)
			continue
		}
		p := r.JSON(t)
		if p["detail"] == "" {
			t.Errorf("%s: no detail: %s", c.name, r.Body)
		}
		if c.field != "" {
			errs, _ := p["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["field"] != c.field {
				t.Errorf("%s: errors %v, want one on %s", c.name, p["errors"], c.field)
			}
		}
	}
	if st := sesStatus(t, app, id, mia.User.ID); st.Status != events.RSVPNone {
		t.Fatalf("a bad request recorded %q", st.Status)
	}
}

// An RSVP through the API obeys the page's rules: windows, approval,
// membership, and private groups stay hidden from outsiders.
func TestAPIRSVPObeysThePageRules(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	open := sesGroup(t, app, org, "api-open", nil)
	private := sesGroup(t, app, org, "api-private", func(in *groups.Input) { in.Visibility = groups.Private })
	strict := sesGroup(t, app, org, "api-strict", func(in *groups.Input) { in.JoinPolicy = groups.Approval })
	approval := sesForm("Approval needed")
	approval.Set("approval", "on")
	needsApproval := sesCreate(t, org, open, approval)
	later := sesForm("Opens later")
	later.Set("rsvp_opens", sesWall(5, 9, 0, "Europe/Berlin"))
	notOpen := sesCreate(t, org, open, later)
	cancelled := sesCreate(t, org, open, sesForm("Called off"))
	if _, err := app.Events.Cancel(ctx, events.Actor{UserID: org.User.ID, Organizer: true}, cancelled); err != nil {
		t.Fatal(err)
	}
	openSession := sesCreate(t, org, open, sesForm("Anyone welcome"))
	secret := sesCreate(t, org, private, sesForm("Members only"))
	strictSession := sesCreate(t, org, strict, sesForm("Apply first"))

	sam := sesSignIn(t, app, "Sam Stranger", "sam@example.com")
	api := newAPICaller(t, app, makeToken(t, sam, "sam", "rsvp", ""))
	put := func(id string, going bool) apiResp {
		return api.do(http.MethodPut, "/api/v1/sessions/"+id+"/rsvp", []byte(fmt.Sprintf(`{"going": %t}`, going)), nil)
	}
	for _, c := range []struct {
		name, id string
		status   int
		want     string
	}{
		{"not open yet", notOpen, 409, "not open yet"},
		{"cancelled", cancelled, 409, "cancelled"},
		{"group reviews members", strictSession, 403, "Only members of Group api-strict can RSVP"},
		{"private group", secret, 404, ""},
	} {
		r := put(c.id, true)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s, want %d %q", c.name, r.Status, r.Body, c.status, c.want)
		}
		if st := sesStatus(t, app, c.id, sam.User.ID); st.Status != events.RSVPNone {
			t.Errorf("%s: recorded %q", c.name, st.Status)
		}
	}
	for _, path := range []string{"/api/v1/sessions/" + secret, "/api/v1/groups/" + private.Slug} {
		if r := api.get(path); r.Status != http.StatusNotFound {
			t.Errorf("outsider reads %s: %d", path, r.Status)
		}
	}
	if items := api.get("/api/v1/groups?q=api").JSON(t)["items"].([]any); len(items) != 2 {
		t.Errorf("search shows %d groups, want the two public ones", len(items))
	}
	// Saying yes in an open public group joins it, as on the page.
	r := put(openSession, true)
	if res := r.JSON(t); r.Status != http.StatusOK || res["status"] != "going" || res["joined_group"] != true {
		t.Fatalf("RSVP in an open group: %d %s", r.Status, r.Body)
	}
	if res := put(needsApproval, true).JSON(t); res["status"] != "pending" {
		t.Fatalf("RSVP needing approval: %v", res)
	}
	// Its organizer sees the private group.
	orgAPI := newAPICaller(t, app, makeToken(t, org, "olga", "read", ""))
	for _, path := range []string{"/api/v1/sessions/" + secret, "/api/v1/groups/" + private.Slug} {
		if r := orgAPI.get(path); r.Status != http.StatusOK {
			t.Errorf("organizer reads %s: %d", path, r.Status)
		}
	}
}

// Many people RSVPing through the API at once to a small session: the
// seats are exact, and everyone else is on the waitlist in one order.
func TestAPIConcurrentRSVPsKeepSeatsExact(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "api-rush", nil)
	form := sesForm("Small room")
	form.Set("capacity", "3")
	id := sesCreate(t, org, g, form)
	const people = 12
	tokens := make([]string, people)
	for i := range tokens {
		p := sesSignIn(t, app, fmt.Sprintf("Rusher %c", 'A'+i), "")
		tokens[i] = makeToken(t, p, "rush", "rsvp", "")
	}
	callers := make([]*apiCaller, people)
	reqs := make([]*http.Request, people)
	results := make([]apiResp, people)
	errs := make([]error, people)
	body := []byte(`{"going": true}`)
	var wg sync.WaitGroup
	for i, tok := range tokens {
		callers[i] = newAPICaller(t, app, tok)
		wg.Add(1)
		go func() {
			defer wg.Done()
			reqs[i], results[i], errs[i] = callers[i].fetch(http.MethodPut, "/api/v1/sessions/"+id+"/rsvp", body, nil)
		}()
	}
	wg.Wait()
	going, positions := 0, map[float64]bool{}
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		callers[i].validate(reqs[i], body, r)
		var res map[string]any
		if err := json.Unmarshal(r.Body, &res); err != nil || r.Status != http.StatusOK {
			t.Fatalf("RSVP: %d %s", r.Status, r.Body)
		}
		switch res["status"] {
		case "going":
			going++
		case "waitlisted":
			positions[res["position"].(float64)] = true
		default:
			t.Fatalf("status %v", res["status"])
		}
	}
	if going != 3 || len(positions) != people-3 || !positions[1] || !positions[people-3] {
		t.Fatalf("%d going, waitlist places %v", going, positions)
	}
	if s := newAPICaller(t, app, tokens[0]).get("/api/v1/sessions/" + id).JSON(t); s["seats_left"] != 0.0 || s["going"] != 3.0 {
		t.Fatalf("session after the rush: %v", s)
	}
}

// Following next_cursor walks every item once, whatever the page size,
// sessions at the same start included.
func TestAPIPagesNeitherSkipNorRepeat(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	var first *groups.Group
	for i := range 5 {
		g := sesGroup(t, app, org, fmt.Sprintf("paged-%d", i), nil)
		if first == nil {
			first = g
		}
	}
	for i := range 5 {
		form := sesForm(fmt.Sprintf("Session %d", i))
		if i >= 2 { // three at the same start
			form.Set("start", sesWall(12, 18, 0, "Europe/Berlin"))
			form.Set("end", sesWall(12, 19, 0, "Europe/Berlin"))
		}
		id := sesCreate(t, org, first, form)
		sesRSVP(t, org, id, "yes")
	}
	api := newAPICaller(t, app, makeToken(t, org, "pages", "read", ""))
	for _, list := range []string{"/api/v1/groups?q=paged", "/api/v1/me/sessions", "/api/v1/me/rsvps"} {
		for _, limit := range []int{1, 2, 3, 5} {
			seen := map[string]bool{}
			path := fmt.Sprintf("%s%slimit=%d", list, map[bool]string{true: "&", false: "?"}[strings.Contains(list, "?")], limit)
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatalf("%s: more than 10 pages", path)
				}
				page := api.get(path).JSON(t)
				for _, it := range page["items"].([]any) {
					m := it.(map[string]any)
					key := fmt.Sprint(m["id"], m["session_id"])
					if seen[key] {
						t.Fatalf("%s: %s twice", path, key)
					}
					seen[key] = true
				}
				next, ok := page["next_cursor"].(string)
				if !ok {
					break
				}
				path = fmt.Sprintf("%s%slimit=%d&cursor=%s", list, map[bool]string{true: "&", false: "?"}[strings.Contains(list, "?")], limit, url.QueryEscape(next))
			}
			if len(seen) != 5 {
				t.Errorf("%s limit %d: %d items, want 5", list, limit, len(seen))
			}
		}
	}
}

// API lists keep the page budget: the token and the first reads in one
// round trip, the token's rate limit in one, the items in one. A group
// and a session stay within it too.
func TestAPIListsStayWithinThreeRoundTrips(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "api-budget", nil)
	var id string
	for i := range 3 {
		id = sesCreate(t, org, g, sesForm(fmt.Sprintf("Budget %d", i)))
		sesRSVP(t, org, id, "yes")
	}
	api := newAPICaller(t, app, makeToken(t, org, "budget", "read", ""))
	for _, c := range []struct{ route, path string }{
		{"/api/v1/groups", "/api/v1/groups?q=api+budget&topic=go&city=Berlin&online=true&sort=soonest"},
		{"/api/v1/me/sessions", "/api/v1/me/sessions"},
		{"/api/v1/me/rsvps", "/api/v1/me/rsvps"},
		{"/api/v1/groups/:slug", "/api/v1/groups/" + g.Slug},
		{"/api/v1/sessions/:id", "/api/v1/sessions/" + id},
	} {
		api.get(c.path) // warms the pool and the slug
		sum, n := app.RoundTrips(t, http.MethodGet, c.route)
		if r := api.get(c.path); r.Status != http.StatusOK {
			t.Fatalf("%s: %d", c.path, r.Status)
		}
		after, m := app.RoundTrips(t, http.MethodGet, c.route)
		if m != n+1 {
			t.Fatalf("%s: %d requests recorded, want %d", c.route, m, n+1)
		}
		if trips := int(after - sum); trips > 3 {
			t.Errorf("%s: %d round trips, want at most 3", c.path, trips)
		}
	}
	// A search asked before, right after the index changed.
	api.get("/api/v1/groups?q=api+budget")
	sesGroup(t, app, org, "api-budget-too", nil)
	sum, _ := app.RoundTrips(t, http.MethodGet, "/api/v1/groups")
	if r := api.get("/api/v1/groups?q=api+budget"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "api-budget-too") {
		t.Fatalf("groups after a new one: %d %s", r.Status, r.Body)
	}
	if after, _ := app.RoundTrips(t, http.MethodGet, "/api/v1/groups"); int(after-sum) > 3 {
		t.Errorf("groups right after the index changed: %d round trips, want at most 3", int(after-sum))
	}
}

// Each token has its own rate limit, answered with 429 and Retry-After.
func TestAPIRateLimitIsPerToken(t *testing.T) {
	app := apptest.Start(t, apptest.Options{APIRateLimit: ratelimit.Limit{Max: 3, Per: time.Hour}})
	mia := sesSignIn(t, app, "Mia Member", "mia@example.com")
	busy := newAPICaller(t, app, makeToken(t, mia, "busy", "read", ""))
	calm := newAPICaller(t, app, makeToken(t, mia, "calm", "read", ""))
	for i := range 3 {
		if r := busy.get("/api/v1/me/rsvps"); r.Status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, r.Status)
		}
	}
	r := busy.get("/api/v1/me/rsvps")
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth request: %d, Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	if r := calm.get("/api/v1/me/rsvps"); r.Status != http.StatusOK {
		t.Fatalf("another token: %d", r.Status)
	}
}

// The token form says what is wrong, keeps what was typed and stores
// nothing; the OpenAPI document needs no token.
func TestTokenFormRefusesBadInput(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	mia := sesSignIn(t, app, "Mia Member", "mia@example.com")
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"token_name": {""}, "token_scope": {"read"}}, "Give the token a name"},
		{url.Values{"token_name": {"x"}, "token_scope": {"admin"}}, "Choose what the token may do"},
		{url.Values{"token_name": {"my script"}, "token_scope": {"read"}, "token_expires": {"2001-01-01"}}, "after today"},
		{url.Values{"token_name": {"my script"}, "token_scope": {"read"}, "token_expires": {"soon"}}, "YYYY-MM-DD"},
	} {
		r := mia.PostForm("/profile", "/profile/tokens", c.form)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d", c.form, r.StatusCode)
		}
		sesContains(t, "token form", r.Body, c.want, `value="`+c.form.Get("token_name")+`"`)
		sesLacks(t, "token form", r.Body, `id="new-token"`)
	}
	list, err := app.Tokens.List(context.Background(), mia.User.ID)
	if err != nil || len(list) != 0 {
		t.Fatalf("tokens stored from bad input: %v %v", list, err)
	}
	if r := newAPICaller(t, app, "").get("/api/v1/openapi.json"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"openapi": "3.1.0"`) {
		t.Fatalf("openapi.json: %d", r.Status)
	}
}

// The profile page's token section costs no round trip of its own: the
// page stays within the budget of three.
func TestProfileWithTokensStaysWithinThreeRoundTrips(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	sesGroup(t, app, org, "profile-budget", nil)
	makeToken(t, org, "one", "read", "")
	makeToken(t, org, "two", "rsvp", "")
	if n := pageTrips(t, app, org.Client, "/profile", "/profile"); n > 3 {
		t.Errorf("/profile: %d round trips, want at most 3", n)
	}
}
