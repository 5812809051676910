package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// EmailVerificationTTL is how long the link that proves an address works.
const EmailVerificationTTL = 24 * time.Hour

// ErrEmailTaken says another user already verified the address.
var ErrEmailTaken = errors.New("auth: that address belongs to another account")

func (s *Store) emailVerifyKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return s.prefix + "emailverify:{" + hex.EncodeToString(sum[:]) + "}"
}

// StartEmailVerification checks addr and returns the secret for the link
// that proves uid can read mail there (for company-only groups), and the
// address as it will be stored. Only the secret's SHA-256 is kept, for
// EmailVerificationTTL.
func (s *Store) StartEmailVerification(ctx context.Context, uid, addr string) (token, normalized string, err error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr || len(addr) > 254 {
		return "", "", valid.Errors{"email": "That does not look like an email address."}
	}
	owner, err := s.rdb.Get(ctx, s.emailKey(addr)).Result()
	switch {
	case err == nil && owner == uid:
		return "", "", valid.Errors{"email": "You have already verified that address."}
	case err == nil:
		return "", "", valid.Errors{"email": "That address is verified by another account."}
	case !errors.Is(err, redis.Nil):
		return "", "", fmt.Errorf("auth: verify email: %w", err)
	}
	token = ids.Secret()
	if err := s.rdb.Set(ctx, s.emailVerifyKey(token), uid+" "+addr, EmailVerificationTTL).Err(); err != nil {
		return "", "", fmt.Errorf("auth: verify email: %w", err)
	}
	return token, addr, nil
}

// PendingEmail returns the user and address a verification token is for,
// without using it, or ErrNotFound.
func (s *Store) PendingEmail(ctx context.Context, token string) (uid, addr string, err error) {
	v, err := s.rdb.Get(ctx, s.emailVerifyKey(token)).Result()
	if errors.Is(err, redis.Nil) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("auth: verify email: %w", err)
	}
	uid, addr, ok := strings.Cut(v, " ")
	if !ok {
		return "", "", ErrNotFound
	}
	return uid, addr, nil
}

// ConfirmEmail uses a verification token once: the address becomes a
// verified address of its user, unless another user verified it first.
func (s *Store) ConfirmEmail(ctx context.Context, token string) (*User, error) {
	v, err := s.rdb.GetDel(ctx, s.emailVerifyKey(token)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: confirm email: %w", err)
	}
	uid, addr, ok := strings.Cut(v, " ")
	if !ok {
		return nil, ErrNotFound
	}
	won, err := s.rdb.SetNX(ctx, s.emailKey(addr), uid, 0).Result()
	if err != nil {
		return nil, fmt.Errorf("auth: confirm email: %w", err)
	}
	if !won {
		if owner, _ := s.rdb.Get(ctx, s.emailKey(addr)).Result(); owner != uid {
			return nil, ErrEmailTaken
		}
	}
	return s.update(ctx, uid, func(u *User) error {
		u.Emails = mergeEmails(u.Emails, []Email{{Address: addr, Verified: true}})
		return nil
	})
}
