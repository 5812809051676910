package clustertest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/once"
	"github.com/focusgroups/focusgroups/internal/ratelimit"
	"github.com/focusgroups/focusgroups/internal/valid"
)

func profile(provider, subject, email string, verified bool) auth.Profile {
	return auth.Profile{Provider: provider, Subject: subject, Login: subject, Name: "Ada " + subject,
		Emails: []auth.Email{{Address: email, Verified: verified}}}
}

func TestAuthUsersOnCluster(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	s := auth.NewStore(rdb, prefix)

	ada, created, err := s.SignIn(ctx, profile("github", "101", "Ada@Example.com", true))
	if err != nil || !created {
		t.Fatalf("first sign-in: created=%v err=%v", created, err)
	}
	again, created, err := s.SignIn(ctx, profile("github", "101", "ada@example.com", true))
	if err != nil || created || again.ID != ada.ID {
		t.Fatalf("second sign-in: id=%s created=%v err=%v, want %s", again.ID, created, err, ada.ID)
	}
	// Another provider with the same verified address joins the same user.
	viaLinkedIn, created, err := s.SignIn(ctx, profile("linkedin", "li-7", "ADA@example.com", true))
	if err != nil || created || viaLinkedIn.ID != ada.ID {
		t.Fatalf("linking sign-in: id=%s created=%v err=%v, want %s", viaLinkedIn.ID, created, err, ada.ID)
	}
	if _, ok := viaLinkedIn.Identity("linkedin"); !ok {
		t.Fatalf("identities after linking sign-in: %+v", viaLinkedIn.Identities)
	}
	// An unverified address never links.
	stranger, created, err := s.SignIn(ctx, profile("oidc", "corp-1", "ada@example.com", false))
	if err != nil || !created || stranger.ID == ada.ID {
		t.Fatalf("unverified sign-in: id=%s created=%v err=%v", stranger.ID, created, err)
	}

	found, err := s.FindByEmail(ctx, " ada@EXAMPLE.com ")
	if err != nil || found.ID != ada.ID {
		t.Fatalf("FindByEmail: %v %v", found, err)
	}
	if _, err := s.FindByEmail(ctx, "nobody@example.com"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("FindByEmail unknown: %v", err)
	}

	linked, err := s.Link(ctx, ada.ID, profile("gitlab", "gl-1", "ada@work.example", true))
	if err != nil || len(linked.Identities) != 3 {
		t.Fatalf("Link: %v %+v", err, linked)
	}
	if _, err := s.Link(ctx, stranger.ID, profile("gitlab", "gl-1", "x@example.com", true)); !errors.Is(err, auth.ErrIdentityTaken) {
		t.Fatalf("Link of a taken identity: %v", err)
	}
	if byWork, err := s.FindByEmail(ctx, "ada@work.example"); err != nil || byWork.ID != ada.ID {
		t.Fatalf("address from Link not indexed: %v %v", byWork, err)
	}

	unlinked, err := s.Unlink(ctx, ada.ID, "linkedin")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := unlinked.Identity("linkedin"); ok {
		t.Fatalf("linkedin still linked: %+v", unlinked.Identities)
	}
	if _, err := s.Unlink(ctx, ada.ID, "linkedin"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("second Unlink: %v", err)
	}
	if _, err := s.Unlink(ctx, stranger.ID, "oidc"); !errors.Is(err, auth.ErrLastIdentity) {
		t.Fatalf("Unlink of the only identity: %v", err)
	}
	// The freed identity can go to someone else now.
	if _, err := s.Link(ctx, stranger.ID, profile("linkedin", "li-7", "x@example.com", false)); err != nil {
		t.Fatalf("Link of a freed identity: %v", err)
	}

	upd, err := s.UpdateProfile(ctx, ada.ID, auth.ProfileUpdate{Name: "  Ada L. ", TimeZone: "Europe/Berlin",
		Mail: auth.MailPrefs{ReminderHours: []int{1, 24, 24}}})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Name != "Ada L." || upd.TimeZone != "Europe/Berlin" || !slices.Equal(upd.Mail.ReminderHours, []int{24, 1}) {
		t.Fatalf("UpdateProfile: %+v", upd)
	}
	_, err = s.UpdateProfile(ctx, ada.ID, auth.ProfileUpdate{Name: "", TimeZone: "Mars/Base"})
	var ve valid.Errors
	if !errors.As(err, &ve) || ve["name"] == "" || ve["tz"] == "" {
		t.Fatalf("bad UpdateProfile: %v", err)
	}
	if got, _ := s.Get(ctx, ada.ID); got.Name != "Ada L." {
		t.Fatalf("bad input changed the user: %+v", got)
	}

	gid := ids.New()
	if u, err := s.Unsubscribe(ctx, ada.ID, gid); err != nil || !slices.Equal(u.Mail.MutedGroups, []string{gid}) || u.Mail.Off {
		t.Fatalf("Unsubscribe from a group: %+v %v", u, err)
	}
	if u, err := s.Unsubscribe(ctx, ada.ID, gid); err != nil || len(u.Mail.MutedGroups) != 1 {
		t.Fatalf("Unsubscribe twice: %+v %v", u, err)
	}
	if u, err := s.Unsubscribe(ctx, ada.ID, ""); err != nil || !u.Mail.Off {
		t.Fatalf("Unsubscribe from all: %+v %v", u, err)
	}

	many, err := s.GetMany(ctx, []string{ada.ID, stranger.ID, ids.New()})
	if err != nil {
		t.Fatal(err)
	}
	if len(many) != 2 || many[ada.ID].Name != "Ada L." || many[stranger.ID] == nil {
		t.Fatalf("GetMany: %+v", many)
	}
}

// TestAuthConcurrentFirstSignIn has many requests sign the same new
// account in at once: they all get one user.
func TestAuthConcurrentFirstSignIn(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()
	s := auth.NewStore(rdb, prefix)
	const n = 20
	got := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u, _, err := s.SignIn(ctx, profile("github", "race", "race@example.com", true))
			if err == nil {
				got[i] = u.ID
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("sign-in %d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Fatalf("sign-in %d got user %s, sign-in 0 got %s", i, got[i], got[0])
		}
	}
	if u, err := s.FindByEmail(ctx, "race@example.com"); err != nil || u.ID != got[0] {
		t.Fatalf("FindByEmail: %v %v", u, err)
	}
}

func TestAuthSessionsOnCluster(t *testing.T) {
	t.Parallel()
	rdb, prefix := cluster(t)
	ctx := context.Background()

	// A whole sign-in: the session lands in the cluster under the prefix,
	// and the next request reads it and the user (two slots) in one
	// pipeline.
	users := auth.NewStore(rdb, prefix)
	u, _, err := users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: "cluster-session", Name: "Cluster Session",
		Emails: []auth.Email{{Address: "cs@example.com", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	sessions := auth.NewSessions(users, false, []byte("0123456789abcdef0123456789abcdef"))
	sess, nobody, err := sessions.Load(ctx, "")
	if err != nil || nobody != nil {
		t.Fatalf("Load without a cookie: %v %v", nobody, err)
	}
	sess.SignIn(u.ID)
	cookie, _, _, err := sessions.Save(ctx, sess)
	if err != nil || cookie == "" {
		t.Fatalf("Save: %q %v", cookie, err)
	}
	sid, _, _ := strings.Cut(cookie, ".")
	if n := rdb.Exists(ctx, prefix+"sess:{"+sid+"}").Val(); n != 1 {
		t.Fatalf("session %s not stored under %ssess:", sid, prefix)
	}
	again, who, err := sessions.Load(ctx, cookie)
	if err != nil || who == nil || who.ID != u.ID || again.UserID() != u.ID {
		t.Fatalf("Load(%s) = %v, %v", cookie, who, err)
	}

	// The rate limits and the double-submit guard work on Cluster too, each
	// on one key: two app instances share one count.
	first, second := ratelimit.New(rdb, prefix), ratelimit.New(rdb, prefix)
	var waits []bool
	for i := range 4 {
		l := first
		if i%2 == 1 {
			l = second
		}
		wait, err := l.Allow(ctx, "links", "198.51.100.1", ratelimit.Limit{Max: 3, Per: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, wait > 0)
	}
	if !slices.Equal(waits, []bool{false, false, false, true}) {
		t.Fatalf("limited requests = %v", waits)
	}
	guard := once.New(rdb, prefix, time.Minute)
	if first, _, err := guard.Claim(ctx, u.ID, "form"); err != nil || !first {
		t.Fatalf("first claim: %v %v", first, err)
	}
	if err := guard.Done(ctx, u.ID, "form", "/done"); err != nil {
		t.Fatal(err)
	}
	if first, to, err := guard.Claim(ctx, u.ID, "form"); err != nil || first || to != "/done" {
		t.Fatalf("repeat: %v %q %v", first, to, err)
	}
}
