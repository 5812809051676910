package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

func TestAttendeesRemoveApproveCapacityAndCSV(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Edsger Dijkstra", "")
	g := sesGroup(t, app, org, "structured", nil)
	evil := sesSignIn(t, app, "=HYPERLINK(\"http://evil.example\")", "")
	plus := sesSignIn(t, app, "+Plus Person", "plus@mail.example")
	waiter := sesSignIn(t, app, "@Waiting Walter", "")
	asker := sesSignIn(t, app, "Asking Alice", "")
	for _, p := range []sesPerson{evil, plus, waiter, asker} {
		sesJoin(t, app, g, p)
	}
	form := sesForm("Goto considered harmful")
	form.Set("capacity", "2")
	id := sesCreate(t, org, g, form)
	for _, p := range []sesPerson{evil, plus, waiter} {
		sesRSVP(t, p, id, "yes")
	}

	page := org.Get("/s/" + id + "/attendees")
	sesContains(t, "attendees page", page.Body, "Going (2)", "Waitlist (1)", "&#43;Plus Person", "plus@mail.example",
		"=HYPERLINK(&#34;http://evil.example&#34;)", "@Waiting Walter", "Check-in opens")

	r := org.Get("/s/" + id + "/attendees.csv")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV: %d %q %q", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, r.Body)
	}
	want := [][]string{
		{"Name", "Email", "Status", "Checked in", "Guest"},
		{`'=HYPERLINK("http://evil.example")`, "hyperlink-http-evil-example@dev.focusgroups.test", "going", "no", "no"},
		{"'+Plus Person", "plus@mail.example", "going", "no", "no"},
		{"'@Waiting Walter", "waiting-walter@dev.focusgroups.test", "waitlisted", "no", "no"},
	}
	if len(rows) != len(want) {
		t.Fatalf("CSV has %d rows, want %d:\n%s", len(rows), len(want), r.Body)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("CSV row %d = %q, want %q", i, rows[i], want[i])
		}
	}

	// Raising the capacity seats the waitlist; bad capacities are shown next to the field.
	for _, bad := range []string{"0", "-1", "lots", "20000"} {
		r := org.PostForm("/s/"+id+"/attendees", "/s/"+id+"/capacity", url.Values{"capacity": {bad}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="capacity-error"`) || !strings.Contains(r.Body, `value="`+bad+`"`) {
			t.Errorf("capacity %q: %d, want 422 with the field error and the input kept", bad, r.StatusCode)
		}
	}
	page = org.Follow(org.PostForm("/s/"+id+"/attendees", "/s/"+id+"/capacity", url.Values{"capacity": {"3"}}))
	sesContains(t, "after raising capacity", page.Body, "now has 3 seats", "Going (3)", "Waitlist (0)")
	if st := sesStatus(t, app, id, waiter.User.ID); st.Status != "going" {
		t.Fatalf("raising capacity did not promote the waitlist: %+v", st)
	}

	// Removing someone frees the seat and keeps them out.
	page = org.Follow(org.PostForm("/s/"+id+"/attendees", "/s/"+id+"/attendees/"+plus.User.ID+"/remove", nil))
	sesContains(t, "after removing", page.Body, "&#43;Plus Person is removed", "Going (2)")
	page = sesRSVP(t, plus, id, "yes")
	sesContains(t, "removed person RSVPs again", page.Body, "removed you from this session")

	// Check-in opens an hour before the start.
	page = org.Follow(org.PostForm("/s/"+id+"/attendees", "/s/"+id+"/attendees/"+evil.User.ID+"/checkin", url.Values{"present": {"1"}}))
	sesContains(t, "early check-in", page.Body, "Check-in opens an hour before")
	if st := sesStatus(t, app, id, evil.User.ID); st.CheckedIn {
		t.Fatal("checked in a week early")
	}

	// Approval: a session that needs it puts RSVPs on hold until approved.
	form = sesForm("Reviewed session")
	form.Set("approval", "on")
	rid := sesCreate(t, org, g, form)
	page = sesRSVP(t, asker, rid, "yes")
	sesContains(t, "request", page.Body, "with the organizers", `<span class="rsvp-state">Seat requested</span>`)
	sesContains(t, "pending list", org.Get("/s/"+rid+"/attendees").Body, "Awaiting approval (1)", "Asking Alice")
	page = org.Follow(org.PostForm("/s/"+rid+"/attendees", "/s/"+rid+"/attendees/"+asker.User.ID+"/approve", nil))
	sesContains(t, "approved", page.Body, "Asking Alice is approved and has a seat", "Going (1)")
	page = org.Follow(org.PostForm("/s/"+rid+"/attendees", "/s/"+rid+"/attendees/"+waiter.User.ID+"/approve", nil))
	sesContains(t, "approving someone who never asked", page.Body, "no request awaiting approval")
	if r := org.PostForm("/s/"+rid+"/attendees", "/s/"+rid+"/attendees/"+asker.User.ID+"/promote", nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown attendee action: %d", r.StatusCode)
	}
}

func TestCheckInShortlyBeforeTheStart(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Fran Allen", "")
	g := sesGroup(t, app, org, "compilers", nil)
	guest := sesSignIn(t, app, "Optimizing Olga", "")
	sesJoin(t, app, g, guest)
	form := sesForm("Starts soon")
	form.Set("timezone", "UTC")
	form.Set("start", time.Now().UTC().Add(30*time.Minute).Format("2006-01-02T15:04"))
	form.Set("end", time.Now().UTC().Add(90*time.Minute).Format("2006-01-02T15:04"))
	id := sesCreate(t, org, g, form)
	sesRSVP(t, guest, id, "yes")

	page := org.Get("/s/" + id + "/attendees")
	sesLacks(t, "attendees page", page.Body, "Check-in opens")
	page = org.Follow(org.PostForm("/s/"+id+"/attendees", "/s/"+id+"/attendees/"+guest.User.ID+"/checkin", url.Values{"present": {"1"}}))
	sesContains(t, "after check-in", page.Body, "Optimizing Olga is checked in", "checked in</span>", "Undo check-in")
	if st := sesStatus(t, app, id, guest.User.ID); !st.CheckedIn {
		t.Fatal("check-in not stored")
	}
	sesContains(t, "the checked-in person's page", guest.Get("/s/"+id).Body, "You&#39;re going", "You are checked in.")
	rows, _ := csv.NewReader(strings.NewReader(org.Get("/s/" + id + "/attendees.csv").Body)).ReadAll()
	if len(rows) != 2 || rows[1][3] != "yes" {
		t.Fatalf("CSV after check-in: %q", rows)
	}
	page = org.Follow(org.PostForm("/s/"+id+"/attendees", "/s/"+id+"/attendees/"+guest.User.ID+"/checkin", url.Values{"present": {"0"}}))
	sesContains(t, "after undo", page.Body, "no longer checked in")
	if st := sesStatus(t, app, id, guest.User.ID); st.CheckedIn {
		t.Fatal("undo check-in not stored")
	}
	page = guest.Get("/s/" + id)
	sesContains(t, "guest's page", page.Body, "You&#39;re going")
	sesLacks(t, "guest's page after the undo", page.Body, "You are checked in.")
}
