// Package strcache remembers what a page can know without a Redis round
// trip or work it already did: string mappings that never change (a
// slug's group, a session's group) and values derived from stored bytes
// (a decoded record, rendered Markdown), keyed by those bytes so they are
// never stale. It is bounded: past its size it starts afresh, so memory
// stays flat whatever the traffic.
//
// Put copies its key: a key may point into a request's buffer (Fiber's
// route parameters, query values and cookies do, unless the app is
// Immutable), which the server reuses for the next request on the
// connection, and a map key whose bytes change is never found again.
package strcache

import (
	"strings"
	"sync"
)

// Cache maps strings to values of type V; safe for concurrent use. The
// zero value holds nothing and takes up to DefaultSize entries.
type Cache[V any] struct {
	// Size is how many entries it keeps before starting afresh
	// (DefaultSize when 0).
	Size int
	// Weigh, when set, weighs each value, and the cache also starts
	// afresh rather than hold more than MaxWeight in all: for values
	// whose sizes differ by orders of magnitude.
	Weigh     func(V) int
	MaxWeight int
	mu        sync.RWMutex
	m         map[string]V
	weight    int // of the values in m, with Weigh
}

// DefaultSize is the size of a Cache that sets none.
const DefaultSize = 10000

// Get returns the value remembered for key.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[key]
	return v, ok
}

// GetBytes is Get for a key held in a byte slice; it does not copy it.
func (c *Cache[V]) GetBytes(key []byte) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[string(key)]
	return v, ok
}

// Put remembers value for a copy of key.
func (c *Cache[V]) Put(key string, value V) { c.put(strings.Clone(key), value) }

// PutBytes is Put for a key held in a byte slice: the key is copied once,
// into the string the cache keeps.
func (c *Cache[V]) PutBytes(key []byte, value V) { c.put(string(key), value) }

// put remembers value for key, which no one else may change.
func (c *Cache[V]) put(key string, value V) {
	size := c.Size
	if size <= 0 {
		size = DefaultSize
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old, replaced := c.m[key]
	if replaced {
		c.weight -= c.weigh(old)
	}
	w := c.weigh(value)
	if (!replaced && len(c.m) >= size) || (c.Weigh != nil && c.weight+w > c.MaxWeight) {
		c.m, c.weight = nil, 0
	}
	if c.m == nil {
		c.m = make(map[string]V)
	}
	c.m[key] = value
	c.weight += w
}

// weigh is v's weight (0 without Weigh).
func (c *Cache[V]) weigh(v V) int {
	if c.Weigh == nil {
		return 0
	}
	return c.Weigh(v)
}

// Forget drops what is remembered for key.
func (c *Cache[V]) Forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[key]; ok {
		c.weight -= c.weigh(v)
		delete(c.m, key)
	}
}
