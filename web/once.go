package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/internal/ids"
)

// once makes a form post count once. Every form carries a one-time value
// (_once, from partials/csrf); the same signed-in person posting the same
// form with the same content again — a double click, a retry, the back
// button and resubmit — is sent to the first post's result instead of
// doing it twice. A post that did not succeed is forgotten, so fixing a
// form and sending it again works. A post in progress is claimed only for
// twice the request deadline: if Redis fails before the claim can be
// forgotten, the claim lapses soon after and sending again works. The
// claim is made with the session's read when the cookie names the user
// (see queueOnceClaim), and the record of the result is written with the
// session at the end (see queueLastWrite).
func (h *handler) once() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodPost {
			return c.Next()
		}
		u := currentUser(c)
		if !onceForm(c) || u == nil {
			return c.Next()
		}
		ctx := c.UserContext()
		claim, _ := c.Locals(onceClaimContextKey).(*onceClaim)
		if claim == nil {
			claim = &onceClaim{h: h, userID: u.ID, digest: formDigest(c)}
			claim.first, claim.to, claim.err = h.onceGuard.Claim(ctx, u.ID, claim.digest)
			c.Locals(onceClaimContextKey, claim)
		}
		first, to, digest, err := claim.first, claim.to, claim.digest, claim.err
		if err != nil {
			return err
		}
		if !first {
			if to != "" {
				return c.Redirect(to, fiber.StatusSeeOther)
			}
			return httpError(fiber.StatusConflict, "Already on its way", "This form was just sent and is still being handled. Reload the page in a moment.")
		}
		done := false
		defer func() {
			if done {
				return
			}
			// The post failed, or panicked: forget it, so sending again works.
			if ferr := h.onceGuard.Forget(context.WithoutCancel(ctx), u.ID, digest); ferr != nil {
				h.Logger.Warn("form post not forgotten: the same form is refused for an hour", "route", c.Path(), "err", ferr)
			}
		}()
		err = c.Next()
		if to := string(c.Response().Header.Peek(fiber.HeaderLocation)); err == nil && strings.HasPrefix(to, "/") {
			// Recorded with the session when the request ends, in its round
			// trip, unless the handler recorded it with its own writes
			// (settleOnce). Should that write fail, the claim lapses soon
			// after.
			done = true
			if claim.settled == to && claim.settle.Err() == nil {
				return nil
			}
			userID := u.ID
			queueLastWrite(c, func(p redis.Pipeliner) func() error {
				return h.onceGuard.QueueDone(ctx, p, userID, digest, to).Err
			})
		}
		return err
	}
}

// onceForm reports whether c posts a form that carries a one-time value.
func onceForm(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodPost && ids.Valid(string(c.Request().PostArgs().Peek("_once")))
}

// onceClaim is a form post's claim, made with the session's read when the
// cookie named the user (see queueOnceClaim).
type onceClaim struct {
	h              *handler
	userID, digest string
	first          bool
	to             string
	err            error
	settled        string           // where settleOnce recorded the post goes
	settle         *redis.StatusCmd // settleOnce's write
}

// settleOnce queues on p, the round trip of a form's own writes, the
// record that this post leads to the page to, which the once middleware
// would otherwise send when the request ends: a handler that knows where
// it sends the visitor before it writes then needs no round trip after.
// Should the post end elsewhere (or fail), the middleware records that
// (or forgets the claim) as without it.
func settleOnce(c *fiber.Ctx, p redis.Pipeliner, to string) {
	cl, _ := c.Locals(onceClaimContextKey).(*onceClaim)
	if cl == nil || !cl.first || cl.err != nil {
		return
	}
	cl.settle = cl.h.onceGuard.QueueDone(c.UserContext(), p, cl.userID, cl.digest, to)
	cl.settled = to
}

// queueOnceClaim queues on p, the pipeline that reads the session, the
// claim of a form post with a one-time value for uid, the user the cookie
// names, so the claim costs no round trip of its own. Once p has run,
// claimed gives the claim when uid is the signed-in user u, and forgets
// a claim made for anybody else. For other requests (or no uid) it
// queues nothing, and the once middleware claims by itself.
func (h *handler) queueOnceClaim(c *fiber.Ctx, p redis.Pipeliner, uid string) (claimed func(u *auth.User) *onceClaim) {
	if uid == "" || !onceForm(c) {
		return func(*auth.User) *onceClaim { return nil }
	}
	ctx := c.UserContext()
	claim := &onceClaim{h: h, userID: uid, digest: formDigest(c)}
	read := h.onceGuard.QueueClaim(ctx, p, uid, claim.digest)
	return func(u *auth.User) *onceClaim {
		claim.first, claim.to, claim.err = read()
		if u == nil || u.ID != uid {
			claim.forget(ctx)
			return nil
		}
		c.Locals(onceClaimContextKey, claim)
		return claim
	}
}

// forget drops a claim that will not be handled (a refused or misdirected
// post), so sending the form again works at once; nil forgets nothing.
func (cl *onceClaim) forget(ctx context.Context) {
	if cl == nil || !cl.first || cl.err != nil {
		return
	}
	if err := cl.h.onceGuard.Forget(context.WithoutCancel(ctx), cl.userID, cl.digest); err != nil {
		cl.h.Logger.Warn("form post not forgotten: the same form is refused for a moment", "err", err)
	}
}

// formDigest identifies one post of one form (a URL-encoded one, see
// onceForm): its path and its fields but the CSRF token (which rotates
// with the session), in the order of their names, read from the form
// fasthttp parsed already.
func formDigest(c *fiber.Ctx) string {
	type field struct{ name, value []byte }
	fields := make([]field, 0, 16)
	c.Request().PostArgs().VisitAll(func(name, value []byte) {
		if string(name) != "_csrf" {
			fields = append(fields, field{name, value})
		}
	})
	slices.SortStableFunc(fields, func(a, b field) int { return bytes.Compare(a.name, b.name) })
	buf := make([]byte, 0, 512)
	buf = append(buf, c.Path()...)
	for _, f := range fields { // lengths first: no two forms run together alike
		buf = binary.AppendUvarint(buf, uint64(len(f.name)))
		buf = append(buf, f.name...)
		buf = binary.AppendUvarint(buf, uint64(len(f.value)))
		buf = append(buf, f.value...)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}
