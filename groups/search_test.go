package groups

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"
)

type seeded struct {
	s      *Store
	bySlug map[string]*Group
	now    time.Time
}

// seed creates a known set of groups: created one after another, so
// "newest" order is the reverse of this list.
func seed(t *testing.T) seeded {
	t.Helper()
	s, _, _ := newStore(t)
	var mu sync.Mutex
	clock := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	type spec struct {
		slug, name, desc string
		topics, paths    []string
		city             string
		online           bool
		vis              Visibility
		members          int
	}
	specs := []spec{
		{"k8s-berlin", "Kubernetes Berlin", "Operators and controllers in practice.", []string{"k8s", "go"}, []string{"devops"}, "Berlin", false, Public, 5},
		{"go-online", "Go Online", "Weekly Go code reviews.", []string{"golang"}, []string{"architecture"}, "", true, Public, 3},
		{"platform-leads", "Platform Leads", "Leadership for platform teams running Kubernetes.", []string{"platform"}, []string{"leadership", "devops"}, "Munich", true, Public, 8},
		{"devrel-circle", "DevRel Circle", "Talks, demos and writing for developer advocates.", []string{"writing"}, []string{"developer-advocacy"}, "berlin", false, Public, 1},
		{"system-design-club", "System Design Club", "Designing systems that scale.", []string{"System Design"}, []string{"architecture"}, "Hamburg", false, Public, 5},
		{"secret-k8s", "Secret Kubernetes", "Kubernetes operators behind closed doors.", []string{"k8s"}, []string{"devops"}, "Berlin", true, Private, 2},
		{"unlisted-k8s", "Unlisted Kubernetes", "Kubernetes operators by link only.", []string{"k8s"}, []string{"devops"}, "Berlin", true, Unlisted, 2},
	}
	for i := 0; i < 12; i++ { // filler to paginate over
		specs = append(specs, spec{fmt.Sprintf("filler-%02d", i), fmt.Sprintf("Filler group %d", i), "Rust study notes.",
			[]string{"rust"}, []string{"business-development"}, "Leipzig", i%2 == 0, Public, i % 4})
	}
	out := seeded{s: s, bySlug: map[string]*Group{}}
	for _, sp := range specs {
		in := Input{Name: sp.name, Slug: sp.slug, Description: sp.desc, Topics: sp.topics, Paths: sp.paths,
			City: sp.city, Online: sp.online, Visibility: sp.vis}
		g := mustCreate(t, s, newUser(), in)
		for j := 0; j < sp.members; j++ {
			u := newUser()
			must(t, s.Invite(context.Background(), g.ID, g.OwnerID, u))
			must(t, s.AcceptInvite(context.Background(), g.ID, u, nil))
		}
		out.bySlug[sp.slug] = g
	}
	out.now = s.Now()
	return out
}

func (sd seeded) slugs(t *testing.T, q Query) ([]string, int) {
	t.Helper()
	gs, total, err := sd.s.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Slug
	}
	return out, total
}

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	sd := seed(t)
	cases := []struct {
		name string
		q    Query
		want []string // in newest-first order
	}{
		{"word in name", Query{Words: "kubernetes"}, []string{"platform-leads", "k8s-berlin"}},
		{"word in name, any case", Query{Words: "  KUBERNETES "}, []string{"platform-leads", "k8s-berlin"}},
		{"word in description", Query{Words: "controllers"}, []string{"k8s-berlin"}},
		{"singular finds plural", Query{Words: "operator"}, []string{"k8s-berlin"}},
		{"word from an aliased topic", Query{Words: "go"}, []string{"go-online", "k8s-berlin"}},
		{"all words must match", Query{Words: "kubernetes leadership"}, []string{"platform-leads"}},
		{"stop words ignored", Query{Words: "the design of"}, []string{"system-design-club"}},
		{"unknown word", Query{Words: "cobol"}, []string{}},
		{"topic filter", Query{Topic: "kubernetes"}, []string{"k8s-berlin"}},
		{"topic filter by alias", Query{Topic: "Golang"}, []string{"go-online", "k8s-berlin"}},
		{"topic with space", Query{Topic: "system design"}, []string{"system-design-club"}},
		{"path filter", Query{Path: "devops"}, []string{"platform-leads", "k8s-berlin"}},
		{"path filter by label", Query{Path: "Developer Advocacy"}, []string{"devrel-circle"}},
		{"unknown path", Query{Path: "astrology"}, []string{}},
		{"city, any case", Query{City: "BERLIN"}, []string{"devrel-circle", "k8s-berlin"}},
		{"online", Query{Online: true, Words: "go kubernetes platform leadership"}, []string{}},
		{"online only", Query{Online: true, Path: "devops"}, []string{"platform-leads"}},
		{"city or online", Query{City: "Berlin", Online: true, Words: "go"}, []string{"go-online", "k8s-berlin"}},
		{"words and topic and path", Query{Words: "rust", Topic: "rust", Path: "business-development", City: "leipzig", PerPage: 2}, []string{"filler-11", "filler-10"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, total := sd.slugs(t, c.q)
			if !reflect.DeepEqual(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			if c.q.PerPage == 0 && total != len(c.want) {
				t.Fatalf("total %d, want %d", total, len(c.want))
			}
		})
	}
}

func TestSearchNeverShowsPrivateOrUnlisted(t *testing.T) {
	t.Parallel()
	sd := seed(t)
	ctx := context.Background()
	hidden := map[string]bool{sd.bySlug["secret-k8s"].ID: true, sd.bySlug["unlisted-k8s"].ID: true}
	queries := []Query{
		{}, {Words: "secret"}, {Words: "unlisted"}, {Words: "kubernetes operators"}, {Topic: "kubernetes"},
		{Path: "devops"}, {City: "Berlin"}, {Online: true}, {City: "Berlin", Online: true},
		{Sort: SortMembers}, {Sort: SortSoonest}, {PerPage: 100},
	}
	check := func(when string) {
		for _, q := range queries {
			gs, total, err := sd.s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range gs {
				if hidden[g.ID] {
					t.Fatalf("%s: %+v found %s (%s)", when, q, g.Slug, g.Visibility)
				}
			}
			if q == (Query{PerPage: 100}) && total != len(gs) {
				t.Fatalf("%s: total %d counts hidden groups (%d shown)", when, total, len(gs))
			}
		}
		for _, tc := range mustTopics(t, sd.s) {
			if tc.Topic == "kubernetes" && tc.Count != 1 {
				t.Fatalf("%s: hidden groups counted in topics: %+v", when, tc)
			}
		}
	}
	check("seeded")

	// A public group turned private, one turned unlisted, one deleted.
	for slug, vis := range map[string]Visibility{"k8s-berlin": Private, "go-online": Unlisted} {
		g := sd.bySlug[slug]
		in := g.Input()
		in.Visibility = vis
		if _, err := sd.s.Update(ctx, g.ID, g.OwnerID, in); err != nil {
			t.Fatal(err)
		}
		hidden[g.ID] = true
	}
	pl := sd.bySlug["platform-leads"]
	must(t, sd.s.Delete(ctx, pl.ID, pl.OwnerID))
	hidden[pl.ID] = true
	check("after changes")

	// Even when the index follow-up never ran, search re-checks and heals.
	dc := sd.bySlug["devrel-circle"]
	must(t, sd.s.rdb.HSet(ctx, sd.s.groupKey(dc.ID), "visibility", string(Private)).Err())
	// as every change to what pages show of the group does
	must(t, sd.s.rdb.HIncrBy(ctx, sd.s.groupKey(dc.ID), "crev", 1).Err())
	must(t, sd.s.rdb.HIncrBy(ctx, sd.s.groupKey(dc.ID), "drev", 1).Err())
	hidden[dc.ID] = true
	sc := sd.bySlug["system-design-club"]
	must(t, sd.s.rdb.Del(ctx, sd.s.groupKey(sc.ID)).Err())
	hidden[sc.ID] = true
	if got, _ := sd.slugs(t, Query{Words: "developer"}); len(got) != 0 {
		t.Fatalf("stale index showed %v", got)
	}
	if sd.s.rdb.SIsMember(ctx, sd.s.idxTermKey("word:developer"), dc.ID).Val() {
		t.Fatal("search did not repair the stale entry")
	}
	check("after stale index")
}

func mustTopics(t *testing.T, s *Store) []TopicCount {
	t.Helper()
	tcs, err := s.Topics(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	return tcs
}

func TestSearchSortsAndPages(t *testing.T) {
	t.Parallel()
	sd := seed(t)
	ctx := context.Background()
	hour := time.Hour
	next := map[string]time.Duration{"devrel-circle": 3 * hour, "filler-03": 1 * hour, "go-online": 2 * hour, "filler-07": -5 * hour, "filler-08": -1 * hour}
	for slug, d := range next {
		must(t, sd.s.SetNextSession(ctx, sd.bySlug[slug].ID, sd.now.Add(d)))
	}
	sd.s.Now = func() time.Time { return sd.now }

	first, _ := sd.slugs(t, Query{Sort: SortSoonest, PerPage: 5})
	if want := []string{"filler-03", "go-online", "devrel-circle", "filler-08", "filler-07"}; !reflect.DeepEqual(first, want) {
		t.Fatalf("soonest: %v, want %v", first, want)
	}
	newest, _ := sd.slugs(t, Query{PerPage: 3})
	if want := []string{"filler-11", "filler-10", "filler-09"}; !reflect.DeepEqual(newest, want) {
		t.Fatalf("newest: %v", newest)
	}
	recount(t, sd.s)
	gs, _, err := sd.s.Search(ctx, Query{Sort: SortMembers, PerPage: 100})
	must(t, err)
	if gs[0].Slug != "platform-leads" || !sort.SliceIsSorted(gs, func(i, j int) bool { return gs[i].MemberCount > gs[j].MemberCount }) {
		t.Fatalf("members order starts with %s", gs[0].Slug)
	}

	for _, srt := range []Sort{SortNewest, SortMembers, SortSoonest} {
		for _, q := range []Query{{Sort: srt}, {Sort: srt, Online: true}, {Sort: srt, Words: "rust"}} {
			all, total := sd.slugs(t, Query{Sort: q.Sort, Online: q.Online, Words: q.Words, PerPage: 100})
			if total != len(all) || total == 0 {
				t.Fatalf("%+v: total %d, listed %d", q, total, len(all))
			}
			var paged []string
			seen := map[string]bool{}
			for page := 1; ; page++ {
				q.Page, q.PerPage = page, 4
				got, pageTotal := sd.slugs(t, q)
				if pageTotal != total {
					t.Fatalf("%+v: page total %d, want %d", q, pageTotal, total)
				}
				if len(got) == 0 {
					break
				}
				for _, slug := range got {
					if seen[slug] {
						t.Fatalf("%+v: %s on two pages", q, slug)
					}
					seen[slug] = true
				}
				paged = append(paged, got...)
			}
			if !reflect.DeepEqual(paged, all) {
				t.Fatalf("%s: pages %v\n differ from one list %v", srt, paged, all)
			}
		}
	}
}

func TestTopicsCountsPublicGroups(t *testing.T) {
	t.Parallel()
	sd := seed(t)
	tcs := mustTopics(t, sd.s)
	if tcs[0] != (TopicCount{"rust", 12}) {
		t.Fatalf("top topic %+v", tcs[0])
	}
	counts := map[string]int{}
	for _, tc := range tcs {
		counts[tc.Topic] = tc.Count
	}
	if counts["go"] != 2 || counts["kubernetes"] != 1 || counts["system-design"] != 1 {
		t.Fatalf("counts %v", counts)
	}
	g := sd.bySlug["k8s-berlin"]
	in := g.Input()
	in.Topics = []string{"go"}
	_, err := sd.s.Update(context.Background(), g.ID, g.OwnerID, in)
	must(t, err)
	for _, tc := range mustTopics(t, sd.s) {
		if tc.Topic == "kubernetes" {
			t.Fatalf("topic no group carries still listed: %+v", tc)
		}
	}
}

func TestSearchWithAHugePageNumberLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	mustCreate(t, s, newUser(), goodInput("huge-page"))
	for _, q := range []Query{{Page: 1 << 60, Online: true}, {Page: 184467440737095517, Sort: SortSoonest, Words: "group"}} {
		if _, _, err := s.Search(ctx, q); err != nil {
			t.Fatalf("page %d: %v", q.Page, err)
		}
	}
	if tmp, _ := rdb.Keys(ctx, prefix+"gidx:{idx}:tmp:*").Result(); len(tmp) != 0 {
		t.Fatalf("scratch keys left behind: %v", tmp)
	}
}
