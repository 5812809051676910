package clustertest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/notify"
)

var rsvpLink = regexp.MustCompile(`/rsvp/([A-Za-z0-9_-]+)\?answer=going`)

// TestNotifyAnnounceOnCluster wires the notifier on the cluster stores the
// way the server does and announces a session to a small group.
func TestNotifyAnnounceOnCluster(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	svc, logger := startMail(t, rdb, prefix, nil)
	users, gs, evs := auth.NewStore(rdb, prefix), groups.NewStore(rdb, prefix), events.NewStore(rdb, prefix)
	n := &notify.Notifier{Users: users, Groups: gs, Events: evs, Mail: svc, BaseURL: "https://fg.example", Logger: logger}
	evs.Notify = n.EventNotice

	person := func(name string, prefs auth.MailPrefs) *auth.User {
		t.Helper()
		u, _, err := users.SignIn(ctx, auth.Profile{Provider: "github", Subject: name, Name: name,
			Emails: []auth.Email{{Address: name + "@example.com", Verified: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if u, err = users.UpdateProfile(ctx, u.ID, auth.ProfileUpdate{Name: name, TimeZone: "Europe/Berlin", Mail: prefs}); err != nil {
			t.Fatal(err)
		}
		return u
	}
	owner := person("owner", auth.MailPrefs{})
	g, err := gs.Create(ctx, owner.ID, groups.Input{Name: "Cluster Fans", Slug: "cluster-fans", Online: true})
	if err != nil {
		t.Fatal(err)
	}
	ada, bob := person("ada", auth.MailPrefs{}), person("bob", auth.MailPrefs{})
	quiet := person("quiet", auth.MailPrefs{NoInvites: true})
	for _, u := range []*auth.User{ada, bob, quiet} {
		if err := gs.Join(ctx, g.ID, u.ID, u.VerifiedEmails()); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
	ev, err := evs.Create(ctx, events.Actor{UserID: owner.ID, Organizer: true}, g.ID, events.Input{
		Title: "Hash tags in practice", Format: "talk", TimeZone: "UTC", OnlineURL: "https://meet.example.com/x",
		Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Hour).Format("2006-01-02T15:04")})
	if err != nil {
		t.Fatal(err)
	}

	queued, err := n.Announce(ctx, ev, g, "")
	if err != nil || queued != 3 {
		t.Fatalf("announce: %d queued, %v; want 3 (not the member who turned invites off)", queued, err)
	}
	eventually(t, "invites delivered", func() (bool, string) {
		st, err := svc.BatchStatus(ctx, notify.AnnounceBatch(ev.ID))
		return err == nil && st.Sent == 3 && st.Done(), fmt.Sprintf("%+v %v", st, err)
	})
	invites := map[string]mail.StoredMail{}
	list, err := svc.Mailbox.List(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Kind == mail.KindInvite {
			invites[m.To] = m
		}
	}
	if got := slices.Sorted(func(yield func(string) bool) {
		for to := range invites {
			if !yield(to) {
				return
			}
		}
	}); !slices.Equal(got, []string{"ada@example.com", "bob@example.com", "owner@example.com"}) {
		t.Fatalf("invites went to %v", got)
	}
	inv := invites["ada@example.com"]
	if len(inv.Attachments) == 0 || !strings.Contains(string(inv.Attachments[0].Content), "METHOD:REQUEST") {
		t.Fatalf("invite has no calendar request: %+v", inv.Attachments)
	}
	link := rsvpLink.FindStringSubmatch(inv.Text)
	if link == nil {
		t.Fatalf("no RSVP link in:\n%s", inv.Text)
	}
	if e, u, err := evs.RSVPTokenOwner(ctx, link[1]); err != nil || e != ev.ID || u != ada.ID {
		t.Fatalf("the RSVP link resolves to %s %s %v", e, u, err)
	}

	// Announcing again sends nobody a second invite.
	if _, err := n.Announce(ctx, ev, g, ""); err != nil {
		t.Fatal(err)
	}
	if st, _ := svc.BatchStatus(ctx, notify.AnnounceBatch(ev.ID)); st.Total != 3 {
		t.Fatalf("batch after a second announce = %+v", st)
	}

	// Ada goes: reminders are scheduled. The cancellation tells her and
	// drops them.
	if _, err := evs.RSVP(ctx, ev.ID, ada.ID, true); err != nil {
		t.Fatal(err)
	}
	n.RSVPChanged(ctx, ev, ada, events.RSVPGoing)
	if _, err := evs.Cancel(ctx, events.Actor{UserID: owner.ID, Organizer: true}, ev.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "cancellation delivered", func() (bool, string) {
		list, _ := svc.Mailbox.List(ctx, 50)
		var kinds []string
		for _, m := range list {
			if m.Kind == mail.KindCancelled && m.To == "ada@example.com" {
				return true, ""
			}
			kinds = append(kinds, string(m.Kind)+"→"+m.To)
		}
		return false, strings.Join(kinds, ", ")
	})
	if left, err := svc.CancelReminders(ctx, "event:"+ev.ID+":"); err != nil || left != 0 {
		t.Fatalf("reminders left after the cancellation: %d %v", left, err)
	}
	n.RSVPChanged(ctx, ev, bob, events.RSVPGoing)
	if made, err := svc.CancelReminders(ctx, "event:"+ev.ID+":user:"+bob.ID+":"); err != nil || made != 2 {
		t.Fatalf("bob's reminders: %d %v, want 24h and 1h", made, err)
	}
}
