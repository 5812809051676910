package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/focusgroups/focusgroups/internal/valid"
)

func TestOneHandleOnePerson(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	var users []*User
	for i := range 30 {
		u, _, err := s.SignIn(ctx, Profile{Provider: "dev", Subject: "p" + ids.New(), Name: "Person", Emails: []Email{{Address: ids.New() + "@x.example", Verified: true}}})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
		_ = i
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			_, err := s.SetHandle(ctx, u.ID, "ana")
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, ErrHandleTaken):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d people got the handle", wins.Load())
	}
	owner, err := s.UserByHandle(ctx, "ana")
	if err != nil || owner.Handle != "ana" {
		t.Fatalf("the handle's owner: %+v %v", owner, err)
	}
	// Changing it frees the old one.
	if _, err := s.SetHandle(ctx, owner.ID, "ana-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByHandle(ctx, "ana"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the old handle still points somewhere: %v", err)
	}
	for _, bad := range []string{"ab", "Admin", "api", "-x-", "a b c", "ünï", "this-handle-is-far-too-long-to-be-one"} {
		if _, err := s.SetHandle(ctx, owner.ID, bad); !errors.As(err, new(valid.Errors)) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// Namesakes get numbered handles.
	a, err := s.EnsureHandle(ctx, users[1])
	if err != nil || a.Handle == "" {
		t.Fatalf("ensure: %+v %v", a, err)
	}
	b, err := s.EnsureHandle(ctx, users[2])
	if err != nil || b.Handle == "" || b.Handle == a.Handle {
		t.Fatalf("namesakes: %q and %q (%v)", a.Handle, b.Handle, err)
	}
}

func TestPageUpdateRefusesBadInput(t *testing.T) {
	for _, in := range []PageUpdate{
		{Website: "javascript:alert(1)"},
		{Website: "http://example.com"},
		{Bio: string(make([]byte, 400))},
		{Bio: "a\x00b"},
	} {
		if err := in.Validate(); !errors.As(err, new(valid.Errors)) {
			t.Errorf("%+v: %v", in, err)
		}
	}
	ok := PageUpdate{Bio: " Building things. ", Website: "https://example.com/me"}
	if err := ok.Validate(); err != nil || ok.Bio != "Building things." {
		t.Errorf("a good page: %+v %v", ok, err)
	}
}
