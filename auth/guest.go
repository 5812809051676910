package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
)

// ErrBadAddress says an address cannot be mailed (see CheckAddress).
var ErrBadAddress = errors.New("auth: not an email address")

// CheckAddress returns addr cleaned and lower-cased when it is one plain
// email address (no display name, at most 254 characters, a dot in the
// domain), and why not otherwise.
func CheckAddress(addr string) (string, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	switch {
	case addr == "":
		return "", fmt.Errorf("%w: empty", ErrBadAddress)
	case len(addr) > 254:
		return "", fmt.Errorf("%w: longer than 254 characters", ErrBadAddress)
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return "", fmt.Errorf("%w: not a plain address like name@example.com", ErrBadAddress)
	}
	_, domain, _ := strings.Cut(addr, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", fmt.Errorf("%w: the domain has no dot", ErrBadAddress)
	}
	return addr, nil
}

// Guest returns the person at addr, whom an organizer is inviting: the
// user who holds that address already, or a new guest (created true)
// named name, or after the address when name is empty. Many calls for
// one address at once make one guest.
func (s *Store) Guest(ctx context.Context, addr, name string) (*User, bool, error) {
	addr, err := CheckAddress(addr)
	if err != nil {
		return nil, false, err
	}
	for range 3 {
		u, err := s.FindByEmail(ctx, addr)
		if err == nil {
			return u, false, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, false, err
		}
		u, err = s.createGuest(ctx, addr, name)
		if errors.Is(err, errAddressTaken) {
			continue // someone else created or claimed it meanwhile
		}
		return u, err == nil, err
	}
	return nil, false, fmt.Errorf("auth: guest %s: the address keeps changing hands", addr)
}

var errAddressTaken = errors.New("auth: address taken meanwhile")

// createGuest writes a guest, then claims the address for them; losing the
// claim removes the new record again.
func (s *Store) createGuest(ctx context.Context, addr, name string) (*User, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		name, _, _ = strings.Cut(addr, "@")
	}
	now := s.Now()
	u := &User{ID: ids.New(), Name: name, Emails: []Email{{Address: addr}}, Identities: []Identity{},
		Guest: true, CreatedAt: now, UpdatedAt: now}
	enc, err := json.Marshal(u)
	if err != nil {
		return nil, err
	}
	if err := s.rdb.Set(ctx, s.userKey(u.ID), enc, 0).Err(); err != nil {
		return nil, fmt.Errorf("auth: create guest: %w", err)
	}
	won, err := s.rdb.SetNX(ctx, s.emailKey(addr), u.ID, 0).Result()
	if err != nil || !won {
		if derr := s.rdb.Del(context.WithoutCancel(ctx), s.userKey(u.ID)).Err(); derr != nil && !errors.Is(derr, redis.Nil) {
			return nil, fmt.Errorf("auth: create guest: clean-up: %w", derr)
		}
		if err != nil {
			return nil, fmt.Errorf("auth: claim guest address: %w", err)
		}
		return nil, errAddressTaken
	}
	return u, nil
}

// GuestsHolding returns the guests holding addresses that u's providers
// verified: the same person, who answered as a guest before u's account
// had that address. Addresses u has not verified take over nothing.
func (s *Store) GuestsHolding(ctx context.Context, u *User) ([]*User, error) {
	var out []*User
	for _, addr := range u.VerifiedEmails() {
		g, err := s.FindByEmail(ctx, addr)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if g.Guest && g.ID != u.ID {
			out = append(out, g)
		}
	}
	return out, nil
}

// AbsorbGuest ends the guest record once its RSVPs and memberships have
// moved to the account into: the guest's mail choices join the account's
// (an address that said "no mail" or muted a group keeps saying so), its
// address now finds the account, and the guest is deleted.
func (s *Store) AbsorbGuest(ctx context.Context, into string, guest *User) (*User, error) {
	u, err := s.update(ctx, into, func(u *User) error {
		g := guest.Mail
		u.Mail.Off = u.Mail.Off || g.Off
		u.Mail.NoInvites = u.Mail.NoInvites || g.NoInvites
		for _, gid := range g.MutedGroups {
			if !slices.Contains(u.Mail.MutedGroups, gid) {
				u.Mail.MutedGroups = append(u.Mail.MutedGroups, gid)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p := s.rdb.Pipeline()
	for _, e := range guest.Emails {
		p.Set(ctx, s.emailKey(strings.ToLower(e.Address)), into, 0)
	}
	p.Del(ctx, s.userKey(guest.ID))
	if _, err := p.Exec(ctx); err != nil {
		return nil, fmt.Errorf("auth: absorb guest %s into %s: %w", guest.ID, into, err)
	}
	s.recent.Forget(guest.ID)
	return u, nil
}
