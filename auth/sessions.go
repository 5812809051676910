package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"maps"
	"strings"
	"sync"
	"time"

	fastjson "github.com/goccy/go-json"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/nearcache"
	"github.com/focusgroups/focusgroups/internal/strcache"
)

// SessionTTL is how long an idle session lasts.
const SessionTTL = 30 * 24 * time.Hour

// touchEvery is how often a used session's expiry is pushed back: at most
// one write a day for a visitor who only reads pages.
const touchEvery = 24 * time.Hour

// ErrStore marks an error of the store behind sessions: Redis failed, so
// nothing can be said about the session. It never means "signed out".
var ErrStore = errors.New("auth: session store")

// Session is one visitor's server-side state: who is signed in, a flash
// sign-in in progress. Sessions loads it once per request,
// together with the signed-in user, and Save writes it back only when it
// changed. A Session is used by one request at a time.
type Session struct {
	id      string
	data    sessionData
	stored  bool   // the ID exists in Redis
	dirty   bool   // data changed: write it
	touch   bool   // only the expiry needs pushing back
	old     string // the ID before Rotate, deleted on Save
	gone    bool   // Destroy was called
	ttl     time.Duration
	uidSeen string // the user ID the cookie named
	shared  bool   // data.Values is the decoded cache's: copy before a change
}

type sessionData struct {
	UserID string            `json:"u,omitempty"`
	Values map[string]string `json:"v,omitempty"`
	// Expires is when the key expires (unix seconds), so that Load knows
	// when a touch is due without asking Redis.
	Expires int64 `json:"x"`
}

// UserID is the signed-in user's ID, or "".
func (s *Session) UserID() string { return s.data.UserID }

// Get returns the value stored under key, or "".
func (s *Session) Get(key string) string { return s.data.Values[key] }

// Set stores value under key.
func (s *Session) Set(key, value string) {
	if s.data.Values[key] == value {
		return
	}
	s.own()
	if s.data.Values == nil {
		s.data.Values = map[string]string{}
	}
	s.data.Values[key] = value
	s.dirty = true
}

// Delete removes key.
func (s *Session) Delete(key string) {
	if _, ok := s.data.Values[key]; ok {
		s.own()
		delete(s.data.Values, key)
		s.dirty = true
	}
}

// own gives the session a copy of values it shares with other requests'
// (Sessions.decoded) before it changes them.
func (s *Session) own() {
	if s.shared {
		s.data.Values, s.shared = maps.Clone(s.data.Values), false
	}
}

// Keep makes a session that holds nothing yet be stored, so that a form
// posted back to this visitor can be checked (development sign-in).
func (s *Session) Keep() {
	if !s.stored {
		s.dirty = true
	}
}

// Kept reports whether the session is stored, or will be when the request
// ends: only then can a form posted back be checked against it.
func (s *Session) Kept() bool { return (s.stored || s.dirty) && !s.gone }

// Expire shortens this session's life to d from its next Save (a sign-in
// in progress needs minutes, not a month).
func (s *Session) Expire(d time.Duration) {
	s.ttl, s.dirty = d, true
}

// SignIn records uid and rotates the session ID, so that an ID planted
// before sign-in is worthless after it.
func (s *Session) SignIn(uid string) {
	s.rotate()
	s.data.UserID, s.ttl, s.dirty = uid, 0, true
}

// Destroy ends the session: Save deletes it and its cookie.
func (s *Session) Destroy() { s.gone = true }

func (s *Session) rotate() {
	if s.stored && s.old == "" {
		s.old = s.id
	}
	s.id, s.stored = ids.Secret(), false
}

// Sessions stores sessions in Redis under one key prefix and hands out
// the cookie that names them.
type Sessions struct {
	rdb    redis.UniversalClient
	prefix string
	secure bool
	users  *Store
	// csrfMACs are HMACs keyed for CSRF tokens, reused: building one
	// (two SHA-256 states and the key's padding) on every page was
	// 3–5 % of the group page's CPU.
	csrfMACs sync.Pool
	// decoded keeps sessions' data by their stored JSON: a visitor's
	// session seldom changes between pages, and decoding it on every
	// page was 4 % of the session page's CPU. Requests share the Values
	// map of a decoded session until one changes it (Session.own).
	decoded strcache.Cache[sessionData]
	// flashKey signs flash cookies (see SealFlash).
	flashKey []byte
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewSessions returns the session store on users' Redis. secure marks the
// cookie Secure (and names it with the __Host- prefix); secret signs the
// CSRF tokens and flash cookies.
func NewSessions(users *Store, secure bool, secret []byte) *Sessions {
	key := subkey(secret, "focusgroups csrf v1")
	return &Sessions{rdb: users.rdb, prefix: users.prefix, secure: secure, users: users, Now: time.Now,
		flashKey: subkey(secret, "focusgroups flash v1"),
		csrfMACs: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// subkey derives from secret the key of one use (label), so a value
// signed for one use is never valid for another.
func subkey(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

func (m *Sessions) key(id string) string { return m.prefix + "sess:{" + id + "}" }

// CookieName is the name of the session cookie: with the __Host- prefix
// when it is Secure, so no subdomain can set or shadow it.
func (m *Sessions) CookieName() string { return SessionCookie(m.secure) }

// SessionCookie is the name of the session cookie (see Sessions.CookieName).
func SessionCookie(secure bool) string {
	if secure {
		return "__Host-fg_session"
	}
	return "fg_session"
}

// Secure reports whether the cookie is sent over https only.
func (m *Sessions) Secure() bool { return m.secure }

// Load returns the session the cookie names and its signed-in user (nil
// when nobody is signed in), reading both in one round trip. A missing,
// malformed, expired or unknown cookie gives a new, empty session with a
// fresh ID. A Redis failure is ErrStore, never a signed-out visitor.
func (m *Sessions) Load(ctx context.Context, cookie string) (*Session, *User, error) {
	pipe := m.rdb.Pipeline()
	_, resolve := m.QueueLoad(ctx, pipe, cookie)
	_, _ = pipe.Exec(ctx) // resolve reports its own commands' errors
	return resolve()
}

// QueueLoad queues on p the reads of Load, so a page can read the session
// with its own data in one round trip. It returns the user the cookie
// claims ("" for none), which a page may use to queue that person's
// reads alongside, and resolve, which gives Load's answer once p has run:
// the claim holds only if resolve's user has that ID.
func (m *Sessions) QueueLoad(ctx context.Context, p redis.Pipeliner, cookie string) (claimed string, resolve func() (*Session, *User, error)) {
	sid, uid, _ := strings.Cut(cookie, ".")
	if !ids.ValidSecret(sid) {
		return "", func() (*Session, *User, error) { return m.fresh(), nil, nil }
	}
	if uid != "" && !ids.Valid(uid) {
		uid = ""
	}
	sessCmd := nearcache.Get(ctx, p, m.key(sid))
	var userCmd nearcache.Reply[string]
	if uid != "" {
		userCmd = nearcache.Get(ctx, p, m.users.userKey(uid))
	}
	return uid, func() (*Session, *User, error) {
		return m.resolve(ctx, sid, uid, sessCmd, userCmd)
	}
}

func (m *Sessions) resolve(ctx context.Context, sid, uid string, sessCmd, userCmd nearcache.Reply[string]) (*Session, *User, error) {
	raw, err := sessCmd.Result()
	if errors.Is(err, redis.Nil) {
		return m.fresh(), nil, nil // expired or never stored
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: load: %w", ErrStore, err)
	}
	s := &Session{id: sid, stored: true, uidSeen: uid}
	if d, ok := m.decoded.Get(raw); ok {
		s.data = d
	} else if err := fastjson.Unmarshal([]byte(raw), &s.data); err != nil {
		return m.fresh(), nil, nil // undecodable: a new session
	} else {
		m.decoded.Put(raw, s.data)
	}
	if s.data.Expires != 0 && !m.Now().Before(time.Unix(s.data.Expires, 0)) {
		// Its time is up, though Redis has not dropped the key yet (it
		// deletes expired keys in passing) and a reply from an instance's
		// memory (internal/nearcache) would not know.
		return m.fresh(), nil, nil
	}
	s.shared = true
	if s.data.UserID != "" && time.Unix(s.data.Expires, 0).Sub(m.Now())+touchEvery < SessionTTL {
		s.touch = true // a day since the last push: push the expiry back
	}
	var u *User
	if uid != "" && s.data.UserID == uid {
		raw, err := userCmd.Result()
		switch {
		case err == nil:
			if u, err = m.users.readUser(raw); err != nil {
				return nil, nil, fmt.Errorf("auth: session user %s: %w", uid, err)
			}
			m.users.remember(u)
		case !errors.Is(err, redis.Nil):
			return nil, nil, fmt.Errorf("%w: load user: %w", ErrStore, err)
		}
	}
	if u == nil && s.data.UserID != "" {
		// The cookie did not name the session's user (an older cookie, or
		// one changed by hand): read them now, and fix the cookie on Save.
		got, err := m.users.Get(ctx, s.data.UserID)
		switch {
		case err == nil:
			u = got
		case !errors.Is(err, ErrNotFound):
			return nil, nil, fmt.Errorf("%w: %w", ErrStore, err)
		}
	}
	if u != nil && u.Suspended {
		return m.fresh(), nil, nil // a suspended account is signed out everywhere
	}
	return s, u, nil
}

func (m *Sessions) fresh() *Session { return &Session{id: ids.Secret()} }

// Fresh returns a new, empty session, as Load gives a visitor without a
// cookie, without reading anything.
func (m *Sessions) Fresh() *Session { return m.fresh() }

// Save writes s back when it changed (or its expiry is due to be pushed
// back) and returns the cookie value to send, with its lifetime; "" with
// keep=true means the visitor's cookie stays as it is, and "" with
// keep=false means the cookie must be cleared.
func (m *Sessions) Save(ctx context.Context, s *Session) (cookie string, maxAge time.Duration, keep bool, err error) {
	return m.SaveWith(ctx, s, nil)
}

// SaveWith is Save that also sends the writes queue puts on the pipeline,
// so a request's last writes and its session share one round trip (or
// take one of their own when the session needs no write). The queued
// commands report their own errors; err is the session's.
func (m *Sessions) SaveWith(ctx context.Context, s *Session, queue func(p redis.Pipeliner)) (cookie string, maxAge time.Duration, keep bool, err error) {
	if s.gone {
		// One DEL per key: the two IDs are in different cluster slots.
		p := m.rdb.Pipeline()
		var dels []*redis.IntCmd
		for _, id := range []string{s.id, s.old} {
			if id != "" {
				dels = append(dels, p.Del(ctx, m.key(id)))
			}
		}
		if queue != nil {
			queue(p)
		}
		_, _ = p.Exec(ctx) // errors checked below
		for _, d := range dels {
			if err := d.Err(); err != nil {
				return "", 0, false, fmt.Errorf("%w: destroy: %w", ErrStore, err)
			}
		}
		return "", 0, false, nil
	}
	if !s.dirty && !s.touch {
		if queue != nil {
			p := m.rdb.Pipeline()
			queue(p)
			_, _ = p.Exec(ctx) // the queued commands report their own errors
		}
		if s.stored && s.uidSeen != s.data.UserID {
			return s.cookie(), time.Unix(s.data.Expires, 0).Sub(m.Now()), false, nil
		}
		return "", 0, true, nil
	}
	ttl := SessionTTL
	if s.ttl > 0 {
		ttl = s.ttl
	}
	s.data.Expires = m.Now().Add(ttl).Unix()
	raw, err := json.Marshal(s.data)
	if err != nil {
		return "", 0, false, err
	}
	// The new record and, after a rotation, the old one's deletion go in
	// one round trip, with what the caller queued. A stored session is
	// only written over (XX): one that ended meanwhile (signed out
	// elsewhere, or expired in Redis while this request read it) stays
	// ended rather than written back for another month.
	p := m.rdb.Pipeline()
	set := redis.SetArgs{TTL: ttl}
	if s.stored {
		set.Mode = "XX"
	}
	own := []redis.Cmder{p.SetArgs(ctx, m.key(s.id), raw, set)}
	if s.old != "" {
		own = append(own, p.Del(ctx, m.key(s.old)))
	}
	if queue != nil {
		queue(p)
	}
	_, _ = p.Exec(ctx) // errors checked below
	if s.stored && errors.Is(own[0].Err(), redis.Nil) {
		s.gone = true
		return "", 0, false, nil // it ended: the cookie goes too
	}
	for _, c := range own {
		if err := c.Err(); err != nil {
			return "", 0, false, fmt.Errorf("%w: save: %w", ErrStore, err)
		}
	}
	s.old = ""
	s.stored, s.dirty, s.touch = true, false, false
	return s.cookie(), ttl, false, nil
}

// cookie is the cookie value: the session ID, and the user ID so that Load
// reads both in one round trip. The user ID grants nothing: Load believes
// only the session's own record of who signed in.
func (s *Session) cookie() string {
	if s.data.UserID == "" {
		return s.id
	}
	return s.id + "." + s.data.UserID
}

// CSRFToken is the token every form of this session carries: an HMAC of
// the session ID, so it needs no storage and changes when the ID does.
func (m *Sessions) CSRFToken(s *Session) string {
	mac := m.csrfMACs.Get().(hash.Hash)
	defer m.csrfMACs.Put(mac)
	mac.Reset()
	mac.Write([]byte(s.id))
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(mac.Sum(sum[:0]))
}

// ValidCSRF reports whether token is this session's CSRF token. A session
// that is not stored has no forms, so nothing is valid for it.
func (m *Sessions) ValidCSRF(s *Session, token string) bool {
	return s.stored && hmac.Equal([]byte(token), []byte(m.CSRFToken(s)))
}
