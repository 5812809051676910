package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

func TestDevMailboxStoresWhatWouldBeSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := testenv.Redis(t)
	svc, err := New(rdb, prefix, Config{Secret: []byte("s3cret"), Poll: 20 * time.Millisecond, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Mailbox == nil {
		t.Fatal("no SMTP_URL, but no dev mailbox")
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- svc.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })

	rc, err := svc.Enqueue(ctx, invite("ada@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	var list []StoredMail
	waitUntil(t, 5*time.Second, "mail in the dev mailbox", func() bool {
		list, _ = svc.Mailbox.List(ctx, 10)
		return len(list) == 1
	})
	m := list[0]
	if m.ID != rc.ID || m.To != "ada@example.com" || m.Kind != KindInvite || !strings.HasPrefix(m.Subject, "Invitation: Go generics") {
		t.Errorf("stored = %+v", m)
	}
	if !strings.Contains(m.HTML, `href="https://fg.test/rsvp/tok123?answer=going"`) || !strings.Contains(m.Text, "Going: https://fg.test/rsvp/tok123?answer=going") {
		t.Errorf("bodies lack the RSVP links:\n%s\n%s", m.Text, m.HTML)
	}
	if got := m.Headers["List-Unsubscribe"]; len(got) != 1 || got[0] != "<https://fg.test/unsubscribe/tokXYZ>" {
		t.Errorf("List-Unsubscribe = %v", got)
	}
	if len(m.Attachments) != 2 || string(m.Attachments[1].Content) != testICS || m.Attachments[1].Filename != "invite.ics" ||
		!strings.Contains(m.Attachments[0].ContentType, "method=REQUEST") {
		t.Errorf("attachments = %+v", m.Attachments)
	}
	one, err := svc.Mailbox.Get(ctx, rc.ID)
	if err != nil || one.Raw != m.Raw {
		t.Errorf("Get = %+v, %v", one.ID, err)
	}
	if _, err := svc.Mailbox.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
	}
	waitUntil(t, 2*time.Second, "sent state", func() bool {
		st, _ := svc.Outbox.Status(ctx, rc.ID)
		return st.State == StateSent
	})
}

func TestDevMailboxKeepsTheNewest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := testenv.Redis(t)
	box := NewDevMailbox(rdb, prefix, 3)
	sess := box.Open()
	c, _ := newComposer(testFrom)
	for i := range 5 {
		m := invite(fmt.Sprintf("u%d@example.com", i))
		r, err := c.compose(fmt.Sprintf("id%d", i), m, fmt.Sprintf("Mail %d", i), "text", "<p>html</p>", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.Send(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	list, err := box.List(ctx, 10)
	if err != nil || len(list) != 3 {
		t.Fatalf("List = %d mails, %v; want the 3 newest", len(list), err)
	}
	for i, want := range []string{"Mail 4", "Mail 3", "Mail 2"} {
		if list[i].Subject != want {
			t.Errorf("list[%d] = %q, want %q", i, list[i].Subject, want)
		}
	}
	if _, err := box.Get(ctx, "id0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the oldest mail is still stored: %v", err)
	}
	if n, _ := rdb.HLen(ctx, box.itemsKey()).Result(); n != 3 {
		t.Errorf("%d bodies stored, want 3", n)
	}
}
