package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestMenteeFindsAMentorWhoAccepts(t *testing.T) {
	w := newWorld(t)

	// Another mentor, set up over HTTP, so the suggestions have a choice.
	other := w.memberOverHTTP(t, "Finn Frontend", "finn@example.com")
	r := other.PostForm("/mentors/profile/mentor", "/mentors/profile/mentor", url.Values{
		"skills": {"react:5, css:4, go:2"}, "paths": {"frontend"}, "years": {"6"}, "languages": {"English"},
		"time_zone": {"America/New_York"}, "hours_per_week": {"1"}, "slots": {"6-morning"}, "capacity": {"1"},
		"bio": {"I build design systems."},
	})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("Finn's mentor profile: %d\n%s", r.StatusCode, r.Body)
	}

	// Ana offers mentoring in the browser.
	ana := newPerson(t)
	w.devSignIn(ana, "Ana Alvarez", "ana@example.com")
	ana.open(w.app.URL + "/mentors/profile/mentor")
	ana.checkA11y("mentor profile form")
	// Fields side by side keep to the top of their row: a hint under one
	// does not stretch the other.
	tops := eval[[]float64](ana, "row tops", `["#languages", "#time_zone"].map(s => document.querySelector(s).getBoundingClientRect().top)`)
	if tops[0] != tops[1] {
		t.Errorf("e2e: the languages field starts at %.0f px and the time zone beside it at %.0f px", tops[0], tops[1])
	}
	ana.fill(map[string]string{
		"#skills":         "go:5, kubernetes:4, postgresql:3",
		"#years":          "11",
		"#languages":      "English, Spanish",
		"#time_zone":      sessionZone,
		"#hours_per_week": "3",
		"#capacity":       "2",
		"#bio":            "Staff engineer; I have run Go services on Kubernetes since 2016.",
	})
	ana.tick(`input[name=paths][value=backend]`, `input[name=paths][value=architecture]`,
		`input[name=slots][value="2-evening"]`, `input[name=slots][value="4-evening"]`, `input[name=available_now]`)
	ana.click(`form[action="/mentors/profile/mentor"] button[type=submit]`)
	ana.see("Your mentor profile is saved", "taking mentees", "0 of 2 seats taken")

	// Mia says what she wants to learn and gets explained suggestions.
	mia := newPerson(t)
	w.devSignIn(mia, "Mia Müller", "mia@example.com")
	mia.open(w.app.URL + "/mentors/profile/mentee")
	mia.checkA11y("mentee profile form")
	mia.fill(map[string]string{
		"#goals":          "Move from PHP to Go and run my services on Kubernetes with confidence.",
		"#path":           "backend",
		"#want_skills":    "Go, Kubernetes",
		"#languages":      "English, German",
		"#time_zone":      sessionZone,
		"#hours_per_week": "2",
	})
	mia.tick(`input[name=slots][value="2-evening"]`)
	mia.click(`form[action="/mentors/profile/mentee"] button[type=submit]`)
	mia.open(w.app.URL + "/mentors/suggestions")
	mia.see("Ana Alvarez", "Finn Frontend", "How you match:")
	first := mia.text()
	if strings.Index(first, "Ana Alvarez") > strings.Index(first, "Finn Frontend") {
		t.Fatalf("Ana (Go, Kubernetes, backend, same zone) is ranked below Finn (React):\n%s", first)
	}
	why, err := chromedp.Run(mia.ctx, chromedp.Text(chromedp.CSS(`li.suggestion:first-child .why`)))
	if err != nil {
		mia.fail("read the first reason", err)
	}
	if !strings.Contains(strings.ToLower(why), "go") {
		t.Fatalf("the reason for Ana does not mention Go: %q", why)
	}
	mia.checkA11y("mentor suggestions")
	mia.screenshot("mentors")

	// She asks Ana.
	anaID := w.userID(t, "ana@example.com")
	ask := `li.suggestion:has(input[name=mentor][value="` + anaID + `"])`
	mia.do("open the request form", chromedp.Click(chromedp.CSS(ask+` details.ask summary`)))
	mia.fill(map[string]string{"#message-" + anaID: "Could we meet every other Tuesday evening? I want to ship my first Go service."})
	mia.click(ask + ` button[type=submit]`)
	mia.see("Your request to Ana Alvarez", "every other Tuesday")
	request := mia.location()
	if !strings.Contains(request, "/mentors/requests/") {
		t.Fatalf("sending the request led to %s", request)
	}
	mia.checkA11y("request (mentee)")

	// Ana sees it, accepts, and both see the mentorship.
	ana.open(w.app.URL + "/mentors")
	ana.see("Requests to you", "Mia Müller")
	ana.open(request)
	ana.see("Request from Mia Müller", "Move from PHP to Go")
	ana.checkA11y("request (mentor)")
	ana.click(`form[action$="/accept"] button[type=submit]`)
	ana.see("You accepted", "Mentoring Mia Müller", "running")
	ana.checkA11y("mentorship")
	ana.open(w.app.URL + "/mentors")
	ana.see("My mentees", "Mia Müller", "1 of 2 seats taken")
	mia.open(w.app.URL + "/mentors")
	mia.see("My mentors", "Ana Alvarez")
	mia.checkA11y("mentoring home")
}

// tick clicks each checkbox sel.
func (p *person) tick(sels ...string) {
	p.t.Helper()
	for _, sel := range sels {
		p.do("tick "+sel, chromedp.Click(chromedp.CSS(sel)))
	}
}
