package auth

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/redis/go-redis/v9"
)

// Session keys this package reads and writes.
const (
	sessUserID = "uid"
)

// SessionTTL is how long an idle session lasts.
const SessionTTL = 30 * 24 * time.Hour

// NewSessions returns the session store: data in Redis under prefix, a
// random ID in an HttpOnly, SameSite=Lax cookie that is Secure (and named
// with the __Host- prefix) outside development.
func NewSessions(rdb redis.UniversalClient, prefix string, secure bool) *session.Store {
	name := SessionCookie(secure)
	return session.New(session.Config{
		Storage:        NewStorage(rdb, prefix+"sess:"),
		Expiration:     SessionTTL,
		KeyLookup:      "cookie:" + name,
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: fiber.CookieSameSiteLaxMode,
		CookiePath:     "/",
	})
}

// SessionCookie is the name of the session cookie: with the __Host- prefix
// when it is Secure, so no subdomain can set or shadow it.
func SessionCookie(secure bool) string {
	if secure {
		return "__Host-fg_session"
	}
	return "fg_session"
}

// SignInSession rotates the session ID (so an ID planted before sign-in is
// worthless after it) and records who signed in.
func SignInSession(sess *session.Session, uid string) error {
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set(sessUserID, uid)
	return sess.Save()
}

// SessionUserID returns the signed-in user's ID, or "".
func SessionUserID(sess *session.Session) string {
	uid, _ := sess.Get(sessUserID).(string)
	return uid
}
