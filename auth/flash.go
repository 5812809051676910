package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// A flash is a one-time message for the next page a visitor sees ("You
// are going."), carried in a cookie of its own rather than in the
// session: setting it after a form post and clearing it on the page that
// shows it then write nothing to Redis, and a visitor without a stored
// session (an emailed link's RSVP) gets one without a session being
// made for it. The cookie is signed with the session secret, so nobody
// can make the site show words of their choosing; it holds nothing
// secret (the visitor sees the words anyway). It carries the time it was
// sealed and opens for flashTTL only: a sealed flash someone kept (with a
// name of their choosing in it) cannot be planted on anyone later.

// maxFlash bounds a flash's text, so the cookie stays well under the
// 4 KB browsers keep.
const maxFlash = 1024

// flashTTL is how long a sealed flash opens: the redirect after a post
// follows at once, and a slow page load or two fit well within.
const flashTTL = 10 * time.Minute

// FlashCookie is the flash cookie's name, with the __Host- prefix when
// cookies are Secure (see SessionCookie).
func FlashCookie(secure bool) string {
	if secure {
		return "__Host-fg_flash"
	}
	return "fg_flash"
}

// FlashCookieName is the name of this store's flash cookie.
func (m *Sessions) FlashCookieName() string { return FlashCookie(m.secure) }

// SealFlash is the flash cookie's value for a message of kind ("ok" or
// "error") saying text; a text over maxFlash bytes is cut at a rune.
func (m *Sessions) SealFlash(kind, text string) string {
	if len(text) > maxFlash {
		text = strings.ToValidUTF8(text[:maxFlash], "")
	}
	sealed := strconv.FormatInt(m.Now().Unix(), 10)
	body := base64.RawURLEncoding.EncodeToString([]byte(kind + "\n" + sealed + "\n" + text))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.flashMAC(body))
}

// OpenFlash reads a flash cookie's value: ok is false for a value this
// site did not seal, or sealed more than flashTTL ago.
func (m *Sessions) OpenFlash(value string) (kind, text string, ok bool) {
	body, sig, found := strings.Cut(value, ".")
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if !found || err != nil || !hmac.Equal(mac, m.flashMAC(body)) {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", "", false
	}
	kind, rest, found := strings.Cut(string(raw), "\n")
	at, text, found2 := strings.Cut(rest, "\n")
	sealed, err := strconv.ParseInt(at, 10, 64)
	if !found || !found2 || err != nil || text == "" {
		return "", "", false
	}
	if age := m.Now().Sub(time.Unix(sealed, 0)); age > flashTTL || age < -time.Minute {
		return "", "", false
	}
	return kind, text, true
}

func (m *Sessions) flashMAC(body string) []byte {
	mac := hmac.New(sha256.New, m.flashKey)
	mac.Write([]byte(body))
	return mac.Sum(nil)
}
