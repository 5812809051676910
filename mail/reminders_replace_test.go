package mail

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
)

// Replace swaps one person's reminders for a session in one step: the old
// ones go (and no other prefix's), the new ones are due when they say.
func TestReplaceRemindersSwapsOnePrefix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, prefix := newOutbox(t)
	r := NewReminders(rdb, prefix, ob)
	past, later := time.Now().Add(-time.Second), time.Now().Add(time.Hour)
	for _, k := range []string{"event:e1:user:a:24h", "event:e1:user:a:1h", "event:e1:user:ab:1h", "event:e2:user:a:1h"} {
		if err := r.Schedule(ctx, k, past, reminder("a@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	err := r.Replace(ctx, "event:e1:user:a:", []Reminder{
		{Key: "event:e1:user:a:48h", Due: past, Msg: reminder("a@example.com")},
		{Key: "event:e1:user:a:1h", Due: later, Msg: reminder("a@example.com")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.ZCard(ctx, r.whole().due).Result(); n != 4 {
		t.Fatalf("%d reminders scheduled, want 4 (ab, e2, and the two new ones)", n)
	}
	// Due now: the new 48h one, a:b's and e2's; the 1h one moved to later.
	if sent, err := r.Dispatch(ctx); err != nil || sent != 3 {
		t.Fatalf("Dispatch = %d, %v; want 3", sent, err)
	}
	// Replacing with nothing cancels.
	if err := r.Replace(ctx, "event:e1:user:a:", nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.ZCard(ctx, r.whole().due).Result(); n != 0 {
		t.Fatalf("%d reminders left, want 0", n)
	}
}

// Replace refuses what Schedule refuses, a key outside the prefix and an
// empty prefix, and then stores and cancels nothing.
func TestReplaceRemindersRejectsBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ob, rdb, prefix := newOutbox(t)
	r := NewReminders(rdb, prefix, ob)
	if err := r.Schedule(ctx, "event:e1:user:a:1h", time.Now(), reminder("a@example.com")); err != nil {
		t.Fatal(err)
	}
	bad := reminder("a@example.com")
	delete(bad.Data, "StartsIn")
	cases := []struct {
		name, prefix string
		rs           []Reminder
		field        string
	}{
		{"empty prefix", "", nil, "prefix"},
		{"key outside the prefix", "event:e1:user:a:", []Reminder{{Key: "event:e2:user:a:1h", Due: time.Now(), Msg: reminder("a@example.com")}}, "key"},
		{"no due time", "event:e1:user:a:", []Reminder{{Key: "event:e1:user:a:2h", Msg: reminder("a@example.com")}}, "due"},
		{"bad message", "event:e1:user:a:", []Reminder{{Key: "event:e1:user:a:2h", Due: time.Now(), Msg: bad}}, "data.StartsIn"},
	}
	for _, c := range cases {
		var ve valid.Errors
		if err := r.Replace(ctx, c.prefix, c.rs); !errors.As(err, &ve) || ve[c.field] == "" {
			t.Errorf("%s: err = %v, want field %q", c.name, err, c.field)
		}
	}
	if keys, _ := rdb.ZRange(ctx, r.whole().due, 0, -1).Result(); len(keys) != 1 || keys[0] != "event:e1:user:a:1h" {
		t.Errorf("reminders after refused replacements: %v, want the one scheduled", keys)
	}
}
