package notify_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/notify"
)

// smtpFixture is a fixture whose mail goes to a real SMTP server, which a
// test can make refuse people, and which knows its Redis keys' prefix so
// that it can count what an announcement stores.
type smtpFixture struct {
	*fixture
	smtp   *apptest.SMTP
	rdb    redis.UniversalClient
	prefix string
}

func newSMTPFixture(t *testing.T) *smtpFixture {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := apptest.StartSMTP(t)
	svc, err := mail.New(rdb, prefix, mail.Config{SMTPURL: srv.URL(), From: "fg <noreply@fg.example>",
		Secret: []byte("0123456789abcdef0123456789abcdef"), Workers: 2, Poll: 20 * time.Millisecond, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	f := &fixture{t: t, ctx: ctx, users: auth.NewStore(rdb, prefix), groups: groups.NewStore(rdb, prefix),
		events: events.NewStore(rdb, prefix), mail: svc}
	f.n = &notify.Notifier{Users: f.users, Groups: f.groups, Events: f.events, Mail: svc, BaseURL: "https://fg.example", Logger: logger}
	f.owner = f.person("owner", "UTC")
	f.group, err = f.groups.Create(ctx, f.owner.ID, groups.Input{Name: "Announce Testers", Slug: "announce-testers", Online: true})
	if err != nil {
		t.Fatal(err)
	}
	return &smtpFixture{fixture: f, smtp: srv, rdb: rdb, prefix: prefix}
}

// settled waits until the announcement's mail reached a final state.
func (f *smtpFixture) settled(ev events.Event, want mail.BatchStatus) {
	f.t.Helper()
	var got mail.BatchStatus
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, _ = f.mail.BatchStatus(f.ctx, notify.AnnounceBatch(ev.ID))
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("announcement delivery = %+v, want %+v", got, want)
		}
	}
}

// keyCount counts the test's Redis keys.
func (f *smtpFixture) keyCount() int {
	f.t.Helper()
	n := 0
	iter := f.rdb.Scan(f.ctx, 0, f.prefix+"*", 1000).Iterator()
	for iter.Next(f.ctx) {
		n++
	}
	if err := iter.Err(); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// invitesTo counts the invitations to ev that addr received.
func (f *smtpFixture) invitesTo(addr string) int {
	n := 0
	for _, m := range f.smtp.Mails() {
		if len(m.To) == 1 && m.To[0] == addr && m.CalendarMethod == "REQUEST" {
			n++
		}
	}
	return n
}

func TestAnnouncingAgainQueuesAndCountsOnlyNewMail(t *testing.T) {
	t.Parallel()
	f := newSMTPFixture(t)
	f.member("ada", "UTC")
	f.member("bob", "UTC")
	ev := f.session("", 72*time.Hour)
	if n, err := f.n.Announce(f.ctx, ev, f.group, f.owner.ID); err != nil || n != 2 {
		t.Fatalf("first announcement queued %d, %v; want 2", n, err)
	}
	f.settled(ev, mail.BatchStatus{Total: 2, Sent: 2})
	keys := f.keyCount()

	n, err := f.n.Announce(f.ctx, ev, f.group, f.owner.ID)
	if err != nil || n != 0 {
		t.Fatalf("second announcement queued %d, %v; want 0", n, err)
	}
	// Nothing was stored: no RSVP link was issued, no mail queued.
	if after := f.keyCount(); after != keys {
		t.Fatalf("the second announcement stored %d keys", after-keys)
	}
	f.settled(ev, mail.BatchStatus{Total: 2, Sent: 2})
	for _, who := range []string{"ada", "bob"} {
		if got := f.invitesTo(who + "@example.com"); got != 1 {
			t.Errorf("%s got %d invitations, want 1", who, got)
		}
	}

	// Someone who joins later is the only one invited next time.
	f.member("cyd", "UTC")
	if n, err := f.n.Announce(f.ctx, ev, f.group, f.owner.ID); err != nil || n != 1 {
		t.Fatalf("announcement after a join queued %d, %v; want 1", n, err)
	}
	f.settled(ev, mail.BatchStatus{Total: 3, Sent: 3})
}

func TestAnnouncingAgainResendsADeadLetteredInvitation(t *testing.T) {
	t.Parallel()
	f := newSMTPFixture(t)
	f.member("ada", "UTC")
	f.member("bob", "UTC")
	f.smtp.Refuse(func(to string) error {
		if to == "bob@example.com" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "mailbox full"}
		}
		return nil
	})
	ev := f.session("", 72*time.Hour)
	if n, err := f.n.Announce(f.ctx, ev, f.group, f.owner.ID); err != nil || n != 2 {
		t.Fatalf("first announcement queued %d, %v; want 2", n, err)
	}
	f.settled(ev, mail.BatchStatus{Total: 2, Sent: 1, Failed: 1})
	keys := f.keyCount()

	// Bob's mailbox has room again; the organizer announces again.
	f.smtp.Refuse(nil)
	n, err := f.n.Announce(f.ctx, ev, f.group, f.owner.ID)
	if err != nil || n != 1 {
		t.Fatalf("second announcement queued %d, %v; want Bob's only", n, err)
	}
	f.settled(ev, mail.BatchStatus{Total: 2, Sent: 2})
	// New keys: Bob's one RSVP link, his new message's state and its sent
	// marker. A link for Ada would be a fourth.
	if added := f.keyCount() - keys; added != 3 {
		t.Errorf("the second announcement added %d keys, want 3", added)
	}
	if got := f.invitesTo("ada@example.com"); got != 1 {
		t.Errorf("Ada got %d invitations, want 1", got)
	}
	if got := f.invitesTo("bob@example.com"); got != 1 {
		t.Fatalf("Bob got %d invitations, want 1", got)
	}
	for _, m := range f.smtp.Mails() {
		if m.To[0] != "bob@example.com" {
			continue
		}
		i := strings.Index(m.Text, "/rsvp/")
		token, _, _ := strings.Cut(m.Text[i+len("/rsvp/"):], "?")
		if evID, _, err := f.events.RSVPTokenOwner(f.ctx, token); err != nil || evID != ev.ID {
			t.Fatalf("Bob's RSVP link: %v, %v", evID, err)
		}
	}
}

func TestConcurrentAnnouncementsInviteEachMemberOnce(t *testing.T) {
	t.Parallel()
	f := newSMTPFixture(t)
	names := []string{"ada", "bob", "cyd", "dee", "eve"}
	for _, name := range names {
		f.member(name, "UTC")
	}
	ev := f.session("", 72*time.Hour)
	var wg sync.WaitGroup
	counts := make([]int, 6)
	for i := range counts {
		wg.Go(func() {
			n, err := f.n.Announce(f.ctx, ev, f.group, f.owner.ID)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != len(names) {
		t.Fatalf("announcements reported %v queued, %d in all; want %d", counts, total, len(names))
	}
	f.settled(ev, mail.BatchStatus{Total: 5, Sent: 5})
	for _, name := range names {
		if got := f.invitesTo(name + "@example.com"); got != 1 {
			t.Errorf("%s got %d invitations, want 1", name, got)
		}
	}
}
