package auth

import (
	"errors"
	"fmt"
	"time"

	fiberredis "github.com/gofiber/storage/redis/v3"
	"github.com/redis/go-redis/v9"
)

// ErrStore marks an error of the store behind sessions (and other
// fiber.Storage users): Redis failed, so nothing can be said about the
// session. It never means "signed out".
var ErrStore = errors.New("auth: session store")

// Storage is a fiber.Storage on our shared Redis client that keeps every key
// under a prefix. gofiber/storage/redis has no prefix, and its Reset flushes
// the whole database, so Reset is refused here.
type Storage struct {
	inner  *fiberredis.Storage
	prefix string
}

// NewStorage returns a Storage whose keys start with prefix; the shared
// client is not closed by Close.
func NewStorage(rdb redis.UniversalClient, prefix string) *Storage {
	return &Storage{inner: fiberredis.NewFromConnection(rdb), prefix: prefix}
}

// Get returns the value at key, or nil when there is none.
func (s *Storage) Get(key string) ([]byte, error) {
	v, err := s.inner.Get(s.prefix + key)
	return v, storeErr("get", err)
}

// Set stores val at key for exp (0 keeps it until deleted).
func (s *Storage) Set(key string, val []byte, exp time.Duration) error {
	return storeErr("set", s.inner.Set(s.prefix+key, val, exp))
}

// Delete removes key.
func (s *Storage) Delete(key string) error { return storeErr("delete", s.inner.Delete(s.prefix+key)) }

// storeErr marks a Redis error as ErrStore, keeping the cause for errors.Is.
func storeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %w", ErrStore, op, err)
}

// Reset is refused: the underlying implementation would flush the database.
func (s *Storage) Reset() error {
	return errors.New("auth: storage reset is not supported on a shared Redis")
}

// Close leaves the shared client open; the server closes it at shutdown.
func (s *Storage) Close() error { return nil }
