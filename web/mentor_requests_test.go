package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// mtrAsk sends a request through the suggestions page and returns its ID.
func mtrAsk(t *testing.T, mentee, mentor mtrPerson, message string) string {
	t.Helper()
	r := mentee.PostForm("/mentors", "/mentors/requests", url.Values{"mentor": {mentor.ID}, "message": {message}})
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/mentors/requests/") {
		t.Fatalf("%s asks %s: %d %s\n%s", mentee.Name, mentor.Name, r.StatusCode, loc, r.Body)
	}
	return strings.TrimPrefix(loc, "/mentors/requests/")
}

func TestRequestQuestionAnswerAcceptAndEnd(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	ana := mtrSignIn(t, app, "Ana Mentor", "")
	mtrMentor(t, app, ana, nil)
	mia := mtrSignIn(t, app, "Mia Mentee", "")
	mtrMentee(t, app, mia, func(m *match.MenteeProfile) { m.Goals = "Ship my first <Go> service." })
	olly := mtrSignIn(t, app, "Olly Outsider", "")

	id := mtrAsk(t, mia, ana, "Could you help me with <concurrency>?")
	page := mia.Get("/mentors/requests/" + id)
	mtrHas(t, "mentee's request page", page.Body, "Your request to Ana Mentor", "Could you help me with &lt;concurrency&gt;?", "Waiting for the mentor&#39;s answer", "Withdraw request")
	mtrLacks(t, "mentee's request page", page.Body, "Send question", "/accept")
	page = ana.Get("/mentors/requests/" + id)
	mtrHas(t, "mentor's request page", page.Body, "Request from Mia Mentee", "Ship my first &lt;Go&gt; service.", "wants to learn Go", "Accept Mia Mentee", "Send question", "Decline")
	mtrLacks(t, "mentor's request page", page.Body, "Withdraw request")
	mtrHas(t, "mentor's dashboard", ana.Get("/mentors").Body, "Requests to you", "Mia Mentee", "waiting for your answer", "/mentors/requests/"+id)
	mtrHas(t, "mentee's dashboard", mia.Get("/mentors").Body, "Your requests", "Ana Mentor", "waiting for the mentor")

	// Only the two people involved see or act on the request.
	if r := olly.Get("/mentors/requests/" + id); r.StatusCode != http.StatusForbidden {
		t.Errorf("outsider sees the request: %d", r.StatusCode)
	}
	for _, action := range []string{"accept", "decline", "question", "answer", "withdraw"} {
		if r := olly.PostForm("/mentors", "/mentors/requests/"+id+"/"+action, url.Values{"question": {"?"}, "answer": {"!"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("outsider %s: %d", action, r.StatusCode)
		}
	}
	if r := mia.PostForm("/mentors", "/mentors/requests/"+id+"/accept", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("mentee accepts her own request: %d", r.StatusCode)
	}
	if r := ana.PostForm("/mentors", "/mentors/requests/"+id+"/withdraw", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("mentor withdraws the mentee's request: %d", r.StatusCode)
	}
	if r := mia.Get("/mentors/requests/" + strings.Repeat("a", len(id))); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown request: %d", r.StatusCode)
	}

	// A question needs words; the answer too.
	r := ana.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/question", url.Values{"question": {" "}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty question: %d", r.StatusCode)
	}
	mtrHas(t, "empty question", r.Body, "write a question", `id="question-error"`, `aria-describedby="question-error"`)
	long := strings.Repeat("q", 2001)
	r = ana.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/question", url.Values{"question": {long}})
	mtrHas(t, "long question", r.Body, "at most 2000 characters", long)
	page = ana.Follow(ana.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/question", url.Values{"question": {"How many hours a week?"}}))
	mtrHas(t, "after the question", page.Body, "Your question is sent", "How many hours a week?", "Waiting for the mentee&#39;s answer")

	page = mia.Get("/mentors/requests/" + id)
	mtrHas(t, "mentee sees the question", page.Body, "The mentor asked you a question", "Send answer")
	mtrHas(t, "mentee's dashboard", mia.Get("/mentors").Body, "the mentor asked you a question")
	if r := mia.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/answer", url.Values{"answer": {""}}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "write an answer") {
		t.Fatalf("empty answer: %d", r.StatusCode)
	}
	page = mia.Follow(mia.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/answer", url.Values{"answer": {"Two, on Tuesdays."}}))
	mtrHas(t, "after the answer", page.Body, "Your answer is sent", "Two, on Tuesdays.")

	r = ana.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/accept", nil)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/mentors/mentorships/") {
		t.Fatalf("accept: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	ship := r.Header.Get("Location")
	mtrHas(t, "mentorship page", ana.Follow(r).Body, "You accepted", "Mentoring Mia Mentee", "End mentorship")
	mtrHas(t, "mentee's mentorship page", mia.Get(ship).Body, "Ana Mentor, your mentor", "running", `href="mailto:ana-mentor@dev.focusgroups.test"`)
	mtrHas(t, "mentor's mentoring page", ana.Get("/mentors").Body, "My mentees", "Mia Mentee", "1 of 2 seats taken")
	mtrHas(t, "mentee's mentoring page", mia.Get("/mentors").Body, "My mentors", "Ana Mentor")
	mtrHas(t, "request after accepting", mia.Get("/mentors/requests/"+id).Body, "Accepted: the mentorship has started", ship)
	if r := olly.Get(ship); r.StatusCode != http.StatusNotFound {
		t.Errorf("outsider sees the mentorship: %d", r.StatusCode)
	}
	if r := olly.PostForm("/mentors", ship+"/end", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("outsider ends the mentorship: %d", r.StatusCode)
	}
	if r := ana.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/accept", nil); !strings.Contains(ana.Follow(r).Body, "already answered") {
		t.Error("accepting twice says nothing")
	}

	// Either side ends it, with optional feedback.
	r = mia.PostForm(ship, ship+"/end", url.Values{"feedback": {strings.Repeat("f", 2001)}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="feedback-error"`) {
		t.Fatalf("long feedback: %d", r.StatusCode)
	}
	page = mia.Follow(mia.PostForm(ship, ship+"/end", url.Values{"feedback": {"Thank you!"}}))
	mtrHas(t, "after ending", page.Body, "The mentorship has ended")
	mtrLacks(t, "mentee's page after ending", page.Body, "My mentors")
	mtrLacks(t, "mentor's page after ending", ana.Get("/mentors").Body, "My mentees")
	mtrHas(t, "ended mentorship", ana.Get(ship).Body, "ended", "by Mia Mentee")
	if r := ana.PostForm("/mentors", ship+"/end", nil); !strings.Contains(ana.Follow(r).Body, "already ended") {
		t.Error("ending twice says nothing")
	}
}

func TestRequestDeclineWithdrawAndRefusals(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	mentorsByName := map[string]mtrPerson{}
	for _, name := range []string{"Ana", "Bob", "Carl", "Dan", "Eve", "Fay"} {
		p := mtrSignIn(t, app, name+" Mentor", "")
		mtrMentor(t, app, p, nil)
		mentorsByName[name] = p
	}
	paused := mtrSignIn(t, app, "Pat Paused", "")
	mtrMentor(t, app, paused, nil)
	if err := app.Mentors.SetPaused(context.Background(), paused.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	mia := mtrSignIn(t, app, "Mia Mentee", "")
	mtrMentee(t, app, mia, nil)
	ana, bob := mentorsByName["Ana"], mentorsByName["Bob"]

	// Declined, with a note; the mentee is pointed at other mentors.
	id := mtrAsk(t, mia, ana, "Hello Ana")
	page := ana.Follow(ana.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/decline", url.Values{"reply": {"I am full this term."}}))
	mtrHas(t, "after declining", page.Body, "You declined this request")
	page = mia.Get("/mentors/requests/" + id)
	mtrHas(t, "declined request", page.Body, "Declined.", "I am full this term.", "See other mentors")
	mtrLacks(t, "declined request", page.Body, "Withdraw request")

	// Withdrawn; the mentor can no longer accept.
	id = mtrAsk(t, mia, bob, "Hello Bob")
	page = mia.Follow(mia.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/withdraw", nil))
	mtrHas(t, "after withdrawing", page.Body, "You withdrew this request", "Withdrawn by the mentee")
	page = bob.Follow(bob.PostForm("/mentors/requests/"+id, "/mentors/requests/"+id+"/accept", nil))
	mtrHas(t, "accepting a withdrawn request", page.Body, "The mentee withdrew this request.")
	mtrLacks(t, "bob's mentoring page", bob.Get("/mentors").Body, "My mentees")

	ask := func(who mtrPerson, mentorID string) string {
		r := who.PostForm("/mentors/suggestions", "/mentors/requests", url.Values{"mentor": {mentorID}, "message": {"Please?"}, "back": {"/mentors/suggestions?skill=go"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("ask: %d\n%s", r.StatusCode, r.Body)
		}
		return who.Follow(r).Body
	}
	mtrHas(t, "request to a paused mentor", ask(mia, paused.ID), "This mentor is paused.")

	mtrAsk(t, mia, mentorsByName["Carl"], "One")
	mtrHas(t, "second request to one mentor", ask(mia, mentorsByName["Carl"].ID), "You already have an open request to this mentor.", `value="go"`)
	mtrAsk(t, mia, mentorsByName["Dan"], "Two")
	mtrAsk(t, mia, mentorsByName["Eve"], "Three")
	mtrHas(t, "fourth open request", ask(mia, mentorsByName["Fay"].ID), "Too many open requests: wait for an answer or withdraw one.")

	mtrMentee(t, app, ana, nil)
	mtrHas(t, "request to oneself", ask(ana, ana.ID), "You cannot ask yourself to be your mentor.")
	noProfile := mtrSignIn(t, app, "Nora Noprofile", "")
	mtrHas(t, "request without a mentee profile", ask(noProfile, ana.ID), "Fill in your mentee profile before asking a mentor.")

	pending, err := app.Mentors.PendingOut(context.Background(), mia.ID)
	if err != nil || len(pending) != 3 {
		t.Fatalf("open requests after the refusals: %d, %v", len(pending), err)
	}
}
