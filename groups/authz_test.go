package groups

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// cast is a group with one person in every position.
type cast struct {
	g                                       *Group
	owner, co, co2, member, target, banned  string
	outsider, applicant, invitee, anonymous string
}

var castSeq atomic.Int64

func newCast(t *testing.T, s *Store) cast {
	t.Helper()
	ctx := context.Background()
	c := cast{owner: newUser(), co: newUser(), co2: newUser(), member: newUser(), target: newUser(),
		banned: newUser(), outsider: newUser(), applicant: newUser(), invitee: newUser()}
	c.g = mustCreate(t, s, c.owner, goodInput(fmt.Sprintf("cast-%d", castSeq.Add(1))))
	for _, u := range []string{c.co, c.co2, c.member, c.target, c.banned} {
		mustJoin(t, s, c.g.ID, u)
	}
	must(t, s.Promote(ctx, c.g.ID, c.owner, c.co))
	must(t, s.Promote(ctx, c.g.ID, c.owner, c.co2))
	must(t, s.Ban(ctx, c.g.ID, c.owner, c.banned))
	in := c.g.Input()
	in.JoinPolicy, in.Question = Approval, "Why?"
	g, err := s.Update(ctx, c.g.ID, c.owner, in)
	must(t, err)
	c.g = g
	must(t, s.Apply(ctx, c.g.ID, c.applicant, "I want to learn", nil))
	return c
}

func standing(t *testing.T, s *Store, gid, uid string) Standing {
	t.Helper()
	st, err := s.Standing(context.Background(), gid, uid)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// organizerActions are every action reserved to organizers, with how to
// see that it took effect.
var organizerActions = []struct {
	name      string
	ownerOnly bool
	do        func(s *Store, c cast, actor string) error
	done      func(t *testing.T, s *Store, c cast) bool
}{
	{"update", false,
		func(s *Store, c cast, actor string) error {
			in := c.g.Input()
			in.Name = "Changed name"
			_, err := s.Update(context.Background(), c.g.ID, actor, in)
			return err
		},
		func(t *testing.T, s *Store, c cast) bool {
			g, err := s.Get(context.Background(), c.g.ID)
			must(t, err)
			return g.Name == "Changed name"
		}},
	{"approve", false,
		func(s *Store, c cast, actor string) error {
			return s.Approve(context.Background(), c.g.ID, actor, c.applicant)
		},
		func(t *testing.T, s *Store, c cast) bool { return role(t, s, c.g.ID, c.applicant) == RoleMember }},
	{"decline", false,
		func(s *Store, c cast, actor string) error {
			return s.Decline(context.Background(), c.g.ID, actor, c.applicant)
		},
		func(t *testing.T, s *Store, c cast) bool {
			return standing(t, s, c.g.ID, c.applicant).Application.Status == StatusDeclined
		}},
	{"invite", false,
		func(s *Store, c cast, actor string) error {
			return s.Invite(context.Background(), c.g.ID, actor, c.invitee)
		},
		func(t *testing.T, s *Store, c cast) bool { return standing(t, s, c.g.ID, c.invitee).Invited }},
	{"remove", false,
		func(s *Store, c cast, actor string) error {
			return s.Remove(context.Background(), c.g.ID, actor, c.target)
		},
		func(t *testing.T, s *Store, c cast) bool { return role(t, s, c.g.ID, c.target) == RoleNone }},
	{"ban", false,
		func(s *Store, c cast, actor string) error {
			return s.Ban(context.Background(), c.g.ID, actor, c.target)
		},
		func(t *testing.T, s *Store, c cast) bool {
			st := standing(t, s, c.g.ID, c.target)
			return st.Banned && st.Role == RoleNone
		}},
	{"unban", false,
		func(s *Store, c cast, actor string) error {
			return s.Unban(context.Background(), c.g.ID, actor, c.banned)
		},
		func(t *testing.T, s *Store, c cast) bool { return !standing(t, s, c.g.ID, c.banned).Banned }},
	{"promote", false,
		func(s *Store, c cast, actor string) error {
			return s.Promote(context.Background(), c.g.ID, actor, c.target)
		},
		func(t *testing.T, s *Store, c cast) bool { return role(t, s, c.g.ID, c.target) == RoleOrganizer }},
	{"demote", false,
		func(s *Store, c cast, actor string) error {
			return s.Demote(context.Background(), c.g.ID, actor, c.co2)
		},
		func(t *testing.T, s *Store, c cast) bool { return role(t, s, c.g.ID, c.co2) == RoleMember }},
	{"transfer", true,
		func(s *Store, c cast, actor string) error {
			return s.TransferOwnership(context.Background(), c.g.ID, actor, c.target)
		},
		func(t *testing.T, s *Store, c cast) bool { return role(t, s, c.g.ID, c.target) == RoleOwner }},
	{"delete", true,
		func(s *Store, c cast, actor string) error { return s.Delete(context.Background(), c.g.ID, actor) },
		func(t *testing.T, s *Store, c cast) bool {
			_, err := s.Get(context.Background(), c.g.ID)
			return errors.Is(err, ErrNotFound)
		}},
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	actors := []struct {
		name string
		who  func(cast) string
		may  func(ownerOnly bool) bool
	}{
		{"owner", func(c cast) string { return c.owner }, func(bool) bool { return true }},
		{"co-organizer", func(c cast) string { return c.co }, func(ownerOnly bool) bool { return !ownerOnly }},
		{"member", func(c cast) string { return c.member }, func(bool) bool { return false }},
		{"banned", func(c cast) string { return c.banned }, func(bool) bool { return false }},
		{"non-member", func(c cast) string { return c.outsider }, func(bool) bool { return false }},
		{"applicant", func(c cast) string { return c.applicant }, func(bool) bool { return false }},
		{"anonymous", func(c cast) string { return c.anonymous }, func(bool) bool { return false }},
	}
	for _, a := range organizerActions {
		for _, actor := range actors {
			t.Run(a.name+"/"+actor.name, func(t *testing.T) {
				t.Parallel()
				c := newCast(t, s)
				err := a.do(s, c, actor.who(c))
				if actor.may(a.ownerOnly) {
					if err != nil {
						t.Fatalf("want success, got %v", err)
					}
					if !a.done(t, s, c) {
						t.Fatal("succeeded without effect")
					}
					return
				}
				if !errors.Is(err, ErrForbidden) {
					t.Fatalf("want ErrForbidden, got %v", err)
				}
				if a.done(t, s, c) {
					t.Fatal("refused action took effect")
				}
			})
		}
	}
}

func TestActionsOnMissingGroupAreNotFound(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	c := cast{g: &Group{ID: "nosuchgroupaaaaaaaaaaaaa", Name: "Ghost group", Slug: "ghost-group", City: "Oslo"},
		owner: newUser(), target: newUser(), co2: newUser(), applicant: newUser(), invitee: newUser(), banned: newUser()}
	for _, a := range organizerActions {
		if err := a.do(s, c, c.owner); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: want ErrNotFound, got %v", a.name, err)
		}
	}
	for name, err := range map[string]error{
		"join":     s.Join(ctx, c.g.ID, c.target, nil),
		"accept":   s.AcceptInvite(ctx, c.g.ID, c.target, nil),
		"decline":  s.DeclineInvite(ctx, c.g.ID, c.target),
		"apply":    s.Apply(ctx, c.g.ID, c.target, "hi", nil),
		"leave":    s.Leave(ctx, c.g.ID, c.target),
		"requests": func() error { _, err := s.PendingRequests(ctx, c.g.ID, c.owner); return err }(),
		"members":  func() error { _, _, err := s.Members(ctx, c.g.ID, 1, 10); return err }(),
		"orgs":     func() error { _, err := s.Organizers(ctx, c.g.ID); return err }(),
		"standing": func() error { _, err := s.Standing(ctx, c.g.ID, ""); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: want ErrNotFound, got %v", name, err)
		}
	}
}

func TestNobodyActsOnTheOwnerAndCoOrganizersAreProtected(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	c := newCast(t, s)
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"co removes owner", s.Remove(ctx, c.g.ID, c.co, c.owner), ErrForbidden},
		{"co bans owner", s.Ban(ctx, c.g.ID, c.co, c.owner), ErrForbidden},
		{"co demotes owner", s.Demote(ctx, c.g.ID, c.co, c.owner), ErrForbidden},
		{"owner removes self", s.Remove(ctx, c.g.ID, c.owner, c.owner), ErrForbidden},
		{"owner bans self", s.Ban(ctx, c.g.ID, c.owner, c.owner), ErrForbidden},
		{"co removes co", s.Remove(ctx, c.g.ID, c.co, c.co2), ErrForbidden},
		{"co bans co", s.Ban(ctx, c.g.ID, c.co, c.co2), ErrForbidden},
		{"co transfers", s.TransferOwnership(ctx, c.g.ID, c.co, c.co), ErrForbidden},
		{"promote outsider", s.Promote(ctx, c.g.ID, c.owner, c.outsider), ErrNotMember},
		{"remove outsider", s.Remove(ctx, c.g.ID, c.owner, c.outsider), ErrNotMember},
		{"transfer to outsider", s.TransferOwnership(ctx, c.g.ID, c.owner, c.outsider), ErrNotMember},
		{"transfer to banned", s.TransferOwnership(ctx, c.g.ID, c.owner, c.banned), ErrNotMember},
		{"invite member", s.Invite(ctx, c.g.ID, c.owner, c.member), ErrAlreadyMember},
		{"invite banned", s.Invite(ctx, c.g.ID, c.owner, c.banned), ErrBanned},
	}
	for _, tc := range cases {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: want %v, got %v", tc.name, tc.want, tc.err)
		}
	}
	if role(t, s, c.g.ID, c.owner) != RoleOwner || role(t, s, c.g.ID, c.co2) != RoleOrganizer {
		t.Fatal("refused actions changed roles")
	}
	must(t, s.Remove(ctx, c.g.ID, c.owner, c.co2))
	if role(t, s, c.g.ID, c.co2) != RoleNone {
		t.Fatal("owner could not remove a co-organizer")
	}
}
