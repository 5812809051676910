package groups

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/nearcache"
)

// Role is what a person is in one group.
type Role string

// Roles, from none to owner.
const (
	RoleNone      Role = ""
	RoleMember    Role = "member"
	RoleOrganizer Role = "organizer" // co-organizer
	RoleOwner     Role = "owner"
)

// IsMember reports whether the role belongs to any member.
func (r Role) IsMember() bool { return r != RoleNone }

// IsOrganizer reports whether the role may manage the group.
func (r Role) IsOrganizer() bool { return r == RoleOrganizer || r == RoleOwner }

// Standing is everything about one person's relation to one group that a
// group page needs: role, ban, pending invitation, latest application.
type Standing struct {
	UserID      string // empty for a signed-out visitor
	Role        Role
	Banned      bool
	Invited     bool
	Application *Application // nil when the person never applied
}

// Role returns userID's role in the group (RoleNone for outsiders and "").
func (s *Store) Role(ctx context.Context, groupID, userID string) (Role, error) {
	st, err := s.Standing(ctx, groupID, userID)
	return st.Role, err
}

// Standing returns userID's standing in the group; an empty userID stands
// for a signed-out visitor. Its reads run in one transaction, so they
// agree with each other.
func (s *Store) Standing(ctx context.Context, groupID, userID string) (Standing, error) {
	p := s.rdb.TxPipeline()
	read := s.QueueStanding(ctx, p, groupID, userID)
	_, _ = p.Exec(ctx) // read reports its own commands' errors
	return read()
}

// QueueStanding queues on p the reads of Standing, so a page can read them
// with its other data in one round trip; the returned function decodes
// them once p has been executed. On a plain pipeline a write may land
// between the reads (a promotion read half before, half after); that is
// fine for showing a page, and every action checks again in its script.
func (s *Store) QueueStanding(ctx context.Context, p redis.Pipeliner, groupID, userID string) func() (Standing, error) {
	owner := p.HGet(ctx, s.key(groupID, kGroup), "owner")
	if userID == "" {
		return func() (Standing, error) {
			if err := owner.Err(); err != nil {
				return Standing{}, fmt.Errorf("groups: standing in %s: %w", groupID, notFound(err))
			}
			return Standing{}, nil
		}
	}
	org := p.SIsMember(ctx, s.key(groupID, kOrganizers), userID)
	member := p.ZScore(ctx, s.key(groupID, kMembers), userID)
	banned := p.SIsMember(ctx, s.key(groupID, kBans), userID)
	invited := p.HExists(ctx, s.key(groupID, kInvites), userID)
	app := p.HGet(ctx, s.key(groupID, kApplications), userID)
	return func() (Standing, error) {
		if err := owner.Err(); err != nil {
			return Standing{UserID: userID}, fmt.Errorf("groups: standing in %s: %w", groupID, notFound(err))
		}
		return standingOf(groupID, userID, owner.Val(), org, member, banned, invited, app)
	}
}

// QueueGetWithStanding queues on p the read of the group and of userID's
// standing in it ("" for a signed-out visitor, who has none), for a page
// that shows both: the owner comes with the group, so the standing needs
// no read of its own for a visitor and one fewer for everyone else. The
// returned function gives ErrNotFound when the group does not exist.
func (s *Store) QueueGetWithStanding(ctx context.Context, p redis.Pipeliner, groupID, userID string) func() (*Group, Standing, error) {
	getGroup := s.QueueGet(ctx, p, groupID)
	if userID == "" {
		return func() (*Group, Standing, error) {
			g, err := getGroup()
			return g, Standing{}, err
		}
	}
	org := nearcache.SIsMember(ctx, p, s.key(groupID, kOrganizers), userID)
	member := nearcache.ZScore(ctx, p, s.key(groupID, kMembers), userID)
	banned := nearcache.SIsMember(ctx, p, s.key(groupID, kBans), userID)
	invited := nearcache.HExists(ctx, p, s.key(groupID, kInvites), userID)
	app := nearcache.HGet(ctx, p, s.key(groupID, kApplications), userID)
	return func() (*Group, Standing, error) {
		g, err := getGroup()
		if err != nil {
			return nil, Standing{}, err
		}
		st, err := standingOf(groupID, userID, g.OwnerID, org, member, banned, invited, app)
		return g, st, err
	}
}

// standingOf decodes userID's standing from the reads QueueStanding and
// QueueGetWithStanding queue.
// They are go-redis commands or the typed reads of internal/nearcache.
func standingOf[B read[bool], F read[float64], S read[string]](groupID, userID, owner string, org B, member F, banned, invited B, app S) (Standing, error) {
	st := Standing{UserID: userID}
	for _, err := range [...]error{org.Err(), member.Err(), banned.Err(), invited.Err(), app.Err()} {
		if err != nil && !errors.Is(err, redis.Nil) {
			return st, fmt.Errorf("groups: standing in %s: %w", groupID, err)
		}
	}
	switch {
	case owner == userID:
		st.Role = RoleOwner
	case org.Val():
		st.Role = RoleOrganizer
	case member.Err() == nil:
		st.Role = RoleMember
	}
	st.Banned, st.Invited = banned.Val(), invited.Val()
	if raw := app.Val(); raw != "" {
		a, err := parseApplication(groupID, userID, raw)
		if err != nil {
			return st, fmt.Errorf("groups: standing in %s: %w", groupID, err)
		}
		st.Application = &a
	}
	return st, nil
}

// read is a reply of type T once its pipeline ran.
type read[T any] interface {
	Err() error
	Val() T
}

// CanView reports whether someone with this standing may see the group:
// public and unlisted groups are visible to anyone who has the link,
// private groups only to members and invited people. Answer 404, not 403,
// when it is false, so a private group's existence does not leak.
func CanView(g *Group, st Standing) bool {
	if g.Visibility != Private {
		return true
	}
	return st.Role.IsMember() || (st.Invited && !st.Banned)
}

// Action is the membership button a group page offers.
type Action string

// Actions a group page can offer.
const (
	ActionNone         Action = ""
	ActionSignIn       Action = "sign-in"
	ActionJoin         Action = "join"
	ActionApply        Action = "apply"
	ActionAcceptInvite Action = "accept-invite"
	ActionLeave        Action = "leave"
)

// Decision is what a group page shows about joining: the button to offer
// and, when there is none or it needs explaining, why.
type Decision struct {
	Action Action
	Reason string
}

// JoinDecision tells the group page which membership button to show to a
// person with this standing and these verified email addresses, or why
// there is none. The store enforces the same rules on the actions.
func JoinDecision(g *Group, st Standing, verifiedEmails []string) Decision {
	switch {
	case st.UserID == "":
		return Decision{ActionSignIn, "Sign in to join this group."}
	case st.Role == RoleOwner:
		return Decision{ActionNone, "You own this group. Transfer ownership before you leave it."}
	case st.Role.IsMember():
		return Decision{ActionLeave, "You are a member of this group."}
	case st.Banned:
		return Decision{ActionNone, "You can no longer join this group."}
	case g.Visibility == Private && !st.Invited:
		return Decision{ActionNone, "This group is private: members join by invitation."}
	case !domainAllowed(g.Domains, emailDomains(verifiedEmails)):
		return Decision{ActionNone, "Only people with a verified email at " + orList(g.Domains) + " can join."}
	case st.Invited:
		return Decision{ActionAcceptInvite, "You are invited to join this group."}
	}
	switch g.JoinPolicy {
	case Approval:
		if st.Application != nil && st.Application.Status == StatusPending {
			return Decision{ActionNone, "Your request to join is waiting for an organizer."}
		}
		return Decision{ActionApply, "Organizers review requests to join."}
	case Invite:
		return Decision{ActionNone, "This group is invitation only."}
	}
	return Decision{ActionJoin, ""}
}

// DomainAllowed reports whether someone with these verified addresses
// meets g's company rule (always, when g has none).
func DomainAllowed(g *Group, verifiedEmails []string) bool {
	return domainAllowed(g.Domains, emailDomains(verifiedEmails))
}

func domainAllowed(groupDomains, userDomains []string) bool {
	if len(groupDomains) == 0 {
		return true
	}
	for _, d := range groupDomains {
		for _, u := range userDomains {
			if d == u {
				return true
			}
		}
	}
	return false
}

// emailDomains returns the distinct domains of the addresses.
func emailDomains(emails []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range emails {
		if d := EmailDomain(e); d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// parseApplication decodes an application record stored by the scripts.
func parseApplication(groupID, userID, raw string) (Application, error) {
	var r struct {
		Answer  string `json:"answer"`
		Status  string `json:"status"`
		Applied string `json:"applied"`
		Decided string `json:"decided"`
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return Application{}, fmt.Errorf("application %s/%s: %w", groupID, userID, err)
	}
	return Application{
		GroupID: groupID, UserID: userID, Answer: r.Answer, Status: AppStatus(r.Status),
		AppliedAt: msTime(r.Applied), DecidedAt: msTime(r.Decided),
	}, nil
}
