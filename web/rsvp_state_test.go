package web_test

import (
	"context"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// Each RSVP state offers its own buttons, in the same words on the
// session page and on the cards of the group page.
func TestRSVPStatesReadTheSameOnPageAndCards(t *testing.T) {
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Olga Organizer", "olga@example.com")
	g := sesGroup(t, app, org, "states", nil)
	form := sesForm("Two seats only")
	form.Set("capacity", "2")
	full := sesCreate(t, org, g, form)
	approved := sesForm("Ask first")
	approved.Set("approval", "on")
	ask := sesCreate(t, org, g, approved)
	people := map[string]sesPerson{}
	for _, name := range []string{"Ada Going", "Ben Going", "Cy Waiting", "Di Waiting", "Ed Declined", "Fay Fresh"} {
		people[name] = sesSignIn(t, app, name, "")
		sesJoin(t, app, g, people[name])
	}
	for _, name := range []string{"Ada Going", "Ben Going", "Cy Waiting", "Di Waiting"} {
		sesRSVP(t, people[name], full, "yes")
	}
	sesRSVP(t, people["Ed Declined"], full, "no")

	page := func(p sesPerson, id string) string { return p.Get("/s/" + id).Body }
	const waitlistNote = "new RSVPs join the waitlist"

	fresh := page(people["Fay Fresh"], full)
	sesContains(t, "a full session, not answered", fresh, `value="yes">Join the waitlist</button>`, `class="button secondary" type="submit" name="going" value="yes"`, waitlistNote)
	sesLacks(t, "a full session, not answered", fresh, `value="yes">Going</button>`)

	seated := page(people["Ada Going"], full)
	sesContains(t, "someone with a seat", seated, "You&#39;re going", `value="no">Not going</button>`, "Full (2 seats)")
	sesLacks(t, "someone with a seat", seated, waitlistNote, `value="yes">`)

	second := page(people["Di Waiting"], full)
	sesContains(t, "second on the waitlist", second, `#2 on the waitlist</span> · `, `value="no">Leave the waitlist</button>`)
	sesLacks(t, "second on the waitlist", second, waitlistNote, `value="yes">`, `>Not going</button>`)

	declined := page(people["Ed Declined"], full)
	sesContains(t, "someone who said no", declined, "Changed your mind?", `value="yes">Join the waitlist</button>`)
	sesLacks(t, "someone who said no", declined, `>Not going</button>`)

	host := page(org, full)
	sesContains(t, "the organizer", host, `<span class="rsvp-state">You&#39;re hosting</span>`)
	sesLacks(t, "the organizer", host, `value="yes">`, `>Not going</button>`)

	sesContains(t, "approval needed", page(people["Fay Fresh"], ask), `value="yes">Request a seat</button>`)
	sesRSVP(t, people["Fay Fresh"], ask, "yes")
	sesContains(t, "a seat requested", page(people["Fay Fresh"], ask), "Seat requested", `value="no">Withdraw your request</button>`)

	cards := people["Ada Going"].Get("/g/" + g.Slug).Body
	sesContains(t, "the cards of someone with a seat", cards, "You&#39;re going", "Full (2 seats)")
	sesLacks(t, "the cards of someone with a seat", cards, waitlistNote)
	sesContains(t, "the cards of someone waiting", people["Di Waiting"].Get("/g/"+g.Slug).Body, "#2 on the waitlist")
	sesContains(t, "the cards of the organizer", org.Get("/g/"+g.Slug).Body, "You&#39;re hosting")

	// The RSVP-link pages of an emailed invitation use the same words.
	linkPage := func(p sesPerson, id, answer string) string {
		t.Helper()
		ev, err := app.Events.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		token, err := app.Events.IssueRSVPToken(context.Background(), ev, p.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		return app.NewClient(t).Get("/rsvp/" + token + "?answer=" + answer).Body
	}
	sesContains(t, "a full session's going link", linkPage(people["Ed Declined"], full, "going"), `type="submit">Join the waitlist</button>`, waitlistNote)
	leave := linkPage(people["Cy Waiting"], full, "not-going")
	sesContains(t, "a waitlisted person's not-going link", leave, `type="submit">Leave the waitlist</button>`, "Full (2 seats)")
	sesLacks(t, "a waitlisted person's not-going link", leave, waitlistNote)
	sesContains(t, "an approval session's going link", linkPage(people["Ada Going"], ask, "going"), `type="submit">Request a seat</button>`)
	sesContains(t, "a not-going link before answering", linkPage(people["Ben Going"], ask, "not-going"), `type="submit">Confirm: I'm not going</button>`)
}
