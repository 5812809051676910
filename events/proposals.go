package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
	"github.com/redis/go-redis/v9"
)

// ProposalKind says whether the proposer wants to learn or would teach.
type ProposalKind string

// Proposal kinds.
const (
	ProposalLearn ProposalKind = "learn"
	ProposalTeach ProposalKind = "teach"
)

// MaxProposalDetails caps a proposal's details.
const MaxProposalDetails = 5000

// Proposal is a topic a member suggests for a future session (call for
// sessions). EventID is set once organizers scheduled it.
type Proposal struct {
	ID         string
	GroupID    string
	Title      string
	Details    string
	Kind       ProposalKind
	ProposerID string
	Votes      int
	EventID    string
	CreatedAt  time.Time
	// Skills are the skill tags the proposal is about (normalised by the
	// caller), carried to the session it becomes.
	Skills []string
}

// ProposalInput is the proposal form.
type ProposalInput struct {
	Title   string
	Details string
	Kind    string
	Skills  []string // normalised skill tags, at most MaxSkills
}

func (in ProposalInput) validate() (ProposalInput, error) {
	errs := valid.Errors{}
	in.Title, in.Details = strings.TrimSpace(in.Title), strings.TrimSpace(in.Details)
	if n := utf8.RuneCountInString(in.Title); n < MinTitle || n > MaxTitle {
		errs.Add("title", "The topic needs a title of 3 to 120 characters.")
	}
	errs.Add("title", valid.Line("The title", in.Title))
	errs.Add("details", valid.MultiLine("The details", in.Details))
	if utf8.RuneCountInString(in.Details) > MaxProposalDetails {
		errs.Add("details", "The details can have at most 5,000 characters.")
	}
	if in.Kind != string(ProposalLearn) && in.Kind != string(ProposalTeach) {
		errs.Add("kind", "Say whether you want to learn this or would teach it.")
	}
	if len(in.Skills) > MaxSkills {
		errs.Add("skills", "Tag a proposal with at most 10 skills.")
	}
	return in, errs.Err()
}

// Propose records a member's topic proposal for groupID. Membership is the
// caller's to check.
func (s *Store) Propose(ctx context.Context, groupID, userID string, in ProposalInput) (Proposal, error) {
	in, err := in.validate()
	if err != nil {
		return Proposal{}, err
	}
	p := Proposal{ID: ids.New(), GroupID: groupID, Title: in.Title, Details: in.Details,
		Kind: ProposalKind(in.Kind), ProposerID: userID, CreatedAt: s.now(), Skills: in.Skills}
	_, err = s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.HSet(ctx, s.proposalKey(groupID, p.ID), "title", p.Title, "details", p.Details,
			"kind", string(p.Kind), "proposer", userID, "created", p.CreatedAt.UnixMilli(), "skills", strings.Join(p.Skills, ","))
		pipe.ZAdd(ctx, s.proposalsKey(groupID), redis.Z{Score: 0, Member: p.ID})
		return nil
	})
	if err != nil {
		return Proposal{}, fmt.Errorf("events: propose in %s: %w", groupID, err)
	}
	s.changed(ctx, Change{Kind: ChangeProposed, SeatsLeft: -1, Proposal: &p})
	return p, nil
}

// Upvote adds userID's vote to a proposal, at most once per person, and
// returns the vote count and whether this call counted.
func (s *Store) Upvote(ctx context.Context, groupID, proposalID, userID string) (int, bool, error) {
	keys := []string{s.proposalsKey(groupID), s.proposalKey(groupID, proposalID), s.votersKey(groupID, proposalID)}
	res, err := voteScript.Run(ctx, s.rdb, keys, proposalID, userID).Int64Slice()
	if err != nil {
		return 0, false, fmt.Errorf("events: upvote %s: %w", proposalID, scriptErr(err))
	}
	return int(res[0]), res[1] == 1, nil
}

// Proposals lists a group's proposals, most votes first.
func (s *Store) Proposals(ctx context.Context, groupID string, limit int) ([]Proposal, error) {
	zs, err := s.rdb.ZRevRangeWithScores(ctx, s.proposalsKey(groupID), 0, int64(limit)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("events: proposals of %s: %w", groupID, err)
	}
	cmds := make([]*redis.MapStringStringCmd, len(zs))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, z := range zs {
			cmds[i] = p.HGetAll(ctx, s.proposalKey(groupID, z.Member.(string)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("events: proposals of %s: %w", groupID, err)
	}
	out := make([]Proposal, 0, len(zs))
	for i, z := range zs {
		out = append(out, proposalFrom(groupID, z.Member.(string), int(z.Score), cmds[i].Val()))
	}
	return out, nil
}

// Proposal returns one proposal.
func (s *Store) Proposal(ctx context.Context, groupID, proposalID string) (Proposal, error) {
	p := s.rdb.Pipeline()
	get := s.QueueProposal(ctx, p, groupID, proposalID)
	_, _ = p.Exec(ctx) // get reports its own commands' errors
	return get()
}

// QueueProposal queues on p the read of one proposal; the returned
// function gives it, or ErrNotFound, once p has been executed.
func (s *Store) QueueProposal(ctx context.Context, p redis.Pipeliner, groupID, proposalID string) func() (Proposal, error) {
	h := p.HGetAll(ctx, s.proposalKey(groupID, proposalID))
	votes := p.ZScore(ctx, s.proposalsKey(groupID), proposalID)
	return func() (Proposal, error) {
		if err := h.Err(); err != nil {
			return Proposal{}, fmt.Errorf("events: proposal %s: %w", proposalID, err)
		}
		if len(h.Val()) == 0 {
			return Proposal{}, fmt.Errorf("events: proposal %s: %w", proposalID, ErrNotFound)
		}
		if err := votes.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return Proposal{}, fmt.Errorf("events: proposal %s: %w", proposalID, err)
		}
		return proposalFrom(groupID, proposalID, int(votes.Val()), h.Val()), nil
	}
}

func proposalFrom(groupID, id string, votes int, h map[string]string) Proposal {
	created, _ := strconv.ParseInt(h["created"], 10, 64)
	return Proposal{ID: id, GroupID: groupID, Title: h["title"], Details: h["details"],
		Kind: ProposalKind(h["kind"]), ProposerID: h["proposer"], Votes: votes, EventID: h["event"], Skills: splitTags(h["skills"]),
		CreatedAt: time.UnixMilli(created).UTC()}
}

// ScheduleProposal turns a proposal into a scheduled session (one click in
// the web layer, with in prefilled from the proposal): the session credits
// the proposer and the proposal records the session. A proposal is
// scheduled at most once.
func (s *Store) ScheduleProposal(ctx context.Context, a Actor, groupID, proposalID string, in Input) (Event, error) {
	if !a.Organizer {
		return Event{}, ErrForbidden
	}
	p, err := s.Proposal(ctx, groupID, proposalID)
	if err != nil {
		return Event{}, err
	}
	if p.EventID != "" {
		return Event{}, ErrAlreadyScheduled
	}
	now := s.now()
	d, err := in.validate(now)
	if err != nil {
		return Event{}, err
	}
	ev := s.newEvent(a, groupID, d, now)
	ev.ProposalID, ev.ProposerID = p.ID, p.ProposerID
	if err := linkProposalScript.Run(ctx, s.rdb, []string{s.proposalKey(groupID, proposalID)}, ev.ID).Err(); err != nil {
		return Event{}, fmt.Errorf("events: schedule proposal %s: %w", proposalID, scriptErr(err))
	}
	if _, err := s.save(ctx, ev, -1, "", nil); err != nil {
		if herr := s.rdb.HDel(context.WithoutCancel(ctx), s.proposalKey(groupID, proposalID), "event").Err(); herr != nil {
			slog.WarnContext(ctx, "events: clean-up failed", "left", "a proposal marked as scheduled as a session that was not saved",
				"proposal", proposalID, "session", ev.ID, "err", herr)
		}
		return Event{}, fmt.Errorf("events: schedule proposal %s: %w", proposalID, err)
	}
	return ev, nil
}

// splitTags reads a comma-separated list of tags ("" is none).
func splitTags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
