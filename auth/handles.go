package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/valid"
)

// handleKey maps a handle to the user holding it.
func (s *Store) handleKey(handle string) string { return s.prefix + "handle:{" + handle + "}" }

var handleRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,28}[a-z0-9])$`)

// reservedHandles are words a person page address cannot be.
var reservedHandles = []string{"admin", "api", "new", "me", "settings", "signin", "signout", "groups", "mentors", "profile",
	"dashboard", "skills", "report", "blocks", "join", "calendar", "static", "help", "about", "support"}

// Errors of handles.
var (
	ErrHandleTaken = errors.New("auth: that handle is taken")
)

// ValidHandle says why handle cannot be a page address, or "".
func ValidHandle(handle string) string {
	switch {
	case !handleRe.MatchString(handle):
		return "Use 3 to 30 lowercase letters, digits and hyphens, starting and ending with a letter or digit."
	case slices.Contains(reservedHandles, handle):
		return "That address is reserved: choose another."
	}
	return ""
}

// handleBase makes a handle from a login or a name: "Ana Álvarez" → "ana-lvarez".
func handleBase(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	h := strings.Trim(b.String(), "-")
	if len(h) > 24 {
		h = strings.Trim(h[:24], "-")
	}
	for len(h) < 3 {
		h += "x"
	}
	return h
}

// claimHandleScript gives handle to ARGV[1] unless someone else holds it.
// KEYS handle.
var claimHandleScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`)

// SetHandle gives user id the handle, releasing their old one; ErrHandleTaken
// when someone else holds it, valid.Errors when it is malformed.
func (s *Store) SetHandle(ctx context.Context, id, handle string) (*User, error) {
	handle = strings.ToLower(strings.TrimSpace(handle))
	if msg := ValidHandle(handle); msg != "" {
		return nil, valid.Errors{"handle": msg}
	}
	ok, err := claimHandleScript.Run(ctx, s.rdb, []string{s.handleKey(handle)}, id).Int()
	if err != nil {
		return nil, fmt.Errorf("auth: handle %s: %w", handle, err)
	}
	if ok == 0 {
		return nil, ErrHandleTaken
	}
	var old string
	u, err := s.update(ctx, id, func(u *User) error {
		old, u.Handle = u.Handle, handle
		return nil
	})
	if err != nil {
		_ = s.rdb.Del(context.WithoutCancel(ctx), s.handleKey(handle)).Err()
		return nil, err
	}
	if old != "" && old != handle {
		if err := releaseHandleScript.Run(ctx, s.rdb, []string{s.handleKey(old)}, id).Err(); err != nil {
			return nil, fmt.Errorf("auth: release handle %s: %w", old, err)
		}
	}
	return u, nil
}

// releaseHandleScript deletes a handle if ARGV[1] still holds it.
var releaseHandleScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`)

// EnsureHandle gives u a handle when it has none, from their login or
// name, with a number after it when taken; it returns the user as stored.
func (s *Store) EnsureHandle(ctx context.Context, u *User) (*User, error) {
	if u.Handle != "" || u.Guest {
		return u, nil
	}
	base := handleBase(u.Name)
	for _, id := range u.Identities {
		if id.Login != "" {
			base = handleBase(id.Login)
			break
		}
	}
	if ValidHandle(base) != "" {
		base = "dev-" + base
	}
	for i := 0; i < 50; i++ {
		h := base
		if i > 0 {
			h = base + "-" + strconv.Itoa(i+1)
		}
		got, err := s.SetHandle(ctx, u.ID, h)
		if errors.Is(err, ErrHandleTaken) || errors.As(err, new(valid.Errors)) {
			continue
		}
		return got, err
	}
	return u, nil // too many namesakes: no page address yet
}

// UserByHandle returns the user holding handle; ErrNotFound when nobody.
func (s *Store) UserByHandle(ctx context.Context, handle string) (*User, error) {
	if ValidHandle(strings.ToLower(handle)) != "" {
		return nil, ErrNotFound
	}
	id, err := s.rdb.Get(ctx, s.handleKey(strings.ToLower(handle))).Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: handle %s: %w", handle, err)
	}
	return s.Get(ctx, id)
}

// QueueHandle queues on p the read of the user ID holding handle; the
// function gives it, "" for nobody.
func (s *Store) QueueHandle(ctx context.Context, p redis.Pipeliner, handle string) func() (string, error) {
	handle = strings.ToLower(handle)
	if ValidHandle(handle) != "" {
		return func() (string, error) { return "", nil }
	}
	cmd := p.Get(ctx, s.handleKey(handle))
	return func() (string, error) {
		id, err := cmd.Result()
		if errors.Is(err, redis.Nil) {
			return "", nil
		}
		return id, err
	}
}

// PageUpdate is what a person says about themselves on their page.
type PageUpdate struct {
	Bio, Website string
	MembersOnly  bool
}

// MaxBio bounds a person's bio, in characters.
const MaxBio = 280

// Validate checks the bio and website and trims them.
func (in *PageUpdate) Validate() error {
	errs := valid.Errors{}
	in.Bio = strings.TrimSpace(strings.ReplaceAll(in.Bio, "\r\n", "\n"))
	errs.Add("bio", valid.MultiLine("The bio", in.Bio))
	if utf8.RuneCountInString(in.Bio) > MaxBio {
		errs.Add("bio", "Keep the bio to 280 characters.")
	}
	in.Website = strings.TrimSpace(in.Website)
	if in.Website != "" {
		u, err := url.Parse(in.Website)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(in.Website) > 300 {
			errs.Add("website", "Give a whole https:// address, such as https://example.com.")
		}
	}
	return errs.Err()
}

// UpdatePage validates and saves the bio, website and who sees the page.
func (s *Store) UpdatePage(ctx context.Context, id string, in PageUpdate) (*User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(u *User) error {
		u.Bio, u.Website, u.PageMembersOnly = in.Bio, in.Website, in.MembersOnly
		return nil
	})
}
