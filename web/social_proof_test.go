package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// Anyone who may see a session sees how many are going, signed out too;
// only signed-in members see who.
func TestEveryoneSeesHowManyAreGoingMembersSeeWho(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	for _, vis := range []groups.Visibility{groups.Public, groups.Unlisted} {
		t.Run(string(vis), func(t *testing.T) {
			g := sesGroup(t, app, org, "proof-"+string(vis), func(in *groups.Input) { in.Visibility = vis })
			id := sesCreate(t, org, g, sesForm("Counting heads"))
			anon := app.NewClient(t)
			sesContains(t, "the page before anyone RSVPs", anon.Get("/s/"+id).Body, "Nobody has said they&#39;re going yet.")
			names := []string{"Ana Attendee " + string(vis), "Ben Attendee " + string(vis), "Cy Attendee " + string(vis)}
			for _, n := range names {
				p := sesSignIn(t, app, n, "")
				sesJoin(t, app, g, p)
				sesRSVP(t, p, id, "yes")
			}
			outsider := sesSignIn(t, app, "Otto Outsider "+string(vis), "")
			for who, c := range map[string]*apptest.Client{"a signed-out visitor": anon, "a signed-in non-member": outsider.Client} {
				r := c.Get("/s/" + id)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d", who, r.StatusCode)
				}
				sesContains(t, who, r.Body, `<p class="going-count"><strong>3 going</strong></p>`)
				sesLacks(t, who, r.Body, names...)
			}
			member := sesSignIn(t, app, "Mo Member "+string(vis), "")
			sesJoin(t, app, g, member)
			sesContains(t, "a member", member.Get("/s/"+id).Body, "3 going", `id="going-h"`, names[0], names[1], names[2])
		})
	}
}

// The profile switch keeps someone off the attendee list other members
// see; they still count, see themselves, and organizers see them on the
// page, the attendee page and the CSV.
func TestHideFromAttendeeLists(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "hide", nil)
	id := sesCreate(t, org, g, sesForm("Quiet attendance"))
	shy := sesSignIn(t, app, "Shira Shy", "")
	other := sesSignIn(t, app, "Omar Other", "")
	for _, p := range []sesPerson{shy, other} {
		sesJoin(t, app, g, p)
		sesRSVP(t, p, id, "yes")
	}
	setHidden := func(on bool) {
		t.Helper()
		form := url.Values{"name": {"Shira Shy"}, "tz": {"Europe/Berlin"}, "reminder_hours": {"24"}, "announce_group": {g.ID}}
		if on {
			form.Set("hide_from_attendees", "on")
		}
		r := shy.PostForm("/profile", "/profile", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save profile: %d\n%s", r.StatusCode, r.Body)
		}
	}
	setHidden(true)
	sesContains(t, "the profile", shy.Get("/profile").Body, `name="hide_from_attendees" aria-describedby="hide-hint" checked`)

	page := other.Get("/s/" + id).Body
	sesContains(t, "another member's view", page, "2 going", "Omar Other")
	sesLacks(t, "another member's view", page, "Shira Shy")
	sesContains(t, "her own view", shy.Get("/s/"+id).Body, "Shira Shy", "Other members do not see you on this list")
	sesLacks(t, "another member's view", page, "Other members do not see you on this list")
	for what, path := range map[string]string{"session page": "/s/" + id, "attendee page": "/s/" + id + "/attendees", "CSV": "/s/" + id + "/attendees.csv"} {
		sesContains(t, "the organizer's "+what, org.Get(path).Body, "Shira Shy")
	}

	setHidden(false)
	sesContains(t, "another member's view after she shows herself again", other.Get("/s/"+id).Body, "Shira Shy", "2 going")
	sesLacks(t, "the profile after switching back", shy.Get("/profile").Body, `aria-describedby="hide-hint" checked`)
}
