// Package account removes a person from every key of the app once the
// stores have undone what they hold for them (seats handed on, groups
// left, mentorships ended): Scrub walks the whole key space under the
// app's prefix and takes out whatever still names the person's ID or one
// of their addresses. It is how deleting an account guarantees that no
// key keeps them, whichever package wrote it, including packages written
// after this one.
//
// The rules, by what a key holds:
//   - a key whose name holds the ID or an address is theirs: deleted
//     (user:{id}, sessions index entries, mentor:{id}…, email:<addr>…);
//   - a string that is one of their tokens or references ("…|id", "id")
//     is deleted; a JSON string or hash value that mentions them has the
//     ID and addresses blanked (an event's host, a report's reporter);
//   - hash fields, set and sorted-set members that are or contain the ID
//     or an address are removed; list elements are blanked (JSON) or
//     removed; stream entries that mention them are deleted.
//
// Counts (members, votes, seats) are left as they are: they are
// aggregates and name nobody.
package account

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Scrubber walks the keys under one prefix.
type Scrubber struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewScrubber returns a Scrubber for the keys starting with prefix.
func NewScrubber(rdb redis.UniversalClient, prefix string) *Scrubber {
	return &Scrubber{rdb: rdb, prefix: prefix}
}

// Report says what Scrub changed.
type Report struct {
	KeysDeleted, KeysChanged int
}

// Scrub removes the person with userID and the addresses from every key.
// It is idempotent: running it again after a crash finishes the job.
func (s *Scrubber) Scrub(ctx context.Context, userID string, addresses []string) (Report, error) {
	if len(userID) < 16 {
		return Report{}, errors.New("account: scrub: not a user ID")
	}
	needles := []string{userID}
	for _, a := range addresses {
		if a = asciiLower(strings.TrimSpace(a)); a != "" {
			needles = append(needles, a)
		}
	}
	var rep Report
	visit := func(ctx context.Context, c redis.UniversalClient) error {
		iter := c.Scan(ctx, 0, s.prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			deleted, changed, err := s.scrubKey(ctx, iter.Val(), needles)
			if err != nil {
				return err
			}
			if deleted {
				rep.KeysDeleted++
			} else if changed {
				rep.KeysChanged++
			}
		}
		return iter.Err()
	}
	var err error
	switch c := s.rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return visit(ctx, node) })
	default:
		err = visit(ctx, s.rdb)
	}
	if err != nil {
		return rep, fmt.Errorf("account: scrub %s: %w", userID, err)
	}
	return rep, nil
}

// asciiLower lowers A–Z only, so positions stay the same byte offsets
// (IDs and addresses are matched without regard to case).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func mentions(s string, needles []string) bool {
	lower := asciiLower(s)
	for _, n := range needles {
		if strings.Contains(lower, n) {
			return true
		}
	}
	return false
}

// blank takes the needles out of a JSON value (they are whole strings or
// parts of strings there, never keys or numbers).
func blank(s string, needles []string) string {
	for _, n := range needles {
		s = replaceFold(s, n, "")
	}
	return s
}

// replaceFold replaces every case-insensitive occurrence of old.
func replaceFold(s, old, with string) string {
	lower, lo := asciiLower(s), asciiLower(old)
	var b strings.Builder
	for {
		i := strings.Index(lower, lo)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(with)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}

func isJSON(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// scrubKey applies the rules to one key.
func (s *Scrubber) scrubKey(ctx context.Context, key string, needles []string) (deleted, changed bool, err error) {
	if mentions(key, needles) {
		return true, false, s.rdb.Del(ctx, key).Err()
	}
	typ, err := s.rdb.Type(ctx, key).Result()
	if err != nil {
		return false, false, err
	}
	switch typ {
	case "string":
		v, err := s.rdb.Get(ctx, key).Result()
		if err != nil || !mentions(v, needles) {
			return false, false, ignoreNil(err)
		}
		if !isJSON(v) {
			return true, false, s.rdb.Del(ctx, key).Err() // a token or reference of theirs
		}
		ttl, err := s.rdb.PTTL(ctx, key).Result()
		if err != nil {
			return false, false, err
		}
		if ttl < 0 {
			ttl = 0
		}
		return false, true, s.rdb.Set(ctx, key, blank(v, needles), ttl).Err()
	case "hash":
		m, err := s.rdb.HGetAll(ctx, key).Result()
		if err != nil {
			return false, false, err
		}
		for f, v := range m {
			switch {
			case mentions(f, needles):
				err = s.rdb.HDel(ctx, key, f).Err()
			case mentions(v, needles) && isJSON(v):
				err = s.rdb.HSet(ctx, key, f, blank(v, needles)).Err()
			case mentions(v, needles):
				err = s.rdb.HDel(ctx, key, f).Err()
			default:
				continue
			}
			if err != nil {
				return false, false, err
			}
			changed = true
		}
		if changed && isGroupHash(m) {
			if err := bumpGroup(ctx, s.rdb, key); err != nil {
				return false, false, err
			}
		}
	case "set":
		members, err := s.rdb.SMembers(ctx, key).Result()
		if err != nil {
			return false, false, err
		}
		for _, m := range members {
			if mentions(m, needles) {
				if err := s.rdb.SRem(ctx, key, m).Err(); err != nil {
					return false, false, err
				}
				changed = true
			}
		}
	case "zset":
		members, err := s.rdb.ZRange(ctx, key, 0, -1).Result()
		if err != nil {
			return false, false, err
		}
		for _, m := range members {
			if mentions(m, needles) {
				if err := s.rdb.ZRem(ctx, key, m).Err(); err != nil {
					return false, false, err
				}
				changed = true
			}
		}
	case "list":
		items, err := s.rdb.LRange(ctx, key, 0, -1).Result()
		if err != nil {
			return false, false, err
		}
		for i, v := range items {
			if !mentions(v, needles) {
				continue
			}
			if isJSON(v) {
				err = s.rdb.LSet(ctx, key, int64(i), blank(v, needles)).Err()
			} else {
				err = s.rdb.LSet(ctx, key, int64(i), "").Err()
			}
			if err != nil {
				return false, false, err
			}
			changed = true
		}
	case "stream":
		entries, err := s.rdb.XRange(ctx, key, "-", "+").Result()
		if err != nil {
			return false, false, err
		}
		for _, e := range entries {
			for f, v := range e.Values {
				if mentions(f, needles) || mentions(fmt.Sprint(v), needles) {
					if err := s.rdb.XDel(ctx, key, e.ID).Err(); err != nil {
						return false, false, err
					}
					changed = true
					break
				}
			}
		}
	}
	return false, changed, nil
}

func ignoreNil(err error) error {
	if errors.Is(err, redis.Nil) {
		return nil
	}
	return err
}

// isGroupHash reports whether a hash is a focus group's own record (its
// slug and content revision), whose readers remember it by revision.
func isGroupHash(m map[string]string) bool {
	_, slug := m["slug"]
	_, crev := m["crev"]
	return slug && crev
}

// bumpGroupScript moves a group's revisions as an edit through the app
// does (groups' bump_content), so every instance reads the scrubbed
// record again instead of showing what it remembers.
var bumpGroupScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local rev = redis.call('HINCRBY', KEYS[1], 'rev', 1)
redis.call('HSET', KEYS[1], 'crev', rev, 'drev', rev)
return rev
`)

func bumpGroup(ctx context.Context, rdb redis.UniversalClient, key string) error {
	return bumpGroupScript.Run(ctx, rdb, []string{key}).Err()
}
