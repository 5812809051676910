package skills

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/testenv"
)

func readMap(t testing.TB, s *Store, gid string) Map {
	t.Helper()
	ctx := context.Background()
	p := s.rdb.Pipeline()
	read := s.QueueMap(ctx, p, gid, 15, 5)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	p = s.rdb.Pipeline()
	get, err := read.QueueTeachers(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := get()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Many members applying at once, some of them twice with different
// skills, leave exact counts: each member counts once per skill, with
// their last contribution; removing one takes them out.
func TestApplyKeepsCountsExactUnderConcurrency(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	gid := ids.New()
	users := make([]string, 40)
	var wg sync.WaitGroup
	for i := range users {
		users[i] = ids.New()
		wg.Go(func() {
			if err := s.Apply(ctx, gid, users[i], Profile{Learn: []string{"rust", "go"}}); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if err := s.Apply(ctx, gid, users[i], Profile{Learn: []string{"rust"}, Teach: map[string]int{"go": 1 + i%5}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	m := readMap(t, s, gid)
	learners := map[string]int{}
	for _, w := range m.Wanted {
		learners[w.Skill] = w.Learners
	}
	if learners["rust"] != 40 {
		t.Fatalf("rust learners %d, want 40", learners["rust"])
	}
	// Each user ended with one of the two contributions: go is either
	// wanted or offered by each, never both, never twice.
	goLearners := learners["go"]
	offered, _ := s.rdb.ZScore(ctx, s.offeredKey(gid), "go").Result()
	if goLearners+int(offered) != 40 {
		t.Fatalf("go: %d learners + %v teachers, want 40 in all", goLearners, offered)
	}
	for _, u := range users {
		if err := s.Apply(ctx, gid, u, Profile{}); err != nil {
			t.Fatal(err)
		}
	}
	if m := readMap(t, s, gid); len(m.Wanted) != 0 || len(m.Offered) != 0 {
		t.Fatalf("after everyone left: %+v", m)
	}
	if n, _ := s.rdb.Exists(ctx, s.usersKey(gid), s.wantedKey(gid), s.offeredKey(gid), s.learnKey(gid, "rust"), s.teachKey(gid, "go")).Result(); n != 0 {
		t.Fatalf("%d map keys left behind", n)
	}
}

// The map lists the most wanted skills with their best teachers, and
// what is offered that nobody wants.
func TestMapRanksWantedAndOffered(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	gid := ids.New()
	apply := func(p Profile) string {
		u := ids.New()
		if err := s.Apply(ctx, gid, u, p); err != nil {
			t.Fatal(err)
		}
		return u
	}
	for range 3 {
		apply(Profile{Learn: []string{"kubernetes"}})
	}
	apply(Profile{Learn: []string{"rust"}})
	good := apply(Profile{Teach: map[string]int{"kubernetes": 5}})
	apply(Profile{Teach: map[string]int{"kubernetes": 2, "cobol": 4}})
	m := readMap(t, s, gid)
	if len(m.Wanted) != 2 || m.Wanted[0].Skill != "kubernetes" || m.Wanted[0].Learners != 3 || m.Wanted[0].Teachers[0].UserID != good {
		t.Fatalf("wanted %+v", m.Wanted)
	}
	if len(m.Wanted[1].Teachers) != 0 {
		t.Fatalf("rust teachers %+v", m.Wanted[1].Teachers)
	}
	if len(m.Offered) != 1 || m.Offered[0].Skill != "cobol" {
		t.Fatalf("offered %+v", m.Offered)
	}
}

// BenchmarkSkillMap5000 reads the skill map of a 5,000-member group
// (every member wants two of 40 skills and can teach one) as its page
// does: two round trips, the ranking and the teachers.
func BenchmarkSkillMap5000(b *testing.B) {
	rdb, prefix := testenv.Redis(b)
	s := NewStore(rdb, prefix)
	ctx := context.Background()
	gid := ids.New()
	for i := range 5000 {
		p := Profile{Learn: []string{fmt.Sprintf("skill%d", i%40), fmt.Sprintf("skill%d", (i*7)%40)},
			Teach: map[string]int{fmt.Sprintf("skill%d", (i*13)%40): 1 + i%5}}
		if err := s.Apply(ctx, gid, ids.New(), p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if m := readMap(b, s, gid); len(m.Wanted) != 15 {
			b.Fatalf("%d wanted", len(m.Wanted))
		}
	}
}
