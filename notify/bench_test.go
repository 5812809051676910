package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/mail"
	"github.com/focusgroups/focusgroups/notify"
)

// BenchmarkAnnounce10k measures what the organizer's request waits for
// when announcing a session to a 10,000-member group: reading members
// and their preferences, issuing 10,000 personal RSVP links and queueing
// 10,000 invitations (delivery then runs in the workers; see docs/mail.md).
func BenchmarkAnnounce10k(b *testing.B) {
	rdb, prefix := testenv.Redis(b)
	ctx := context.Background()
	users, gs, es := auth.NewStore(rdb, prefix), groups.NewStore(rdb, prefix), events.NewStore(rdb, prefix)
	svc, err := mail.New(rdb, prefix, mail.Config{Secret: []byte("0123456789abcdef0123456789abcdef"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	n := &notify.Notifier{Users: users, Groups: gs, Events: es, Mail: svc, BaseURL: "https://fg.example"}
	owner, _, _ := users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: "owner", Emails: []auth.Email{{Address: "owner@x.example", Verified: true}}})
	g, err := gs.Create(ctx, owner.ID, groups.Input{Name: "Ten Thousand", Slug: "ten-thousand", Online: true})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		u, _, err := users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: fmt.Sprint("m", i), Emails: []auth.Email{{Address: fmt.Sprintf("m%d@x.example", i), Verified: true}}})
		if err != nil {
			b.Fatal(err)
		}
		if err := gs.Join(ctx, g.ID, u.ID, u.VerifiedEmails()); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		start := time.Now().UTC().Add(72 * time.Hour)
		ev, err := es.Create(ctx, events.Actor{UserID: owner.ID, Organizer: true}, g.ID, events.Input{
			Title: fmt.Sprint("Session ", i), Format: "talk", TimeZone: "UTC", OnlineURL: "https://x.example/r",
			Start: start.Format("2006-01-02T15:04"), End: start.Add(time.Hour).Format("2006-01-02T15:04")})
		if err != nil {
			b.Fatal(err)
		}
		queued, err := n.Announce(ctx, ev, g, owner.ID)
		if err != nil || queued != 10000 {
			b.Fatalf("queued %d, %v", queued, err)
		}
	}
}
