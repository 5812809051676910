package match

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// edge is an allowed pair with its score, by user IDs.
type edge struct {
	mentee, mentor string
	score          int
}

// allowedEdges scores every pair independently of Round's internals.
func allowedEdges(in RoundInput) []edge {
	excluded := map[PairKey]bool{}
	for _, p := range in.Exclude {
		excluded[p] = true
	}
	var out []edge
	for i := range in.Mentees {
		for j := range in.Mentors {
			e, m := &in.Mentees[i], &in.Mentors[j]
			if e.UserID == m.UserID || m.Capacity <= 0 || excluded[PairKey{e.UserID, m.UserID}] {
				continue
			}
			if s, _, ok := Score(e, m, in.At); ok {
				out = append(out, edge{e.UserID, m.UserID, s})
			}
		}
	}
	return out
}

// checkRound asserts capacity, stability and that everyone is accounted for.
func checkRound(t *testing.T, in RoundInput, res Result) {
	t.Helper()
	capacity := map[string]int{}
	for _, m := range in.Mentors {
		capacity[m.UserID] = m.Capacity
	}
	load := map[string]int{}
	got := map[string]Pair{} // mentee -> pair
	for _, p := range res.Pairs {
		if _, dup := got[p.MenteeID]; dup {
			t.Fatalf("mentee %s matched twice", p.MenteeID)
		}
		got[p.MenteeID] = p
		load[p.MentorID]++
		if p.Reasons.Total() != p.Score {
			t.Fatalf("pair %v: reasons add up to %d, score %d", p, p.Reasons.Total(), p.Score)
		}
	}
	for id, n := range load {
		if n > capacity[id] {
			t.Fatalf("mentor %s has %d mentees, capacity %d", id, n, capacity[id])
		}
	}
	// worst[mentor] is the lowest-ranked mentee the mentor holds.
	worst := map[string]edge{}
	for _, p := range res.Pairs {
		w, ok := worst[p.MentorID]
		if !ok || p.Score < w.score || (p.Score == w.score && p.MenteeID > w.mentee) {
			worst[p.MentorID] = edge{p.MenteeID, p.MentorID, p.Score}
		}
	}
	for _, e := range allowedEdges(in) {
		cur, matched := got[e.mentee]
		if matched && cur.MentorID == e.mentor {
			if cur.Score != e.score {
				t.Fatalf("pair %s-%s stored score %d, Score says %d", e.mentee, e.mentor, cur.Score, e.score)
			}
			continue
		}
		menteeWants := !matched || e.score > cur.Score || (e.score == cur.Score && e.mentor < cur.MentorID)
		w := worst[e.mentor]
		mentorWants := load[e.mentor] < capacity[e.mentor] ||
			e.score > w.score || (e.score == w.score && e.mentee < w.mentee)
		if menteeWants && mentorWants {
			t.Fatalf("blocking pair: mentee %s and mentor %s (score %d) prefer each other; mentee has %+v", e.mentee, e.mentor, e.score, cur)
		}
	}
	seen := map[string]bool{}
	for _, u := range res.Unmatched {
		seen[string(u.Role)+u.UserID] = true
		if u.Reason == "" || u.Code == "" {
			t.Fatalf("unmatched %s without a reason", u.UserID)
		}
	}
	for _, e := range in.Mentees {
		if _, ok := got[e.UserID]; ok == seen["mentee"+e.UserID] {
			t.Fatalf("mentee %s is matched=%v and listed unmatched=%v", e.UserID, ok, seen["mentee"+e.UserID])
		}
	}
	for _, m := range in.Mentors {
		if (load[m.UserID] > 0) == seen["mentor"+m.UserID] {
			t.Fatalf("mentor %s has %d mentees and listed unmatched=%v", m.UserID, load[m.UserID], seen["mentor"+m.UserID])
		}
	}
}

// greedy matches the allowed pairs best first; with rankings from one
// score and ID tie-breaks it yields the unique stable matching.
func greedy(in RoundInput) map[PairKey]bool {
	edges := allowedEdges(in)
	sort.Slice(edges, func(a, b int) bool {
		x, y := edges[a], edges[b]
		if x.score != y.score {
			return x.score > y.score
		}
		if x.mentor != y.mentor {
			return x.mentor < y.mentor
		}
		return x.mentee < y.mentee
	})
	capacity := map[string]int{}
	for _, m := range in.Mentors {
		capacity[m.UserID] = m.Capacity
	}
	taken := map[string]bool{}
	out := map[PairKey]bool{}
	for _, e := range edges {
		if !taken[e.mentee] && capacity[e.mentor] > 0 {
			taken[e.mentee] = true
			capacity[e.mentor]--
			out[PairKey{e.mentee, e.mentor}] = true
		}
	}
	return out
}

func pairSet(res Result) map[PairKey]bool {
	out := map[PairKey]bool{}
	for _, p := range res.Pairs {
		out[PairKey{p.MenteeID, p.MentorID}] = true
	}
	return out
}

func TestRoundRandomInstancesAreStableWithinCapacityAndDeterministic(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewSource(seed))
		// Sizes cross the chunk of 16 so refills are exercised too.
		in := genRound(r, 1+r.Intn(120), 1+r.Intn(40), 1+r.Intn(5))
		if seed%3 == 0 {
			for k := 0; k < len(in.Mentees); k += 2 {
				in.Exclude = append(in.Exclude, PairKey{in.Mentees[k].UserID, pick(r, in.Mentors).UserID})
			}
		}
		res := Round(in)
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			checkRound(t, in, res)
			if want := greedy(in); !reflect.DeepEqual(pairSet(res), want) {
				t.Fatalf("deferred acceptance and best-first greedy disagree: %d vs %d pairs", len(res.Pairs), len(want))
			}
			shuffled := in
			shuffled.Mentees = slices.Clone(in.Mentees)
			shuffled.Mentors = slices.Clone(in.Mentors)
			r.Shuffle(len(shuffled.Mentees), func(a, b int) {
				shuffled.Mentees[a], shuffled.Mentees[b] = shuffled.Mentees[b], shuffled.Mentees[a]
			})
			r.Shuffle(len(shuffled.Mentors), func(a, b int) {
				shuffled.Mentors[a], shuffled.Mentors[b] = shuffled.Mentors[b], shuffled.Mentors[a]
			})
			if again := Round(shuffled); !reflect.DeepEqual(again, res) {
				t.Fatal("the same round in another input order gave another result")
			}
		})
	}
}

func TestRoundRefillsWhenTheBestMentorsAreFull(t *testing.T) {
	t.Parallel()
	// Many mentees with the same wishes compete for many one-seat mentors,
	// so most mentees are turned down by more than a chunk of mentors.
	in := RoundInput{At: testAt}
	for k := 0; k < 60; k++ {
		in.Mentees = append(in.Mentees, MenteeProfile{UserID: fmt.Sprintf("e%03d", k), Path: "devops",
			WantSkills: []string{"go"}, Languages: []string{"en"}, TimeZone: "UTC"})
	}
	for k := 0; k < 50; k++ {
		in.Mentors = append(in.Mentors, MentorProfile{UserID: fmt.Sprintf("m%03d", k), Paths: []string{"devops"},
			Skills: []Skill{{"go", 1 + k%5}}, Languages: []string{"en"}, TimeZone: "UTC", Capacity: 1})
	}
	res := Round(in)
	checkRound(t, in, res)
	if len(res.Pairs) != 50 {
		t.Fatalf("%d pairs, want 50 (one per mentor)", len(res.Pairs))
	}
	for _, u := range res.Unmatched {
		if u.Code != UnmatchedOutranked || u.Role != RoleMentee {
			t.Fatalf("unexpected unmatched %+v", u)
		}
	}
}

func TestRoundUnmatchedReasons(t *testing.T) {
	t.Parallel()
	mentor := func(id string, langs []string, path string, capacity int) MentorProfile {
		return MentorProfile{UserID: id, Languages: langs, Paths: []string{path}, Skills: []Skill{{"go", 3}},
			TimeZone: "UTC", Capacity: capacity}
	}
	mentee := func(id string, langs []string, path string) MenteeProfile {
		return MenteeProfile{UserID: id, Languages: langs, Path: path, TimeZone: "UTC", Goals: "learn a lot"}
	}
	in := RoundInput{
		At: testAt,
		Mentors: []MentorProfile{
			mentor("m1", []string{"en"}, "devops", 1),
			mentor("m2", []string{"de"}, "leadership", 1),
			mentor("m3", []string{"en"}, "security", 0),
			mentor("m4", []string{"fr"}, "data", 1),
			mentor("m5", []string{"ja"}, "ml", 1),
		},
		Mentees: []MenteeProfile{
			mentee("a", []string{"en"}, "devops"),   // gets m1
			mentee("b", []string{"en"}, "devops"),   // m1 taken by a (same score, lower ID)
			mentee("c", []string{"ko"}, "devops"),   // nobody speaks Korean
			mentee("d", []string{"de"}, "frontend"), // m2 speaks German but guides leadership
			mentee("e", []string{"en"}, "security"), // m3 has no room
			mentee("f", []string{"fr"}, "data"),     // m4 was f's mentor before
			mentee("g", []string{"ja"}, "frontend"), // m5 speaks Japanese but guides ml
		},
		Exclude: []PairKey{{"f", "m4"}},
	}
	res := Round(in)
	checkRound(t, in, res)
	want := map[string]string{
		"mentee/b": UnmatchedOutranked, "mentee/c": UnmatchedNoLanguage, "mentee/d": UnmatchedNoFit,
		"mentee/e": UnmatchedNoRoom, "mentee/f": UnmatchedExcluded, "mentee/g": UnmatchedNoFit,
		"mentor/m2": UnmatchedNoFit, "mentor/m3": UnmatchedNoRoom, "mentor/m4": UnmatchedExcluded,
		"mentor/m5": UnmatchedNoFit,
	}
	got := map[string]string{}
	for _, u := range res.Unmatched {
		got[string(u.Role)+"/"+u.UserID] = u.Code
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("unmatched codes\n got %v\nwant %v", got, want)
	}
	if len(res.Pairs) != 1 || res.Pairs[0].MenteeID != "a" || res.Pairs[0].MentorID != "m1" {
		t.Fatalf("pairs %+v, want a-m1", res.Pairs)
	}
}

func TestRoundNeverPairsSomeoneWithThemself(t *testing.T) {
	t.Parallel()
	in := RoundInput{At: testAt,
		Mentees: []MenteeProfile{{UserID: "x", Path: "devops", Languages: []string{"en"}, TimeZone: "UTC"}},
		Mentors: []MentorProfile{{UserID: "x", Paths: []string{"devops"}, Languages: []string{"en"}, TimeZone: "UTC", Capacity: 3}},
	}
	res := Round(in)
	if len(res.Pairs) != 0 {
		t.Fatalf("paired someone with themself: %+v", res.Pairs)
	}
	checkRound(t, in, res)
}
