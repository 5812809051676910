package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/redis/go-redis/v9"
)

// Profile is what a provider told us about the person signing in.
type Profile struct {
	Provider  string
	Subject   string
	Login     string
	Name      string
	AvatarURL string
	Emails    []Email
	// TimeZone is the zone the browser reported at sign-in, if any. It
	// becomes the user's zone when they have none saved yet; a name that
	// is not a valid zone is ignored.
	TimeZone string
}

// browserZone is the zone to save from p, or "" when p has none valid.
func (p *Profile) browserZone() string {
	if ValidZone(p.TimeZone) {
		return p.TimeZone
	}
	return ""
}

func (p *Profile) verified() []string {
	var out []string
	for _, e := range p.Emails {
		if e.Verified {
			out = append(out, strings.ToLower(e.Address))
		}
	}
	return out
}

// SignIn finds or creates the user for a provider profile. The same
// provider subject always finds the same user; a new identity joins an
// existing user only when both sides have verified the same address.
func (s *Store) SignIn(ctx context.Context, p Profile) (*User, bool, error) {
	if p.Provider == "" || p.Subject == "" {
		return nil, false, errors.New("auth: sign in: profile without provider or subject")
	}
	if len(p.Emails) == 0 {
		return nil, false, ErrNoEmail
	}
	for range 3 {
		uid, err := s.rdb.Get(ctx, s.identKey(p.Provider, p.Subject)).Result()
		switch {
		case err == nil:
			u, err := s.refresh(ctx, uid, p)
			return u, false, err
		case !errors.Is(err, redis.Nil):
			return nil, false, fmt.Errorf("auth: sign in: %w", err)
		}
		if owner, err := s.ownerOfVerified(ctx, p.verified()); err != nil {
			return nil, false, err
		} else if owner != "" {
			u, err := s.Link(ctx, owner, p)
			if errors.Is(err, ErrIdentityTaken) {
				continue
			}
			return u, false, err
		}
		u, err := s.create(ctx, p)
		if errors.Is(err, ErrIdentityTaken) {
			continue // someone signed in with the same account at the same moment
		}
		return u, err == nil, err
	}
	return nil, false, fmt.Errorf("auth: sign in %s: identity keeps changing hands", p.Provider)
}

func (s *Store) ownerOfVerified(ctx context.Context, emails []string) (string, error) {
	for _, e := range emails {
		uid, err := s.rdb.Get(ctx, s.emailKey(e)).Result()
		if err == nil {
			return uid, nil
		}
		if !errors.Is(err, redis.Nil) {
			return "", fmt.Errorf("auth: look up email: %w", err)
		}
	}
	return "", nil
}

// create writes a new user, then claims the identity; losing the claim to a
// concurrent sign-in removes the new record again.
func (s *Store) create(ctx context.Context, p Profile) (*User, error) {
	now := s.Now()
	u := &User{
		ID:         ids.New(),
		Name:       displayName(p),
		AvatarURL:  p.AvatarURL,
		Emails:     mergeEmails(nil, p.Emails),
		Identities: []Identity{{Provider: p.Provider, Subject: p.Subject, Login: p.Login, LinkedAt: now}},
		TimeZone:   p.browserZone(),
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	enc, err := json.Marshal(u)
	if err != nil {
		return nil, err
	}
	if err := s.rdb.Set(ctx, s.userKey(u.ID), enc, 0).Err(); err != nil {
		return nil, fmt.Errorf("auth: create user: %w", err)
	}
	won, err := s.rdb.SetNX(ctx, s.identKey(p.Provider, p.Subject), u.ID, 0).Result()
	if err != nil || !won {
		if derr := s.rdb.Del(context.WithoutCancel(ctx), s.userKey(u.ID)).Err(); derr != nil {
			slog.WarnContext(ctx, "auth: clean-up failed", "left", "a user record nobody can sign in to", "user", u.ID, "err", derr)
		}
		if err != nil {
			return nil, fmt.Errorf("auth: claim identity: %w", err)
		}
		return nil, ErrIdentityTaken
	}
	s.claimEmails(ctx, u.ID, u.VerifiedEmails())
	return u, nil
}

// claimEmails indexes verified addresses that no other user holds yet.
func (s *Store) claimEmails(ctx context.Context, uid string, emails []string) {
	if len(emails) == 0 {
		return
	}
	pipe := s.rdb.Pipeline()
	for _, e := range emails {
		pipe.SetNX(ctx, s.emailKey(e), uid, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		slog.WarnContext(ctx, "auth: verified addresses not indexed", "left", "sign-ins with these addresses do not find this user until the next sign-in indexes them",
			"user", uid, "addresses", len(emails), "err", err)
	}
}

// refresh updates the name, avatar and addresses a provider reports now,
// and saves the browser's zone for someone who has none yet.
func (s *Store) refresh(ctx context.Context, uid string, p Profile) (*User, error) {
	u, err := s.update(ctx, uid, func(u *User) error {
		if p.AvatarURL != "" {
			u.AvatarURL = p.AvatarURL
		}
		if u.TimeZone == "" {
			u.TimeZone = p.browserZone()
		}
		u.Emails = mergeEmails(u.Emails, p.Emails)
		for i := range u.Identities {
			if u.Identities[i].Provider == p.Provider && p.Login != "" {
				u.Identities[i].Login = p.Login
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.claimEmails(ctx, uid, u.VerifiedEmails())
	return u, nil
}

// Link attaches a provider account to user uid: from the profile page when
// the user links another provider, or at sign-in through a verified address.
func (s *Store) Link(ctx context.Context, uid string, p Profile) (*User, error) {
	key := s.identKey(p.Provider, p.Subject)
	won, err := s.rdb.SetNX(ctx, key, uid, 0).Result()
	if err != nil {
		return nil, fmt.Errorf("auth: link: %w", err)
	}
	if !won {
		owner, err := s.rdb.Get(ctx, key).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("auth: link: %w", err)
		}
		if owner != uid {
			return nil, ErrIdentityTaken
		}
	}
	u, err := s.update(ctx, uid, func(u *User) error {
		if existing, ok := u.Identity(p.Provider); ok && existing.Subject != p.Subject {
			return ErrIdentityTaken
		}
		if _, ok := u.Identity(p.Provider); !ok {
			u.Identities = append(u.Identities, Identity{Provider: p.Provider, Subject: p.Subject, Login: p.Login, LinkedAt: s.Now()})
		}
		if u.AvatarURL == "" {
			u.AvatarURL = p.AvatarURL
		}
		if u.TimeZone == "" {
			u.TimeZone = p.browserZone()
		}
		u.Emails = mergeEmails(u.Emails, p.Emails)
		return nil
	})
	if err != nil {
		if won {
			if derr := s.rdb.Del(context.WithoutCancel(ctx), key).Err(); derr != nil {
				slog.WarnContext(ctx, "auth: clean-up failed", "left", "a "+p.Provider+" account claimed for a user whose record does not list it",
					"user", uid, "err", derr)
			}
		}
		return nil, err
	}
	s.claimEmails(ctx, uid, u.VerifiedEmails())
	return u, nil
}

// Unlink removes the user's identity at provider while another remains.
func (s *Store) Unlink(ctx context.Context, uid, provider string) (*User, error) {
	var removed Identity
	u, err := s.update(ctx, uid, func(u *User) error {
		i := slices.IndexFunc(u.Identities, func(id Identity) bool { return id.Provider == provider })
		if i < 0 {
			return ErrNotFound
		}
		if len(u.Identities) < 2 {
			return ErrLastIdentity
		}
		removed = u.Identities[i]
		u.Identities = slices.Delete(u.Identities, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.rdb.Del(ctx, s.identKey(removed.Provider, removed.Subject)).Err(); err != nil {
		return nil, fmt.Errorf("auth: unlink: %w", err)
	}
	return u, nil
}

func displayName(p Profile) string {
	for _, n := range []string{p.Name, p.Login} {
		if n = strings.TrimSpace(n); n != "" {
			if r := []rune(n); len(r) > MaxNameLength {
				n = string(r[:MaxNameLength])
			}
			return n
		}
	}
	if len(p.Emails) > 0 {
		return strings.SplitN(p.Emails[0].Address, "@", 2)[0]
	}
	return "New member"
}

// mergeEmails adds the provider's addresses to the known ones; a verified
// flag only ever goes from false to true.
func mergeEmails(have, add []Email) []Email {
	out := slices.Clone(have)
	for _, e := range add {
		addr := strings.ToLower(strings.TrimSpace(e.Address))
		if addr == "" {
			continue
		}
		i := slices.IndexFunc(out, func(x Email) bool { return x.Address == addr })
		if i < 0 {
			out = append(out, Email{Address: addr, Verified: e.Verified})
		} else if e.Verified {
			out[i].Verified = true
		}
	}
	return out
}

var nonSlug = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// DevSubject is the identity development sign-in gives a typed name, so
// "Diego Fernández" signs in as the same person every time (and as the
// demo person of that name).
func DevSubject(name string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "-"), "-")
}
