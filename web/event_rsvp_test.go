package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

func TestRSVPSeatsWaitlistAndOnlineLink(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Barbara Liskov", "")
	g := sesGroup(t, app, org, "clu-users", nil)
	ann := sesSignIn(t, app, "Ann Going", "")
	bob := sesSignIn(t, app, "Bob Second", "")
	cat := sesSignIn(t, app, "Cat Third", "")
	dan := sesSignIn(t, app, "Dan Fourth", "")
	for _, p := range []sesPerson{ann, bob, cat, dan} {
		sesJoin(t, app, g, p)
	}
	form := sesForm("Data abstraction")
	form.Set("capacity", "2")
	id := sesCreate(t, org, g, form)
	const link = "https://meet.example/secret-room"

	page := ann.Get("/s/" + id)
	sesContains(t, "page before RSVP", page.Body, "2 of 2 seats left", "shown to people who are going", `name="_csrf"`, `value="yes"`, `value="no"`)
	sesLacks(t, "page before RSVP", page.Body, link)

	page = sesRSVP(t, ann, id, "yes")
	sesContains(t, "Ann going", page.Body, "You are going", "1 of 2 seats left", link)
	sesLacks(t, "Bob's page", bob.Get("/s/"+id).Body, link)
	sesRSVP(t, bob, id, "yes")
	page = sesRSVP(t, cat, id, "yes")
	sesContains(t, "Cat waitlisted", page.Body, "number 1 on the waitlist", "Full (2 seats)")
	sesLacks(t, "Cat waitlisted", page.Body, link)
	page = sesRSVP(t, dan, id, "yes")
	sesContains(t, "Dan waitlisted", page.Body, "number 2 on the waitlist")

	// A second "going" keeps the place and counts once.
	page = sesRSVP(t, dan, id, "yes")
	sesContains(t, "Dan again", page.Body, "number 2 on the waitlist")

	// Ann drops out: Cat gets her seat, Dan moves up.
	page = sesRSVP(t, ann, id, "no")
	sesContains(t, "Ann not going", page.Body, "You are not going", `<span class="rsvp-state">Not going</span>`)
	sesLacks(t, "Ann not going", page.Body, link)
	if st := sesStatus(t, app, id, cat.User.ID); st.Status != "going" {
		t.Fatalf("Cat after Ann dropped out: %+v", st)
	}
	sesContains(t, "Cat promoted", cat.Get("/s/"+id).Body, "You&#39;re going", link)
	sesContains(t, "Dan moved up", dan.Get("/s/"+id).Body, "#1 on the waitlist", "Leave the waitlist")
	// Organizers and hosts always see the link; anonymous visitors never.
	sesContains(t, "organizer's page", org.Get("/s/"+id).Body, link)
	anon := app.NewClient(t)
	page = anon.Get("/s/" + id)
	sesContains(t, "anonymous page", page.Body, "Sign in to RSVP")
	sesLacks(t, "anonymous page", page.Body, link)
	if r := anon.Get("/s/" + id + "/calendar.ics"); strings.Contains(r.Body, "secret-room") {
		t.Fatal("the anonymous .ics download carries the online link")
	}
	if r := cat.Get("/s/" + id + "/calendar.ics"); !strings.Contains(r.Body, "secret-room") {
		t.Fatal("the .ics download of someone going lacks the online link")
	}

	if r := bob.PostForm("/s/"+id, "/s/"+id+"/rsvp", url.Values{"going": {"maybe"}}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("going=maybe: %d", r.StatusCode)
	}
	if r := bob.Post("/s/"+id+"/rsvp", url.Values{"going": {"no"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("RSVP without CSRF token: %d", r.StatusCode)
	}
	if st := sesStatus(t, app, id, bob.User.ID); st.Status != "going" {
		t.Fatalf("refused RSVPs changed Bob's: %+v", st)
	}
}

func TestRSVPAndGroupMembership(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Ken Iverson", "ken@acme.example")
	open := sesGroup(t, app, org, "apl-open", nil)
	reviewed := sesGroup(t, app, org, "apl-reviewed", func(in *groups.Input) { in.JoinPolicy = groups.Approval })
	company := sesGroup(t, app, org, "apl-acme", func(in *groups.Input) { in.Domains = []string{"acme.example"} })
	openID := sesCreate(t, org, open, sesForm("Array thinking"))
	reviewedID := sesCreate(t, org, reviewed, sesForm("Reviewed arrays"))
	companyID := sesCreate(t, org, company, sesForm("Acme arrays"))

	guest := sesSignIn(t, app, "Guest Visitor", "guest@mail.example")
	page := guest.Get("/s/" + openID)
	sesContains(t, "open group page", page.Body, "also makes you a member")
	page = sesRSVP(t, guest, openID, "yes")
	sesContains(t, "RSVP in an open public group", page.Body, "You joined Group apl-open", "You are going")
	if r, _ := app.Groups.Role(t.Context(), open.ID, guest.User.ID); !r.IsMember() {
		t.Fatal("RSVPing in an open public group did not join it")
	}

	sesContains(t, "reviewed group page", guest.Get("/s/"+reviewedID).Body, "Join the group")
	page = sesRSVP(t, guest, reviewedID, "yes")
	sesContains(t, "RSVP in a reviewed group", page.Body, "Only members of Group apl-reviewed can RSVP")
	if st := sesStatus(t, app, reviewedID, guest.User.ID); st.Status != "" {
		t.Fatalf("non-member's RSVP stored: %+v", st)
	}
	if r, _ := app.Groups.Role(t.Context(), reviewed.ID, guest.User.ID); r.IsMember() {
		t.Fatal("RSVP joined a group that reviews requests")
	}

	page = sesRSVP(t, guest, companyID, "yes")
	sesContains(t, "RSVP in a company-only group", page.Body, "limited to people with a verified email address at acme.example")
	if st := sesStatus(t, app, companyID, guest.User.ID); st.Status != "" {
		t.Fatalf("outsider's RSVP to a company-only group stored: %+v", st)
	}
	colleague := sesSignIn(t, app, "Colleague", "colleague@acme.example")
	sesContains(t, "colleague RSVP", sesRSVP(t, colleague, companyID, "yes").Body, "You are going")

	// Cancelled sessions take no RSVPs, and the page says so.
	org.Follow(org.PostForm("/s/"+openID, "/s/"+openID+"/cancel", nil))
	late := sesSignIn(t, app, "Late Comer", "")
	page = sesRSVP(t, late, openID, "yes")
	sesContains(t, "RSVP to a cancelled session", page.Body, "This session is cancelled", "Cancelled.")
	if r, _ := app.Groups.Role(t.Context(), open.ID, late.User.ID); r.IsMember() {
		t.Fatal("an RSVP refused for a cancelled session still joined the group")
	}
}

func TestRSVPWindow(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Jean Sammet", "")
	g := sesGroup(t, app, org, "fortran-fans", nil)
	member := sesSignIn(t, app, "Window Watcher", "")
	sesJoin(t, app, g, member)

	early := sesForm("Opens later")
	early.Set("rsvp_opens", sesWall(5, 9, 0, "Europe/Berlin"))
	earlyID := sesCreate(t, org, g, early)
	page := member.Get("/s/" + earlyID)
	sesContains(t, "not yet open", page.Body, "RSVPs open ")
	sesLacks(t, "not yet open", page.Body, `value="yes"`)
	sesContains(t, "RSVP before opening", sesRSVP(t, member, earlyID, "yes").Body, "not open yet")

	late := sesForm("Closed already")
	late.Set("rsvp_closes", sesWall(-1, 9, 0, "Europe/Berlin"))
	lateID := sesCreate(t, org, g, late)
	sesContains(t, "RSVP after closing", sesRSVP(t, member, lateID, "yes").Body, "RSVPs for this session are closed")
	for _, id := range []string{earlyID, lateID} {
		if st := sesStatus(t, app, id, member.User.ID); st.Status != "" {
			t.Fatalf("refused RSVP stored on %s: %+v", id, st)
		}
	}
}

// The session page offers each viewer the buttons of their state.
func TestSessionPageButtonsFollowTheViewersState(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "states", nil)
	f := sesForm("One seat")
	f.Set("capacity", "1")
	id := sesCreate(t, org, g, f)
	ann, bea := sesSignIn(t, app, "Ann Early", ""), sesSignIn(t, app, "Bea Late", "")
	sesJoin(t, app, g, ann)
	sesJoin(t, app, g, bea)
	sesContains(t, "Ann before answering", ann.Get("/s/"+id).Body, `value="yes">Going</button>`, `value="no">Not going</button>`)
	sesRSVP(t, ann, id, "yes")
	body := ann.Get("/s/" + id).Body
	sesContains(t, "Ann with the seat", body, "You&#39;re going", "Full (1 seat)", `value="no">Not going</button>`)
	sesLacks(t, "Ann with the seat", body, "new RSVPs join the waitlist", `value="yes"`)
	body = bea.Get("/s/" + id).Body
	sesContains(t, "Bea before answering", body, `value="yes">Join the waitlist</button>`, "new RSVPs join the waitlist")
	sesLacks(t, "Bea before answering", body, `value="yes">Going</button>`)
	sesRSVP(t, bea, id, "yes")
	sesContains(t, "Bea waitlisted", bea.Get("/s/"+id).Body, "#1 on the waitlist", `value="no">Leave the waitlist</button>`, "You get a seat, and an email, when one frees up.")
	sesRSVP(t, bea, id, "no")
	sesContains(t, "Bea after saying no", bea.Get("/s/"+id).Body, `<span class="rsvp-state">Not going</span>`, "Changed your mind?", `value="yes">Join the waitlist</button>`)
	body = org.Get("/s/" + id).Body
	sesContains(t, "the host", body, "You&#39;re hosting")
	sesLacks(t, "the host", body, `name="going"`)
}
