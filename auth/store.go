package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	fastjson "github.com/goccy/go-json"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/strcache"
)

// Errors callers check with errors.Is.
var (
	ErrNotFound      = errors.New("auth: user not found")
	ErrIdentityTaken = errors.New("auth: that account is already linked to another user")
	ErrLastIdentity  = errors.New("auth: cannot unlink the only sign-in method")
	ErrNoEmail       = errors.New("auth: the provider shared no email address")
)

// Store keeps users and the indexes that find them by identity and email.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// decoded remembers users decoded for reading, keyed by their stored
	// JSON, so pages that name many people decode each version once.
	decoded strcache.Cache[*User]
	// recent remembers by ID the users read lately, for lists of people
	// that may show a name or avatar up to RecentFor old (see Recent).
	recent strcache.Cache[recentUser]
}

// RecentFor is how old a name or avatar in a list of people may be: a
// change made through another app instance shows there within this time
// (through this one, at once).
const RecentFor = time.Minute

type recentUser struct {
	u    *User
	read time.Time
}

// decodedUsers bounds the decoded-user memory (about 1 KB each).
const decodedUsers = 5000

// NewStore returns a Store whose keys all start with prefix.
func NewStore(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix, Now: func() time.Time { return time.Now().UTC() },
		decoded: strcache.Cache[*User]{Size: decodedUsers}, recent: strcache.Cache[recentUser]{Size: decodedUsers}}
}

func (s *Store) userKey(id string) string { return s.prefix + "user:{" + id + "}" }

func (s *Store) identKey(provider, subject string) string {
	return s.prefix + "ident:" + provider + ":" + subject
}

func (s *Store) emailKey(addr string) string {
	return s.prefix + "email:" + strings.ToLower(addr)
}

// Get returns the user with id.
func (s *Store) Get(ctx context.Context, id string) (*User, error) {
	raw, err := s.rdb.Get(ctx, s.userKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: get user %s: %w", id, err)
	}
	u, err := s.readUser(raw)
	if err != nil {
		return nil, err
	}
	s.remember(u)
	return u, nil
}

// remember notes u as read now, for Recent.
func (s *Store) remember(u *User) {
	s.recent.Put(u.ID, recentUser{u: u, read: s.Now()})
}

// Recent returns the users among ids that this Store read less than
// RecentFor ago (or wrote since), and the ids it has not: a page listing
// people reads only those, in its own pipeline (QueueGetMany, which
// remembers them in turn). The users are shared: do not change them.
func (s *Store) Recent(ids []string) (map[string]*User, []string) {
	now := s.Now()
	known := make(map[string]*User, len(ids))
	var missing []string
	for _, id := range ids {
		if r, ok := s.recent.Get(id); ok && now.Sub(r.read) < RecentFor {
			known[id] = r.u
		} else {
			missing = append(missing, id)
		}
	}
	return known, missing
}

// GetMany returns the users with the given ids in one round trip, skipping
// ids that no longer exist.
func (s *Store) GetMany(ctx context.Context, ids []string) (map[string]*User, error) {
	p := s.rdb.Pipeline()
	read := s.QueueGetMany(ctx, p, ids)
	_, _ = p.Exec(ctx) // read reports its own commands' errors
	return read()
}

// QueueGetMany queues on p the reads of GetMany, so a page can read the
// people it shows with its other data in one round trip; the returned
// function decodes them once p has been executed.
func (s *Store) QueueGetMany(ctx context.Context, p redis.Pipeliner, ids []string) func() (map[string]*User, error) {
	cmds := make([]nearcache.Reply[string], len(ids))
	for i, id := range ids {
		cmds[i] = nearcache.Get(ctx, p, s.userKey(id))
	}
	return func() (map[string]*User, error) {
		out := make(map[string]*User, len(ids))
		for i, cmd := range cmds {
			raw, err := cmd.Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("auth: get users: %w", err)
			}
			u, err := s.readUser(raw)
			if err != nil {
				return nil, err
			}
			s.remember(u)
			out[ids[i]] = u
		}
		return out, nil
	}
}

// readUser decodes a stored user for reading, once per stored version:
// the result is a copy the caller may change field by field, but whose
// slices it shares with other readers and must not modify in place (the
// writers in update decode their own).
func (s *Store) readUser(raw string) (*User, error) {
	if u, ok := s.decoded.Get(raw); ok {
		cp := *u
		return &cp, nil
	}
	u, err := decodeUser([]byte(raw))
	if err != nil {
		return nil, err
	}
	s.decoded.Put(raw, u)
	cp := *u
	return &cp, nil
}

// decodeUser parses a stored user with goccy/go-json, about four times
// faster than encoding/json on this record, which a request whose user
// the instance does not keep yet decodes first thing. Users are still
// encoded with encoding/json: update compares those bytes.
func decodeUser(raw []byte) (*User, error) {
	var u User
	if err := fastjson.Unmarshal(raw, &u); err != nil {
		return nil, fmt.Errorf("auth: decode user: %w", err)
	}
	return &u, nil
}

// update applies fn to the stored user in one optimistic transaction, so
// concurrent edits of one user never overwrite each other.
func (s *Store) update(ctx context.Context, id string, fn func(*User) error) (*User, error) {
	key := s.userKey(id)
	var out *User
	txf := func(tx *redis.Tx) error {
		raw, err := tx.Get(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		u, err := decodeUser(raw)
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
		if same, err := json.Marshal(u); err == nil && bytes.Equal(same, raw) {
			out = u // nothing changed: no write, so no contention
			return nil
		}
		u.UpdatedAt = s.Now()
		enc, err := json.Marshal(u)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, enc, 0)
			return nil
		})
		out = u
		return err
	}
	for attempt := range 50 {
		err := s.rdb.Watch(ctx, txf, key)
		if errors.Is(err, redis.TxFailedErr) {
			// Someone else wrote the user meanwhile: back off a little,
			// with jitter, so many writers do not keep colliding.
			time.Sleep(time.Duration(rand.IntN(attempt+1)) * time.Millisecond)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("auth: update user %s: %w", id, err)
		}
		s.recent.Forget(id)
		return out, nil
	}
	return nil, fmt.Errorf("auth: update user %s: too much contention", id)
}

// ProfileUpdate is what a user may change about themselves.
type ProfileUpdate struct {
	Name     string
	TimeZone string
	Mail     MailPrefs
	// HideFromAttendees is the "Hide me from attendee lists" switch.
	HideFromAttendees bool
}

// UpdateProfile validates and saves the user's own settings.
func (s *Store) UpdateProfile(ctx context.Context, id string, in ProfileUpdate) (*User, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(u *User) error {
		u.Name = strings.TrimSpace(in.Name)
		u.TimeZone = in.TimeZone
		u.Mail = in.Mail
		u.HideFromAttendees = in.HideFromAttendees
		return nil
	})
}

// FindByEmail returns the user who verified addr.
func (s *Store) FindByEmail(ctx context.Context, addr string) (*User, error) {
	uid, err := s.rdb.Get(ctx, s.emailKey(strings.TrimSpace(addr))).Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: find by email: %w", err)
	}
	return s.Get(ctx, uid)
}

// Unsubscribe stops mail for a user: all of it when groupID is empty,
// otherwise the announcements of that one group. Doing it twice is harmless.
func (s *Store) Unsubscribe(ctx context.Context, uid, groupID string) (*User, error) {
	return s.update(ctx, uid, func(u *User) error {
		switch {
		case groupID == "":
			u.Mail.Off = true
		case !slices.Contains(u.Mail.MutedGroups, groupID):
			u.Mail.MutedGroups = append(u.Mail.MutedGroups, groupID)
		}
		return nil
	})
}
