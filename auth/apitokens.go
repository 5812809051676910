package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/luascript"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// Scope is what a personal access token may do through the API.
type Scope string

// Token scopes. ScopeRSVP includes ScopeRead.
const (
	ScopeRead Scope = "read"
	ScopeRSVP Scope = "rsvp"
)

// Allows reports whether a token of scope s may act under need.
func (s Scope) Allows(need Scope) bool {
	return s == need || (s == ScopeRSVP && need == ScopeRead)
}

// Limits on personal access tokens.
const (
	MaxTokens     = 20
	MaxTokenName  = 60
	TokenPrefix   = "fg_"
	maxTokenYears = 1
	// TokenTouchEvery is how often a token's last use is recorded at
	// most, so a busy script does not cost a write per request.
	TokenTouchEvery = time.Minute
)

// Token errors callers check with errors.Is.
var (
	// ErrTokenInvalid covers malformed, unknown and revoked tokens alike:
	// the API says the same for all of them.
	ErrTokenInvalid  = errors.New("auth: invalid access token")
	ErrTokenExpired  = errors.New("auth: access token expired")
	ErrTooManyTokens = errors.New("auth: too many access tokens")
)

// Token is a personal access token as its owner sees it: never the
// secret, which is shown once when it is made and stored only hashed.
type Token struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Scope    Scope     `json:"scope"`
	Hash     string    `json:"hash"` // hex SHA-256 of the whole token
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires,omitzero"` // zero: never
	LastUsed time.Time `json:"-"`                // zero: never used
}

// TokenOwner is who a token presented to the API acts for, and how.
type TokenOwner struct {
	UserID  string
	TokenID string
	Scope   Scope
}

// Tokens keeps personal access tokens in the hash slot of their user:
// the token names its user (like a session cookie does), so checking one
// reads one slot and can share a pipeline with the request's other reads.
type Tokens struct {
	rdb    redis.UniversalClient
	prefix string
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewTokens returns a token store whose keys start with prefix.
func NewTokens(rdb redis.UniversalClient, prefix string) *Tokens {
	return &Tokens{rdb: rdb, prefix: prefix, Now: func() time.Time { return time.Now().UTC() }}
}

// tokensKey holds the user's tokens (ID → JSON Token), usedKey their last
// uses (ID → unix ms). Both share the user's hash tag.
func (t *Tokens) tokensKey(uid string) string { return t.prefix + "user:{" + uid + "}:apitokens" }
func (t *Tokens) usedKey(uid string) string   { return t.prefix + "user:{" + uid + "}:apitokens:used" }

// createTokenScript: KEYS tokens; ARGV id, JSON, max. Adds the token
// unless the user already has max.
var createTokenScript = redis.NewScript(`
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`)

// checkTokenScript: KEYS tokens, used; ARGV id, hash, now ms, touch ms.
// Returns {"ok", JSON}, {"expired"} or {"unknown"}; records the use when
// the last one is touch ms old or more.
var checkTokenScript = redis.NewScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'unknown'} end
local m = cjson.decode(raw)
if m.hash ~= ARGV[2] then return {'unknown'} end
local now = tonumber(ARGV[3])
if m.expires_ms and m.expires_ms > 0 and now >= m.expires_ms then return {'expired'} end
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if now - last >= tonumber(ARGV[4]) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
return {'ok', raw}
`)

// stored is a Token as kept in Redis: expires_ms lets the check script
// compare without parsing dates.
type stored struct {
	Token
	ExpiresMS int64 `json:"expires_ms,omitempty"`
}

// TokenInput is what the profile form asks for a new token.
type TokenInput struct {
	Name    string
	Scope   string
	Expires string // "YYYY-MM-DD" (the end of that day in Zone) or empty: never
	// Zone is the person's time zone, where the expiry day ends; nil is UTC.
	Zone *time.Location
}

// Create makes a token for uid and returns its secret text, to show once.
func (t *Tokens) Create(ctx context.Context, uid string, in TokenInput) (string, Token, error) {
	tok, err := t.validate(in)
	if err != nil {
		return "", Token{}, err
	}
	tok.ID = ids.New()
	text := TokenPrefix + uid + "_" + tok.ID + "_" + ids.Secret()
	tok.Hash = hashToken(text)
	tok.Created = t.Now().UTC()
	rec := stored{Token: tok}
	if !tok.Expires.IsZero() {
		rec.ExpiresMS = tok.Expires.UnixMilli()
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return "", Token{}, fmt.Errorf("auth: create token for %s: %w", uid, err)
	}
	added, err := createTokenScript.Run(ctx, t.rdb, []string{t.tokensKey(uid)}, tok.ID, raw, MaxTokens).Int()
	if err != nil {
		return "", Token{}, fmt.Errorf("auth: create token for %s: %w", uid, err)
	}
	if added == 0 {
		return "", Token{}, ErrTooManyTokens
	}
	return text, tok, nil
}

func (t *Tokens) validate(in TokenInput) (Token, error) {
	fields := valid.Errors{}
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		fields.Add("token_name", "Give the token a name, such as the script that uses it.")
	case utf8.RuneCountInString(name) > MaxTokenName:
		fields.Add("token_name", "Keep the name to "+strconv.Itoa(MaxTokenName)+" characters.")
	default:
		fields.Add("token_name", valid.Line("The name", name))
	}
	scope := Scope(in.Scope)
	if scope != ScopeRead && scope != ScopeRSVP {
		fields.Add("token_scope", "Choose what the token may do: read, or read and RSVP.")
	}
	var expires time.Time
	if s := strings.TrimSpace(in.Expires); s != "" {
		zone := in.Zone
		if zone == nil {
			zone = time.UTC
		}
		day, err := time.ParseInLocation(time.DateOnly, s, zone)
		now := t.Now().In(zone)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
		switch {
		case err != nil:
			fields.Add("token_expires", "Enter the expiry date as YYYY-MM-DD, or leave it empty.")
		case !day.After(today):
			fields.Add("token_expires", "Choose an expiry date after today.")
		case day.After(now.AddDate(maxTokenYears, 0, 0)):
			fields.Add("token_expires", "Choose an expiry date within a year.")
		default:
			expires = day.AddDate(0, 0, 1).Add(-time.Second).UTC() // the day's last second there, whatever its length
		}
	}
	if err := fields.Err(); err != nil {
		return Token{}, err
	}
	return Token{Name: name, Scope: scope, Expires: expires}, nil
}

// List returns uid's tokens, newest first, with their last use.
func (t *Tokens) List(ctx context.Context, uid string) ([]Token, error) {
	p := t.rdb.Pipeline()
	read := t.QueueList(ctx, p, uid)
	_, _ = p.Exec(ctx) // read reports its commands' errors
	return read()
}

// QueueList queues List's reads on p; the returned function gives the
// tokens once p has run.
func (t *Tokens) QueueList(ctx context.Context, p redis.Pipeliner, uid string) func() ([]Token, error) {
	all := p.HGetAll(ctx, t.tokensKey(uid))
	used := p.HGetAll(ctx, t.usedKey(uid))
	return func() ([]Token, error) {
		if err := errors.Join(all.Err(), used.Err()); err != nil {
			return nil, fmt.Errorf("auth: tokens of %s: %w", uid, err)
		}
		out := make([]Token, 0, len(all.Val()))
		for id, raw := range all.Val() {
			var rec stored
			if err := json.Unmarshal([]byte(raw), &rec); err != nil {
				return nil, fmt.Errorf("auth: token %s of %s: %w", id, uid, err)
			}
			if ms, err := strconv.ParseInt(used.Val()[id], 10, 64); err == nil {
				rec.LastUsed = time.UnixMilli(ms).UTC()
			}
			out = append(out, rec.Token)
		}
		slices.SortFunc(out, func(a, b Token) int { return b.Created.Compare(a.Created) })
		return out, nil
	}
}

// Revoke deletes uid's token id: it stops working at once.
func (t *Tokens) Revoke(ctx context.Context, uid, id string) error {
	var del *redis.IntCmd
	_, err := t.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		del = p.HDel(ctx, t.tokensKey(uid), id)
		p.HDel(ctx, t.usedKey(uid), id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("auth: revoke token %s of %s: %w", id, uid, err)
	}
	if del.Val() == 0 {
		return fmt.Errorf("auth: revoke token %s of %s: %w", id, uid, ErrNotFound)
	}
	return nil
}

// ParseToken splits a token's text into the user it names and its ID,
// without checking it; ok is false when it is not shaped like a token.
func ParseToken(text string) (uid, id string, ok bool) {
	rest, found := strings.CutPrefix(text, TokenPrefix)
	if !found {
		return "", "", false
	}
	parts := strings.Split(rest, "_")
	if len(parts) != 3 || !ids.Valid(parts[0]) || !ids.Valid(parts[1]) || !ids.ValidSecret(parts[2]) {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// QueueCheck queues on p the check of a token's text (one script in its
// user's slot, which also records the use at most once a TokenTouchEvery).
// The user the token claims is returned at once, so that reads for them
// can share p; the returned function says, once p has run, whom the token
// acts for, or ErrTokenInvalid or ErrTokenExpired.
func (t *Tokens) QueueCheck(ctx context.Context, p redis.Pipeliner, text string) (string, func() (TokenOwner, error)) {
	uid, id, ok := ParseToken(text)
	if !ok {
		return "", func() (TokenOwner, error) { return TokenOwner{}, ErrTokenInvalid }
	}
	keys := []string{t.tokensKey(uid), t.usedKey(uid)}
	args := []any{id, hashToken(text), t.Now().UnixMilli(), TokenTouchEvery.Milliseconds()}
	answer := luascript.Queue(ctx, p, t.rdb, checkTokenScript, false, keys, args...)
	return uid, func() (TokenOwner, error) {
		res, err := answer().StringSlice()
		if err != nil {
			return TokenOwner{}, fmt.Errorf("auth: check token %s: %w", id, err)
		}
		switch res[0] {
		case "expired":
			return TokenOwner{}, ErrTokenExpired
		case "ok":
			var rec stored
			if err := json.Unmarshal([]byte(res[1]), &rec); err != nil {
				return TokenOwner{}, fmt.Errorf("auth: check token %s: %w", id, err)
			}
			return TokenOwner{UserID: uid, TokenID: id, Scope: rec.Scope}, nil
		}
		return TokenOwner{}, ErrTokenInvalid
	}
}

// hashToken is what Redis keeps of a token: its SHA-256, in hex.
func hashToken(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
