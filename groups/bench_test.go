package groups

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func BenchmarkJoin(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	g := mustCreate(b, s, newUser(), goodInput("bench-join"))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Join(ctx, g.ID, newUser(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyApprove(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	owner := newUser()
	in := goodInput("bench-apply")
	in.JoinPolicy = Approval
	g := mustCreate(b, s, owner, in)
	b.ReportAllocs()
	for b.Loop() {
		u := newUser()
		if err := s.Apply(ctx, g.ID, u, "hello", nil); err != nil {
			b.Fatal(err)
		}
		if err := s.Approve(ctx, g.ID, owner, u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	g := mustCreate(b, s, newUser(), goodInput("bench-get"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, g.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// seedBench creates n public groups over a few topics, paths and cities.
func seedBench(b *testing.B, n int) *Store {
	s, _, _ := newStore(b)
	ctx := context.Background()
	topics := []string{"go", "rust", "kubernetes", "python", "system-design", "terraform"}
	cities := []string{"Berlin", "Paris", "Lisbon", "Warsaw"}
	for i := 0; i < n; i++ {
		in := Input{
			Name:        fmt.Sprintf("Group %d %s", i, topics[i%len(topics)]),
			Slug:        fmt.Sprintf("bench-%d", i),
			Description: "We meet to share what we learn about " + topics[i%len(topics)] + " and " + topics[(i+1)%len(topics)] + " in production.",
			Topics:      []string{topics[i%len(topics)], topics[(i+1)%len(topics)]},
			Paths:       []string{[]string{"architecture", "devops", "leadership"}[i%3]},
			City:        cities[i%len(cities)],
			Online:      i%2 == 0,
		}
		g := mustCreate(b, s, newUser(), in)
		if i%3 == 0 {
			must(b, s.SetNextSession(ctx, g.ID, time.Now().Add(time.Duration(i)*time.Hour)))
		}
	}
	return s
}

func BenchmarkSearch(b *testing.B) {
	s := seedBench(b, 1000)
	ctx := context.Background()
	queries := map[string]Query{
		"all-newest":         {},
		"words":              {Words: "kubernetes production"},
		"topic-path-city":    {Topic: "go", Path: "architecture", City: "berlin"},
		"city-or-online":     {City: "Paris", Online: true, Sort: SortMembers},
		"soonest-page-10":    {Sort: SortSoonest, Page: 10},
		"words-topic-online": {Words: "rust", Topic: "go", Online: true, Sort: SortSoonest},
	}
	for name, q := range queries {
		b.Run(name, func(b *testing.B) {
			if gs, _, err := s.Search(ctx, q); err != nil || len(gs) == 0 {
				b.Fatalf("no results (%v)", err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
