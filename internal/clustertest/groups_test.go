package clustertest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
)

type groupsFixture struct {
	t   *testing.T
	ctx context.Context
	rdb redis.UniversalClient
	pfx string
	s   *groups.Store
	clk *clock
}

func newGroupsFixture(t *testing.T) *groupsFixture {
	rdb, prefix := cluster(t)
	f := &groupsFixture{t: t, ctx: context.Background(), rdb: rdb, pfx: prefix, s: groups.NewStore(rdb, prefix),
		clk: newClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))}
	// Every reading moves the clock on, so join and apply orders are strict.
	f.s.Now = func() time.Time { return f.clk.Advance(time.Millisecond) }
	return f
}

func (f *groupsFixture) create(owner string, in groups.Input) *groups.Group {
	f.t.Helper()
	f.clk.Advance(time.Minute)
	g, err := f.s.Create(f.ctx, owner, in)
	if err != nil {
		f.t.Fatalf("create %s: %v", in.Slug, err)
	}
	return g
}

func (f *groupsFixture) role(gid, uid string) groups.Role {
	f.t.Helper()
	r, err := f.s.Role(f.ctx, gid, uid)
	if err != nil {
		f.t.Fatalf("role of %s: %v", uid, err)
	}
	return r
}

func (f *groupsFixture) must(what string, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

func (f *groupsFixture) want(what string, err, target error) {
	f.t.Helper()
	if !errors.Is(err, target) {
		f.t.Fatalf("%s: got %v, want %v", what, err, target)
	}
}

// search returns the slugs Search finds, in order, and the total.
func (f *groupsFixture) search(q groups.Query) ([]string, int) {
	f.t.Helper()
	gs, total, err := f.s.Search(f.ctx, q)
	if err != nil {
		f.t.Fatalf("search %+v: %v", q, err)
	}
	out := []string{}
	for _, g := range gs {
		out = append(out, g.Slug)
	}
	return out, total
}

func groupIDs[T any](list []T, id func(T) string) []string {
	out := []string{}
	for _, x := range list {
		out = append(out, id(x))
	}
	return out
}

func TestGroupsLifecycleOnCluster(t *testing.T) {
	t.Parallel()
	f := newGroupsFixture(t)
	ctx, s := f.ctx, f.s
	owner, alice, bob, carol, dave, erin := ids.New(), ids.New(), ids.New(), ids.New(), ids.New(), ids.New()

	k8s := f.create(owner, groups.Input{Name: "Kubernetes Operators", Slug: "k8s-operators",
		Description: "We write operators in Go.", Topics: []string{"Kubernetes", "go"}, Paths: []string{"devops"}, City: "Berlin"})
	rust := f.create(owner, groups.Input{Name: "Rust Learners", Slug: "rust-learners", Description: "Ownership and lifetimes.",
		Topics: []string{"rust"}, Paths: []string{"architecture"}, Online: true, JoinPolicy: groups.Approval, Question: "What do you build?"})
	guild := f.create(owner, groups.Input{Name: "Platform Guild", Slug: "platform-guild", Description: "Our internal platform.",
		Topics: []string{"kubernetes"}, City: "Berlin", Visibility: groups.Private, JoinPolicy: groups.Invite})
	f.create(owner, groups.Input{Name: "Go Hamburg", Slug: "go-hamburg", Topics: []string{"go"}, City: "Hamburg", Visibility: groups.Unlisted})

	// Slugs are unique: a taken one is a form error and stores nothing.
	_, err := s.Create(ctx, alice, groups.Input{Name: "Copycat", Slug: "k8s-operators", City: "Berlin"})
	var ve valid.Errors
	if !errors.As(err, &ve) || ve["slug"] == "" {
		t.Fatalf("create with a taken slug: %v", err)
	}
	if ms, _ := s.UserGroups(ctx, alice); len(ms) != 0 {
		t.Fatalf("a refused create left alice with groups %v", ms)
	}

	// Renaming claims the new slug and frees the old one.
	in := k8s.Input()
	in.Slug = "kubernetes-operators"
	k8s, err = s.Update(ctx, k8s.ID, owner, in)
	f.must("rename", err)
	if g, err := s.GetBySlug(ctx, "kubernetes-operators"); err != nil || g.ID != k8s.ID {
		t.Fatalf("GetBySlug(new): %v %v", g, err)
	}
	_, err = s.GetBySlug(ctx, "k8s-operators")
	f.want("GetBySlug(old)", err, groups.ErrNotFound)
	_, err = s.Update(ctx, k8s.ID, alice, in)
	f.want("update by a non-member", err, groups.ErrForbidden)
	reuse := f.create(carol, groups.Input{Name: "Reuses the old slug", Slug: "k8s-operators", City: "Köln", Visibility: groups.Unlisted})

	// Join an open group.
	f.must("alice joins", s.Join(ctx, k8s.ID, alice, nil))
	f.must("bob joins", s.Join(ctx, k8s.ID, bob, nil))
	f.want("join twice", s.Join(ctx, k8s.ID, alice, nil), groups.ErrAlreadyMember)
	if r := f.role(k8s.ID, alice); r != groups.RoleMember {
		t.Fatalf("alice's role = %q", r)
	}

	// Apply, approve, decline.
	f.want("join a reviewed group", s.Join(ctx, rust.ID, carol, nil), groups.ErrApprovalRequired)
	if err := s.Apply(ctx, rust.ID, carol, " ", nil); !errors.As(err, &ve) || ve["answer"] == "" {
		t.Fatalf("apply without an answer: %v", err)
	}
	f.must("carol applies", s.Apply(ctx, rust.ID, carol, "A compiler", nil))
	f.must("dave applies", s.Apply(ctx, rust.ID, dave, "CLI tools", nil))
	f.want("apply twice", s.Apply(ctx, rust.ID, carol, "again", nil), groups.ErrAlreadyApplied)
	pending, err := s.PendingRequests(ctx, rust.ID, owner)
	f.must("pending", err)
	if got := groupIDs(pending, func(a groups.Application) string { return a.UserID + ":" + a.Answer }); !slices.Equal(got, []string{carol + ":A compiler", dave + ":CLI tools"}) {
		t.Fatalf("pending = %v", got)
	}
	f.want("approve by a member", s.Approve(ctx, rust.ID, carol, dave), groups.ErrForbidden)
	f.must("approve carol", s.Approve(ctx, rust.ID, owner, carol))
	f.must("decline dave", s.Decline(ctx, rust.ID, owner, dave))
	f.want("approve twice", s.Approve(ctx, rust.ID, owner, carol), groups.ErrAlreadyDecided)
	for uid, want := range map[string]groups.AppStatus{carol: groups.StatusApproved, dave: groups.StatusDeclined} {
		apps, err := s.UserApplications(ctx, uid)
		f.must("applications", err)
		if len(apps) != 1 || apps[0].Group.ID != rust.ID || apps[0].Status != want {
			t.Fatalf("applications of %s = %+v, want one %s", uid, apps, want)
		}
	}
	if r := f.role(rust.ID, carol); r != groups.RoleMember {
		t.Fatalf("carol's role after approval = %q", r)
	}

	// Invitations to a private, invitation-only group.
	f.want("join a private group uninvited", s.Join(ctx, guild.ID, erin, nil), groups.ErrNotFound)
	f.must("invite erin", s.Invite(ctx, guild.ID, owner, erin))
	f.must("invite dave", s.Invite(ctx, guild.ID, owner, dave))
	invs, err := s.UserInvitations(ctx, erin)
	f.must("invitations", err)
	if len(invs) != 1 || invs[0].Group.ID != guild.ID || invs[0].InvitedBy != owner {
		t.Fatalf("erin's invitations = %+v", invs)
	}
	if st, _ := s.Standing(ctx, guild.ID, erin); !st.Invited || st.Role != groups.RoleNone {
		t.Fatalf("erin's standing = %+v", st)
	}
	f.must("erin accepts", s.AcceptInvite(ctx, guild.ID, erin, nil))
	f.must("dave declines", s.DeclineInvite(ctx, guild.ID, dave))
	f.want("accept a declined invitation to a private group", s.AcceptInvite(ctx, guild.ID, dave, nil), groups.ErrNotFound)
	for _, uid := range []string{erin, dave} {
		if invs, _ := s.UserInvitations(ctx, uid); len(invs) != 0 {
			t.Fatalf("invitations of %s left: %+v", uid, invs)
		}
	}
	if r := f.role(guild.ID, erin); r != groups.RoleMember {
		t.Fatalf("erin's role after accepting = %q", r)
	}

	// Promote and demote.
	f.must("promote alice", s.Promote(ctx, k8s.ID, owner, alice))
	orgs, err := s.Organizers(ctx, k8s.ID)
	f.must("organizers", err)
	if got := groupIDs(orgs, func(m groups.Member) string { return m.UserID + ":" + string(m.Role) }); !slices.Equal(got, []string{owner + ":owner", alice + ":organizer"}) {
		t.Fatalf("organizers = %v", got)
	}
	f.want("demote by a member", s.Demote(ctx, k8s.ID, bob, alice), groups.ErrForbidden)
	f.must("demote alice", s.Demote(ctx, k8s.ID, owner, alice))
	if r := f.role(k8s.ID, alice); r != groups.RoleMember {
		t.Fatalf("alice after demotion = %q", r)
	}

	// Ban, list bans, unban.
	f.must("ban bob", s.Ban(ctx, k8s.ID, owner, bob))
	banned, err := s.Banned(ctx, k8s.ID, owner)
	f.must("banned", err)
	if !slices.Equal(banned, []string{bob}) {
		t.Fatalf("banned = %v", banned)
	}
	if st, _ := s.Standing(ctx, k8s.ID, bob); !st.Banned || st.Role != groups.RoleNone {
		t.Fatalf("bob's standing after the ban = %+v", st)
	}
	if ms, _ := s.UserGroups(ctx, bob); len(ms) != 0 {
		t.Fatalf("bob still lists %v", ms)
	}
	f.want("join while banned", s.Join(ctx, k8s.ID, bob, nil), groups.ErrBanned)
	f.must("unban bob", s.Unban(ctx, k8s.ID, owner, bob))
	if banned, _ := s.Banned(ctx, k8s.ID, owner); len(banned) != 0 {
		t.Fatalf("banned after unban = %v", banned)
	}
	f.must("bob rejoins", s.Join(ctx, k8s.ID, bob, nil))
	f.must("dave joins", s.Join(ctx, k8s.ID, dave, nil))

	members, total, err := s.Members(ctx, k8s.ID, 1, 20)
	f.must("members", err)
	if got := groupIDs(members, func(m groups.Member) string { return m.UserID + ":" + string(m.Role) }); total != 4 ||
		!slices.Equal(got, []string{owner + ":owner", alice + ":member", bob + ":member", dave + ":member"}) {
		t.Fatalf("members = %v (total %d)", got, total)
	}

	// Ownership moves; the old owner stays on as co-organizer.
	f.must("transfer", s.TransferOwnership(ctx, k8s.ID, owner, alice))
	f.want("transfer by the old owner", s.TransferOwnership(ctx, k8s.ID, owner, bob), groups.ErrForbidden)
	if g, _ := s.Get(ctx, k8s.ID); g.OwnerID != alice {
		t.Fatalf("owner after transfer = %s", g.OwnerID)
	}
	if r := f.role(k8s.ID, owner); r != groups.RoleOrganizer {
		t.Fatalf("old owner's role = %q", r)
	}

	// Leave.
	f.want("the owner leaves", s.Leave(ctx, k8s.ID, alice), groups.ErrOwnerMustTransfer)
	f.must("bob leaves", s.Leave(ctx, k8s.ID, bob))
	f.want("leave twice", s.Leave(ctx, k8s.ID, bob), groups.ErrNotMember)
	mine, err := s.UserGroups(ctx, owner)
	f.must("user groups", err)
	roles := map[string]groups.Role{}
	for _, m := range mine {
		roles[m.Group.Slug] = m.Role
	}
	wantRoles := map[string]groups.Role{"kubernetes-operators": groups.RoleOrganizer, "rust-learners": groups.RoleOwner,
		"platform-guild": groups.RoleOwner, "go-hamburg": groups.RoleOwner}
	if !maps.Equal(roles, wantRoles) {
		t.Fatalf("owner's groups = %v, want %v", roles, wantRoles)
	}

	// Discovery: only public groups, every filter and order.
	cases := []struct {
		name string
		q    groups.Query
		want []string
	}{
		{"words", groups.Query{Words: "operators"}, []string{"kubernetes-operators"}},
		{"two words", groups.Query{Words: "Operator GO"}, []string{"kubernetes-operators"}},
		{"no match", groups.Query{Words: "operators lifetimes"}, []string{}},
		{"topic", groups.Query{Topic: "Kubernetes"}, []string{"kubernetes-operators"}},
		{"topic alias", groups.Query{Topic: "golang"}, []string{"kubernetes-operators"}},
		{"path", groups.Query{Path: "architecture"}, []string{"rust-learners"}},
		{"city", groups.Query{City: " BERLIN "}, []string{"kubernetes-operators"}},
		{"online", groups.Query{Online: true}, []string{"rust-learners"}},
		{"city or online", groups.Query{City: "berlin", Online: true}, []string{"rust-learners", "kubernetes-operators"}},
		{"topic and city or online", groups.Query{Topic: "rust", City: "berlin", Online: true}, []string{"rust-learners"}},
		{"newest", groups.Query{Sort: groups.SortNewest}, []string{"rust-learners", "kubernetes-operators"}},
		{"members", groups.Query{Sort: groups.SortMembers}, []string{"kubernetes-operators", "rust-learners"}},
		{"second page", groups.Query{PerPage: 1, Page: 2}, []string{"kubernetes-operators"}},
	}
	for _, c := range cases {
		got, total := f.search(c.q)
		if !slices.Equal(got, c.want) {
			t.Errorf("search %s: got %v, want %v", c.name, got, c.want)
		}
		if c.q.PerPage == 0 && total != len(c.want) {
			t.Errorf("search %s: total %d, want %d", c.name, total, len(c.want))
		}
	}
	now := f.clk.Now()
	f.must("next session", s.SetNextSession(ctx, rust.ID, now.Add(24*time.Hour)))
	f.must("next session", s.SetNextSession(ctx, k8s.ID, now.Add(72*time.Hour)))
	if got, _ := f.search(groups.Query{Sort: groups.SortSoonest}); !slices.Equal(got, []string{"rust-learners", "kubernetes-operators"}) {
		t.Errorf("soonest = %v", got)
	}
	f.must("next session", s.SetNextSession(ctx, k8s.ID, now.Add(2*time.Hour)))
	if got, _ := f.search(groups.Query{Sort: groups.SortSoonest}); !slices.Equal(got, []string{"kubernetes-operators", "rust-learners"}) {
		t.Errorf("soonest after a reschedule = %v", got)
	}
	if g, _ := s.Get(ctx, k8s.ID); !g.NextSessionAt.Equal(now.Add(2 * time.Hour)) {
		t.Errorf("NextSessionAt = %v", g.NextSessionAt)
	}
	topics, err := s.Topics(ctx, 10)
	f.must("topics", err)
	gotTopics := map[string]int{}
	for _, tc := range topics {
		gotTopics[tc.Topic] = tc.Count
	}
	if want := map[string]int{"kubernetes": 1, "go": 1, "rust": 1}; !maps.Equal(gotTopics, want) {
		t.Errorf("topics = %v, want %v", gotTopics, want)
	}

	if n := mastersHolding(t, f.rdb, f.pfx); n < 2 {
		t.Fatalf("the scenario's keys sit on %d master(s); the test proves nothing about slots", n)
	}

	// Delete leaves nothing of the group on any master.
	f.want("delete by a co-organizer", s.Delete(ctx, k8s.ID, owner), groups.ErrForbidden)
	f.must("delete", s.Delete(ctx, k8s.ID, alice))
	if refs := refsTo(t, f.rdb, f.pfx, k8s.ID); len(refs) > 0 {
		t.Fatalf("keys still referring to the deleted group: %v", refs)
	}
	_, err = s.Get(ctx, k8s.ID)
	f.want("get deleted", err, groups.ErrNotFound)
	_, err = s.GetBySlug(ctx, "kubernetes-operators")
	f.want("slug of deleted", err, groups.ErrNotFound)
	if got, _ := f.search(groups.Query{Topic: "kubernetes"}); len(got) != 0 {
		t.Errorf("search finds the deleted group: %v", got)
	}
	for _, uid := range []string{alice, owner, dave} {
		ms, _ := s.UserGroups(ctx, uid)
		for _, m := range ms {
			if m.Group.ID == k8s.ID {
				t.Errorf("%s still lists the deleted group", uid)
			}
		}
	}
	f.must("delete the slug reuser", s.Delete(ctx, reuse.ID, carol))
	for _, k := range keysUnder(t, f.rdb, f.pfx) {
		if strings.Contains(k, ":tmp:") {
			t.Errorf("search left a temporary key: %s", k)
		}
	}
}

// TestGroupsSlugRace has many owners claim one slug at once: one wins.
func TestGroupsSlugRace(t *testing.T) {
	t.Parallel()
	f := newGroupsFixture(t)
	const n = 12
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, results[i] = f.s.Create(f.ctx, ids.New(), groups.Input{Name: "Race", Slug: "race", Online: true})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range results {
		var ve valid.Errors
		switch {
		case err == nil:
			won++
		case errors.As(err, &ve) && ve["slug"] != "":
		default:
			t.Fatalf("create: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d creates won the slug, want 1", won)
	}
	if _, total := f.search(groups.Query{Words: "race"}); total != 1 {
		t.Fatalf("search finds %d groups named race", total)
	}
}

// TestGroupsConcurrentJoins has many people join one group at once.
func TestGroupsConcurrentJoins(t *testing.T) {
	t.Parallel()
	f := newGroupsFixture(t)
	owner := ids.New()
	g := f.create(owner, groups.Input{Name: "Busy group", Slug: "busy", Topics: []string{"go"}, Online: true})
	const n = 30
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = f.s.Join(f.ctx, g.ID, ids.New(), nil) })
	}
	wg.Wait()
	for _, err := range errs {
		f.must("join", err)
	}
	g, err := f.s.Get(f.ctx, g.ID)
	f.must("get", err)
	if g.MemberCount != n+1 {
		t.Fatalf("member count = %d, want %d", g.MemberCount, n+1)
	}
	// Recount takes the joins' counts: sorting by members still works.
	other := f.create(owner, groups.Input{Name: "Quiet group", Slug: "quiet", Topics: []string{"go"}, Online: true})
	f.must("join quiet", f.s.Join(f.ctx, other.ID, ids.New(), nil))
	_, err = f.s.Recount(f.ctx)
	f.must("recount", err)
	if got, _ := f.search(groups.Query{Sort: groups.SortMembers}); !slices.Equal(got, []string{"busy", "quiet"}) {
		t.Fatalf("by members = %v", got)
	}
}

// A page reads several groups, each on its own slot, in one pipeline: the
// queued reads agree with the store's one-at-a-time answers.
func TestGroupPageReadsInOnePipelineOnCluster(t *testing.T) {
	t.Parallel()
	f := newGroupsFixture(t)
	ctx, s := f.ctx, f.s
	owner, alice, bob, carol := ids.New(), ids.New(), ids.New(), ids.New()
	// Groups until they live on two masters at least (each group's keys
	// share one slot, chosen by its random ID).
	var gs []*groups.Group
	masters := map[string]bool{}
	for i := 0; len(masters) < 2 || len(gs) < 3; i++ {
		if i == 30 {
			t.Fatalf("30 groups all on one master")
		}
		slug := fmt.Sprintf("pipe-%d", i)
		g := f.create(owner, groups.Input{Name: "Group " + slug, Slug: slug, Topics: []string{"go"}, City: "Berlin"})
		for _, uid := range []string{carol, alice, bob} {
			f.must("join", s.Join(ctx, g.ID, uid, nil))
		}
		f.must("promote bob", s.Promote(ctx, g.ID, owner, bob))
		f.must("promote carol", s.Promote(ctx, g.ID, owner, carol))
		node, err := f.rdb.(*redis.ClusterClient).MasterForKey(ctx, f.pfx+"group:{"+g.ID+"}")
		f.must("master for key", err)
		masters[node.Options().Addr] = true
		gs = append(gs, g)
	}
	p := f.rdb.Pipeline()
	type reads struct {
		group    func() (*groups.Group, error)
		standing func() (groups.Standing, error)
		coOrgs   func() ([]string, error)
		members  func() ([]string, error)
	}
	rs := make([]reads, len(gs))
	for i, g := range gs {
		rs[i] = reads{s.QueueGet(ctx, p, g.ID), s.QueueStanding(ctx, p, g.ID, bob), s.QueueCoOrganizers(ctx, p, g.ID), s.QueueMemberIDs(ctx, p, g.ID, 1, 2)}
	}
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) { // bob never applied: a nil reply
		t.Fatal(err)
	}
	for i, g := range gs {
		got, err := rs[i].group()
		if err != nil || got.ID != g.ID || got.MemberCount != 4 {
			t.Fatalf("queued get of %s: %+v %v", g.Slug, got, err)
		}
		if st, err := rs[i].standing(); err != nil || st.Role != groups.RoleOrganizer {
			t.Fatalf("queued standing of bob in %s: %+v %v", g.Slug, st, err)
		}
		orgs, err := s.Organizers(ctx, g.ID)
		f.must("organizers", err)
		co, err := rs[i].coOrgs()
		f.must("co-organizers", err)
		if want := []string{orgs[1].UserID, orgs[2].UserID}; !slices.Equal(co, want) || co[0] != carol {
			t.Fatalf("queued co-organizers of %s: %v, want %v (joining order: carol, then bob)", g.Slug, co, want)
		}
		page, err := rs[i].members()
		f.must("members", err)
		if want := []string{owner, carol}; !slices.Equal(page, want) {
			t.Fatalf("queued first page of members of %s: %v, want %v", g.Slug, page, want)
		}
	}
}

// A join and a "going" to one of the group's sessions go in one pipeline
// though the group and the session live on different masters, and a going
// whose join failed is taken back there too.
func TestJoinAndGoingInOnePipelineOnCluster(t *testing.T) {
	t.Parallel()
	f := newGroupsFixture(t)
	ctx := f.ctx
	es := events.NewStore(f.rdb, f.pfx)
	es.Now = func() time.Time { return eventsStart }
	owner, ann, ben := ids.New(), ids.New(), ids.New()
	g := f.create(owner, groups.Input{Name: "Group pipeline", Slug: "join-going", Topics: []string{"go"}, City: "Berlin"})
	master := func(key string) string {
		node, err := f.rdb.(*redis.ClusterClient).MasterForKey(ctx, f.pfx+key)
		f.must("master for key", err)
		return node.Options().Addr
	}
	var ev events.Event
	for i := 0; ev.ID == "" || master("event:{"+ev.ID+"}") == master("group:{"+g.ID+"}"); i++ {
		if i == 30 {
			t.Fatalf("30 sessions all on the group's master")
		}
		in := input(day(2))
		in.Capacity = "1"
		var err error
		ev, err = es.Create(ctx, events.Actor{UserID: owner, Organizer: true}, g.ID, in)
		f.must("create session", err)
	}
	joinAndGo := func(uid string) (events.RSVPResult, error) {
		p := f.rdb.Pipeline()
		getJoined := f.s.QueueJoin(ctx, p, false, g.ID, uid, nil)
		getGoing := es.QueueGoing(ctx, p, ev, uid)
		_, _ = p.Exec(ctx)
		follow, jerr := getJoined()
		res, _, err := getGoing(true)
		f.must("going", err)
		if jerr == nil && follow != nil {
			p := f.rdb.Pipeline()
			check := follow(p)
			_, _ = p.Exec(ctx)
			f.must("join follow-up", check())
		}
		return res, jerr
	}
	if res, err := joinAndGo(ann); err != nil || res.Status != events.RSVPGoing {
		t.Fatalf("Ann joins and goes: %v %+v", err, res)
	}
	if r := f.role(g.ID, ann); r != groups.RoleMember {
		t.Fatalf("Ann is %q, want a member", r)
	}
	f.must("ban Ben", f.s.Ban(ctx, g.ID, owner, ben))
	res, err := joinAndGo(ben)
	f.want("Ben's join", err, groups.ErrBanned)
	if res.Status != events.RSVPWaitlisted {
		t.Fatalf("Ben's going before it is taken back: %+v", res)
	}
	if took, err := es.Retract(ctx, ev.ID, ben, res); err != nil || !took {
		t.Fatalf("taking Ben's going back: %v (%v), want it taken", took, err)
	}
	if st, err := es.StatusOf(ctx, ev.ID, ben); err != nil || st.Status != events.RSVPNone {
		t.Fatalf("Ben after taking back: %+v %v", st, err)
	}
	if wl, err := es.Waitlist(ctx, ev.ID); err != nil || len(wl) != 0 {
		t.Fatalf("waitlist %v (%v), want empty", wl, err)
	}
}
