package notify_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/internal/timefmt"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/notify"
	"github.com/redis/go-redis/v9"
)

// fixture is a group with an owner and members, a mail service delivering
// to the dev mailbox, and a notifier wired as the events store's hook.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	rdb    redis.UniversalClient
	prefix string
	users  *auth.Store
	groups *groups.Store
	events *events.Store
	mail   *mail.Service
	n      *notify.Notifier
	owner  *auth.User
	group  *groups.Group
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := mail.New(rdb, prefix, mail.Config{Secret: []byte("0123456789abcdef0123456789abcdef"), Workers: 2,
		Poll: 20 * time.Millisecond, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	f := &fixture{t: t, ctx: ctx, rdb: rdb, prefix: prefix, users: auth.NewStore(rdb, prefix), groups: groups.NewStore(rdb, prefix),
		events: events.NewStore(rdb, prefix), mail: svc}
	f.n = &notify.Notifier{Users: f.users, Groups: f.groups, Events: f.events, Mail: svc, BaseURL: "https://fg.example", Logger: logger}
	f.events.Notify = f.n.EventNotice
	f.events.Logger = logger
	f.owner = f.person("owner", "UTC")
	f.group, err = f.groups.Create(ctx, f.owner.ID, groups.Input{Name: "Notify Testers", Slug: "notify-testers", Online: true})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// person signs someone in with a verified address at example.com.
func (f *fixture) person(name, tz string) *auth.User {
	f.t.Helper()
	u, _, err := f.users.SignIn(f.ctx, auth.Profile{Provider: "dev", Subject: name, Name: name,
		Emails: []auth.Email{{Address: name + "@example.com", Verified: true}}})
	if err != nil {
		f.t.Fatal(err)
	}
	if u, err = f.users.UpdateProfile(f.ctx, u.ID, auth.ProfileUpdate{Name: name, TimeZone: tz}); err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) member(name, tz string) *auth.User {
	f.t.Helper()
	u := f.person(name, tz)
	if err := f.groups.Join(f.ctx, f.group.ID, u.ID, u.VerifiedEmails()); err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) session(capacity string, in time.Duration) events.Event {
	f.t.Helper()
	start := time.Now().UTC().Add(in).Truncate(time.Minute)
	ev, err := f.events.Create(f.ctx, events.Actor{UserID: f.owner.ID, Organizer: true}, f.group.ID, events.Input{
		Title: "Profiling Go", Format: "workshop", TimeZone: "UTC", OnlineURL: "https://meet.example/room",
		Start: start.Format("2006-01-02T15:04"), End: start.Add(90 * time.Minute).Format("2006-01-02T15:04"), Capacity: capacity,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return ev
}

// mailsTo waits until n mails to addr are in the dev mailbox and returns
// them, newest first.
func (f *fixture) mailsTo(addr string, n int) []mail.StoredMail {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		list, err := f.mail.Mailbox.List(f.ctx, 500)
		if err != nil {
			f.t.Fatal(err)
		}
		var got []mail.StoredMail
		for _, m := range list {
			if strings.Contains(m.To, addr) {
				got = append(got, m)
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				f.t.Fatalf("%d mails to %s, want %d", len(got), addr, n)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// drained waits until the outbox holds nothing queued or waiting for a
// retry, so every mail queued so far has reached the mailbox.
func (f *fixture) drained() {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		queued, retrying, err := f.mail.Outbox.Backlog(f.ctx)
		if err != nil {
			f.t.Fatal(err)
		}
		if queued == 0 && retrying == 0 {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("outbox not drained: %d queued, %d retrying", queued, retrying)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAnnounceInvitesMembersWhoWantIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.member("berta", "Europe/Berlin")
	noInvites := f.member("nina", "UTC")
	muted := f.member("mo", "UTC")
	off := f.member("otto", "UTC")
	ctx := f.ctx
	must := func(_ *auth.User, err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.users.UpdateProfile(ctx, noInvites.ID, auth.ProfileUpdate{Name: "nina", Mail: auth.MailPrefs{NoInvites: true}}))
	must(f.users.Unsubscribe(ctx, muted.ID, f.group.ID))
	must(f.users.Unsubscribe(ctx, off.ID, ""))

	ev := f.session("", 72*time.Hour)
	n, err := f.n.Announce(ctx, ev, f.group, "")
	if err != nil || n != 2 {
		t.Fatalf("announce queued %d (%v), want the owner and berta", n, err)
	}
	inv := f.mailsTo("berta@example.com", 1)[0]
	if !strings.Contains(inv.Text, "(Europe/Berlin)") || !strings.Contains(inv.Text, "/rsvp/") {
		t.Fatalf("invite not in the reader's zone or without RSVP links:\n%s", inv.Text)
	}
	if len(inv.Attachments) == 0 || !strings.Contains(string(inv.Attachments[0].Content), "METHOD:REQUEST") {
		t.Fatalf("invite has no calendar request: %+v", inv.Attachments)
	}
	if strings.Contains(inv.Text, "meet.example/room") {
		t.Fatal("the online link went out in an invitation")
	}
	// A second announcement sends nothing new, and says so.
	if n, err := f.n.Announce(ctx, ev, f.group, ""); err != nil || n != 0 {
		t.Fatalf("second announcement queued %d, %v; want 0", n, err)
	}
	f.drained()
	f.mailsTo("berta@example.com", 1)
	for _, who := range []string{"nina", "mo", "otto"} {
		f.mailsTo(who+"@example.com", 0)
	}
	st, err := f.mail.BatchStatus(ctx, notify.AnnounceBatch(ev.ID))
	if err != nil || st.Total != 2 {
		t.Fatalf("batch status %+v, %v", st, err)
	}
}

func TestSessionChangesReachThePeopleConcerned(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ann := f.member("ann", "UTC")
	ben := f.member("ben", "America/New_York")
	ev := f.session("1", 72*time.Hour)
	org := events.Actor{UserID: f.owner.ID, Organizer: true}
	for _, u := range []*auth.User{ann, ben} {
		if _, err := f.events.RSVP(f.ctx, ev.ID, u.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	// Ann drops out: Ben gets her seat and a mail saying so.
	if _, err := f.events.RSVP(f.ctx, ev.ID, ann.ID, false); err != nil {
		t.Fatal(err)
	}
	promoted := f.mailsTo("ben@example.com", 1)[0]
	if promoted.Kind != mail.KindPromoted || !strings.Contains(promoted.Text, "(America/New_York)") {
		t.Fatalf("promotion mail: %s\n%s", promoted.Kind, promoted.Text)
	}
	// The time moves: Ben (going) gets an updated invitation.
	later := ev.Start.Add(24 * time.Hour)
	in := events.Input{Title: ev.Title, Format: string(ev.Format), TimeZone: "UTC", OnlineURL: ev.OnlineURL, Capacity: "1",
		Start: later.Format("2006-01-02T15:04"), End: later.Add(time.Hour).Format("2006-01-02T15:04")}
	if _, err := f.events.Update(f.ctx, org, ev.ID, in); err != nil {
		t.Fatal(err)
	}
	changed := f.mailsTo("ben@example.com", 2)[0]
	ics := string(changed.Attachments[0].Content)
	if changed.Kind != mail.KindChanged || !strings.Contains(ics, "METHOD:REQUEST") || !strings.Contains(ics, "SEQUENCE:1") {
		t.Fatalf("change mail %s:\n%s", changed.Kind, ics)
	}
	if !strings.Contains(changed.Text, "What changed: the time (was "+timefmt.Range(ev.Start, ev.End, timefmt.Zone("America/New_York"))+")") {
		t.Fatalf("the change mail does not say what changed, in Ben's zone:\n%s", changed.Text)
	}
	// Cancelled: Ben is told with a calendar cancellation.
	if _, err := f.events.Cancel(f.ctx, org, ev.ID); err != nil {
		t.Fatal(err)
	}
	cancelled := f.mailsTo("ben@example.com", 3)[0]
	if cancelled.Kind != mail.KindCancelled || !strings.Contains(string(cancelled.Attachments[0].Content), "METHOD:CANCEL") {
		t.Fatalf("cancel mail %s", cancelled.Kind)
	}
	f.mailsTo("ann@example.com", 0)
}

func TestRemindersFollowTheAnswer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cara := f.member("cara", "UTC")
	ev := f.session("", 72*time.Hour)
	prefix := "event:" + ev.ID + ":user:" + cara.ID + ":"

	f.n.RSVPChanged(f.ctx, ev, cara, events.RSVPGoing)
	if n, err := f.mail.CancelReminders(f.ctx, prefix); err != nil || n != 2 {
		t.Fatalf("default reminders scheduled: %d (%v), want 24h and 1h", n, err)
	}
	f.n.RSVPChanged(f.ctx, ev, cara, events.RSVPGoing)
	f.n.RSVPChanged(f.ctx, ev, cara, events.RSVPNotGoing)
	if n, _ := f.mail.CancelReminders(f.ctx, prefix); n != 0 {
		t.Fatalf("reminders left after not going: %d", n)
	}
	// A reminder already due is not scheduled; custom hours are used.
	soon := f.session("", 90*time.Minute)
	cara, _ = f.users.UpdateProfile(f.ctx, cara.ID, auth.ProfileUpdate{Name: "cara", Mail: auth.MailPrefs{ReminderHours: []int{48, 1}}})
	f.n.RSVPChanged(f.ctx, soon, cara, events.RSVPGoing)
	if n, _ := f.mail.CancelReminders(f.ctx, "event:"+soon.ID+":user:"+cara.ID+":"); n != 1 {
		t.Fatalf("reminders for a session in 90 minutes: %d, want only the 1-hour one", n)
	}
	// From the RSVP form, with the group already read, sent with the
	// request's last writes: the same reminders, replaced in place when the
	// answer is given again, gone when waitlisted.
	answer := func(status, before events.RSVPStatus) (queued int) {
		p := f.rdb.Pipeline()
		check := f.n.RSVPAnswered(f.ctx, ev, cara, events.RSVPResult{Status: status, Before: before})(p)
		queued = p.Len()
		_, _ = p.Exec(f.ctx) // check reports the error
		if err := check(); err != nil {
			t.Fatal(err)
		}
		return queued
	}
	answer(events.RSVPGoing, events.RSVPNone)
	if n, err := f.mail.CancelReminders(f.ctx, prefix); err != nil || n != 2 {
		t.Fatalf("reminders added by a first answer: %d (%v), want 48h and 1h", n, err)
	}
	answer(events.RSVPGoing, events.RSVPNone)
	answer(events.RSVPGoing, events.RSVPGoing)
	if n, err := f.mail.CancelReminders(f.ctx, prefix); err != nil || n != 2 {
		t.Fatalf("reminders scheduled from the form: %d (%v), want 48h and 1h", n, err)
	}
	answer(events.RSVPGoing, events.RSVPNotGoing)
	answer(events.RSVPWaitlisted, events.RSVPGoing)
	if n, _ := f.mail.CancelReminders(f.ctx, prefix); n != 0 {
		t.Fatalf("reminders left after being waitlisted: %d", n)
	}
	// A first answer that is not "going" has no reminders to drop, so it
	// sends nothing; any later one does.
	for _, status := range []events.RSVPStatus{events.RSVPWaitlisted, events.RSVPPending, events.RSVPNotGoing} {
		if n := answer(status, events.RSVPNone); n != 0 {
			t.Errorf("a first answer %q queued %d commands, want none", status, n)
		}
		if n := answer(status, events.RSVPNotGoing); n == 0 {
			t.Errorf("answer %q after not going queued nothing, want its reminders dropped", status)
		}
	}
}

// A planned reminder is written when it falls due, from things as they
// stand then, and only for someone still going who still wants it, about
// a session still on at the time it was planned for.
func TestRemindersAreWrittenWhenTheyFallDue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cara := f.member("cara", "Asia/Tokyo")
	dan := f.member("dan", "UTC")
	ev := f.session("", 72*time.Hour)
	if _, err := f.events.RSVP(f.ctx, ev.ID, cara.ID, true); err != nil {
		t.Fatal(err)
	}
	key := func(u *auth.User, h int) string {
		return "event:" + ev.ID + ":user:" + u.ID + ":" + strconv.Itoa(h) + "h"
	}
	at := func(h int) time.Time { return ev.Start.Add(-time.Duration(h) * time.Hour) }
	due := []mail.Planned{
		{Key: "digest:weekly:" + cara.ID, Due: at(24)}, // no session reminder: dropped
		{Key: key(cara, 24), Due: at(24)},
		{Key: key(cara, 48), Due: at(48)},                         // not among her hours
		{Key: key(cara, 24), Due: at(25)},                         // planned for a time the session left
		{Key: key(dan, 24), Due: at(24)},                          // not going
		{Key: "event:gone:user:" + cara.ID + ":24h", Due: at(24)}, // no such session
	}
	ms, err := f.n.ComposeReminders(f.ctx, due)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(due) || ms[1] == nil || slices.ContainsFunc(append(ms[:1:1], ms[2:]...), func(m *mail.Message) bool { return m != nil }) {
		t.Fatalf("composed %v, want Cara's 24-hour reminder alone", ms)
	}
	m := ms[1]
	if m.Kind != mail.KindReminder || m.To != "cara@example.com" || m.Data["EventTitle"] != ev.Title || m.Data["StartsIn"] != "in 24 hours" ||
		m.Data["When"] != timefmt.Range(ev.Start, ev.End, timefmt.Zone("Asia/Tokyo")) {
		t.Fatalf("Cara's reminder: %+v", m)
	}
	if _, err := f.mail.Enqueue(f.ctx, *m); err != nil {
		t.Fatalf("a composed reminder is not a mail the outbox takes: %v", err)
	}
	// She turns reminders off: nothing is written for her any more.
	if _, err := f.users.UpdateProfile(f.ctx, cara.ID, auth.ProfileUpdate{Name: "cara", Mail: auth.MailPrefs{NoReminders: true}}); err != nil {
		t.Fatal(err)
	}
	if ms, err := f.n.ComposeReminders(f.ctx, due[1:2]); err != nil || ms[0] != nil {
		t.Fatalf("with reminders off: %v, %v; want none", ms, err)
	}
	if _, err := f.users.UpdateProfile(f.ctx, cara.ID, auth.ProfileUpdate{Name: "cara"}); err != nil {
		t.Fatal(err)
	}
	// Its group gone meanwhile (its hash deleted, as a deletion half
	// done would leave it): nothing is written.
	groupKey := f.prefix + "group:{" + f.group.ID + "}"
	saved, err := f.rdb.Dump(f.ctx, groupKey).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.rdb.Del(f.ctx, groupKey).Err(); err != nil {
		t.Fatal(err)
	}
	if ms, err := f.n.ComposeReminders(f.ctx, due[1:2]); err != nil || ms[0] != nil {
		t.Fatalf("with its group gone: %v, %v; want none", ms, err)
	}
	if err := f.rdb.Restore(f.ctx, groupKey, 0, saved).Err(); err != nil {
		t.Fatal(err)
	}
	if ms, err := f.n.ComposeReminders(f.ctx, due[1:2]); err != nil || ms[0] == nil {
		t.Fatalf("with its group back: %v, %v; want the reminder", ms, err)
	}
	if _, err := f.events.Cancel(f.ctx, events.Actor{UserID: f.owner.ID, Organizer: true}, ev.ID); err != nil {
		t.Fatal(err)
	}
	if ms, err := f.n.ComposeReminders(f.ctx, due[1:2]); err != nil || ms[0] != nil {
		t.Fatalf("for a cancelled session: %v, %v; want none", ms, err)
	}
	if ms, err := f.n.ComposeReminders(f.ctx, []mail.Planned{{Key: "digest:weekly:" + cara.ID, Due: at(24)}}); err != nil || ms[0] != nil {
		t.Fatalf("a key of no session reminder: %v, %v; want it dropped", ms, err)
	}
}

// Nobody gets a reminder who turned all mail off, nor about a session
// whose group is gone.
func TestRemindersNeedSomeoneToReachAndAGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cara := f.member("cara", "UTC")
	ev := f.session("", 72*time.Hour)
	if _, err := f.events.RSVP(f.ctx, ev.ID, cara.ID, true); err != nil {
		t.Fatal(err)
	}
	due := []mail.Planned{{Key: "event:" + ev.ID + ":user:" + cara.ID + ":24h", Due: ev.Start.Add(-24 * time.Hour)}}
	if ms, err := f.n.ComposeReminders(f.ctx, due); err != nil || ms[0] == nil {
		t.Fatalf("before: %v, %v; want her reminder", ms, err)
	}
	if _, err := f.users.UpdateProfile(f.ctx, cara.ID, auth.ProfileUpdate{Name: "cara", Mail: auth.MailPrefs{Off: true}}); err != nil {
		t.Fatal(err)
	}
	if ms, err := f.n.ComposeReminders(f.ctx, due); err != nil || ms[0] != nil {
		t.Fatalf("with all mail off: %v, %v; want none", ms, err)
	}
	if _, err := f.users.UpdateProfile(f.ctx, cara.ID, auth.ProfileUpdate{Name: "cara"}); err != nil {
		t.Fatal(err)
	}
	if err := f.rdb.Del(f.ctx, f.prefix+"group:{"+f.group.ID+"}").Err(); err != nil {
		t.Fatal(err)
	}
	if ms, err := f.n.ComposeReminders(f.ctx, due); err != nil || ms[0] != nil {
		t.Fatalf("with the group gone: %v, %v; want none", ms, err)
	}
}
