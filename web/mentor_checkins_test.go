package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

var checkInLink = regexp.MustCompile(`(/checkin/[a-z0-9.]+)\?answer=stuck`)

// The mentor sets a cadence; when the sweep finds a check-in due, both
// get a mail whose links open a confirm page that records nothing until
// its button is pressed; the mentor then sees the answer.
func TestMentorshipCheckInsThroughConfirmedLinks(t *testing.T) {
	t.Parallel()
	srv := apptest.StartSMTP(t)
	app := apptest.Start(t, apptest.Options{SMTPURL: srv.URL()})
	ana, mia, ship := mtrShip(t, app)

	if r := mia.Follow(mia.PostForm(ship, ship+"/checkins", url.Values{"weeks": {"2"}})); !strings.Contains(r.Body, "Only the mentor sets how often") {
		t.Error("the mentee set the cadence")
	}
	if r := ana.Follow(ana.PostForm(ship, ship+"/checkins", url.Values{"weeks": {"5"}})); !strings.Contains(r.Body, "Choose every 2, 3 or 4 weeks, or off.") {
		t.Error("every 5 weeks was taken")
	}
	if r := ana.Follow(ana.PostForm(ship, ship+"/checkins", url.Values{"weeks": {"2"}})); !strings.Contains(r.Body, "Check-ins go out every 2 weeks.") {
		t.Fatal("setting the cadence says nothing")
	}
	mtrHas(t, "the mentee's page", mia.Get(ship).Body, "Every 2 weeks you both get")

	later := time.Now().Add(15 * 24 * time.Hour)
	for range 2 {
		if _, err := app.Mentors.SendCheckIns(context.Background(), later); err != nil {
			t.Fatal(err)
		}
	}
	mail := srv.WaitFor(t, "mia-mentee@dev.focusgroups.test", "How is it going with Ana Mentor?")
	srv.WaitFor(t, "ana-mentor@dev.focusgroups.test", "How is it going with Mia Mentee?")
	app.WaitMailDrained(t)
	checkIns := 0
	for _, m := range srv.Mails() {
		if strings.Contains(m.Subject, "How is it going") {
			checkIns++
		}
	}
	if checkIns != 2 {
		t.Fatalf("%d check-in mails after two sweeps in one period, want 2", checkIns)
	}
	link := checkInLink.FindStringSubmatch(mail.Text)
	if link == nil {
		t.Fatalf("no answer link in:\n%s", mail.Text)
	}
	scanner := app.NewClient(t)
	for range 2 {
		page := scanner.Get(link[0])
		if page.StatusCode != http.StatusOK {
			t.Fatalf("confirm page: %d", page.StatusCode)
		}
		mtrHas(t, "the confirm page", page.Body, "Hi Mia Mentee", "Confirm: Stuck", `method="post"`)
	}
	// The link's limits, then the check-in with the mentorship's people;
	// nothing is written but the limits' counts.
	if n, w := pageCost(t, app, scanner, "/checkin/:token", link[0]); n > 2 || w != 2 {
		t.Errorf("the check-in link's page: %d round trips and %d writes, want at most 2 and the 2 limits", n, w)
	}
	mtrLacks(t, "the mentor's page before confirming", ana.Get(ship).Body, "Mia Mentee: <strong>")

	if r := scanner.Post(link[1], url.Values{"answer": {"meh"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown answer: %d", r.StatusCode)
	}
	tampered := link[1][:len(link[1])-2] + "aa"
	if tampered == link[1] {
		tampered = link[1][:len(link[1])-2] + "bb"
	}
	for _, bad := range []string{tampered, "/checkin/nonsense", "/checkin/" + strings.Repeat("a", 24) + "." + strings.Repeat("b", 52)} {
		if r := scanner.Get(bad); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", bad, r.StatusCode)
		}
		if r := scanner.Post(bad, url.Values{"answer": {"great"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", bad, r.StatusCode)
		}
	}
	r := scanner.Post(link[1], url.Values{"answer": {"stuck"}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", r.StatusCode)
	}
	mtrHas(t, "after confirming", r.Body, "Your answer, <strong>Stuck</strong>, is recorded.")
	mtrHas(t, "the mentor's page", ana.Get(ship).Body, "Mia Mentee: <strong>Stuck</strong>")
	mtrLacks(t, "the mentee's page", mia.Get(ship).Body, "Mia Mentee: <strong>Stuck</strong>")
	mtrHas(t, "the confirm page after answering", scanner.Get(link[1]).Body, "You answered <strong>Stuck</strong>")
}
