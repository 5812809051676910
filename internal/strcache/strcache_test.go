package strcache

import (
	"strconv"
	"sync"
	"testing"
	"unsafe"
)

func TestRemembersAndForgets(t *testing.T) {
	var c Cache[string]
	if _, ok := c.Get("go"); ok {
		t.Fatal("an empty cache answered")
	}
	c.Put("go", "g1")
	c.Put("go", "g2")
	if v, ok := c.Get("go"); !ok || v != "g2" {
		t.Fatalf("Get(go) = %q, %v; want the latest value g2", v, ok)
	}
	c.Forget("go")
	if _, ok := c.Get("go"); ok {
		t.Fatal("a forgotten key answered")
	}
}

func TestStaysWithinItsWeight(t *testing.T) {
	c := Cache[string]{Weigh: func(v string) int { return len(v) }, MaxWeight: 10}
	c.Put("a", "xxxx")
	c.Put("b", "xxxx")
	c.Put("a", "xx") // replacing counts the new weight only: 6 in all
	c.Put("c", "xxxx")
	if len(c.m) != 3 || c.weight != 10 {
		t.Fatalf("%d entries weighing %d, want 3 weighing 10", len(c.m), c.weight)
	}
	c.Forget("c")
	c.Forget("c")
	if c.weight != 6 {
		t.Fatalf("weight %d after forgetting c (twice), want 6", c.weight)
	}
	c.Put("d", "xxxxx")
	if len(c.m) != 1 || c.weight != 5 {
		t.Fatalf("%d entries weighing %d after outweighing 10, want a fresh start with d alone", len(c.m), c.weight)
	}
	if v, ok := c.Get("d"); !ok || v != "xxxxx" {
		t.Fatal("the entry that outweighed the cache was lost")
	}
}

func TestStaysWithinItsSize(t *testing.T) {
	c := Cache[string]{Size: 3}
	for i := range 3 {
		c.Put(strconv.Itoa(i), "v")
	}
	c.Put("0", "again") // replacing a key does not count as growing
	if _, ok := c.Get("2"); !ok {
		t.Fatal("replacing a key dropped the others")
	}
	c.Put("new", "v")
	if len(c.m) != 1 {
		t.Fatalf("%d entries after outgrowing a size of 3, want a fresh start with 1", len(c.m))
	}
	if v, ok := c.Get("new"); !ok || v != "v" {
		t.Fatal("the entry that outgrew the cache was lost")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := Cache[string]{Size: 50}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := strconv.Itoa(g*1000 + i)
				c.Put(k, k)
				if v, ok := c.Get(k); ok && v != k {
					t.Errorf("Get(%s) = %s", k, v)
				}
				c.Forget(k)
			}
		})
	}
	wg.Wait()
}

func TestGetBytesFindsWhatPutStored(t *testing.T) {
	var c Cache[*int]
	n := 7
	raw := []byte(`{"id":"u1"}`)
	if _, ok := c.GetBytes(raw); ok {
		t.Fatal("an empty cache answered")
	}
	c.Put(string(raw), &n)
	raw[2] = 'x' // the caller's buffer may be reused: the cache kept its own key
	if _, ok := c.GetBytes(raw); ok {
		t.Fatal("a changed key answered")
	}
	if v, ok := c.GetBytes([]byte(`{"id":"u1"}`)); !ok || *v != 7 {
		t.Fatalf("GetBytes = %v, %v", v, ok)
	}
}

// A key that points into a buffer the caller reuses (as a route parameter
// points into the server's request buffer) is still found once the
// buffer holds the next request.
func TestKeysOutliveTheBufferTheyCameFrom(t *testing.T) {
	var c Cache[string]
	buf := []byte("/g/api-budget")
	slug := unsafe.String(&buf[3], len(buf)-3)
	c.Put(slug, "group-1")
	copy(buf, "/g/zzz-budget") // the next request on the connection
	if v, ok := c.Get("api-budget"); !ok || v != "group-1" {
		t.Fatalf("Get(api-budget) after the buffer changed = %q, %v", v, ok)
	}
	if _, ok := c.Get("zzz-budget"); ok {
		t.Fatal("the buffer's new contents were found as a key")
	}
}

func TestPutBytesKeepsItsOwnCopyOfTheKey(t *testing.T) {
	var c Cache[int]
	buf := []byte(`{"u":"ada"}`)
	c.PutBytes(buf, 1)
	copy(buf, `{"u":"eve"}`) // the reader's buffer, reused for the next reply
	if v, ok := c.GetBytes([]byte(`{"u":"ada"}`)); !ok || v != 1 {
		t.Fatalf("GetBytes of the original key = %d, %v", v, ok)
	}
	if _, ok := c.GetBytes(buf); ok {
		t.Fatal("the buffer's new contents were found as a key")
	}
}
