package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
)

// lastWrite is a write a request leaves for its end (an idempotent
// follow-up of what it did): it queues its commands on p and returns the
// check that reports their error once p has run.
type lastWrite = func(p redis.Pipeliner) func() error

// queueLastWrite adds a write to send with the session when the request
// ends (see session), so the request's last writes share one round trip.
// A nil write is nothing to send.
func queueLastWrite(c *fiber.Ctx, write lastWrite) {
	if write == nil {
		return
	}
	writes, _ := c.Locals(lastWritesContextKey).([]lastWrite)
	c.Locals(lastWritesContextKey, append(writes, write))
}

// lastWrites returns queue, which puts the writes queueLastWrite
// collected on a pipeline (nil when there are none), and failed, which
// reports their errors once that pipeline has run.
func lastWrites(c *fiber.Ctx) (queue func(p redis.Pipeliner), failed func() []error) {
	writes, _ := c.Locals(lastWritesContextKey).([]lastWrite)
	var checks []func() error
	failed = func() []error {
		var errs []error
		for _, check := range checks {
			if err := check(); err != nil {
				errs = append(errs, err)
			}
		}
		return errs
	}
	if len(writes) == 0 {
		return nil, failed
	}
	return func(p redis.Pipeliner) {
		for _, w := range writes {
			checks = append(checks, w(p))
		}
	}, failed
}
