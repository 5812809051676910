package groups

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
)

func TestOpenGroupJoinAndLeave(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner, u := newUser(), newUser()
	g := mustCreate(t, s, owner, goodInput("open-group"))
	must(t, s.Join(ctx, g.ID, u, nil))
	if err := s.Join(ctx, g.ID, u, nil); !errors.Is(err, ErrAlreadyMember) {
		t.Fatalf("second join: %v", err)
	}
	if err := s.Join(ctx, g.ID, "", nil); !errors.Is(err, ErrForbidden) {
		t.Fatalf("signed-out join: %v", err)
	}
	if got, _ := s.Get(ctx, g.ID); got.MemberCount != 2 {
		t.Fatalf("member count %d", got.MemberCount)
	}
	mine, err := s.UserGroups(ctx, u)
	if err != nil || len(mine) != 1 || mine[0].Role != RoleMember {
		t.Fatalf("my groups: %+v %v", mine, err)
	}
	must(t, s.Leave(ctx, g.ID, u))
	if err := s.Leave(ctx, g.ID, u); !errors.Is(err, ErrNotMember) {
		t.Fatalf("second leave: %v", err)
	}
	if mine, _ := s.UserGroups(ctx, u); len(mine) != 0 {
		t.Fatalf("left group still listed: %+v", mine)
	}
	if got, _ := s.Get(ctx, g.ID); got.MemberCount != 1 {
		t.Fatalf("member count after leave %d", got.MemberCount)
	}
}

func TestOwnerCannotLeaveUntilTransfer(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner, heir := newUser(), newUser()
	g := mustCreate(t, s, owner, goodInput("owned-group"))
	if err := s.Leave(ctx, g.ID, owner); !errors.Is(err, ErrOwnerMustTransfer) {
		t.Fatalf("last owner left: %v", err)
	}
	if err := s.TransferOwnership(ctx, g.ID, owner, heir); !errors.Is(err, ErrNotMember) {
		t.Fatalf("transfer to non-member: %v", err)
	}
	mustJoin(t, s, g.ID, heir)
	must(t, s.TransferOwnership(ctx, g.ID, owner, heir))
	if role(t, s, g.ID, heir) != RoleOwner || role(t, s, g.ID, owner) != RoleOrganizer {
		t.Fatal("roles after transfer")
	}
	if err := s.Delete(ctx, g.ID, owner); !errors.Is(err, ErrForbidden) {
		t.Fatalf("old owner deleted: %v", err)
	}
	if err := s.Leave(ctx, g.ID, heir); !errors.Is(err, ErrOwnerMustTransfer) {
		t.Fatalf("new owner left: %v", err)
	}
	must(t, s.Leave(ctx, g.ID, owner))
	orgs, err := s.Organizers(ctx, g.ID)
	if err != nil || len(orgs) != 1 || orgs[0].UserID != heir || orgs[0].Role != RoleOwner {
		t.Fatalf("organizers: %+v %v", orgs, err)
	}
}

func TestApprovalFlow(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner, ann, bob := newUser(), newUser(), newUser()
	in := goodInput("approval-group")
	in.JoinPolicy, in.Question = Approval, "What do you want to learn?"
	g := mustCreate(t, s, owner, in)

	if err := s.Join(ctx, g.ID, ann, nil); !errors.Is(err, ErrApprovalRequired) {
		t.Fatalf("join approval group: %v", err)
	}
	if err := s.Apply(ctx, g.ID, ann, "  ", nil); fieldErrors(t, err)["answer"] == "" {
		t.Fatal("empty answer accepted")
	}
	if err := s.Apply(ctx, g.ID, ann, strings.Repeat("a", MaxAnswerLen+1), nil); fieldErrors(t, err)["answer"] == "" {
		t.Fatal("long answer accepted")
	}
	must(t, s.Apply(ctx, g.ID, ann, "Generics", nil))
	must(t, s.Apply(ctx, g.ID, bob, "Testing", nil))
	if err := s.Apply(ctx, g.ID, ann, "again", nil); !errors.Is(err, ErrAlreadyApplied) {
		t.Fatalf("second application: %v", err)
	}
	if _, err := s.PendingRequests(ctx, g.ID, ann); !errors.Is(err, ErrForbidden) {
		t.Fatalf("applicant read requests: %v", err)
	}
	reqs, err := s.PendingRequests(ctx, g.ID, owner)
	if err != nil || len(reqs) != 2 || reqs[0].UserID != ann || reqs[0].Answer != "Generics" || reqs[0].Status != StatusPending {
		t.Fatalf("pending: %+v %v", reqs, err)
	}
	if apps, _ := s.UserApplications(ctx, ann); len(apps) != 1 || apps[0].Status != StatusPending {
		t.Fatalf("ann's applications: %+v", apps)
	}

	must(t, s.Approve(ctx, g.ID, owner, ann))
	err = s.Approve(ctx, g.ID, owner, ann)
	if !errors.Is(err, ErrAlreadyDecided) || !strings.Contains(err.Error(), "already approved") {
		t.Fatalf("approving twice: %v", err)
	}
	if err := s.Decline(ctx, g.ID, owner, ann); !errors.Is(err, ErrAlreadyDecided) {
		t.Fatalf("declining an approved request: %v", err)
	}
	must(t, s.Decline(ctx, g.ID, owner, bob))
	if err := s.Approve(ctx, g.ID, owner, bob); !errors.Is(err, ErrAlreadyDecided) {
		t.Fatalf("approving a declined request: %v", err)
	}
	if err := s.Approve(ctx, g.ID, owner, newUser()); !errors.Is(err, ErrNoRequest) {
		t.Fatalf("approving nobody: %v", err)
	}
	if got, _ := s.Get(ctx, g.ID); got.MemberCount != 2 {
		t.Fatalf("member count %d, want 2", got.MemberCount)
	}
	if reqs, _ := s.PendingRequests(ctx, g.ID, owner); len(reqs) != 0 {
		t.Fatalf("decided requests still pending: %+v", reqs)
	}
	if apps, _ := s.UserApplications(ctx, ann); len(apps) != 1 || apps[0].Status != StatusApproved || apps[0].DecidedAt.IsZero() {
		t.Fatalf("ann learns: %+v", apps)
	}
	if apps, _ := s.UserApplications(ctx, bob); len(apps) != 1 || apps[0].Status != StatusDeclined {
		t.Fatalf("bob learns: %+v", apps)
	}
	if mine, _ := s.UserGroups(ctx, ann); len(mine) != 1 {
		t.Fatalf("approved member's groups: %+v", mine)
	}
	// A declined person may try again.
	must(t, s.Apply(ctx, g.ID, bob, "Testing, really", nil))
	if st := standing(t, s, g.ID, bob); st.Application.Status != StatusPending || st.Application.Answer != "Testing, really" {
		t.Fatalf("re-application: %+v", st.Application)
	}
}

func TestInvitationOnly(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner, guest, other := newUser(), newUser(), newUser()
	in := goodInput("invite-group")
	in.JoinPolicy, in.Visibility = Invite, Private
	g := mustCreate(t, s, owner, in)
	// To outsiders a private group does not exist, whatever its policy.
	if err := s.Join(ctx, g.ID, guest, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("join: %v", err)
	}
	if err := s.Apply(ctx, g.ID, guest, "", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("apply: %v", err)
	}
	if err := s.AcceptInvite(ctx, g.ID, guest, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("accept without invite: %v", err)
	}
	for _, p := range []JoinPolicy{Open, Approval} {
		in := goodInput("private-" + string(p))
		in.JoinPolicy, in.Visibility = p, Private
		pg := mustCreate(t, s, owner, in)
		if err := s.Join(ctx, pg.ID, guest, nil); !errors.Is(err, ErrNotFound) {
			t.Fatalf("join private %s group: %v", p, err)
		}
		if err := s.Apply(ctx, pg.ID, guest, "hi", nil); !errors.Is(err, ErrNotFound) {
			t.Fatalf("apply to private %s group: %v", p, err)
		}
	}
	unlisted := goodInput("unlisted-invite")
	unlisted.JoinPolicy, unlisted.Visibility = Invite, Unlisted
	ug := mustCreate(t, s, owner, unlisted)
	if err := s.Join(ctx, ug.ID, guest, nil); !errors.Is(err, ErrInviteOnly) {
		t.Fatalf("join unlisted invitation-only group: %v", err)
	}
	if err := s.Apply(ctx, ug.ID, guest, "", nil); !errors.Is(err, ErrInviteOnly) {
		t.Fatalf("apply to unlisted invitation-only group: %v", err)
	}
	if err := s.AcceptInvite(ctx, ug.ID, guest, nil); !errors.Is(err, ErrNoInvite) {
		t.Fatalf("accept without invite: %v", err)
	}
	if CanView(g, standing(t, s, g.ID, guest)) {
		t.Fatal("outsider sees a private group")
	}
	must(t, s.Invite(ctx, g.ID, owner, guest))
	must(t, s.Invite(ctx, g.ID, owner, other))
	st := standing(t, s, g.ID, guest)
	if !CanView(g, st) || JoinDecision(g, st, nil).Action != ActionAcceptInvite {
		t.Fatalf("invitee: view %v, decision %+v", CanView(g, st), JoinDecision(g, st, nil))
	}
	invs, err := s.UserInvitations(ctx, guest)
	if err != nil || len(invs) != 1 || invs[0].Group.ID != g.ID || invs[0].InvitedBy != owner {
		t.Fatalf("invitations: %+v %v", invs, err)
	}
	must(t, s.AcceptInvite(ctx, g.ID, guest, nil))
	if role(t, s, g.ID, guest) != RoleMember {
		t.Fatal("accepted invite did not make a member")
	}
	if invs, _ := s.UserInvitations(ctx, guest); len(invs) != 0 {
		t.Fatalf("accepted invitation still listed: %+v", invs)
	}
	must(t, s.DeclineInvite(ctx, g.ID, other))
	if err := s.AcceptInvite(ctx, g.ID, other, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("accept after decline: %v", err)
	}
	if err := s.DeclineInvite(ctx, g.ID, other); !errors.Is(err, ErrNoInvite) {
		t.Fatalf("decline twice: %v", err)
	}
}

func TestBanBlocksRejoinAndReapply(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner, troll, applicant := newUser(), newUser(), newUser()
	in := goodInput("ban-group")
	g := mustCreate(t, s, owner, in)
	mustJoin(t, s, g.ID, troll)
	must(t, s.Ban(ctx, g.ID, owner, troll))
	if got, _ := s.Get(ctx, g.ID); got.MemberCount != 1 {
		t.Fatalf("banned member still counted: %d", got.MemberCount)
	}
	if err := s.Join(ctx, g.ID, troll, nil); !errors.Is(err, ErrBanned) {
		t.Fatalf("banned rejoin: %v", err)
	}
	if bans, err := s.Banned(ctx, g.ID, owner); err != nil || len(bans) != 1 || bans[0] != troll {
		t.Fatalf("ban list = %v, %v", bans, err)
	}
	if _, err := s.Banned(ctx, g.ID, troll); !errors.Is(err, ErrForbidden) {
		t.Fatalf("ban list for a non-organizer: %v", err)
	}
	if mine, _ := s.UserGroups(ctx, troll); len(mine) != 0 {
		t.Fatalf("banned user's groups: %+v", mine)
	}

	in = g.Input()
	in.JoinPolicy = Approval
	_, err := s.Update(ctx, g.ID, owner, in)
	must(t, err)
	if err := s.Apply(ctx, g.ID, troll, "please", nil); !errors.Is(err, ErrBanned) {
		t.Fatalf("banned apply: %v", err)
	}
	must(t, s.Apply(ctx, g.ID, applicant, "hi", nil))
	must(t, s.Ban(ctx, g.ID, owner, applicant))
	if st := standing(t, s, g.ID, applicant); st.Application.Status != StatusDeclined || !st.Banned {
		t.Fatalf("banned applicant: %+v", st)
	}
	if err := s.Approve(ctx, g.ID, owner, applicant); !errors.Is(err, ErrAlreadyDecided) {
		t.Fatalf("approve banned applicant: %v", err)
	}
	if d := JoinDecision(g, standing(t, s, g.ID, troll), nil); d.Action != ActionNone || d.Reason == "" {
		t.Fatalf("banned decision: %+v", d)
	}

	must(t, s.Unban(ctx, g.ID, owner, troll))
	must(t, s.Apply(ctx, g.ID, troll, "sorry", nil))
}

func TestCompanyOnlyGroup(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	in := goodInput("acme-guild")
	in.Domains = []string{"acme.example", "acme-labs.example"}
	g := mustCreate(t, s, newUser(), in)
	cases := []struct {
		name     string
		verified []string // the caller passes verified addresses only
		ok       bool
	}{
		{"no verified email (unverified addresses are not passed)", nil, false},
		{"other domain", []string{"ann@gmail.example"}, false},
		{"look-alike domain", []string{"ann@acme.example.evil.example"}, false},
		{"subdomain", []string{"ann@eng.acme.example"}, false},
		{"domain as local part", []string{"acme.example@gmail.example"}, false},
		{"right domain", []string{"ann@acme.example"}, true},
		{"right domain, other case", []string{"Ann@ACME.Example"}, true},
		{"second domain", []string{"ann@acme-labs.example"}, true},
		{"one of several addresses", []string{"ann@gmail.example", "ann@acme.example"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := newUser()
			d := JoinDecision(g, standing(t, s, g.ID, u), c.verified)
			err := s.Join(ctx, g.ID, u, c.verified)
			if c.ok {
				if err != nil || d.Action != ActionJoin {
					t.Fatalf("refused: %v, decision %+v", err, d)
				}
				return
			}
			if !errors.Is(err, ErrDomain) {
				t.Fatalf("want ErrDomain, got %v", err)
			}
			want := "Only people with a verified email at acme.example or acme-labs.example can join."
			if d.Action != ActionNone || d.Reason != want {
				t.Fatalf("decision %+v", d)
			}
			if role(t, s, g.ID, u) != RoleNone {
				t.Fatal("refused user became a member")
			}
		})
	}
	t.Run("applications and invitations check the domain too", func(t *testing.T) {
		owner := newUser()
		in := goodInput("acme-reviewed")
		in.Domains, in.JoinPolicy = []string{"acme.example"}, Approval
		g := mustCreate(t, s, owner, in)
		u := newUser()
		if err := s.Apply(ctx, g.ID, u, "hi", []string{"u@other.example"}); !errors.Is(err, ErrDomain) {
			t.Fatalf("apply: %v", err)
		}
		must(t, s.Invite(ctx, g.ID, owner, u))
		if err := s.AcceptInvite(ctx, g.ID, u, []string{"u@other.example"}); !errors.Is(err, ErrDomain) {
			t.Fatalf("accept: %v", err)
		}
		must(t, s.AcceptInvite(ctx, g.ID, u, []string{"u@acme.example"}))
	})
}

func TestCanViewAndJoinDecision(t *testing.T) {
	t.Parallel()
	g := func(v Visibility, p JoinPolicy) *Group { return &Group{Visibility: v, JoinPolicy: p} }
	pending := &Application{Status: StatusPending}
	declined := &Application{Status: StatusDeclined}
	cases := []struct {
		name   string
		g      *Group
		st     Standing
		view   bool
		action Action
	}{
		{"anonymous on public", g(Public, Open), Standing{}, true, ActionSignIn},
		{"anonymous on unlisted", g(Unlisted, Open), Standing{}, true, ActionSignIn},
		{"anonymous on private", g(Private, Open), Standing{}, false, ActionSignIn},
		{"outsider on private", g(Private, Open), Standing{UserID: "u"}, false, ActionNone},
		{"member on private", g(Private, Invite), Standing{UserID: "u", Role: RoleMember}, true, ActionLeave},
		{"invitee on private", g(Private, Invite), Standing{UserID: "u", Invited: true}, true, ActionAcceptInvite},
		{"banned invitee on private", g(Private, Invite), Standing{UserID: "u", Invited: true, Banned: true}, false, ActionNone},
		{"owner", g(Public, Open), Standing{UserID: "u", Role: RoleOwner}, true, ActionNone},
		{"outsider, approval", g(Public, Approval), Standing{UserID: "u"}, true, ActionApply},
		{"pending applicant", g(Public, Approval), Standing{UserID: "u", Application: pending}, true, ActionNone},
		{"declined applicant", g(Public, Approval), Standing{UserID: "u", Application: declined}, true, ActionApply},
		{"outsider, invitation only", g(Unlisted, Invite), Standing{UserID: "u"}, true, ActionNone},
		{"banned on public", g(Public, Open), Standing{UserID: "u", Banned: true}, true, ActionNone},
	}
	for _, c := range cases {
		if got := CanView(c.g, c.st); got != c.view {
			t.Errorf("%s: CanView = %v", c.name, got)
		}
		d := JoinDecision(c.g, c.st, nil)
		if d.Action != c.action {
			t.Errorf("%s: action %q, want %q", c.name, d.Action, c.action)
		}
		if d.Action == ActionNone && d.Reason == "" {
			t.Errorf("%s: no action and no reason", c.name)
		}
	}
}

func TestMembersPagesAndRoles(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner := newUser()
	g := mustCreate(t, s, owner, goodInput("paged-members"))
	var joined []string
	for i := 0; i < 25; i++ {
		u := newUser()
		mustJoin(t, s, g.ID, u)
		joined = append(joined, u)
	}
	must(t, s.Promote(ctx, g.ID, owner, joined[3]))
	seen := map[string]Role{}
	for page := 1; page <= 3; page++ {
		ms, total, err := s.Members(ctx, g.ID, page, 10)
		if err != nil || total != 26 {
			t.Fatalf("page %d: total %d, %v", page, total, err)
		}
		for _, m := range ms {
			if _, dup := seen[m.UserID]; dup {
				t.Fatalf("member %s on two pages", m.UserID)
			}
			seen[m.UserID] = m.Role
		}
	}
	if len(seen) != 26 || seen[owner] != RoleOwner || seen[joined[3]] != RoleOrganizer || seen[joined[0]] != RoleMember {
		t.Fatalf("members: %d seen, roles %v %v %v", len(seen), seen[owner], seen[joined[3]], seen[joined[0]])
	}
}

func TestConcurrentJoinsAndApplicationsLoseNone(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	const n = 200
	owner := newUser()
	open := mustCreate(t, s, owner, goodInput("crowded-open"))
	in := goodInput("crowded-approval")
	in.JoinPolicy = Approval
	reviewed := mustCreate(t, s, owner, in)

	users := make([]string, n)
	for i := range users {
		users[i] = newUser()
	}
	run := func(f func(u string) error) {
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		start := make(chan struct{})
		for _, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := f(u); err != nil {
					errs <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	run(func(u string) error { return s.Join(ctx, open.ID, u, nil) })
	run(func(u string) error { return s.Apply(ctx, reviewed.ID, u, "hello", nil) })

	if g, _ := s.Get(ctx, open.ID); g.MemberCount != n+1 {
		t.Fatalf("open group has %d members, want %d", g.MemberCount, n+1)
	}
	if _, total, _ := s.Members(ctx, open.ID, 1, 1); total != n+1 {
		t.Fatalf("member list has %d", total)
	}
	reqs, err := s.PendingRequests(ctx, reviewed.ID, owner)
	if err != nil || len(reqs) != n {
		t.Fatalf("%d pending requests, want %d (%v)", len(reqs), n, err)
	}

	// Two organizers approve every request at once: each is approved once.
	co := users[0]
	must(t, s.Approve(ctx, reviewed.ID, owner, co))
	must(t, s.Promote(ctx, reviewed.ID, owner, co))
	var mu sync.Mutex
	approved, twice := 0, 0
	var wg sync.WaitGroup
	for _, u := range users[1:] {
		for _, actor := range []string{owner, co} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.Approve(ctx, reviewed.ID, actor, u)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					approved++
				case errors.Is(err, ErrAlreadyDecided):
					twice++
				default:
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if approved != n-1 || twice != n-1 {
		t.Fatalf("approved %d, refused as already decided %d; want %d each", approved, twice, n-1)
	}
	if g, _ := s.Get(ctx, reviewed.ID); g.MemberCount != n+1 {
		t.Fatalf("reviewed group has %d members, want %d", g.MemberCount, n+1)
	}
	recount(t, s)
	res, total, err := s.Search(ctx, Query{Sort: SortMembers})
	if err != nil || total != 2 || res[0].MemberCount != n+1 || res[1].MemberCount != n+1 {
		t.Fatalf("index member counts drifted: %v %d", err, total)
	}
	scores := s.rdb.ZMScore(ctx, s.idxSortKey(SortMembers), open.ID, reviewed.ID).Val()
	if scores[0] != n+1 || scores[1] != n+1 {
		t.Fatalf("members index scores %v", scores)
	}
}

func TestGroupAlwaysKeepsAMemberOwner(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		owner, heir := newUser(), newUser()
		g := mustCreate(t, s, owner, goodInput(fmt.Sprintf("heir-race-%d", i)))
		mustJoin(t, s, g.ID, heir)
		var transferErr, leaveErr error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); transferErr = s.TransferOwnership(ctx, g.ID, owner, heir) }()
		go func() { defer wg.Done(); leaveErr = s.Leave(ctx, g.ID, heir) }()
		wg.Wait()
		if (transferErr == nil) == (leaveErr == nil) {
			t.Fatalf("transfer %v, leave %v: exactly one must win", transferErr, leaveErr)
		}
		cur, err := s.Get(ctx, g.ID)
		must(t, err)
		if role(t, s, g.ID, cur.OwnerID) != RoleOwner {
			t.Fatalf("owner %s is not a member", cur.OwnerID)
		}
	}
}

// TestJoinOfAMemberWritesNothing: whatever the group's rules have become,
// a member who joins again is told they are one, and nothing about the
// group changes.
func TestJoinOfAMemberWritesNothing(t *testing.T) {
	t.Parallel()
	s, rdb, _ := newStore(t)
	ctx := context.Background()
	owner, u := newUser(), newUser()
	g := mustCreate(t, s, owner, goodInput("members-stay"))
	mustJoin(t, s, g.ID, u)
	for _, change := range []func(in *Input){
		func(in *Input) {},
		func(in *Input) { in.JoinPolicy, in.Question = Approval, "Why?" },
		func(in *Input) { in.JoinPolicy = Invite },
		func(in *Input) { in.Visibility = Private },
		func(in *Input) { in.Domains = []string{"example.com"} },
	} {
		in := goodInput("members-stay")
		change(&in)
		if _, err := s.Update(ctx, g.ID, owner, in); err != nil {
			t.Fatal(err)
		}
		before, err := rdb.HGetAll(ctx, s.key(g.ID, kGroup)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Join(ctx, g.ID, u, nil); !errors.Is(err, ErrAlreadyMember) {
			t.Fatalf("%+v: joining again: %v, want ErrAlreadyMember", in, err)
		}
		after, _ := rdb.HGetAll(ctx, s.key(g.ID, kGroup)).Result()
		if !maps.Equal(before, after) {
			t.Fatalf("%+v: a refused join changed the group: %v, then %v", in, before, after)
		}
	}
	if err := s.Join(ctx, "nosuchgroup", u, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("joining a missing group: %v", err)
	}
}

// TestJoiningAnOpenedGroupSettlesTheRequest: someone who applied while
// the group reviewed requests, and joins once it is open, is approved.
func TestJoiningAnOpenedGroupSettlesTheRequest(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	owner, ann := newUser(), newUser()
	in := goodInput("opened-later")
	in.JoinPolicy, in.Question = Approval, "Why?"
	g := mustCreate(t, s, owner, in)
	must(t, s.Apply(ctx, g.ID, ann, "To learn", nil))
	if _, err := s.Update(ctx, g.ID, owner, goodInput("opened-later")); err != nil {
		t.Fatal(err)
	}
	mustJoin(t, s, g.ID, ann)
	if reqs, _ := s.PendingRequests(ctx, g.ID, owner); len(reqs) != 0 {
		t.Fatalf("requests still pending: %+v", reqs)
	}
	if apps, _ := s.UserApplications(ctx, ann); len(apps) != 1 || apps[0].Status != StatusApproved {
		t.Fatalf("ann's application: %+v", apps)
	}
	if got, _ := s.Get(ctx, g.ID); got.MemberCount != 2 {
		t.Fatalf("member count %d, want 2", got.MemberCount)
	}
}
