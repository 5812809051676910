// Package groups holds technology focus groups: their settings, members and
// roles, join requests, invitations, bans and the discovery indexes.
package groups

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/notices"
	"github.com/focusgroups/focusgroups/internal/strcache"
	"github.com/redis/go-redis/v9"
)

// Errors returned by the store; check them with errors.Is.
var (
	ErrNotFound          = errors.New("group not found")
	ErrForbidden         = errors.New("not allowed")
	ErrBanned            = errors.New("banned from this group")
	ErrApprovalRequired  = errors.New("this group reviews requests: apply to join")
	ErrInviteOnly        = errors.New("this group is invitation only")
	ErrOpenGroup         = errors.New("this group is open: join it directly")
	ErrDomain            = errors.New("membership is limited to company email domains")
	ErrAlreadyMember     = errors.New("already a member")
	ErrAlreadyApplied    = errors.New("a request is already pending")
	ErrNotMember         = errors.New("not a member")
	ErrNoRequest         = errors.New("no request from this person")
	ErrAlreadyDecided    = errors.New("request already decided")
	ErrNoInvite          = errors.New("no pending invitation")
	ErrOwnerMustTransfer = errors.New("the owner must transfer ownership first")
	ErrConflict          = errors.New("the group changed meanwhile: try again")
)

// Visibility says who can see a group.
type Visibility string

// Visibilities a group can have.
const (
	Public   Visibility = "public"   // listed in discovery, visible to all
	Unlisted Visibility = "unlisted" // visible to anyone with the link
	Private  Visibility = "private"  // visible to members and invitees only
)

// JoinPolicy says how people become members.
type JoinPolicy string

// Join policies a group can have.
const (
	Open     JoinPolicy = "open"     // anyone allowed may join at once
	Approval JoinPolicy = "approval" // people apply and organizers decide
	Invite   JoinPolicy = "invite"   // only invited people join
)

// Group is a focus group as shown on its page and in listings.
type Group struct {
	ID            string
	Slug          string
	Name          string
	Description   string // raw Markdown; render it safely
	Topics        []string
	Paths         []string // career path slugs (internal/careers)
	City          string
	Online        bool
	Cover         string // "#rrggbb" or an https image URL
	Visibility    Visibility
	JoinPolicy    JoinPolicy
	Question      string // asked of applicants when JoinPolicy is Approval
	Domains       []string
	OwnerID       string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	NextSessionAt time.Time // zero when nothing is scheduled
	NoGuests      bool      // see Input.NoGuests
	// TimeZone is the zone of the session the group scheduled last ("" if
	// it has scheduled none since zones were recorded).
	TimeZone    string
	MemberCount int
	rev         int64
	crev        int64  // the revision of the last change other than membership
	gen         uint64 // which whole read of the group in this process (see Generation)
}

// ContentRevision is the group's revision as of its last change other
// than who is a member (0 for a group stored before revisions were kept).
// Every change through this app moves it, but a hand edit may not.
func (g *Group) ContentRevision() int64 { return g.crev }

// Generation tells apart the whole reads of a group in this process: a
// part of a page rendered from a group and keyed by its content revision,
// member count and generation is rendered again after the next whole
// read, which comes at least once a minute (parsedFor), so even a change
// that moved no revision shows.
func (g *Group) Generation() uint64 { return g.gen }

// CoverIsImage reports whether the cover is an image URL rather than a colour.
func (g *Group) CoverIsImage() bool {
	return strings.HasPrefix(g.Cover, "https://") || strings.HasPrefix(g.Cover, "/covers/")
}

// CompanyOnly reports whether membership is limited to email domains.
func (g *Group) CompanyOnly() bool { return len(g.Domains) > 0 }

// Store keeps groups in Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	// Now tells the time; tests may replace it.
	Now func() time.Time
	// Notify receives the notices people must hear of by mail: join
	// requests, their outcome, invitations. The script that makes the
	// change records the notice; Notify gets it right after, and again
	// later when it returned an error. Nil leaves notices waiting.
	Notify func(ctx context.Context, n Notice) error
	// MembersChanged hears that userID joined groupID (member) or left
	// it, right after the change was stored; it handles its own failures.
	// Nil tells nobody. A join tells it through MemberJoined when set.
	MembersChanged func(ctx context.Context, groupID, userID string, member bool)
	// MemberJoined is MembersChanged for joins, in two steps so its
	// reads ride in the join's own follow-up round trip: it queues them on
	// p, and the function it returns finishes once p has run (writing only
	// if it has something to write).
	MemberJoined func(ctx context.Context, p redis.Pipeliner, groupID, userID string) func()
	// Deleted hears that a group was deleted, so the packages that keep
	// data under its hash tag (skill maps, webhooks, codes of conduct)
	// drop theirs; it handles its own failures.
	Deleted func(ctx context.Context, groupID string)
	// Logger receives the failures that leave work for the sweep.
	Logger  *slog.Logger
	notices *notices.Source
	// recountLast is when this instance's last Recount round began (unix
	// ms; 0 before the first): later marks are new to the next round.
	recountLast atomic.Int64
	slugs       strcache.Cache[string] // slug -> group ID, checked on use (see SlugID)
	// parsed remembers each group as of its display revision (drev), so
	// a page that shows a group it has shown before reads four fields of
	// it instead of the whole hash (see groupRead).
	parsed strcache.Cache[*parsedGroup]
	gens   atomic.Uint64 // the last Generation given
	// searches remembers discovery answers by query (see QueueSearch).
	searches strcache.Cache[searchAnswer]
}

// parsedGroup is a group as parsed at display revision drev and content
// revision crev; its member count, next session and session zone are
// read afresh every time (see groupRead).
type parsedGroup struct {
	drev, crev string
	g          Group
	at         time.Time // when it was parsed
	// counted says that the hash's member count ("members"; every
	// membership change writes it, see count_members) agreed with ZCARD
	// when the hash was read whole, so the count is read with the
	// revisions; otherwise (a group stored before the count was kept, or
	// a set changed without it) it is counted with ZCARD.
	counted bool
}

// parsedFor is how long a parsed group is taken on its revisions alone.
// Past it the whole hash is read again, so a write that moved no drev (a
// hand edit, or an app version before drev during a rolling deploy)
// shows within a minute.
const parsedFor = time.Minute

// NewStore returns a Store whose keys all start with prefix.
func NewStore(rdb redis.UniversalClient, prefix string) *Store {
	s := &Store{rdb: rdb, prefix: prefix, Now: time.Now}
	s.searches.Size = searchesKept
	s.notices = s.newNotices()
	return s
}

func (s *Store) nowMS() int64 { return s.Now().UTC().UnixMilli() }

// Get returns the group with the given ID.
func (s *Store) Get(ctx context.Context, id string) (*Group, error) {
	p := s.rdb.Pipeline()
	get := s.QueueGet(ctx, p, id)
	_, _ = p.Exec(ctx) // get reports its own commands' errors
	return get()
}

// GetBySlug returns the group currently holding slug.
func (s *Store) GetBySlug(ctx context.Context, slug string) (*Group, error) {
	id, err := s.rdb.Get(ctx, s.slugKey(slug)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("groups: get slug %s: %w", slug, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("groups: get slug %s: %w", slug, err)
	}
	g, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if g.Slug != slug { // a released or half-written claim
		return nil, fmt.Errorf("groups: get slug %s: %w", slug, ErrNotFound)
	}
	return g, nil
}

// GetMany loads groups by ID in one round trip; missing ones are nil.
func (s *Store) GetMany(ctx context.Context, ids []string) ([]*Group, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	p := s.rdb.Pipeline()
	read := s.QueueGetMany(ctx, p, ids)
	_, _ = p.Exec(ctx) // read reports its own commands' errors
	return read()
}

// QueueGet queues the read of group id on p, so a page can read it with
// its other data in one round trip; the returned function gives the group
// once p has been executed (ErrNotFound when it does not exist).
func (s *Store) QueueGet(ctx context.Context, p redis.Pipeliner, id string) func() (*Group, error) {
	read := s.queueGroup(ctx, p, id)
	return func() (*Group, error) {
		g, err := read()
		if err != nil {
			return nil, fmt.Errorf("groups: get %s: %w", id, err)
		}
		if g == nil {
			return nil, fmt.Errorf("groups: get %s: %w", id, ErrNotFound)
		}
		return g, nil
	}
}

// QueueGetMany queues on p the reads of the groups ids; the returned
// function gives them in that order once p has been executed, nil for
// those that do not exist. Those that changed since this Store parsed
// them are read again together, in one more round trip.
func (s *Store) QueueGetMany(ctx context.Context, p redis.Pipeliner, ids []string) func() ([]*Group, error) {
	read := s.QueueGetManyOrChanged(ctx, p, ids)
	return func() ([]*Group, error) {
		out, changed, err := read()
		if err != nil || len(changed) == 0 {
			return out, err
		}
		again, err := s.ReadAgain(ctx, changed)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			if j := slices.Index(changed, id); j >= 0 {
				out[i] = again[j]
			}
		}
		return out, nil
	}
}

// QueueGetManyOrChanged is QueueGetMany for a page that reads groups over
// several round trips: its function leaves nil in place of the groups
// that changed since this Store parsed them and names them, so the page
// reads those of all its round trips again together (ReadAgain).
func (s *Store) QueueGetManyOrChanged(ctx context.Context, p redis.Pipeliner, ids []string) func() (list []*Group, changed []string, err error) {
	reads := make([]*groupRead, len(ids))
	for i, id := range ids {
		reads[i] = s.queueGroupRead(ctx, p, id)
	}
	return func() ([]*Group, []string, error) {
		out := make([]*Group, len(ids))
		var changed []string
		for i, r := range reads {
			g, stale, err := r.result()
			if err != nil {
				return nil, nil, fmt.Errorf("groups: get %s: %w", ids[i], err)
			}
			if stale {
				changed = append(changed, ids[i])
			}
			out[i] = g
		}
		return out, changed, nil
	}
}

// groupRead is one group's read for a page. A group this Store has
// parsed before is read as five fields: its display revision (drev), its
// content revision (crev), its next session, its session zone and its
// member count. Every script that writes the group's hash bumps drev,
// except the two that scheduling a session runs (next session and zone),
// which bump crev alone, and the member and arrival counters, which bump
// neither: so an unchanged drev is an unchanged group but for the fields
// that come with it. A group written before drev existed compares crev
// instead, and one whose hash holds no member count yet is counted with
// ZCARD beside it. A changed group takes the whole hash in one more round
// trip; a group not parsed yet, or parsed over a minute ago (parsedFor),
// takes it in this one.
type groupRead struct {
	s       *Store
	id      string
	known   *parsedGroup              // nil when not parsed yet, or too long ago
	revs    nearcache.Reply[[]any]    // drev, crev, next_session, tz, members, for a known group
	all     *redis.MapStringStringCmd // the hash, for a group not parsed yet
	members nearcache.Reply[int64]    // not read when the known group's hash counts them
}

func (s *Store) queueGroupRead(ctx context.Context, p redis.Pipeliner, id string) *groupRead {
	r := &groupRead{s: s, id: id}
	if known, ok := s.parsed.Get(id); ok && s.Now().Sub(known.at) < parsedFor {
		r.known = known
		r.revs = nearcache.HMGet(ctx, p, s.key(id, kGroup), "drev", "crev", "next_session", "tz", "members")
		if known.counted {
			return r
		}
	} else {
		r.all = p.HGetAll(ctx, s.key(id, kGroup))
	}
	r.members = nearcache.ZCard(ctx, p, s.key(id, kMembers))
	return r
}

// result gives the group, nil when it does not exist, or stale when it
// changed since this Store parsed it (see ReadAgain).
func (r *groupRead) result() (g *Group, stale bool, err error) {
	if r.members.Read() {
		if err := r.members.Err(); err != nil {
			return nil, false, err
		}
	}
	if r.all != nil {
		if err := r.all.Err(); err != nil {
			return nil, false, err
		}
		return r.s.parse(r.id, r.all.Val(), r.members.Val()), false, nil
	}
	if err := r.revs.Err(); err != nil {
		return nil, false, err
	}
	v := r.revs.Val()
	drev, _ := v[0].(string)
	crev, _ := v[1].(string)
	next, _ := v[2].(string)
	zone, _ := v[3].(string)
	if crev == "" { // every group has one from its creation: it is gone
		r.s.parsed.Forget(r.id)
		return nil, false, nil
	}
	if drev != r.known.drev || (drev == "" && crev != r.known.crev) {
		return nil, true, nil
	}
	known := r.known.g
	if r.members.Read() {
		known.MemberCount = int(r.members.Val())
	} else {
		count, _ := v[4].(string)
		n, err := strconv.Atoi(count)
		if err != nil {
			return nil, true, nil // no count on the hash after all: read it whole
		}
		known.MemberCount = n
	}
	known.NextSessionAt, known.TimeZone = msTime(next), zone
	known.crev, _ = strconv.ParseInt(crev, 10, 64)
	return &known, false, nil
}

// parse turns a group's hash into the group, nil for an empty one, and
// remembers it for the next read.
func (s *Store) parse(id string, m map[string]string, members int64) *Group {
	if len(m) == 0 {
		return nil
	}
	g := parseGroup(m, int(members))
	g.gen = s.gens.Add(1)
	if crev := m["crev"]; crev != "" {
		// The hash's count is trusted only while it agrees with the set:
		// an instance on older code during a rolling deploy, or the
		// account scrub's ZREM, changes the set without it.
		counted := m["members"] == strconv.FormatInt(members, 10)
		s.parsed.Put(id, &parsedGroup{drev: m["drev"], crev: crev, g: *g, at: s.Now(), counted: counted})
	}
	return g
}

// ReadAgain reads the whole hash and member count of the groups ids in
// one round trip, for reads that found them changed (nil for a group
// gone since).
func (s *Store) ReadAgain(ctx context.Context, ids []string) ([]*Group, error) {
	p := s.rdb.Pipeline()
	alls := make([]*redis.MapStringStringCmd, len(ids))
	counts := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		alls[i] = p.HGetAll(ctx, s.key(id, kGroup))
		counts[i] = p.ZCard(ctx, s.key(id, kMembers))
	}
	_, _ = p.Exec(ctx) // each read reports its own error
	out := make([]*Group, len(ids))
	for i, id := range ids {
		if err := errors.Join(alls[i].Err(), counts[i].Err()); err != nil {
			return nil, fmt.Errorf("groups: get %s: %w", id, err)
		}
		out[i] = s.parse(id, alls[i].Val(), counts[i].Val())
	}
	return out, nil
}

// queueGroup queues the read of one group; the returned function gives
// nil for a group that does not exist.
func (s *Store) queueGroup(ctx context.Context, p redis.Pipeliner, id string) func() (*Group, error) {
	r := s.queueGroupRead(ctx, p, id)
	return func() (*Group, error) {
		g, stale, err := r.result()
		if err != nil || !stale {
			return g, err
		}
		again, err := s.ReadAgain(ctx, []string{id})
		if err != nil {
			return nil, err
		}
		return again[0], nil
	}
}

// loadConsistent reads a group and its member count in one MULTI, so the
// revision matches the count (used by the index).
func (s *Store) loadConsistent(ctx context.Context, id string) (*Group, error) {
	keys := s.groupKeys(id)
	var h *redis.MapStringStringCmd
	var n *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		h = p.HGetAll(ctx, keys[kGroup])
		n = p.ZCard(ctx, keys[kMembers])
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(h.Val()) == 0 {
		return nil, ErrNotFound
	}
	return parseGroup(h.Val(), int(n.Val())), nil
}

func parseGroup(m map[string]string, members int) *Group {
	rev, _ := strconv.ParseInt(m["rev"], 10, 64)
	crev, _ := strconv.ParseInt(m["crev"], 10, 64)
	return &Group{
		ID:            m["id"],
		Slug:          m["slug"],
		Name:          m["name"],
		Description:   m["description"],
		Topics:        splitCSV(m["topics"]),
		Paths:         splitCSV(m["paths"]),
		City:          m["city"],
		Online:        m["online"] == "1",
		NoGuests:      m["no_guests"] == "1",
		Cover:         m["cover"],
		Visibility:    Visibility(m["visibility"]),
		JoinPolicy:    JoinPolicy(m["join_policy"]),
		Question:      m["question"],
		Domains:       splitCSV(m["domains"]),
		OwnerID:       m["owner"],
		CreatedAt:     msTime(m["created"]),
		UpdatedAt:     msTime(m["updated"]),
		NextSessionAt: msTime(m["next_session"]),
		TimeZone:      m["tz"],
		MemberCount:   members,
		rev:           rev,
		crev:          crev,
	}
}

// fields are the hash fields an Input sets, as alternating names and values.
func (in Input) fields() []any {
	online, noGuests := "0", "0"
	if in.Online {
		online = "1"
	}
	if in.NoGuests {
		noGuests = "1"
	}
	return []any{
		"slug", in.Slug, "name", in.Name, "description", in.Description,
		"topics", strings.Join(in.Topics, ","), "paths", strings.Join(in.Paths, ","),
		"city", in.City, "online", online, "cover", in.Cover,
		"visibility", string(in.Visibility), "join_policy", string(in.JoinPolicy),
		"question", in.Question, "domains", strings.Join(in.Domains, ","), "no_guests", noGuests,
	}
}

func splitCSV(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func msTime(s string) time.Time {
	if s == "" { // not set: no parse error to build and drop
		return time.Time{}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// notFound maps redis.Nil to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	return err
}

func zMembers(zs []redis.Z) []string {
	out := make([]string, len(zs))
	for i, z := range zs {
		out[i] = z.Member.(string)
	}
	return out
}
