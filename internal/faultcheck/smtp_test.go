//go:build faults

package faultcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/notify"
)

const (
	inviteMembers = 40
	inviteSubject = "Invitation: "
)

// smtpOutageDuringAnnounce: the SMTP server answers 421 from just before
// the organizer invites the group's 40 members (-announce-via: the
// Announce button of a session, or scheduling a session with the invite
// box ticked) for -smtp-outage, then accepts again. Every member must get exactly one invitation, and
// the organizer's page must tell the truth meanwhile.
func smtpOutageDuringAnnounce(t *testing.T, r *report) {
	ctx := context.Background()
	e := newEnv(t)
	s := newSeeder(e.RDB)
	org, err := s.person(ctx, "Outage Organizer", "organizer@faults.test")
	if err != nil {
		t.Fatal(err)
	}
	var members []*auth.User
	want := map[string]bool{}
	for i := range inviteMembers {
		u, err := s.person(ctx, fmt.Sprintf("Outage Member %02d", i), fmt.Sprintf("member%02d@faults.test", i))
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, u)
		want[strings.ToLower(u.PrimaryEmail())] = true
	}
	g, err := s.group(ctx, org, "Outage Check Group", members)
	if err != nil {
		t.Fatal(err)
	}
	organizer := newPerson(e.App.Base, org.Name, org.PrimaryEmail(), 1)
	if err := organizer.devSignIn(ctx); err != nil {
		t.Fatal(err)
	}
	var page string
	var outageStart time.Time
	switch *announceVia {
	case "button":
		ev, err := s.session(ctx, org, g, "Outage check session", "")
		if err != nil {
			t.Fatal(err)
		}
		page = "/s/" + ev.ID
		form := pageForm(t, organizer, page)
		e.SMTP.refuse(true)
		outageStart = time.Now()
		res := organizer.do(ctx, http.MethodPost, page+"/announce", form)
		if res.Err != nil || res.Status != http.StatusSeeOther {
			t.Fatalf("announce: %d %v: %s", res.Status, res.Err, text(res.Body))
		}
	case "schedule":
		form := pageForm(t, organizer, "/g/"+g.Slug+"/sessions/new")
		start := time.Now().UTC().AddDate(0, 0, 7).Truncate(time.Hour)
		form.Set("title", "Outage check session")
		form.Set("format", "talk")
		form.Set("timezone", "UTC")
		form.Set("start", start.Format("2006-01-02T15:04"))
		form.Set("end", start.Add(90*time.Minute).Format("2006-01-02T15:04"))
		form.Set("online_url", "https://meet.example.com/faults")
		form.Set("announce", "on")
		e.SMTP.refuse(true)
		outageStart = time.Now()
		res := organizer.do(ctx, http.MethodPost, "/g/"+g.Slug+"/sessions", form)
		page = res.Header.Get("Location")
		if res.Err != nil || res.Status != http.StatusSeeOther || !strings.HasPrefix(page, "/s/") {
			t.Fatalf("schedule with the invite box ticked: %d %v: %s", res.Status, res.Err, text(res.Body))
		}
	default:
		t.Fatalf("unknown -announce-via %q: use button or schedule", *announceVia)
	}
	eventID := strings.TrimPrefix(page, "/s/")
	after := organizer.do(ctx, http.MethodGet, page, nil)
	r.info("organizer told after announcing ("+*announceVia+")", "%q", flashText(after.Body))

	// During the outage: what does the organizer's page say?
	outageEnd := outageStart.Add(*smtpOutage)
	snap := outageStart.Add(30 * time.Second)
	for time.Now().Before(outageEnd) {
		if !time.Now().Before(snap) {
			line := deliveryLine(ctx, organizer, page)
			t.Logf("outage +%s: %s", time.Since(outageStart).Round(time.Second), line)
			r.info(fmt.Sprintf("delivery line at outage +%s", time.Since(outageStart).Round(time.Second)), "%q", line)
			snap = snap.Add(time.Minute)
		}
		time.Sleep(time.Second)
	}
	r.info("delivery line at the end of the outage", "%q", deliveryLine(ctx, organizer, page))
	r.info("SMTP refusals (421) during the outage", "%d", e.SMTP.refused.Load())
	e.SMTP.refuse(false)
	recovered := time.Now()

	// After: wait for every invitation, until the batch is final, or the bound.
	outbox := mail.NewOutbox(e.RDB, prefix, mail.Options{})
	deadline := recovered.Add(*inviteWait)
	lastLog := time.Now()
	var got map[string]int
	var batch mail.BatchStatus
	for {
		got = e.SMTP.received(inviteSubject)
		have := 0
		for addr := range want {
			if got[addr] > 0 {
				have++
			}
		}
		if batch, err = outbox.BatchStatus(ctx, notify.AnnounceBatch(eventID)); err != nil {
			t.Fatal(err)
		}
		if have == len(want) || batch.Done() || !time.Now().Before(deadline) {
			break
		}
		if time.Since(lastLog) >= 30*time.Second {
			t.Logf("after the outage +%s: %d of %d invitations delivered; %s",
				time.Since(recovered).Round(time.Second), have, len(want), deliveryLine(ctx, organizer, page))
			lastLog = time.Now()
		}
		time.Sleep(time.Second)
	}
	delivered, dups, strays := 0, 0, 0
	var last time.Time
	for addr, n := range got {
		if !want[addr] {
			strays += n
			continue
		}
		delivered++
		dups += n - 1
	}
	for _, m := range e.SMTP.mailsWith(inviteSubject) {
		if m.At.After(last) {
			last = m.At
		}
	}
	dead, err := outbox.DeadLetters(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	r.info("waited after the outage", "%s (bound %s; stops early once the batch is final)", time.Since(recovered).Round(time.Second), *inviteWait)
	if !last.IsZero() {
		r.info("last invitation delivered at", "outage start +%s", last.Sub(outageStart).Round(time.Second))
	}
	r.info("batch status (outbox)", "total %d, sent %d, queued %d, retrying %d, failed %d",
		batch.Total, batch.Sent, batch.Queued, batch.Retrying, batch.Failed)
	r.info("dead letters", "%d", len(dead))
	r.info("delivery line at the end", "%q", deliveryLine(ctx, organizer, page))
	r.check(t, "invitations delivered", "40 of 40", delivered == inviteMembers, "%d of %d (lost %d)", delivered, inviteMembers, inviteMembers-delivered)
	r.check(t, "duplicate invitations", "0", dups == 0, "%d", dups)
	r.check(t, "invitations to non-members", "0", strays == 0, "%d", strays)

	// The organizer presses Announce again: it must say what it sends, and
	// send to whoever has no invitation yet, to nobody twice.
	sentBefore := len(e.SMTP.mailsWith(inviteSubject))
	res := organizer.do(ctx, http.MethodPost, page+"/announce", pageForm(t, organizer, page))
	if res.Err != nil || res.Status != http.StatusSeeOther {
		t.Fatalf("announce again: %d %v: %s", res.Status, res.Err, text(res.Body))
	}
	told := flashText(organizer.do(ctx, http.MethodGet, page, nil).Body)
	again := time.Now()
	for time.Since(again) < *inviteWait {
		if batch, err = outbox.BatchStatus(ctx, notify.AnnounceBatch(eventID)); err != nil {
			t.Fatal(err)
		}
		if batch.Done() {
			break
		}
		time.Sleep(time.Second)
	}
	claimed, sentAgain := claimedInvitations(told), len(e.SMTP.mailsWith(inviteSubject))-sentBefore
	got = e.SMTP.received(inviteSubject)
	without, dups := 0, 0
	for addr := range want {
		if got[addr] == 0 {
			without++
		}
		dups += max(got[addr]-1, 0)
	}
	r.info("organizer told after Announce again", "%q", told)
	r.check(t, "Announce again: invitations it announced vs sent", "equal", claimed == sentAgain, "%d announced, %d sent", claimed, sentAgain)
	r.check(t, "members still without an invitation after Announce again", "0", without == 0, "%d of %d", without, inviteMembers)
	r.check(t, "duplicate invitations after Announce again", "0", dups == 0, "%d", dups)
}

var claimedRe = regexp.MustCompile(`(\d+) invitations? (?:is|are) on (?:its|their) way`)

// claimedInvitations is how many invitations a flash message says were
// sent: "40 invitations are on their way." says 40, anything else 0.
func claimedInvitations(flash string) int {
	m := claimedRe.FindStringSubmatch(flash)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// pageForm loads page as p and returns its form's hidden fields (every form
// on a page carries the same CSRF token and one-time value).
func pageForm(t *testing.T, p *person, page string) url.Values {
	t.Helper()
	res := p.do(context.Background(), http.MethodGet, page, nil)
	form, ok := formFields(res.Body)
	if res.Err != nil || res.Status != http.StatusOK || !ok {
		t.Fatalf("%s: %d %v", page, res.Status, res.Err)
	}
	return form
}

// deliveryLine is the organizer's "Announcement: …" line on the session page.
func deliveryLine(ctx context.Context, p *person, page string) string {
	res := p.do(ctx, http.MethodGet, page, nil)
	if res.Err != nil || res.Status != http.StatusOK {
		return fmt.Sprintf("(session page: %d %v)", res.Status, res.Err)
	}
	m := deliveryRe.FindStringSubmatch(res.Body)
	if m == nil {
		return "(no delivery line)"
	}
	return text(m[1])
}

// flashText is the flash message on a page, or "".
func flashText(page string) string {
	if m := flashRe.FindStringSubmatch(page); m != nil {
		return text(m[1])
	}
	return ""
}
