package groups

import (
	"context"
	"testing"
)

func TestMergeMemberMovesMembershipsAndInvitations(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner, guest, acct := newUser(), newUser(), newUser()
	onlyGuest := mustCreate(t, s, owner, goodInput("merge-guest-only"))
	both := mustCreate(t, s, owner, goodInput("merge-both"))
	in := goodInput("merge-invited")
	in.JoinPolicy = Invite
	invited := mustCreate(t, s, owner, in)
	banned := mustCreate(t, s, owner, goodInput("merge-banned"))
	mustJoin(t, s, onlyGuest.ID, guest)
	mustJoin(t, s, both.ID, guest)
	mustJoin(t, s, both.ID, acct)
	must(t, s.Invite(ctx, invited.ID, owner, guest))
	mustJoin(t, s, banned.ID, guest)
	must(t, s.Ban(ctx, banned.ID, owner, acct))

	must(t, s.MergeMember(ctx, guest, acct))
	for _, c := range []struct {
		g          *Group
		acct, gone Role
	}{{onlyGuest, RoleMember, RoleNone}, {both, RoleMember, RoleNone}, {invited, RoleNone, RoleNone}, {banned, RoleNone, RoleNone}} {
		if got := role(t, s, c.g.ID, acct); got != c.acct {
			t.Errorf("%s: account is %q, want %q", c.g.Slug, got, c.acct)
		}
		if got := role(t, s, c.g.ID, guest); got != RoleNone {
			t.Errorf("%s: the guest is still %q", c.g.Slug, got)
		}
	}
	invs, err := s.UserInvitations(ctx, acct)
	if err != nil || len(invs) != 1 || invs[0].Group.ID != invited.ID {
		t.Fatalf("the account's invitations: %+v %v", invs, err)
	}
	mine, err := s.UserInvitations(ctx, guest)
	if err != nil || len(mine) != 0 {
		t.Fatalf("the guest's invitations after the merge: %+v %v", mine, err)
	}
}
