package events

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestMessageLimitHoldsUnderConcurrency: organizers pressing Send at once
// get exactly MessagesPerHour messages through per session, each logged
// once with one notice; another organizer has a limit of their own.
func TestMessageLimitHoldsUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, nil)
	for _, u := range users(3) {
		if _, err := f.s.RSVP(ctx, ev.ID, u, true); err != nil {
			t.Fatal(err)
		}
	}
	msg := Message{Audience: AudienceGoing, Subject: "Room 4", Body: "We moved."}
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent, limited := 0, 0
	for range 20 {
		wg.Go(func() {
			m, err := f.s.SendMessage(ctx, f.org, ev.ID, msg)
			mu.Lock()
			defer mu.Unlock()
			var le *MessageLimitError
			switch {
			case err == nil && m.Recipients == 3:
				sent++
			case errors.As(err, &le) && errors.Is(err, ErrMessageLimit) && le.RetryAfter > 0 && le.RetryAfter <= time.Hour:
				limited++
			default:
				t.Errorf("send: %+v, %v", m, err)
			}
		})
	}
	wg.Wait()
	if sent != MessagesPerHour || limited != 20-MessagesPerHour {
		t.Fatalf("%d sent, %d limited; want %d and %d", sent, limited, MessagesPerHour, 20-MessagesPerHour)
	}
	if n := f.s.rdb.LLen(ctx, f.s.messagesKey(ev.ID)).Val(); n != MessagesPerHour {
		t.Fatalf("%d messages logged, want %d", n, MessagesPerHour)
	}
	if got := f.rec.of(NoticeMessage); len(got) != MessagesPerHour || len(got[0]) != 3 {
		t.Fatalf("message notices: %v", got)
	}
	f.rec.mu.Lock()
	note := f.rec.notices[len(f.rec.notices)-1]
	f.rec.mu.Unlock()
	if note.Message == nil || *note.Message != (MessageNote{By: f.org.UserID, Subject: "Room 4", Body: "We moved."}) {
		t.Fatalf("the notice carries %+v", note.Message)
	}
	other := Actor{UserID: "co-organizer", Organizer: true}
	if _, err := f.s.SendMessage(ctx, other, ev.ID, msg); err != nil {
		t.Fatalf("another organizer was limited too: %v", err)
	}
	if _, err := f.s.SendMessage(ctx, Actor{UserID: "member"}, ev.ID, msg); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a member sent a message: %v", err)
	}
	if _, err := f.s.SendMessage(ctx, f.org, "nosuchevent", Message{Audience: AudienceGoing, Subject: "x", Body: "y"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("message to a missing session: %v", err)
	}
}

// TestMessageLogIsCapped: a session keeps its newest messageLogSize
// messages, newest first.
func TestMessageLogIsCapped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, nil)
	if _, err := f.s.RSVP(ctx, ev.ID, users(1)[0], true); err != nil {
		t.Fatal(err)
	}
	var last SentMessage
	for i := range messageLogSize + 3 {
		org := Actor{UserID: "org" + string(rune('a'+i)), Organizer: true}
		m, err := f.s.SendMessage(ctx, org, ev.ID, Message{Audience: AudienceAnswered, Subject: "Note", Body: "Hi"})
		if err != nil {
			t.Fatal(err)
		}
		last = m
	}
	p := f.s.rdb.Pipeline()
	read := f.s.QueueMessages(ctx, p, ev.ID)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	log, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != messageLogSize || log[0].ID != last.ID || log[0].By != last.By || log[0].Recipients != 1 || log[0].Audience != AudienceAnswered {
		t.Fatalf("log: %d entries, newest %+v; want %d, newest %+v", len(log), log[0], messageLogSize, last)
	}
}
