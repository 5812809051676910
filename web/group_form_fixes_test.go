package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// Hosting a group: an empty form names only the fields to fill (not the
// address the hint says to leave empty), the description can be
// previewed without saving (scripts stripped), topics in use are
// suggested, and announcing in a group with nobody else says so.
func TestHostingAGroupForm(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	sesGroup(t, app, org, "existing", nil) // topic "go" in use

	r := org.PostForm("/groups/new", "/groups", url.Values{"name": {""}, "slug": {""}, "description": {""}})
	if r.StatusCode != http.StatusUnprocessableEntity || strings.Contains(r.Body, "Choose an address for the group") || !strings.Contains(r.Body, `id="name-error"`) {
		t.Errorf("an empty form: %d, address error shown: %v", r.StatusCode, strings.Contains(r.Body, "Choose an address"))
	}
	if strings.Contains(r.Body, `href="/groups" aria-current="page"`) {
		t.Error("the refused form marks Discover as the page in the menu")
	}
	form := url.Values{"name": {"Preview Club"}, "description": {"We **pair**.<script>alert(1)</script>"}, "topics": {"go"}, "paths": {"architecture"},
		"city": {"Berlin"}, "preview": {"1"}}
	r = org.PostForm("/groups/new", "/groups", form)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "<strong>pair</strong>") || strings.Contains(r.Body, "<script>alert(1)") {
		t.Errorf("preview: %d", r.StatusCode)
	}
	if g, _ := app.Groups.SlugID(t.Context(), "preview-club", true); g != "" {
		t.Error("the preview stored the group")
	}
	body := org.Get("/groups/new").Body
	if !strings.Contains(body, `<datalist id="topics-in-use"><option value="go">`) {
		t.Error("topics in use are not suggested")
	}

	alone := sesGroup(t, app, org, "alone", nil)
	id := sesCreate(t, org, alone, sesForm("Just me"))
	r = org.PostForm("/s/"+id, "/s/"+id+"/announce", nil)
	sesContains(t, "announcing alone", org.Follow(r).Body, "Your group has no other members yet — invite people")
}
