// Package strcache remembers string mappings that let a page name what it
// reads next without a Redis round trip (a slug's group, a session's
// group). It is bounded: past its size it starts afresh, so memory stays
// flat whatever the traffic.
package strcache

import "sync"

// Cache maps strings to strings; safe for concurrent use. The zero value
// holds nothing and takes up to DefaultSize entries.
type Cache struct {
	// Size is how many entries it keeps before starting afresh
	// (DefaultSize when 0).
	Size int
	mu   sync.Mutex
	m    map[string]string
}

// DefaultSize is the size of a Cache that sets none.
const DefaultSize = 10000

// Get returns the value remembered for key.
func (c *Cache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

// Put remembers value for key.
func (c *Cache) Put(key, value string) {
	size := c.Size
	if size <= 0 {
		size = DefaultSize
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok && len(c.m) >= size {
		c.m = nil
	}
	if c.m == nil {
		c.m = make(map[string]string)
	}
	c.m[key] = value
}

// Forget drops what is remembered for key.
func (c *Cache) Forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}
