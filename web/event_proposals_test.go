package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

func TestCallForSessionsProposeUpvoteAndSchedule(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	org := sesSignIn(t, app, "Adele Goldberg", "")
	g := sesGroup(t, app, org, "smalltalk", nil)
	prop := sesSignIn(t, app, "Proposing Pat", "")
	voter := sesSignIn(t, app, "Voting Val", "")
	outsider := sesSignIn(t, app, "Outside Olly", "")
	sesJoin(t, app, g, prop)
	sesJoin(t, app, g, voter)
	const page = "/g/smalltalk/proposals"

	bad := []struct {
		field, value, says string
	}{
		{"title", "", "title of 3 to 120 characters"},
		{"kind", "sing", "learn this or would teach it"},
		{"details", strings.Repeat("x", 5001), "at most 5,000"},
	}
	for _, b := range bad {
		form := url.Values{"title": {"Live coding in Pharo"}, "kind": {"teach"}, "details": {"I can show the debugger."}}
		form.Set(b.field, b.value)
		r := prop.PostForm(page, page, form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, b.says) || !strings.Contains(r.Body, `aria-invalid="true"`) {
			t.Errorf("%s=%.20q: %d, want 422 saying %q", b.field, b.value, r.StatusCode, b.says)
		}
	}
	if list, _ := app.Events.Proposals(t.Context(), g.ID, 10); len(list) != 0 {
		t.Fatalf("bad proposals stored: %d", len(list))
	}
	if r := outsider.PostForm(page, page, url.Values{"title": {"Spam topic"}, "kind": {"learn"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("non-member proposes: %d", r.StatusCode)
	}

	r := prop.Follow(prop.PostForm(page, page, url.Values{"title": {"Live coding in <Pharo>"}, "kind": {"teach"}, "details": {"I can show the **debugger**."}}))
	sesContains(t, "after proposing", r.Body, "Your topic is proposed", "Live coding in &lt;Pharo&gt;", "would teach", "proposed by Proposing Pat", "<strong>debugger</strong>")
	pid := regexp.MustCompile(`/proposals/([a-z2-7]{24})/upvote`).FindStringSubmatch(r.Body)
	if pid == nil {
		t.Fatalf("no upvote button:\n%s", r.Body)
	}
	upvote := page + "/" + pid[1] + "/upvote"
	sesContains(t, "first vote", voter.Follow(voter.PostForm(page, upvote, nil)).Body, "Thanks for your vote", "<strong>1</strong>")
	sesContains(t, "second vote", voter.Follow(voter.PostForm(page, upvote, nil)).Body, "already upvoted", "<strong>1</strong>")
	if r := outsider.PostForm(page, upvote, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("non-member upvotes: %d", r.StatusCode)
	}
	if list, _ := app.Events.Proposals(t.Context(), g.ID, 10); len(list) != 1 || list[0].Votes != 1 {
		t.Fatalf("votes stored: %+v", list)
	}
	sesLacks(t, "member's proposals page", voter.Get(page).Body, "Schedule this")

	// The organizer schedules it from a prefilled form; the proposer is credited.
	sched := org.Get(page)
	sesContains(t, "organizer's proposals page", sched.Body, "Schedule this")
	newForm := "/g/smalltalk/sessions/new?proposal=" + pid[1]
	if r := voter.Get(newForm); r.StatusCode != http.StatusForbidden {
		t.Fatalf("member opens the schedule form: %d", r.StatusCode)
	}
	f := org.Get(newForm)
	sesContains(t, "prefilled form", f.Body, `value="Live coding in &lt;Pharo&gt;"`, "I can show the **debugger**.", `name="proposal" value="`+pid[1]+`"`, "proposed by Proposing Pat")
	sesLacks(t, "prefilled form", f.Body, `name="repeat"`)
	form := sesForm("Live coding in Pharo")
	form.Set("proposal", pid[1])
	id := sesCreate(t, org, g, form)
	sesContains(t, "scheduled proposal", org.Get("/s/"+id).Body, "Proposed by Proposing Pat", "proposer is credited")
	if ev, _ := app.Events.Get(t.Context(), id); ev.ProposerID != prop.User.ID || ev.ProposalID != pid[1] {
		t.Fatalf("stored credit: %q %q", ev.ProposerID, ev.ProposalID)
	}
	sesContains(t, "proposals after scheduling", voter.Get(page).Body, "/s/"+id, "Scheduled")
	again := org.Follow(org.PostForm(page, "/g/smalltalk/sessions", form))
	sesContains(t, "scheduling twice", again.Body, "already scheduled")
	if up, _ := app.Events.GroupUpcoming(t.Context(), g.ID, 10); len(up) != 1 {
		t.Fatalf("scheduling twice made %d sessions", len(up))
	}
}
