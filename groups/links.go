package groups

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
)

// Errors of invite links; check them with errors.Is.
var (
	ErrLinkUnknown  = errors.New("this invite link does not exist")
	ErrLinkRevoked  = errors.New("this invite link was revoked by the organizers")
	ErrLinkExpired  = errors.New("this invite link has expired")
	ErrLinkUsedUp   = errors.New("this invite link has been used as many times as the organizers allowed")
	ErrTooManyLinks = errors.New("a group keeps at most 50 invite links: revoke one first")
)

// MaxLinks is how many invite links, live or not, a group keeps.
const MaxLinks = 50

// Link is an invite link: whoever opens it may join the group (after
// signing in), whatever its join policy, until it expires, is used Limit
// times or is revoked. Company-only groups still admit only verified
// addresses at their domains.
type Link struct {
	GroupID   string
	Secret    string // the part of the token after the group ID
	CreatedBy string
	CreatedAt time.Time
	Expires   time.Time // zero: never
	Limit     int       // 0: no limit
	Uses      int
	Revoked   bool
}

// Token is what the link's URL carries: the group ID, a dot and the
// secret, so the group is found without an index and the secret is
// checked in the group's own keys.
func (l Link) Token() string { return l.GroupID + "." + l.Secret }

// Live reports whether the link still lets people in at now.
func (l Link) Live(now time.Time) bool { return l.Status(now) == nil }

// Status is nil while the link lets people in at now, else why not:
// ErrLinkRevoked, ErrLinkExpired or ErrLinkUsedUp.
func (l Link) Status(now time.Time) error {
	switch {
	case l.Revoked:
		return ErrLinkRevoked
	case !l.Expires.IsZero() && !now.Before(l.Expires):
		return ErrLinkExpired
	case l.Limit > 0 && l.Uses >= l.Limit:
		return ErrLinkUsedUp
	}
	return nil
}

// ParseToken splits a link token into group ID and secret; ok is false
// when it cannot be one.
func ParseToken(token string) (groupID, secret string, ok bool) {
	groupID, secret, ok = strings.Cut(token, ".")
	return groupID, secret, ok && ids.Valid(groupID) && ids.ValidSecret(secret)
}

// storedLink is a link in the group's links hash, secret -> JSON.
type storedLink struct {
	By      string `json:"by"`
	At      int64  `json:"at"`
	Expires int64  `json:"expires,omitempty"` // ms; 0 never
	Limit   int    `json:"limit,omitempty"`
	Uses    int    `json:"uses"`
	Revoked bool   `json:"revoked,omitempty"`
}

func (s *Store) linksKey(groupID string) string { return s.groupKey(groupID) + ":links" }

// linkKeys are the group's keys and its links hash, for the link scripts.
func (s *Store) linkKeys(groupID string) []string {
	return append(s.groupKeys(groupID), s.linksKey(groupID))
}

// createLinkScript: ARGV action, actor, secret, link JSON, the most links.
var createLinkScript = groupScript(`
local LINKS = KEYS[10]
if not organizer(ARGV[2]) then return redis.error_reply('FORBIDDEN') end
if redis.call('HLEN', LINKS) >= tonumber(ARGV[5]) then return redis.error_reply('TOO_MANY_LINKS') end
redis.call('HSET', LINKS, ARGV[3], ARGV[4])
return 'OK'
`)

// revokeLinkScript: ARGV action, actor, secret.
var revokeLinkScript = groupScript(`
local LINKS = KEYS[10]
if not organizer(ARGV[2]) then return redis.error_reply('FORBIDDEN') end
local raw = redis.call('HGET', LINKS, ARGV[3])
if not raw then return redis.error_reply('NO_LINK') end
local l = cjson.decode(raw)
l.revoked = true
redis.call('HSET', LINKS, ARGV[3], cjson.encode(l))
return 'OK'
`)

// joinLinkScript: ARGV action, secret, user, now (ms), the user's verified
// email domains. It checks the link, joins and counts the use in one
// step, so a limit of N lets exactly N people in. It returns the count
// the join left, like the join script, so the index takes the new member
// count without a reindex.
var joinLinkScript = groupScript(`
local LINKS = KEYS[10]
local uid, now, domains = ARGV[3], tonumber(ARGV[4]), ARGV[5]
local raw = redis.call('HGET', LINKS, ARGV[2])
if not raw then return redis.error_reply('NO_LINK') end
local l = cjson.decode(raw)
if l.revoked then return redis.error_reply('LINK_REVOKED') end
if l.expires and l.expires > 0 and now >= l.expires then return redis.error_reply('LINK_EXPIRED') end
if l.limit and l.limit > 0 and l.uses >= l.limit then return redis.error_reply('LINK_USED_UP') end
if redis.call('SISMEMBER', BANS, uid) == 1 then return redis.error_reply('BANNED') end
if redis.call('ZSCORE', MEMBERS, uid) then return redis.error_reply('ALREADY_MEMBER') end
if not domain_ok(domains) then return redis.error_reply('DOMAIN') end
local count = add_member(uid, ARGV[4])
l.uses = l.uses + 1
redis.call('HSET', LINKS, ARGV[2], cjson.encode(l))
return joined(count)
`)

func init() {
	scriptErrors["NO_LINK"] = ErrLinkUnknown
	scriptErrors["LINK_REVOKED"] = ErrLinkRevoked
	scriptErrors["LINK_EXPIRED"] = ErrLinkExpired
	scriptErrors["LINK_USED_UP"] = ErrLinkUsedUp
	scriptErrors["TOO_MANY_LINKS"] = ErrTooManyLinks
}

// CreateLink makes a new invite link for groupID; only organizers may.
// expires (zero: never) must be in the future and limit (0: none) at
// most 10,000.
func (s *Store) CreateLink(ctx context.Context, groupID, actorID string, expires time.Time, limit int) (Link, error) {
	now := s.Now().UTC()
	switch {
	case !expires.IsZero() && !expires.After(now):
		return Link{}, fmt.Errorf("groups: create link: %w", ErrLinkExpired)
	case limit < 0 || limit > 10000:
		return Link{}, fmt.Errorf("groups: create link: limit %d out of range", limit)
	}
	l := Link{GroupID: groupID, Secret: ids.Secret(), CreatedBy: actorID, CreatedAt: now, Limit: limit}
	st := storedLink{By: actorID, At: now.UnixMilli(), Limit: limit}
	if !expires.IsZero() {
		l.Expires = expires.UTC()
		st.Expires = expires.UnixMilli()
	}
	enc, err := json.Marshal(st)
	if err != nil {
		return Link{}, err
	}
	err = scriptErr(createLinkScript.Run(ctx, s.rdb, s.linkKeys(groupID), "create-link", actorID, l.Secret, enc, MaxLinks).Err())
	if err != nil {
		return Link{}, fmt.Errorf("groups: create link for %s: %w", groupID, err)
	}
	return l, nil
}

// RevokeLink stops the link with secret from letting anyone in; only
// organizers may. The link stays listed as revoked.
func (s *Store) RevokeLink(ctx context.Context, groupID, actorID, secret string) error {
	err := scriptErr(revokeLinkScript.Run(ctx, s.rdb, s.linkKeys(groupID), "revoke-link", actorID, secret).Err())
	if err != nil {
		return fmt.Errorf("groups: revoke link of %s: %w", groupID, err)
	}
	return nil
}

// Links lists the group's invite links, newest first.
func (s *Store) Links(ctx context.Context, groupID string) ([]Link, error) {
	p := s.rdb.Pipeline()
	read := s.QueueLinks(ctx, p, groupID)
	_, _ = p.Exec(ctx) // read reports its own command's error
	return read()
}

// QueueLinks queues on p the read of Links, so a page reads the links
// with its other data in one round trip.
func (s *Store) QueueLinks(ctx context.Context, p redis.Pipeliner, groupID string) func() ([]Link, error) {
	cmd := p.HGetAll(ctx, s.linksKey(groupID))
	return func() ([]Link, error) {
		m, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("groups: links of %s: %w", groupID, err)
		}
		out := make([]Link, 0, len(m))
		for secret, raw := range m {
			l, err := decodeLink(groupID, secret, raw)
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		slices.SortFunc(out, func(a, b Link) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.Secret, b.Secret)
		})
		return out, nil
	}
}

// LinkOf returns the link a token names, whatever its state, and the
// error that says why it lets nobody in (nil when it is live): tampered
// or unknown tokens are ErrLinkUnknown.
func (s *Store) LinkOf(ctx context.Context, token string) (Link, error) {
	p := s.rdb.Pipeline()
	read := s.QueueLinkOf(ctx, p, token)
	_, _ = p.Exec(ctx) // read reports its own command's error
	return read()
}

// QueueLinkOf queues on p the read of LinkOf, so the page a link opens
// reads it with the group and the visitor's standing in one round trip.
func (s *Store) QueueLinkOf(ctx context.Context, p redis.Pipeliner, token string) func() (Link, error) {
	gid, secret, ok := ParseToken(token)
	if !ok {
		return func() (Link, error) { return Link{}, ErrLinkUnknown }
	}
	cmd := p.HGet(ctx, s.linksKey(gid), secret)
	return func() (Link, error) {
		raw, err := cmd.Result()
		if errors.Is(err, redis.Nil) {
			return Link{}, ErrLinkUnknown
		}
		if err != nil {
			return Link{}, fmt.Errorf("groups: link: %w", err)
		}
		l, err := decodeLink(gid, secret, raw)
		if err != nil {
			return Link{}, err
		}
		return l, l.Status(s.Now())
	}
}

// JoinByLink makes userID a member through the link token names. Errors:
// ErrLinkUnknown, ErrLinkRevoked, ErrLinkExpired, ErrLinkUsedUp,
// ErrBanned, ErrAlreadyMember, ErrDomain (a company-only group still wants
// a verified address at its domains).
func (s *Store) JoinByLink(ctx context.Context, token, userID string, verifiedEmails []string) (groupID string, err error) {
	gid, secret, ok := ParseToken(token)
	if !ok || userID == "" {
		return "", ErrLinkUnknown
	}
	domains := strings.Join(emailDomains(verifiedEmails), ",")
	res, err := joinLinkScript.Run(ctx, s.rdb, s.linkKeys(gid), "join-link", secret, userID,
		strconv.FormatInt(s.nowMS(), 10), domains).Int64Slice()
	err = scriptErr(err)
	if errors.Is(err, ErrNotFound) {
		err = ErrLinkUnknown // the group is gone: so is its link
	}
	if err != nil {
		return gid, fmt.Errorf("groups: join %s by link: %w", gid, err)
	}
	if len(res) != 2 {
		return gid, fmt.Errorf("groups: join %s by link: unexpected reply %v", gid, res)
	}
	return gid, s.runFollowUp(ctx, s.afterJoin(ctx, gid, userID, true))
}

func decodeLink(groupID, secret, raw string) (Link, error) {
	var st storedLink
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return Link{}, fmt.Errorf("groups: decode link of %s: %w", groupID, err)
	}
	l := Link{GroupID: groupID, Secret: secret, CreatedBy: st.By, CreatedAt: time.UnixMilli(st.At).UTC(),
		Limit: st.Limit, Uses: st.Uses, Revoked: st.Revoked}
	if st.Expires > 0 {
		l.Expires = time.UnixMilli(st.Expires).UTC()
	}
	return l, nil
}
