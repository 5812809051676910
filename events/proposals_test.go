package events

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/focusgroups/focusgroups/internal/valid"
)

func TestProposalsVoteAndBecomeSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	proposer := users(1)[0]
	for _, bad := range []struct {
		in    ProposalInput
		field string
	}{
		{ProposalInput{Title: "Go", Kind: "learn"}, "title"},
		{ProposalInput{Title: strings.Repeat("x", 121), Kind: "learn"}, "title"},
		{ProposalInput{Title: "Generics", Details: strings.Repeat("x", 5001), Kind: "teach"}, "details"},
		{ProposalInput{Title: "Generics", Kind: "lecture"}, "kind"},
	} {
		_, err := f.s.Propose(ctx, f.group, proposer, bad.in)
		var errs valid.Errors
		if !errors.As(err, &errs) || errs[bad.field] == "" {
			t.Errorf("%+v: %v, want a message for %s", bad.in, err, bad.field)
		}
	}
	low, _ := f.s.Propose(ctx, f.group, proposer, ProposalInput{Title: "Profiling", Kind: "learn"})
	top, err := f.s.Propose(ctx, f.group, proposer, ProposalInput{Title: "Generics in practice", Kind: "teach"})
	if err != nil {
		t.Fatal(err)
	}

	// 40 members vote at once, each twice: 40 votes.
	voters := users(40)
	var wg sync.WaitGroup
	for _, v := range append(voters, voters...) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := f.s.Upvote(ctx, f.group, top.ID, v); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n, added, _ := f.s.Upvote(ctx, f.group, top.ID, voters[0]); n != 40 || added {
		t.Fatalf("votes %d added %v, want 40 and no second vote", n, added)
	}
	f.s.Upvote(ctx, f.group, low.ID, voters[0])
	if _, _, err := f.s.Upvote(ctx, f.group, "nosuchproposalxxxxxxxxxx", voters[0]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("vote on missing proposal: %v", err)
	}
	list, _ := f.s.Proposals(ctx, f.group, 10)
	if len(list) != 2 || list[0].ID != top.ID || list[0].Votes != 40 || list[1].Votes != 1 || list[0].Kind != ProposalTeach {
		t.Fatalf("proposals by votes: %+v", list)
	}

	member := Actor{UserID: voters[1]}
	if _, err := f.s.ScheduleProposal(ctx, member, f.group, top.ID, goodInput()); !errors.Is(err, ErrForbidden) {
		t.Fatalf("member schedules: %v", err)
	}
	bad := goodInput()
	bad.Capacity = "0"
	if _, err := f.s.ScheduleProposal(ctx, f.org, f.group, top.ID, bad); err == nil {
		t.Fatal("bad input scheduled")
	}
	ev, err := f.s.ScheduleProposal(ctx, f.org, f.group, top.ID, goodInput())
	if err != nil || ev.ProposalID != top.ID || ev.ProposerID != proposer {
		t.Fatalf("scheduled %+v %v", ev, err)
	}
	if p, _ := f.s.Proposal(ctx, f.group, top.ID); p.EventID != ev.ID {
		t.Fatalf("proposal not linked: %+v", p)
	}
	if _, err := f.s.ScheduleProposal(ctx, f.org, f.group, top.ID, goodInput()); !errors.Is(err, ErrAlreadyScheduled) {
		t.Fatalf("second schedule: %v", err)
	}
}

func TestFeedTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := users(1)[0]
	tok, err := f.s.ResetFeedToken(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.s.FeedUser(ctx, tok); err != nil || got != u {
		t.Fatalf("resolve: %q %v", got, err)
	}
	keys, _ := f.s.rdb.Keys(ctx, f.s.prefix+"*").Result()
	for _, k := range keys {
		if strings.Contains(k, tok) {
			t.Fatal("raw token stored in a key")
		}
		if v, _ := f.s.rdb.Get(ctx, k).Result(); v == tok {
			t.Fatal("raw token stored as a value")
		}
	}
	tok2, _ := f.s.ResetFeedToken(ctx, u)
	if _, err := f.s.FeedUser(ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old token after reset: %v", err)
	}
	if got, _ := f.s.FeedUser(ctx, tok2); got != u {
		t.Fatal("new token does not resolve")
	}
	if _, err := f.s.FeedUser(ctx, "guess"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("guessed token: %v", err)
	}
}
