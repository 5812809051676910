package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

func newSessions(t *testing.T) (*Sessions, *Store, *User) {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	users := NewStore(rdb, prefix)
	u, _, err := users.SignIn(context.Background(), Profile{Provider: "dev", Subject: "ada", Name: "Ada",
		Emails: []Email{{Address: "ada@example.com", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	return NewSessions(users, true, []byte("0123456789abcdef0123456789abcdef")), users, u
}

func TestASignedInSessionIsReadWithItsUserAndRotatedAtSignIn(t *testing.T) {
	m, users, u := newSessions(t)
	ctx := context.Background()
	anon, nobody, err := m.Load(ctx, "")
	if err != nil || nobody != nil || anon.Kept() {
		t.Fatalf("no cookie: %v %v kept=%v", nobody, err, anon.Kept())
	}
	// Nothing changed, nothing stored: an anonymous page view writes nothing.
	if cookie, _, keep, err := m.Save(ctx, anon); err != nil || cookie != "" || !keep {
		t.Fatalf("saving an untouched session: %q keep=%v %v", cookie, keep, err)
	}
	anon.Keep()
	before, _, _, err := m.Save(ctx, anon)
	if err != nil || before == "" {
		t.Fatal(err)
	}
	planted, _, err := m.Load(ctx, before)
	if err != nil || !planted.Kept() {
		t.Fatalf("stored session not found: %v", err)
	}
	tokenBefore := m.CSRFToken(planted)

	planted.SignIn(u.ID)
	after, maxAge, _, err := m.Save(ctx, planted)
	if err != nil {
		t.Fatal(err)
	}
	if maxAge != SessionTTL {
		t.Fatalf("signed-in cookie lives %v, want %v", maxAge, SessionTTL)
	}
	if after == before || !strings.HasSuffix(after, "."+u.ID) {
		t.Fatalf("cookie after sign-in %q (before %q): want a new ID naming the user", after, before)
	}
	if s, who, err := m.Load(ctx, before); err != nil || who != nil || s.Kept() {
		t.Fatalf("the ID from before sign-in still works: %v %v", who, err)
	}
	s, who, err := m.Load(ctx, after)
	if err != nil || who == nil || who.ID != u.ID || s.UserID() != u.ID {
		t.Fatalf("Load after sign-in: %v %v", who, err)
	}
	if !m.ValidCSRF(s, m.CSRFToken(s)) || m.ValidCSRF(s, tokenBefore) || m.ValidCSRF(s, "") {
		t.Fatal("the CSRF token must be the rotated session's, and only its")
	}

	// A cookie whose user part was changed by hand grants nothing more.
	other, _, err := users.SignIn(ctx, Profile{Provider: "dev", Subject: "eve", Name: "Eve",
		Emails: []Email{{Address: "eve@example.com", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	sid, _, _ := strings.Cut(after, ".")
	if _, who, err := m.Load(ctx, sid+"."+other.ID); err != nil || who == nil || who.ID != u.ID {
		t.Fatalf("a changed user part gave %v (%v), want the session's own user", who, err)
	}

	s.Destroy()
	if cookie, _, keep, err := m.Save(ctx, s); err != nil || cookie != "" || keep {
		t.Fatalf("after sign-out: %q keep=%v %v, want the cookie cleared", cookie, keep, err)
	}
	if _, who, _ := m.Load(ctx, after); who != nil {
		t.Fatal("a destroyed session still signs in")
	}
}

func TestReadingPagesWritesTheSessionAtMostOnceADay(t *testing.T) {
	m, _, u := newSessions(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return now }
	cookie := signedIn(t, m, u.ID)
	read := func() (written bool) {
		s, _, err := m.Load(ctx, cookie)
		if err != nil {
			t.Fatal(err)
		}
		_, _, keep, err := m.Save(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return !keep
	}
	if read() {
		t.Fatal("a page view right after sign-in wrote the session")
	}
	now = now.Add(23 * time.Hour)
	if read() {
		t.Fatal("a page view within a day wrote the session")
	}
	now = now.Add(2 * time.Hour)
	if !read() {
		t.Fatal("a page view a day later did not push the expiry back")
	}
	if read() {
		t.Fatal("the expiry was pushed back twice in a row")
	}
}

func TestMalformedAndUnknownCookiesGiveANewSession(t *testing.T) {
	m, _, _ := newSessions(t)
	ctx := context.Background()
	for _, cookie := range []string{"x", "../../etc", strings.Repeat("a", 52), strings.Repeat("a", 52) + ".{evil}", "{hash}tag"} {
		s, who, err := m.Load(ctx, cookie)
		if err != nil || who != nil || s.Kept() {
			t.Fatalf("cookie %q: %v %v kept=%v", cookie, who, err, s.Kept())
		}
		if got := m.CSRFToken(s); m.ValidCSRF(s, got) {
			t.Fatalf("cookie %q: a session that is not stored accepted a CSRF token", cookie)
		}
	}
}

// Two requests that load the same stored session share its decoded
// values until one changes them: the change is that request's alone
// until it is saved, and what is saved is what the next load sees.
func TestRequestsOfOneSessionDoNotSeeEachOthersUnsavedChanges(t *testing.T) {
	m, _, u := newSessions(t)
	ctx := context.Background()
	s, _, _ := m.Load(ctx, "")
	s.SignIn(u.ID)
	s.Set("flash_text", "Welcome")
	cookie, _, _, err := m.Save(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := m.Load(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := m.Load(ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	a.Set("flash_text", "Changed")
	a.Set("next", "/dashboard")
	b.Delete("flash_text")
	if got := b.Get("next"); got != "" {
		t.Fatalf("b sees a's unsaved value %q", got)
	}
	if got := a.Get("flash_text"); got != "Changed" {
		t.Fatalf("a's own change reads %q", got)
	}
	if c, _, _ := m.Load(ctx, cookie); c.Get("flash_text") != "Welcome" || c.Get("next") != "" {
		t.Fatalf("a third load sees unsaved changes: %q %q", c.Get("flash_text"), c.Get("next"))
	}
	if _, _, _, err := m.Save(ctx, a); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := m.Load(ctx, cookie); c.Get("flash_text") != "Changed" || c.Get("next") != "/dashboard" {
		t.Fatalf("after a's save: %q %q", c.Get("flash_text"), c.Get("next"))
	}
}

// CSRF tokens come from reused MACs: many goroutines asking at once each
// get their own session's token, the one a fresh MAC gives, and another
// secret gives other tokens.
func TestCSRFTokensFromManyGoroutinesAreEachSessionsOwn(t *testing.T) {
	m, users, _ := newSessions(t)
	secret := []byte("0123456789abcdef0123456789abcdef")
	derived := hmac.New(sha256.New, secret)
	derived.Write([]byte("focusgroups csrf v1"))
	key := derived.Sum(nil)
	want := func(id string) string {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id))
		return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}
	other := NewSessions(users, true, []byte("another secret, another token set"))
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 32 {
		wg.Go(func() {
			for i := range 200 {
				s := &Session{id: fmt.Sprintf("session-%d-%d", g, i)}
				got := m.CSRFToken(s)
				if got != want(s.id) {
					errs <- fmt.Sprintf("%s: token %q, want %q", s.id, got, want(s.id))
					return
				}
				if other.CSRFToken(s) == got {
					errs <- s.id + ": two secrets gave the same token"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// A request that read a session before it ended (signed out in another
// request, or expired in Redis) does not write it back when it saves a
// change or the day's touch: the session stays ended and the cookie
// goes. Its expiry, carried in the record, ends it too, whatever Redis
// (or an instance's memory of it) still holds.
func TestASessionThatEndedMeanwhileIsNotWrittenBack(t *testing.T) {
	m, _, u := newSessions(t)
	ctx := context.Background()
	now := time.Now()
	m.Now = func() time.Time { return now }
	cookie := signedIn(t, m, u.ID)
	for _, change := range []string{"a flash message", "the day's touch"} {
		if change == "the day's touch" {
			cookie = signedIn(t, m, u.ID)
			now = now.Add(2 * 24 * time.Hour) // this read's save pushes the expiry back
		}
		late, who, err := m.Load(ctx, cookie)
		if err != nil || who == nil {
			t.Fatalf("%s: the session before sign-out: %v %v", change, who, err)
		}
		out, _, _ := m.Load(ctx, cookie)
		out.Destroy()
		if _, _, _, err := m.Save(ctx, out); err != nil {
			t.Fatal(err)
		}
		if change == "a flash message" {
			late.Set("flash", "saved")
		}
		got, _, keep, err := m.Save(ctx, late)
		if err != nil || got != "" || keep {
			t.Errorf("%s after sign-out: cookie %q keep=%v %v, want it cleared", change, got, keep, err)
		}
		if _, who, _ := m.Load(ctx, cookie); who != nil {
			t.Errorf("%s after sign-out wrote the session back", change)
		}
	}

	cookie = signedIn(t, m, u.ID)
	now = now.Add(SessionTTL)
	if _, who, err := m.Load(ctx, cookie); err != nil || who != nil {
		t.Errorf("a session past its end (its key not dropped yet): %v %v, want a new one", who, err)
	}
}

// signedIn is the cookie of a new session signed in as uid.
func signedIn(t *testing.T, m *Sessions, uid string) string {
	t.Helper()
	ctx := context.Background()
	s, _, err := m.Load(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s.SignIn(uid)
	cookie, _, _, err := m.Save(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	return cookie
}
